// Issue 13, end to end: the console and the phones it watches. An admin creates a collector
// and prints her enrolment link; her phone enrols from the link, records offline and syncs;
// the console's Phones screen shows it with its app version and what it still holds (1 while
// its pushes fail, 0 once everything is sent), and flags a phone silent for 8 days, listed
// first; a supervisor of the commune finds the record by a word of its notes; the phone is
// reported lost and signed out from the console: its next record stays queued on the phone
// (the server never gets it) until someone signs in again.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Server, Device, COMMUNE, PASSWORD, disposeAfterAll, eventually } from './lib/harness.mjs';
import { promise, serviceWorkerInCharge, counts, fillOutreach } from './lib/app.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS = join(ROOT, 'docs/screenshots');
const VALUES = JSON.parse(readFileSync(join(ROOT, 'forms/tests/cases/outreach_event_v1.json'), 'utf8')).valid[0].values;
/** The version the PWA reports (`env!("CARGO_PKG_VERSION")` of frontend/device). */
const APP_VERSION = readFileSync(join(ROOT, 'frontend/device/Cargo.toml'), 'utf8').match(/^version\s*=\s*"([^"]+)"/m)[1];
const DAY = 86_400_000;
const WIDE = { width: 1280, height: 800 };

const NEW_USER = 'khanh';
const NOTES = 'Phát giống Khoai lang cho các hộ nghèo sau buổi họp';
const LATER_NOTES = 'Buổi họp thứ hai, có nuôi Ngan';
const OLD_PHONE = 'phone-hoa-cu';

const cleanup = disposeAfterAll();

async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function signInConsole(page, server, username) {
  await page.goto(`${server.url}/console/`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
  await page.locator('nav.menu').waitFor();
}

async function signOutConsole(page) {
  await page.getByRole('button', { name: 'Đăng xuất', exact: true }).click();
  await page.locator('#username').waitFor();
}

async function menu(page, name) {
  await page.locator('nav.menu').getByRole('link', { name, exact: true }).click();
}

/** The phone's device id, as it stored it (the console shows its end, the whole in `title`). */
async function deviceIdOf(page) {
  return page.evaluate(async () => {
    const db = await new Promise((ok, fail) => {
      const r = indexedDB.open('sotay');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const id = await new Promise((ok, fail) => {
      const r = db.transaction('meta').objectStore('meta').get('device_id');
      r.onsuccess = () => ok(r.result ?? null);
      r.onerror = () => fail(r.error);
    });
    db.close();
    // Meta values are stored as JSON.
    return typeof id === 'string' && id.startsWith('"') ? JSON.parse(id) : id;
  });
}

/** "Đồng bộ ngay", if the sync bar offers it now (not while syncing, nor once signed out). */
async function nudge(app) {
  await app.getByRole('button', { name: 'Đồng bộ ngay' }).click({ timeout: 1_000 }).catch(() => {});
}

/** Rows of the Phones screen's table. */
const phoneRows = (page) => page.locator('table.list tbody tr');
const phoneRow = (page, deviceId) => phoneRows(page).filter({ has: page.locator(`code[title="${deviceId}"]`) });

/** Opens the Phones screen afresh (its list is read when it opens) and waits for `deviceId`. */
async function openPhones(page, server, deviceId) {
  await page.goto(`${server.url}/console/phones`);
  await phoneRow(page, deviceId).waitFor();
  return phoneRow(page, deviceId);
}

/** A device as the server lists it to an admin. */
async function device(server, token, deviceId) {
  const page = await server.api('GET', '/admin/devices?stale_days=7&per_page=200', { token });
  return page.items.find((d) => d.device_id === deviceId);
}

/** Records the server has whose text answers hold `word` (the console's search). */
async function found(server, token, word) {
  return server.api('GET', `/admin/records?q=${encodeURIComponent(word)}`, { token });
}

/** A finished outreach record of `author`'s, as a phone would push it. */
function record(author, place) {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    form_id: 'outreach_event',
    form_version: 1,
    location: { unit_list: 'units_2025', unit_code: COMMUNE },
    author,
    device_id: OLD_PHONE,
    created_at: now,
    updated_at: now,
    status: 'final',
    values: { ...VALUES, place },
  };
}

/**
 * Hoa's old phone syncs once (a push and a pull, reporting itself as the PWA does), then
 * its sync times are moved 8 days back, as if it had been silent since. The server's
 * SQLite database takes a second writer while it runs (WAL, busy timeout).
 */
async function oldPhoneSynced8DaysAgo(server) {
  const { token } = await server.api('POST', '/auth/sign-in', {
    body: { username: 'hoa', password: PASSWORD, device_id: OLD_PHONE },
  });
  const headers = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    'sotay-app-version': '0.0.9',
    'sotay-pending': '0',
    'sotay-refused': '0',
  };
  const body = JSON.stringify({
    device_id: OLD_PHONE,
    changes: [{ change_id: randomUUID(), base_revision: 0, record: record('hoa', 'Trường mầm non Cẩm Thành') }],
  });
  const push = await fetch(`${server.url}/api/v1/sync/push`, { method: 'POST', headers, body });
  assert.equal(push.status, 200, await push.text());
  const pull = await fetch(`${server.url}/api/v1/sync/pull?since=0&limit=50`, { headers });
  assert.equal(pull.status, 200, await pull.text());
  // Every time the row holds (whichever of these columns the schema has) moves back together.
  const script = `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
have = {row[1] for row in db.execute("PRAGMA table_info(devices)")}
times = [c for c in ("first_seen_at", "first_sync_at", "last_push_at", "last_pull_at", "reported_at") if c in have]
shift = ", ".join(f"{c} = {c} - ?1" for c in times)
n = db.execute(f"UPDATE devices SET {shift} WHERE device_id = ?2", (int(sys.argv[2]), sys.argv[3])).rowcount
db.commit()
print(n)
`;
  const changed = execFileSync('python3', ['-c', script, join(server.dataDir, 'sotay.db'), String(8 * DAY), OLD_PHONE], {
    encoding: 'utf8',
  });
  assert.equal(changed.trim(), '1', 'the old phone is one row of the devices table');
}

test('phones in the console: enrolled from the sheet, synced, flagged when silent, signed out when lost', async () => {
  const server = await Server.create([
    { username: 'hoa', role: 'collector', communes: [COMMUNE] },
    { username: 'admin', role: 'admin' },
    { username: 'giamsat', role: 'supervisor', communes: [COMMUNE] },
  ]);
  const consoleBrowser = new Device('console-phones');
  const phone = new Device('phone-khanh');
  cleanup.push(server, consoleBrowser, phone);
  // The script's own admin session is a console session, so the Phones screen lists phones only.
  const { token: adminToken } = await server.api('POST', '/auth/sign-in', {
    body: { username: 'admin', password: PASSWORD, device_id: 'e2e-script', client: 'console' },
  });

  // 1. The admin creates Khánh, a collector of Cẩm Thành (picked by name), with a password
  //    for later, then issues her link and shows the printable sheet.
  const desk = await consoleBrowser.open();
  await desk.setViewportSize(WIDE);
  const dialogs = [];
  desk.on('dialog', (d) => {
    dialogs.push(d.message());
    d.accept();
  });
  await signInConsole(desk, server, 'admin');
  await desk.getByRole('link', { name: 'Tạo người dùng' }).click();
  await desk.locator('#u-username').fill(NEW_USER);
  await desk.locator('#u-name').fill('Trần Thị Khánh');
  await desk.locator('#u-password').fill(PASSWORD);
  await desk.locator('#u-communes').fill('cam thanh');
  await desk.locator('button.match', { hasText: 'Phường Cẩm Thành' }).click();
  await desk.locator('.chip', { hasText: 'Phường Cẩm Thành' }).waitFor();
  await desk.getByRole('button', { name: 'Tạo', exact: true }).click();
  await desk.getByText(`Đã tạo tài khoản ${NEW_USER}`).waitFor();

  await menu(desk, 'Đăng ký điện thoại');
  await desk.locator('#e-user-q').fill(NEW_USER);
  await eventually('only Khánh to choose', async () => (await desk.locator('#e-user option').count()) === 2);
  await desk.locator('#e-user').selectOption(NEW_USER);
  await desk.getByRole('button', { name: 'Cấp liên kết', exact: true }).click();
  await desk.locator('.slip').waitFor();
  await desk.emulateMedia({ media: 'print' });
  assert.equal(await desk.locator('nav.menu').isVisible(), false, 'the menu is not printed');
  const slip = desk.locator('.slip');
  assert.equal(await slip.count(), 1, 'one slip, for Khánh');
  assert.equal(await slip.isVisible(), true, 'the slip is printed');
  assert.match(await slip.locator('.slip-name').innerText(), /Trần Thị Khánh/);
  const link = (await slip.locator('.slip-link').innerText()).trim();
  await desk.emulateMedia({ media: 'screen' });
  assert.ok(link.startsWith(`${server.url}/#/enroll/`), `the sheet's link opens the PWA: ${link}`);

  // 2. Khánh's phone opens the link from the sheet and is set up without a password.
  const app = await phone.open();
  await app.goto(link);
  await app.getByRole('button', { name: 'Kích hoạt và đăng nhập' }).click();
  await app.getByText('Hoạt động truyền thông').waitFor({ timeout: 20_000 });
  await serviceWorkerInCharge(app);
  const khanhPhone = await deviceIdOf(app);
  const known = (await server.api('GET', '/admin/devices?per_page=200', { token: adminToken })).items;
  assert.deepEqual(
    known.filter((d) => d.username === NEW_USER).map((d) => d.device_id),
    [khanhPhone],
    'enrolment made the phone known to the server, by the id it keeps',
  );
  assert.equal((await server.api('GET', `/admin/enrollments`, { token: adminToken })).total, 0, 'the code is used up');

  // No signal: a record with a distinctive word in its notes waits on the phone.
  await phone.offline(true);
  await fillOutreach(app, { place: 'Nhà văn hoá thôn 3', finish: false });
  await app.locator('#i-notes').fill(NOTES);
  await app.getByRole('button', { name: 'Hoàn thành' }).click();
  await app.locator('.home').waitFor({ timeout: 10_000 });
  let c = await counts(app);
  promise('lost', c.waiting === 1 && c.synced === 0, `one record should wait on the phone: ${JSON.stringify(c)}`);

  // 3. The signal returns but the pushes' answers are lost on the way (each reaches the
  //    server, the phone hears 503): the phone still holds its record, and says so.
  const dropAnswers = async (route) => {
    await route.fetch().catch(() => {});
    await route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"unavailable"}' });
  };
  await phone.context.route('**/api/v1/sync/push', dropAnswers);
  await phone.offline(false);
  await eventually('the phone to report 1 pending', async () => (await device(server, adminToken, khanhPhone))?.pending === 1);
  let row = await openPhones(desk, server, khanhPhone);
  assert.equal(await row.locator('td[data-label="Chờ gửi"]').innerText(), '1', 'the console shows the unsent record');
  assert.match(await row.locator('td[data-label="Máy, phiên bản"]').innerText(), new RegExp(APP_VERSION.replace(/\./g, '\\.')));
  c = await counts(app);
  promise('lost', c.waiting === 1, `the record must still wait while pushes fail: ${JSON.stringify(c)}`);

  // The network is whole again: the phone sends it, and its pull reports nothing pending.
  await phone.context.unroute('**/api/v1/sync/push', dropAnswers);
  await eventually('the phone to show its record sent', async () => {
    const now = await counts(app);
    if (now.synced === 1 && now.waiting === 0) return true;
    await nudge(app);
    return false;
  }, 45_000, 1_000);
  await eventually('the phone to report 0 pending', async () => (await device(server, adminToken, khanhPhone))?.pending === 0);
  row = await openPhones(desk, server, khanhPhone);
  assert.equal(await row.locator('td[data-label="Chờ gửi"]').innerText(), '0', 'pending 0 after the sync, not "chưa báo"');
  assert.equal(await row.locator('td[data-label="Bị từ chối"]').innerText(), '0');
  assert.match(await row.locator('td[data-label="Máy, phiên bản"]').innerText(), new RegExp(`\\b${APP_VERSION.replace(/\./g, '\\.')}\\b`));
  assert.match(await row.locator('td[data-label="Người dùng"]').innerText(), /Trần Thị Khánh/);
  assert.equal(await row.getByText('Liên lạc tốt').count(), 1, 'a phone that just synced is in touch');
  const onServer = await found(server, adminToken, 'Khoai');
  promise('duplicated', onServer.total === 1, `the record sent through dropped answers: ${JSON.stringify(onServer.items)}`);

  // 4. Hoa's old phone last synced 8 days ago: flagged, and first in the list.
  await oldPhoneSynced8DaysAgo(server);
  const old = await device(server, adminToken, OLD_PHONE);
  assert.equal(old.stale, true, `the server flags the old phone: ${JSON.stringify(old)}`);
  assert.ok(old.silent_days >= 8, `silent for ${old.silent_days} days`);
  await openPhones(desk, server, OLD_PHONE);
  const first = phoneRows(desk).first();
  assert.equal(await first.locator(`code[title="${OLD_PHONE}"]`).count(), 1, 'the silent phone is listed first');
  assert.match(await first.getAttribute('class'), /\bstale\b/);
  await first.locator('.badge.bad', { hasText: `Im lặng ${old.silent_days} ngày` }).waitFor();
  assert.equal(await phoneRow(desk, khanhPhone).locator('.badge.bad').count(), 0, "Khánh's phone is not flagged");
  assert.equal(await phoneRows(desk).count(), 2, 'two phones; no console session is listed as one');
  await desk.getByText(/1 máy im lặng quá 7 ngày/).waitFor();
  await shot(desk, 'console-phones-flagged-1280');

  // 5. The commune's supervisor finds the record by a word of its notes and reads it.
  await signOutConsole(desk);
  await signInConsole(desk, server, 'giamsat');
  await menu(desk, 'Phiếu');
  await desk.locator('p.count', { hasText: '2' }).waitFor();
  await desk.getByLabel('Có chữ').fill('Khoai');
  await desk.getByRole('button', { name: 'Tìm', exact: true }).click();
  await eventually('one record found by "Khoai"', async () => (await desk.locator('table.list tbody tr').count()) === 1);
  const hit = desk.locator('table.list tbody tr');
  assert.match(await hit.innerText(), new RegExp(NEW_USER));
  await hit.getByRole('link', { name: 'Hoạt động truyền thông' }).click();
  const notes = desk.locator('.answers .answer', { has: desk.locator('dt', { hasText: 'Ghi chú' }) });
  await notes.waitFor();
  assert.equal((await notes.locator('dd').innerText()).trim(), NOTES);
  await desk.locator('.answers', { hasText: 'Nhà văn hoá thôn 3' }).waitFor();

  // 6. Khánh's phone is lost: the admin signs that phone out (and only it), confirming.
  await signOutConsole(desk);
  await signInConsole(desk, server, 'admin');
  row = await openPhones(desk, server, khanhPhone);
  await row.getByRole('button', { name: 'Đăng xuất máy này' }).click();
  await desk.getByText(`Đã đăng xuất điện thoại của ${NEW_USER}.`).waitFor();
  assert.ok(
    dialogs.some((m) => m.includes(`Đăng xuất điện thoại này của ${NEW_USER}?`)),
    `the sign-out was confirmed first: ${JSON.stringify(dialogs)}`,
  );
  await phoneRow(desk, khanhPhone).getByText('Đã đăng xuất').waitFor();
  assert.equal(await phoneRow(desk, khanhPhone).getByRole('button', { name: 'Đăng xuất máy này' }).count(), 0);
  assert.equal((await device(server, adminToken, OLD_PHONE)).signed_in, true, "Hoa's phone keeps its session");

  // The phone does not know yet: it records offline, then syncs and is asked to sign in;
  // the record stays queued and the server has not got it.
  await phone.offline(true);
  await fillOutreach(app, { place: 'Nhà văn hoá thôn 5', finish: false });
  await app.locator('#i-notes').fill(LATER_NOTES);
  await app.getByRole('button', { name: 'Hoàn thành' }).click();
  await app.locator('.home').waitFor({ timeout: 10_000 });
  await phone.offline(false);
  await eventually('the phone to ask for sign-in', async () => {
    if (await app.getByText('Phiên đăng nhập đã hết hạn.', { exact: false }).count()) return true;
    await nudge(app);
    return false;
  }, 30_000, 1_000);
  await app.getByRole('link', { name: 'Đăng nhập lại' }).waitFor();
  c = await counts(app);
  promise('lost', c.waiting === 1, `the new record must stay queued: ${JSON.stringify(c)}`);
  assert.equal((await found(server, adminToken, 'Ngan')).total, 0, 'the server has not got the record of a signed-out phone');

  // Found again: Khánh signs in, and the queued record goes out.
  await app.getByRole('link', { name: 'Đăng nhập lại' }).click();
  await app.locator('input[autocomplete=username]').fill(NEW_USER);
  await app.locator('input[type=password]').fill(PASSWORD);
  await app.locator('button[type=submit]').click();
  await app.getByText('Hoạt động truyền thông').waitFor({ timeout: 20_000 });
  await eventually('the queued record to be sent', async () => {
    const now = await counts(app);
    // Hoa's record comes down with the pull too: Khánh's phone sees the commune's records.
    if (now.waiting === 0 && now.synced >= 2) return true;
    await nudge(app);
    return false;
  }, 45_000, 1_000);
  const later = await found(server, adminToken, 'Ngan');
  promise('lost', later.total === 1, `after signing in again the server holds ${JSON.stringify(later.items)}`);
});
