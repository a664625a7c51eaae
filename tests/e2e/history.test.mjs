// A record's edit history and the audit log, end to end. An admin creates a collector in the
// console; her phone records an outreach event, syncs it, then corrects a participant count
// and the notes and syncs again. The console's record page lists both revisions, newest
// first, with the grid cell (ethnic group · group · sex, before → after) and the notes that
// changed; the phone's record page shows the same history when it is opened online, and says
// to go online when it is opened offline. The audit log lists the admin creating the
// collector. Saved at 1280×800 and 360×740 in docs/screenshots/console-record-history-*,
// console-audit-* and pwa-record-history-360.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Server, Device, PASSWORD, disposeAfterAll, eventually } from './lib/harness.mjs';
import { promise, shot as phoneShot, signIn, serviceWorkerInCharge, counts, syncNow, fillOutreach, localRecordId } from './lib/app.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS = join(ROOT, 'docs/screenshots');
const WIDE = { width: 1280, height: 800 };
const NARROW = { width: 360, height: 740 };

const OFFICER = 'thu';
const OFFICER_NAME = 'Trần Thị Thu';
const PLACE = 'Nhà văn hoá thôn Phú Vinh';
const NOTES = 'Họp tổ phụ nữ thôn';
const NEW_NOTES = 'Họp tổ phụ nữ thôn, thêm 4 em từ điểm trường';
/** The children's grid, Kinh girls: written first, then corrected. */
const GIRLS = 3;
const NEW_GIRLS = 7;
const GRID = 'Số người tham dự theo giới tính, dân tộc và độ tuổi';
const CELL = `${GRID}: Kinh · Trẻ em (dưới 16 tuổi) · Nữ`;

const cleanup = disposeAfterAll();

/** The whole page, or (`full: false`) what the window shows. */
async function shot(page, name, { full = true } = {}) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: full });
}

async function signInConsole(page, server, username) {
  await page.goto(`${server.url}/console/`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
  await page.locator('nav.menu').waitFor();
}

async function menu(page, name) {
  await page.locator('nav.menu').getByRole('link', { name, exact: true }).click();
}

/** Presses "Đồng bộ ngay" until the home screen shows `want`. */
async function settled(page, want, ms = 30_000) {
  return eventually(`the phone to show ${JSON.stringify(want)}`, async () => {
    const c = await counts(page);
    if (Object.entries(want).every(([k, v]) => c[k] === v)) return c;
    await syncNow(page).catch(() => {});
    return false;
  }, ms, 500);
}

/** The phone's device id, as it stored it (the console's history names it). */
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
    return typeof id === 'string' && id.startsWith('"') ? JSON.parse(id) : id;
  });
}

/** A row of the console's change table: its three cells' text. */
async function changeRow(revision, label) {
  const row = revision.locator('table.compare tbody tr', { has: revision.page().getByRole('rowheader', { name: label, exact: true }) });
  assert.equal(await row.count(), 1, `one row "${label}" in: ${await revision.innerText()}`);
  return [await row.locator('th').innerText(), ...(await row.locator('td').allInnerTexts())].map((s) => s.trim());
}

test("a record's history in the console and on the phone, and the audit log", async () => {
  const server = await Server.create([{ username: 'admin', role: 'admin' }]);
  const desk = new Device('history-console');
  const phone = new Device('history-phone');
  cleanup.push(server, desk, phone);

  // The admin creates the collector, with a password for her phone.
  const console_ = await desk.open();
  await console_.setViewportSize(WIDE);
  await signInConsole(console_, server, 'admin');
  await console_.getByRole('link', { name: 'Tạo người dùng' }).click();
  await console_.locator('#u-username').fill(OFFICER);
  await console_.locator('#u-name').fill(OFFICER_NAME);
  await console_.locator('#u-password').fill(PASSWORD);
  await console_.locator('#u-communes').fill('cam thanh');
  await console_.locator('button.match', { hasText: 'Phường Cẩm Thành' }).click();
  await console_.locator('.chip', { hasText: 'Phường Cẩm Thành' }).waitFor();
  await console_.getByRole('button', { name: 'Tạo', exact: true }).click();
  await console_.getByText(`Đã tạo tài khoản ${OFFICER}`).waitFor();

  // Her phone records an event and syncs it (revision 1) ...
  const app = await phone.open();
  await signIn(app, server, OFFICER);
  await serviceWorkerInCharge(app);
  await fillOutreach(app, { place: PLACE, girls: GIRLS, boys: 2, finish: false });
  await app.locator('#i-notes').fill(NOTES);
  await app.getByRole('button', { name: 'Hoàn thành' }).click();
  await app.locator('.home').waitFor({ timeout: 10_000 });
  await settled(app, { waiting: 0, synced: 1 });
  const id = await localRecordId(app, PLACE);
  promise('lost', id !== null, 'the record is not on the phone');

  // ... then corrects the girls' count and the notes, and syncs again (revision 2).
  await app.goto(new URL(`/#/record/${id}`, app.url()).href);
  await app.getByRole('button', { name: 'Sửa phiếu' }).click();
  await app.locator('#i-participants .grid-block').first().getByLabel('Kinh Nữ', { exact: true }).fill(String(NEW_GIRLS));
  await app.locator('#i-notes').fill(NEW_NOTES);
  await app.getByRole('button', { name: 'Hoàn thành' }).click();
  await app.locator('.home').waitFor({ timeout: 10_000 });
  await settled(app, { waiting: 0, synced: 1 });
  const device = await deviceIdOf(app);

  // The console: two revisions under the answers, newest first.
  await console_.goto(`${server.url}/console/records/${id}`);
  await console_.getByRole('heading', { name: 'Lịch sử sửa phiếu' }).waitFor();
  const revisions = console_.locator('ol.history > li.revision');
  await eventually('two revisions in the console', async () => (await revisions.count()) === 2);
  const [newest, oldest] = [revisions.nth(0), revisions.nth(1)];
  assert.equal((await newest.locator('h3').innerText()).trim(), 'Lần sửa 2 · Hoàn thành');
  assert.equal((await oldest.locator('h3').innerText()).trim(), 'Lần sửa 1 · tạo phiếu');
  for (const revision of [newest, oldest]) {
    const meta = await revision.locator('.meta').innerText();
    assert.ok(meta.includes(`${OFFICER_NAME} (${OFFICER})`), `the sender is named: ${meta}`);
    assert.ok(meta.includes(`máy ${device}`), `the phone is named: ${meta}`);
    assert.match(meta, /\d{2}\/\d{2}\/\d{4}/, `the time is shown: ${meta}`);
  }
  assert.deepEqual(await changeRow(newest, CELL), [CELL, String(GIRLS), String(NEW_GIRLS)]);
  assert.deepEqual(await changeRow(newest, 'Ghi chú'), ['Ghi chú', NOTES, NEW_NOTES]);
  assert.equal(await newest.locator('table.compare tbody tr').count(), 2, 'only the two answers changed');
  assert.equal(await oldest.locator('table.compare').count(), 0, 'the first revision lists no changes');
  await shot(console_, 'console-record-history-1280');
  await console_.setViewportSize(NARROW);
  await shot(console_, 'console-record-history-360');

  // The phone, online: the folded history opens on the same two revisions.
  await app.goto(new URL(`/#/record/${id}`, app.url()).href);
  const folded = app.locator('details.history');
  await folded.evaluate((d) => d.scrollIntoView({ block: 'center' }));
  await phoneShot(app, 'record-history-folded');
  await folded.getByText('Lịch sử sửa phiếu', { exact: true }).click();
  const items = folded.locator('ol.revisions > li');
  await eventually('two revisions on the phone', async () => (await items.count()) === 2);
  const [second, first] = [await items.nth(0).innerText(), await items.nth(1).innerText()];
  assert.match(second, new RegExp(`^Lần sửa 2 · .+ · ${OFFICER_NAME}`));
  assert.match(first, new RegExp(`^Lần sửa 1 · .+ · ${OFFICER_NAME} · tạo phiếu`));
  assert.ok(second.includes(`${CELL} ${GIRLS} → ${NEW_GIRLS}`), `the grid cell's change: ${second}`);
  assert.ok(second.includes(`Ghi chú: ${NOTES} → ${NEW_NOTES}`), `the notes' change: ${second}`);
  // What the phone's screen shows (the sync bar is fixed to its foot): the history in view.
  await folded.evaluate((d) => d.scrollIntoView({ block: 'center' }));
  await shot(app, 'pwa-record-history-360', { full: false });

  // Offline (the app reopened from its service worker): it says to go online.
  await phone.offline(true);
  await app.reload();
  await app.getByText('Không có mạng').first().waitFor({ timeout: 15_000 });
  await app.locator('details.history').getByText('Lịch sử sửa phiếu', { exact: true }).click();
  await app.locator('details.history').getByText('Cần có mạng để xem lịch sử sửa phiếu trên máy chủ.').waitFor();
  assert.equal(await app.locator('details.history ol.revisions').count(), 0, 'no history is shown offline');
  await app.locator('details.history').evaluate((d) => d.scrollIntoView({ block: 'center' }));
  await phoneShot(app, 'record-history-offline');
  await phone.offline(false);

  // The audit log: the admin created the collector, from the console.
  await console_.setViewportSize(WIDE);
  await menu(console_, 'Nhật ký');
  await console_.getByRole('heading', { name: 'Nhật ký', exact: true }).waitFor();
  const created = console_.locator('table.audit-table tbody tr', {
    has: console_.locator(`td[data-label="Đối tượng"]`, { hasText: new RegExp(`^${OFFICER}$`) }),
  });
  await created.waitFor();
  assert.equal(await created.count(), 1, 'one entry about the collector');
  assert.equal((await created.locator('td[data-label="Thao tác"]').innerText()).trim(), 'Tạo người dùng');
  assert.equal((await created.locator('td[data-label="Người thực hiện"]').innerText()).trim(), 'admin');
  assert.match(await created.locator('td[data-label="Thay đổi"]').innerText(), /Vai trò: Cán bộ thu thập/);
  // Filtered to user creations: the harness's command-line users and hers.
  await console_.locator('form.filters select').selectOption('user_created');
  await console_.getByRole('button', { name: 'Lọc', exact: true }).click();
  await console_.getByText('3 thao tác').waitFor();
  await console_.locator('table.audit-table', { hasText: 'Dòng lệnh máy chủ' }).waitFor();
  const [download] = await Promise.all([
    console_.waitForEvent('download'),
    console_.getByRole('button', { name: 'Tải về CSV' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^nhat-ky-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.match(csv, new RegExp(`^[^\\n]*,"?admin"?,[^\\n]*,"?Tạo người dùng"?,"?${OFFICER}"?,`, 'm'), `the CSV lists her creation: ${csv}`);
  await shot(console_, 'console-audit-1280');
  await console_.setViewportSize(NARROW);
  await shot(console_, 'console-audit-360');
});
