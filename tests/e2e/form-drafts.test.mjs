// Issue 15, end to end: a new version of a form, from the console to the phones, without a
// rebuild. An officer's phone records an outreach event (the newest shipped version, 2) and
// syncs. The admin downloads version 1 as an XLSForm workbook, uploads the workbook in the
// console as a draft ("Tải lên bản thử"): the drafts table lists it as version 3. A tester's phone syncs
// and shows "Thử biểu mẫu mới" with the draft; the form says "Bản thử"; the test record it
// makes syncs but is no record on the server (the console counts it as a test record). The
// admin publishes the draft; the officer's phone syncs, gets version 3 and records with it;
// both versions' records are on the server and both count in the summary, the test record
// in neither. Screenshots (docs/screenshots): console-form-drafts-1280, pwa-form-draft-360.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Server, Device, COMMUNE, PASSWORD, disposeAfterAll, eventually } from './lib/harness.mjs';
import { promise, signIn, counts, syncNow, fillOutreach } from './lib/app.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS = join(ROOT, 'docs/screenshots');
const WIDE = { width: 1280, height: 800 };
const NARROW = { width: 360, height: 740 };

const cleanup = disposeAfterAll();

async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Presses "Đồng bộ ngay" until the home screen shows `want`. */
async function settled(page, want, ms = 30_000) {
  let last = null;
  return eventually(`the phone to show ${JSON.stringify(want)}`, async () => {
    const c = await counts(page);
    if (Object.entries(want).every(([k, v]) => c[k] === v)) return c;
    await syncNow(page).catch(() => {});
    last = c;
    return false;
  }, ms, 500).catch((e) => {
    throw new Error(`${e.message}; the phone shows ${JSON.stringify(last)}`);
  });
}

async function signInConsole(page, server, username) {
  await page.goto(`${server.url}/console/`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
  await page.locator('nav.menu').waitFor();
}

/** The catalog version the phone holds (its IndexedDB `meta` row), as stored. */
async function heldCatalog(page) {
  return page.evaluate(() => new Promise((ok) => {
    const open = indexedDB.open('sotay');
    open.onerror = () => ok('');
    open.onsuccess = () => {
      const db = open.result;
      const get = db.transaction('meta').objectStore('meta').get('catalog_version');
      get.onsuccess = () => { db.close(); ok(JSON.stringify(get.result ?? '')); };
      get.onerror = () => { db.close(); ok(''); };
    };
  }));
}

/** The outreach records the server holds, by place: their form versions. */
async function outreachVersions(server) {
  const records = await server.records();
  return Object.fromEntries(
    records.filter((r) => r.form_id === 'outreach_event').map((r) => [r.values.place, r.form_version]),
  );
}

test('a new form version: uploaded as a draft in the console, tried on a phone, published, recorded with', async () => {
  const server = await Server.create([
    { username: 'lan', role: 'collector', communes: [COMMUNE] },
    { username: 'mai', role: 'collector', communes: [COMMUNE], name: 'Lò Thị Mai' },
    { username: 'admin', role: 'admin' },
  ]);
  cleanup.push(server);
  const adminToken = await server.token('admin');
  await server.api('PATCH', '/admin/users/mai', { token: adminToken, body: { tester: true } });

  // The officer records with version 1.
  const officer = new Device('drafts-officer');
  const tester = new Device('drafts-tester');
  const desk = new Device('drafts-console');
  cleanup.push(officer, tester, desk);
  const lanPage = await officer.open();
  await lanPage.setViewportSize(NARROW);
  await signIn(lanPage, server, 'lan');
  await fillOutreach(lanPage, { place: 'Thôn Phú Vinh (v1)' });
  await settled(lanPage, { waiting: 0, synced: 1 });
  const maiPage = await tester.open();
  await maiPage.setViewportSize(NARROW);
  await signIn(maiPage, server, 'mai');

  // Version 1 as the workbook officials edit, uploaded again as a draft.
  const dir = mkdtempSync(join(tmpdir(), 'sotay-e2e-drafts-'));
  cleanup.push({ dispose: () => rmSync(dir, { recursive: true, force: true }) });
  const download = await fetch(`${server.url}/api/v1/admin/forms/outreach_event/1/xlsform`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  assert.equal(download.status, 200);
  const workbook = join(dir, 'hoat-dong-truyen-thong.xlsx');
  writeFileSync(workbook, Buffer.from(await download.arrayBuffer()));

  const page = await desk.open();
  await page.setViewportSize(WIDE);
  page.on('dialog', (dialog) => dialog.accept());
  await signInConsole(page, server, 'admin');
  await page.locator('nav.menu').getByRole('link', { name: 'Biểu mẫu' }).click();
  await page.getByRole('heading', { name: 'Biểu mẫu', exact: true }).waitFor();
  await page.locator('input[type=file]').setInputFiles(workbook);
  await page.getByRole('button', { name: 'Tải lên bản thử' }).click();
  await page.getByText('Đã tải lên bản thử Hoạt động truyền thông (phiên bản 3 khi phát hành).').waitFor();
  const draftRow = page.locator('.form-drafts tbody tr', { hasText: 'outreach_event' });
  await draftRow.waitFor();
  assert.equal((await draftRow.locator('td').nth(1).innerText()).trim(), '3');
  const officerCatalog = await server.api('GET', '/forms', { token: await server.token('lan') });
  promise('overwritten', !officerCatalog.forms.some((f) => f.draft), 'a draft reached an officer who does not test');

  // The tester's phone gets it, marked; its record is a test record.
  await eventually('the draft on the tester\'s phone', async () => {
    await syncNow(maiPage).catch(() => {});
    await maiPage.goto(new URL('/#/', maiPage.url()).href);
    return (await maiPage.locator('.test-forms').count()) > 0;
  }, 30_000, 1000);
  await maiPage.locator('.test-forms').getByText('Thử biểu mẫu mới').waitFor();
  await shot(maiPage, 'pwa-form-draft-360');
  await fillOutreach(maiPage, { place: 'Thử phiên bản mới', route: '#/try/outreach_event', finish: false });
  await maiPage.locator('.form-screen .badge', { hasText: 'Bản thử' }).waitFor();
  await maiPage.getByRole('button', { name: 'Hoàn thành' }).click();
  await maiPage.locator('.home').waitFor();
  // Hers and the officer's record of the commune, pulled.
  await settled(maiPage, { waiting: 0, synced: 2 });
  await maiPage.goto(new URL('/#/records', maiPage.url()).href);
  await maiPage.locator('.record-row', { hasText: 'Bản thử' }).waitFor();
  await page.reload();
  await draftRow.locator('td', { hasText: /^1$/ }).waitFor();
  promise('overwritten', !('Thử phiên bản mới' in (await outreachVersions(server))), 'a test record became a record');
  await shot(page, 'console-form-drafts-1280');

  // Published: every phone gets version 3 (outreach ships v1 and v2).
  await draftRow.getByRole('button', { name: 'Phát hành' }).click();
  await page.getByText('Đã phát hành Hoạt động truyền thông phiên bản 3. Điện thoại sẽ nhận khi đồng bộ.').waitFor();
  await page.locator('section.form-group', { hasText: 'outreach_event' }).locator('tbody tr').nth(1).waitFor();
  assert.equal(await page.locator('.form-drafts').count(), 0, 'no draft is left');

  const published = (await server.api('GET', '/forms', { token: await server.token('lan') })).version;
  await eventually('the officer\'s phone to hold the published catalog', async () => {
    if ((await heldCatalog(lanPage)).includes(published)) return true;
    await syncNow(lanPage).catch(() => {});
    return false;
  }, 30_000, 1000);
  await fillOutreach(lanPage, { place: 'Thôn Phú Vinh (v2)', girls: 4, boys: 1 });
  // Her two records; the tester's test record is never pulled.
  await settled(lanPage, { waiting: 0, synced: 2 });

  const versions = await outreachVersions(server);
  assert.deepEqual(versions, { 'Thôn Phú Vinh (v1)': 2, 'Thôn Phú Vinh (v2)': 3 });
  const summary = await server.api('GET', '/reports/summary?from=2026-11-01&to=2026-11-30', {
    token: await server.token('province'),
  });
  const outreach = summary.forms.find((f) => f.form_id === 'outreach_event');
  promise('lost', outreach.activities === 2, `the summary counts ${outreach.activities} outreach events, not 2`);
});
