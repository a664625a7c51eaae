// Issue 13: the province console at /console/, a Yew app of its own. An admin signs in,
// creates a collector, issues enrolment links and prints the A4 sheet; the phones screen
// lists a phone that synced (and not the console's own session); records and a conflict
// are read and resolved; a collector gets "not permitted"; a phone that has the PWA's
// service worker still gets the console, not the PWA shell. Every screen is saved at
// 1280×800 and 360×740 in docs/screenshots/console-*.png. Issue 14: a supervisor signs a
// commune off (a phone's late edit is refused), reopens it with a reason, signs it off again.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Server, Device, COMMUNE, OTHER_COMMUNE, PASSWORD, disposeAfterAll, eventually } from './lib/harness.mjs';
import { serviceWorkerInCharge } from './lib/app.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS = join(ROOT, 'docs/screenshots');
const VALUES = JSON.parse(readFileSync(join(ROOT, 'forms/tests/cases/outreach_event_v1.json'), 'utf8')).valid[0].values;
const PHONE = 'phone-lan-1';

const cleanup = disposeAfterAll();

const WIDE = { width: 1280, height: 800 };
const NARROW = { width: 360, height: 740 };

/** The whole page, or (`full: false`, a province-wide table) what the window shows. */
async function shot(page, name, { full = true } = {}) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: full });
}

/** A finished outreach record of `author`'s, at `place`. */
function record(author, place, id = randomUUID()) {
  const now = new Date().toISOString();
  return {
    id,
    form_id: 'outreach_event',
    form_version: 1,
    location: { unit_list: 'units_2025', unit_code: COMMUNE },
    author,
    device_id: PHONE,
    created_at: now,
    updated_at: now,
    status: 'final',
    values: { ...VALUES, place },
  };
}

/** Lan's phone syncs two records, then sends a stale edit of one of them: a conflict. */
async function seed(server) {
  const signIn = await server.api('POST', '/auth/sign-in', {
    body: { username: 'lan', password: PASSWORD, device_id: PHONE },
  });
  const token = signIn.token;
  const push = (changes) => server.api('POST', '/sync/push', { token, body: { device_id: PHONE, changes } });
  const first = record('lan', 'Nhà văn hoá thôn 1');
  const second = record('lan', 'Trường tiểu học Cẩm Thành');
  let r = await push([first, second].map((rec) => ({ change_id: randomUUID(), base_revision: 0, record: rec })));
  assert.deepEqual(r.results.map((x) => x.outcome), ['applied', 'applied']);
  // Edited on the server side first (revision 2), then the phone's older edit arrives.
  r = await push([{ change_id: randomUUID(), base_revision: 1, record: { ...first, values: { ...first.values, place: 'Hội trường xã (sửa trên máy chủ)' } } }]);
  assert.equal(r.results[0].outcome, 'applied');
  r = await push([{ change_id: randomUUID(), base_revision: 1, record: { ...first, values: { ...first.values, place: 'Nhà văn hoá thôn 1 (sửa trên điện thoại)' } } }]);
  assert.equal(r.results[0].outcome, 'conflict');
  await server.api('GET', '/sync/pull?since=0&limit=10', { token });
  return { recordId: first.id, phoneToken: token };
}

async function signInConsole(page, server, username) {
  await page.goto(`${server.url}/console/`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
}

async function menu(page, name) {
  await page.locator('nav.menu').getByRole('link', { name, exact: true }).click();
}

/** Whether the server has an endpoint yet (the console is built against the contract). */
async function exists(server, token, path) {
  const r = await fetch(`${server.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
  return r.status !== 404 && r.status !== 405;
}

test('the province console: users, enrolment sheet, phones, reporting, records, not permitted', async () => {
  const server = await Server.create([
    { username: 'lan', role: 'collector', communes: [COMMUNE] },
    { username: 'hoa', role: 'collector', communes: [COMMUNE] },
    { username: 'admin', role: 'admin' },
  ]);
  const browser = new Device('console');
  cleanup.push(server, browser);
  const { recordId, phoneToken } = await seed(server);
  const adminToken = await server.token('admin');

  const page = await browser.open();
  page.on('dialog', (d) => d.accept());
  await page.setViewportSize(WIDE);

  // Sign-in, then the users list.
  await page.goto(`${server.url}/console/`);
  await page.locator('#username').waitFor();
  await shot(page, 'console-sign-in-1280');
  await signInConsole(page, server, 'admin');
  await page.getByRole('heading', { name: 'Người dùng', exact: true }).waitFor();
  await page.getByRole('cell', { name: 'lan', exact: true }).waitFor();
  await shot(page, 'console-users-1280');

  // A new collector, communes picked by name (a pre-2025 name finds the 2025 commune).
  await page.getByRole('link', { name: 'Tạo người dùng' }).click();
  await page.locator('#u-username').fill('minh');
  await page.locator('#u-name').fill('Nguyễn Văn Minh');
  await page.locator('#u-communes').fill('Nguyen Nghiem');
  await page.locator('button.match', { hasText: 'Phường Cẩm Thành' }).click();
  await page.locator('.chip', { hasText: 'Phường Cẩm Thành' }).waitFor();
  await shot(page, 'console-user-new-1280');
  await page.getByRole('button', { name: 'Tạo', exact: true }).click();
  await page.getByText('Đã tạo tài khoản minh').waitFor();
  const created = await server.api('GET', '/admin/users?q=minh', { token: adminToken });
  assert.equal(created.items[0]?.role, 'collector');
  assert.deepEqual(created.items[0]?.communes.map((c) => c.unit_code), [COMMUNE]);
  const row = (username) =>
    page.locator('table.list tbody tr', { has: page.getByRole('cell', { name: username, exact: true }) });

  // Edit the name; disable and enable again (each confirmed); a new password, shown once.
  await row('minh').getByRole('link', { name: 'Sửa' }).click();
  await page.locator('#u-name').fill('Nguyễn Văn Minh (Ba Tơ)');
  await page.getByRole('button', { name: 'Lưu', exact: true }).click();
  await page.getByText('Đã lưu thay đổi của minh').waitFor();
  await row('minh').getByText('Nguyễn Văn Minh (Ba Tơ)').waitFor();
  await row('minh').getByRole('button', { name: 'Vô hiệu hoá' }).click();
  await row('minh').getByText('Đã vô hiệu hoá').waitFor();
  assert.equal((await server.api('GET', '/admin/users?q=minh', { token: adminToken })).items[0].disabled, true);
  await row('minh').getByRole('button', { name: 'Kích hoạt lại' }).click();
  await row('minh').getByText('Đang hoạt động').waitFor();
  await row('hoa').getByRole('button', { name: 'Đặt lại mật khẩu' }).click();
  const password = await page.locator('.secret .password code').innerText();
  await shot(page, 'console-users-password-1280');
  const again = await fetch(`${server.url}/api/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'hoa', password, device_id: 'e2e-hoa' }),
  });
  assert.equal(again.status, 200, 'the shown password signs hoa in');
  await page.getByRole('button', { name: 'Đã ghi lại' }).click();
  assert.equal(await page.locator('.secret').count(), 0, 'the password is shown once');

  // Enrolment: one link for minh, then the commune's sheet; printed as A4.
  await menu(page, 'Đăng ký điện thoại');
  await page.locator('#e-user-q').fill('minh');
  await eventually('only minh to choose', async () => (await page.locator('#e-user option').count()) === 2);
  await page.locator('#e-user option', { hasText: 'minh' }).waitFor({ state: 'attached' });
  await page.locator('#e-user').selectOption('minh');
  await page.getByRole('button', { name: 'Cấp liên kết', exact: true }).click();
  await page.locator('.slip').first().waitFor();
  const path = await page.locator('.slip svg.qr path').getAttribute('d');
  assert.ok(path && path.length > 50, `a QR code is drawn: ${path}`);
  assert.match(await page.locator('.slip-link').innerText(), /#\/enroll\//);
  await page.locator('#e-commune').fill('cam thanh');
  await page.locator('button.match', { hasText: 'Phường Cẩm Thành' }).click();
  await page.getByRole('button', { name: 'Cấp liên kết cho cả xã' }).click();
  await eventually('three slips for the commune', async () => (await page.locator('.slip').count()) === 3);
  await page.getByRole('cell', { name: /Nguyễn Văn Minh/ }).first().waitFor();
  await shot(page, 'console-enrolment-1280');
  await page.emulateMedia({ media: 'print' });
  await page.setViewportSize({ width: 794, height: 1123 });
  assert.equal(await page.locator('nav.menu').isVisible(), false, 'the menu is not printed');
  assert.equal(await page.locator('.slip').first().isVisible(), true, 'the slips are printed');
  await shot(page, 'console-enrolment-print');
  await page.pdf({ path: join(SHOTS, '..', '..', 'target', 'console-enrolment-sheet.pdf'), format: 'A4', printBackground: true }).catch(() => {});
  await page.emulateMedia({ media: 'screen' });
  await page.setViewportSize(WIDE);
  const open = await server.api('GET', '/admin/enrollments', { token: adminToken });
  assert.equal(open.total, 4, 'one link for minh, then three for the commune');
  await page.locator('table.list tbody tr', { hasText: 'E2E hoa' }).getByRole('button', { name: 'Thu hồi' }).click();
  await eventually('three codes left', async () => (await page.locator('table.list tbody tr').count()) === 3);
  assert.equal((await server.api('GET', '/admin/enrollments', { token: adminToken })).total, 3);

  // Phones: lan's phone is listed, the console's own session is not.
  await menu(page, 'Điện thoại');
  await page.getByText(PHONE).waitFor();
  assert.equal(await page.locator('table.list').getByText('console-').count(), 0, 'the console is not a phone');
  await shot(page, 'console-phones-1280');
  // Sign that phone out: its token ends (the phone keeps its records and asks for sign-in).
  await page.locator('table.list tbody tr', { hasText: PHONE }).getByRole('button', { name: 'Đăng xuất máy này' }).click();
  await page.getByText('Đã đăng xuất điện thoại của lan').waitFor();
  const me = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${phoneToken}` } });
  assert.equal(me.status, 401, "the phone's session has ended");

  // Who has reported (where the server has it).
  await menu(page, 'Tình hình báo cáo');
  if (await exists(server, adminToken, '/admin/reporting?from=2026-01-01&to=2026-01-31')) {
    await page.locator('table.reporting-table').waitFor();
    // Lan's records are of 22/11/2025: the Action Month of 2025 has them.
    await page.locator('form.filters select').first().selectOption('action_month');
    await page.locator('form.filters select').nth(1).selectOption('2025');
    await page.getByText('15/11/2025 – 15/12/2025').waitFor();
    const row = page.locator('table.reporting-table tbody tr', { hasText: 'Phường Cẩm Thành' });
    await eventually('Cẩm Thành with two activities', async () => (await row.locator('td').first().innerText()) === '2');
    assert.equal(await row.locator('.badge').count(), 0, 'a commune that reported is not flagged');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Tải về Excel (XLSX)' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^tinh-hinh-bao-cao-2025-11-15-2025-12-15\.xlsx$/);
    const file = await download.path();
    assert.equal(readFileSync(file).subarray(0, 2).toString(), 'PK', 'an XLSX (zip) file');
  } else {
    await page.getByText('Máy chủ chưa có chức năng này').waitFor();
  }
  await shot(page, 'console-reporting-1280', { full: false });

  // Records, the conflict, and keeping the phone's version.
  await menu(page, 'Phiếu');
  await page.getByRole('link', { name: 'Hoạt động truyền thông' }).first().waitFor();
  await page.getByText(/cần chọn/).waitFor();
  await shot(page, 'console-records-1280');
  await page.getByRole('link', { name: /Xem xung đột/ }).first().click();
  await page.getByText('Nhà văn hoá thôn 1 (sửa trên điện thoại)').waitFor();
  await shot(page, 'console-record-conflict-1280');
  await page.getByRole('button', { name: 'Giữ bản gửi đến sau' }).click();
  await page.getByText('Đã giữ bản đã chọn').waitFor();
  const kept = await server.api('GET', `/admin/records/${recordId}`, { token: adminToken });
  assert.equal(kept.record.values.place, 'Nhà văn hoá thôn 1 (sửa trên điện thoại)');
  assert.equal(kept.conflicts.length, 0);
  await shot(page, 'console-record-1280');

  // The same screens on a phone-sized window, each opened by its address (deep links).
  await page.setViewportSize(NARROW);
  for (const [path, name, ready] of [
    ['/console/users', 'users', 'cell'],
    ['/console/users/new', 'user-new', '#u-username'],
    ['/console/enrolment', 'enrolment', '#e-user'],
    ['/console/phones', 'phones', 'table.list'],
    ['/console/reporting', 'reporting', 'main h1'],
    ['/console/records', 'records', 'table.list'],
    [`/console/records/${recordId}`, 'record', '.answers'],
  ]) {
    await page.goto(`${server.url}${path}`);
    if (ready === 'cell') await page.locator('table.list td', { hasText: 'E2E lan' }).waitFor();
    else await page.locator(ready).first().waitFor();
    await shot(page, `console-${name}-360`, { full: name !== 'reporting' });
  }

  // English, switched in the header.
  await page.setViewportSize(WIDE);
  await page.goto(`${server.url}/console/users`);
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Users', exact: true }).waitFor();
  await shot(page, 'console-users-en-1280');
  await page.getByRole('button', { name: 'Tiếng Việt' }).click();

  // A supervisor of the whole province: only collectors, and may make only collectors.
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await signInConsole(page, server, 'province');
  await page.locator('table.list td', { hasText: 'E2E lan' }).waitFor();
  assert.equal(await page.locator('table.list td', { hasText: 'E2E admin' }).count(), 0, 'a supervisor does not see admins');
  await page.getByRole('link', { name: 'Tạo người dùng' }).click();
  assert.deepEqual(await page.locator('#u-role option').allInnerTexts(), ['Cán bộ thu thập']);
  await shot(page, 'console-user-new-supervisor-1280');

  // The supervisor's password is reset elsewhere: the console's session ends with it, and
  // the next screen asks for sign-in again, saying why.
  await server.api('POST', '/admin/users/province/password', { token: adminToken });
  await page.getByRole('link', { name: 'Huỷ' }).click();
  await page.getByText('Phiên làm việc đã hết hạn. Hãy đăng nhập lại.').waitFor();
  await page.locator('#username').waitFor();

  // A collector: not permitted, in both languages, and nothing else.
  await signInConsole(page, server, 'lan');
  await page.getByText('Tài khoản này không dùng được bảng điều hành').waitFor();
  await page.getByText('This account cannot use the console').waitFor();
  assert.equal(await page.locator('nav.menu').count(), 0, 'a collector sees no menu');
  await shot(page, 'console-not-permitted-1280');
  await page.setViewportSize(NARROW);
  await shot(page, 'console-not-permitted-360');
});

test("a phone with the PWA's service worker still gets the console at /console/", async () => {
  const server = await Server.create();
  const phone = new Device('console-sw');
  cleanup.push(server, phone);
  const page = await phone.open();
  await page.goto(server.url);
  await serviceWorkerInCharge(page);
  for (const path of ['/console/', '/console/phones']) {
    await page.goto(`${server.url}${path}`);
    await page.locator('#username').waitFor();
    assert.match(await page.title(), /Bảng điều hành/);
    const servedBy = await page.evaluate(async () => {
      const entries = performance.getEntriesByType('navigation');
      return entries[0]?.transferSize ?? -1;
    });
    assert.ok(servedBy > 0, `${path} came from the network, not the PWA's cache`);
  }
});

test('sign-off: a supervisor signs a commune off, a late edit is refused, reopened with a reason', async () => {
  const QUIET = '21034'; // Xã An Phú: nothing recorded.
  const server = await Server.create([
    { username: 'lan', role: 'collector', communes: [COMMUNE] },
    { username: 'hoa', role: 'collector', communes: [OTHER_COMMUNE] },
    { username: 'thu', role: 'supervisor', communes: [COMMUNE, OTHER_COMMUNE, QUIET] },
  ]);
  const browser = new Device('console-sign-off');
  cleanup.push(server, browser);
  // Lan's two records (one returned), Hoa's one: all of 22/11/2025, in the reporting year 2025.
  const push = async (user, commune, recs) => {
    const token = await server.token(user);
    const changes = recs.map((r) => ({ change_id: randomUUID(), base_revision: r.base ?? 0, record: { ...r.rec, author: user, device_id: 'e2e-harness', location: { unit_list: 'units_2025', unit_code: commune } } }));
    return (await server.api('POST', '/sync/push', { token, body: { device_id: 'e2e-harness', changes } })).results;
  };
  const [a, b, c] = [record('lan', 'Thôn 1'), record('lan', 'Thôn 2'), record('hoa', 'Tổ dân phố 3')];
  await push('lan', COMMUNE, [{ rec: a }, { rec: b }]);
  await push('hoa', OTHER_COMMUNE, [{ rec: c }]);
  await server.api('POST', `/records/${a.id}/review`, {
    token: await server.token('thu'),
    body: { change_id: randomUUID(), action: 'return', revision: 1, comment: 'Thiếu số người tham gia', fields: [] },
  });

  const page = await browser.open();
  const asked = [];
  page.on('dialog', (d) => { asked.push(d.message()); d.accept(); });
  await page.setViewportSize(WIDE);
  await signInConsole(page, server, 'thu');
  await menu(page, 'Chốt số liệu');
  await page.locator('form.filters select').nth(1).selectOption('2025');
  await page.getByText('Năm báo cáo 2025').first().waitFor();
  const names = () => page.locator('table.sign-off-table tbody th').allInnerTexts();
  // The work first: records to fix, then in progress, then nothing yet.
  assert.deepEqual(await names(), ['Phường Cẩm Thành', 'Phường Nghĩa Lộ', 'Xã An Phú']);
  const row = (name) => page.locator('table.sign-off-table tbody tr', { hasText: name });
  assert.equal(await row('Phường Cẩm Thành').locator('.badge').innerText(), 'Có phiếu cần sửa');
  assert.equal(await row('Phường Nghĩa Lộ').locator('.badge').innerText(), 'Đang thực hiện');
  assert.equal(await row('Xã An Phú').locator('.badge').innerText(), 'Chưa có số liệu');

  await row('Phường Nghĩa Lộ').getByRole('button', { name: 'Chốt số liệu' }).click();
  await page.getByText('Đã chốt số liệu Phường Nghĩa Lộ').waitFor();
  assert.match(asked[0], /^Chốt số liệu Phường Nghĩa Lộ cho Năm báo cáo 2025/);
  assert.match(asked[0], /điện thoại không thể thêm, sửa hay xoá phiếu/);
  await eventually('Nghĩa Lộ signed off, listed last', async () => (await names())[2] === 'Phường Nghĩa Lộ');
  assert.equal(await row('Phường Nghĩa Lộ').locator('.badge').innerText(), 'Đã chốt');
  assert.match(await row('Phường Nghĩa Lộ').innerText(), /E2E thu\s+\d\d\/\d\d\/\d{4} \d\d:\d\d/);
  // Hoa's late edit of a record dated inside the period is refused, with the reason.
  const late = await push('hoa', OTHER_COMMUNE, [{ rec: { ...c, values: { ...c.values, place: 'Sửa muộn' } }, base: 1 }]);
  assert.notEqual(late[0].outcome, 'applied');
  assert.match(JSON.stringify(late[0]), /period_closed/);
  await shot(page, 'console-sign-off-1280');

  // Reopen: the reason is required.
  await row('Phường Nghĩa Lộ').getByRole('button', { name: 'Mở lại' }).click();
  await row('Phường Nghĩa Lộ').locator('form.reopen-form').getByRole('button', { name: 'Mở lại' }).click();
  await page.getByText('Hãy ghi lý do mở lại.').waitFor();
  await row('Phường Nghĩa Lộ').locator('textarea').fill('Tổ dân phố 3 bổ sung phiếu tháng 11');
  await row('Phường Nghĩa Lộ').locator('form.reopen-form').getByRole('button', { name: 'Mở lại' }).click();
  await page.getByText('Đã mở lại Phường Nghĩa Lộ').waitFor();
  await page.locator('ul.reopened li', { hasText: 'Tổ dân phố 3 bổ sung phiếu tháng 11' }).waitFor();
  assert.equal(await row('Phường Nghĩa Lộ').locator('.badge').innerText(), 'Đang thực hiện');

  // On a phone-sized window: signed off again; the reopened one stays listed.
  await page.setViewportSize(NARROW);
  await page.goto(`${server.url}/console/sign-off`);
  await page.locator('form.filters select').nth(1).selectOption('2025');
  await row('Phường Nghĩa Lộ').getByRole('button', { name: 'Chốt số liệu' }).click();
  await page.getByText('Đã chốt số liệu Phường Nghĩa Lộ').waitFor();
  await eventually('signed off again', async () => (await row('Phường Nghĩa Lộ').locator('.badge').innerText()) === 'Đã chốt');
  await shot(page, 'console-sign-off-360');
});

test('forms: an admin publishes a TOML upload and sees the next version (3); a file with a mistake lists it by line', async () => {
  const server = await Server.create([{ username: 'admin', role: 'admin' }]);
  const browser = new Device('console-forms');
  cleanup.push(server, browser);
  const adminToken = await server.token('admin');
  if (!(await exists(server, adminToken, '/admin/forms'))) return;
  const dir = mkdtempSync(join(tmpdir(), 'sotay-e2e-forms-'));
  cleanup.push({ dispose: () => rmSync(dir, { recursive: true, force: true }) });
  const v1 = readFileSync(join(ROOT, 'forms/definitions/outreach_event/v1.toml'), 'utf8');
  const renamed = v1.replace('en = "Outreach event" }', 'en = "Outreach activity" }');
  assert.notEqual(renamed, v1);
  const good = join(dir, 'outreach_event.toml');
  writeFileSync(good, renamed);
  const broken = join(dir, 'broken.toml');
  writeFileSync(broken, 'id = "outreach_event"\nversion = 1\nplan_area = \n');

  const page = await browser.open();
  await page.setViewportSize(WIDE);
  await signInConsole(page, server, 'admin');
  await menu(page, 'Biểu mẫu');
  await page.getByRole('heading', { name: 'Biểu mẫu', exact: true }).waitFor();
  await page.locator('section.form-group', { hasText: 'outreach_event' }).waitFor();

  // A mistake: nothing published, the line named, the file still chosen.
  await page.locator('input[type=file]').setInputFiles(broken);
  await page.getByRole('button', { name: 'Tải lên và phát hành' }).click();
  await page.locator('.mistakes td', { hasText: /^Dòng 3/ }).waitFor();
  assert.equal(await page.locator('input[type=file]').evaluate((i) => i.files[0]?.name), 'broken.toml');

  // The fixed file: the next version (outreach ships v1 and v2), newest first, in both languages.
  await page.locator('input[type=file]').setInputFiles(good);
  await page.getByRole('button', { name: 'Tải lên và phát hành' }).click();
  await page.getByText('Đã phát hành Hoạt động truyền thông phiên bản 3. Điện thoại sẽ nhận khi đồng bộ.').waitFor();
  const group = page.locator('section.form-group', { hasText: 'outreach_event' });
  await group.locator('tbody tr').nth(1).waitFor();
  assert.equal((await group.locator('tbody tr').first().locator('td').first().innerText()).trim(), '3');
  const listed = await server.api('GET', '/admin/forms', { token: adminToken });
  assert.equal(listed.forms.find((f) => f.form_id === 'outreach_event' && f.version === 3)?.title.en, 'Outreach activity');
  await shot(page, 'console-forms-1280');
  await page.getByRole('button', { name: 'English' }).click();
  await group.getByRole('cell', { name: 'Outreach activity', exact: true }).waitFor();
});

test('lists: an admin replaces the agencies list; a broken commune list is refused with every problem', async () => {
  const server = await Server.create([{ username: 'admin', role: 'admin' }]);
  const browser = new Device('console-lists');
  cleanup.push(server, browser);
  const adminToken = await server.token('admin');
  if (!(await exists(server, adminToken, '/admin/reference'))) return;
  const dir = mkdtempSync(join(tmpdir(), 'sotay-e2e-lists-'));
  cleanup.push({ dispose: () => rmSync(dir, { recursive: true, force: true }) });
  const units = readFileSync(join(ROOT, 'forms/reference/quang_ngai_units_2025.csv'), 'utf8');
  const broken = join(dir, 'quang_ngai_units_2025.csv');
  writeFileSync(broken, `${units.trimEnd()}\n21025,Phường Trùng,Phường,2,51\n99002,Làng Mới,Làng,2,51\n`);
  const agencies = readFileSync(join(ROOT, 'forms/reference/agencies.csv'), 'utf8');
  const renamed = join(dir, 'agencies.csv');
  writeFileSync(renamed, agencies.replace('Sở Nội vụ,', 'Sở Nội vụ tỉnh Quảng Ngãi,'));

  const page = await browser.open();
  await page.setViewportSize(WIDE);
  await signInConsole(page, server, 'admin');
  await menu(page, 'Danh mục');
  await page.getByRole('heading', { name: 'Danh mục', exact: true }).waitFor();
  await page.locator('code', { hasText: 'units_2025' }).first().waitFor();

  await page.locator('input[type=file]').setInputFiles(broken);
  await page.getByRole('button', { name: 'Tải lên', exact: true }).click();
  const problems = page.locator('.mistakes li');
  await problems.nth(1).waitFor();
  assert.equal(await problems.count(), 2);
  assert.match(await problems.first().innerText(), /Danh mục units_2025, dòng \d+/);

  await page.locator('input[type=file]').setInputFiles(renamed);
  await page.getByRole('button', { name: 'Tải lên', exact: true }).click();
  await page.getByText('Đã thay agencies.csv. Điện thoại nhận danh mục mới khi đồng bộ.').waitFor();
  const row = page.locator('tr', { has: page.locator('code', { hasText: /^agencies\.csv$/ }) });
  await row.getByText('Đã tải lên').waitFor();
  const bundle = await server.api('GET', '/forms');
  const soNoiVu = bundle.reference.lists.agencies.entries.find((e) => e.code === 'so_noi_vu');
  assert.equal(soNoiVu.label.vi, 'Sở Nội vụ tỉnh Quảng Ngãi');
  await shot(page, 'console-lists-1280');
});
