// Issue 14, end to end: review and returns. A collector's phone records an outreach event,
// syncs it, adds a note and syncs again (revisions 1 and 2). A supervisor of her commune
// returns it from the console with a comment, naming the participants grid. Her phone syncs
// once and goes offline: the home screen has a "Cần sửa" tile, the list marks the record,
// its page and its form show the comment, and the grid carries the supervisor's mark. She
// fixes the count offline and finishes (the mark goes); back online it syncs (revision 3),
// and the console shows it submitted again, with three revisions by her in its history. The supervisor
// approves it; after the next sync the phone says it is approved and offers no edit.
// Saved into docs/screenshots/: pwa-returned-home-360, pwa-returned-form-360 and
// console-review-{1280,360} (the return form open).
//
// The second scenario does the same review from the PWA: a supervisor, whose phone pulls only
// her own records, opens the collector's record by its link online (read from the server),
// returns it with a comment naming the grid (a return without a comment is refused on the
// page); the collector's phone pulls it ("Cần sửa") and resubmits; an approval of the
// revision she saw after a newer one arrived is refused (stale_revision, in Vietnamese); her
// approval whose answer is lost is pressed again and applied once (one change id, one audit
// entry); offline the page says reviewing needs a connection. Screenshots (360×740) in the
// e2e screenshots dir: pwa-review-{submitted,return,stale,approved,offline}.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Server, Device, COMMUNE, PASSWORD, disposeAfterAll, eventually } from './lib/harness.mjs';
import { promise, shot as phoneShot, signIn, serviceWorkerInCharge, counts, syncNow, fillOutreach, localRecordId } from './lib/app.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS = join(ROOT, 'docs/screenshots');
const WIDE = { width: 1280, height: 800 };
const NARROW = { width: 360, height: 740 };

const OFFICER = 'thu';
const OFFICER_NAME = 'Trần Thị Thu';
const SUPERVISOR = 'hoa';
const SUPERVISOR_NAME = 'Nguyễn Thị Hoà';
const PLACE = 'Nhà văn hoá thôn Phú Vinh';
const NOTES = 'Họp tổ phụ nữ thôn';
const COMMENT = 'Số trẻ em nữ chưa khớp danh sách ký tên (có 6 em).';
const GRID = 'Số người tham dự theo giới tính, dân tộc và độ tuổi';
/** Kinh girls: written first, then fixed after the return. */
const GIRLS = 3;
const FIXED_GIRLS = 6;
const FLAG = 'Giám sát đề nghị xem lại câu này.';

const cleanup = disposeAfterAll();

/** What the window shows (`full`: the whole page). */
async function shot(page, name, { full = false } = {}) {
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

/** Presses "Đồng bộ ngay" until the home screen shows `want`. */
async function settled(page, want, ms = 30_000) {
  return eventually(`the phone to show ${JSON.stringify(want)}`, async () => {
    const c = await counts(page);
    if (Object.entries(want).every(([k, v]) => c[k] === v)) return c;
    await syncNow(page).catch(() => {});
    return false;
  }, ms, 500);
}

/** The home screen's "Cần sửa" tile: its number, or null when there is none. */
async function toFix(page) {
  await page.goto(new URL('/#/', page.url()).href);
  await page.locator('.tiles .tile').first().waitFor();
  const tile = page.locator('.tiles .tile', { has: page.locator('.label', { hasText: /^Cần sửa$/ }) });
  return (await tile.count()) ? Number(await tile.locator('.n').innerText()) : null;
}

/** Syncs until the "Cần sửa" tile shows `want` (null: no tile). */
async function toFixSettled(page, want, ms = 30_000) {
  await eventually(`the "Cần sửa" tile to be ${want}`, async () => {
    if ((await toFix(page)) === want) return true;
    await syncNow(page).catch(() => {});
    return false;
  }, ms, 500);
}

/** The console's review panel and its state badge. */
const panel = (page) => page.locator('section.review');
async function reviewState(page) {
  return (await panel(page).locator('h2 .badge').innerText()).trim();
}

/** Scrolls the review panel to the top of the window, with a margin. */
async function showPanel(page) {
  await panel(page).evaluate((s) => window.scrollTo(0, s.getBoundingClientRect().top + window.scrollY - 12));
}

/** The phone's record page. */
async function openRecord(page, id) {
  await page.goto(new URL(`/#/record/${id}`, page.url()).href);
  await page.locator('.record-view h1').waitFor();
}

test('a supervisor returns a record, the phone fixes it offline, the supervisor approves it', async () => {
  const server = await Server.create([
    { username: OFFICER, role: 'collector', communes: [COMMUNE], name: OFFICER_NAME },
    { username: SUPERVISOR, role: 'supervisor', communes: [COMMUNE], name: SUPERVISOR_NAME },
  ]);
  const phone = new Device('review-phone');
  const desk = new Device('review-console');
  cleanup.push(server, phone, desk);

  // The officer records an event and syncs it (revision 1), then adds a note (revision 2).
  const app = await phone.open();
  await signIn(app, server, OFFICER);
  await serviceWorkerInCharge(app);
  await fillOutreach(app, { place: PLACE, girls: GIRLS, boys: 2 });
  await settled(app, { waiting: 0, synced: 1 });
  const id = await localRecordId(app, PLACE);
  promise('lost', id !== null, 'the record is not on the phone');
  await openRecord(app, id);
  await app.getByRole('button', { name: 'Sửa phiếu' }).click();
  await app.locator('#i-notes').fill(NOTES);
  await app.getByRole('button', { name: 'Hoàn thành' }).click();
  await app.locator('.home').waitFor({ timeout: 10_000 });
  await settled(app, { waiting: 0, synced: 1 });

  // The supervisor opens it in the console and returns it, naming the participants grid.
  const desk_ = await desk.open();
  await desk_.setViewportSize(WIDE);
  await signInConsole(desk_, server, SUPERVISOR);
  await desk_.goto(`${server.url}/console/records/${id}`);
  await panel(desk_).waitFor();
  assert.equal(await reviewState(desk_), 'Đã nộp, chờ duyệt');
  await panel(desk_).getByRole('button', { name: 'Trả lại để sửa…' }).click();
  await panel(desk_).getByLabel('Cần sửa gì', { exact: false }).fill(COMMENT);
  await panel(desk_).locator('fieldset').getByLabel(GRID, { exact: true }).check();
  await showPanel(desk_);
  await shot(desk_, 'console-review-1280');
  await desk_.setViewportSize(NARROW);
  await showPanel(desk_);
  await shot(desk_, 'console-review-360');
  await desk_.setViewportSize(WIDE);
  await panel(desk_).getByRole('button', { name: 'Trả lại cho cán bộ' }).click();
  await desk_.getByText('Đã trả lại phiếu; cán bộ sẽ thấy khi điện thoại đồng bộ.').waitFor();
  await eventually('the panel to say "Cần sửa"', async () => (await reviewState(desk_)) === 'Cần sửa');
  assert.ok((await panel(desk_).innerText()).includes(COMMENT), 'the console shows the comment');

  // The phone syncs once, then goes offline.
  await toFixSettled(app, 1);
  await phone.offline(true);
  await app.reload();
  await app.getByText('Không có mạng').first().waitFor({ timeout: 15_000 });
  assert.equal(await toFix(app), 1, 'the home screen has one record to fix');
  await shot(app, 'pwa-returned-home-360');

  // The list marks it; its page shows who returned it and why.
  await app.goto(new URL('/#/records', app.url()).href);
  const row = app.locator('a.record-row', { hasText: 'Hoạt động truyền thông' });
  await row.locator('.badge', { hasText: /^Cần sửa$/ }).waitFor();
  await openRecord(app, id);
  const card = app.locator('.review-card');
  await card.waitFor();
  const said = await card.innerText();
  assert.ok(said.includes(COMMENT), `the record's page shows the comment: ${said}`);
  assert.ok(said.includes(SUPERVISOR_NAME), `and who returned it: ${said}`);

  // The form: the comment above it, the mark on the grid only; she fixes the count.
  await app.getByRole('button', { name: 'Sửa phiếu' }).click();
  await app.locator('#f-participants').waitFor();
  assert.ok((await app.locator('.review-card').innerText()).includes(COMMENT), 'the form shows the comment');
  const formTop = await app.locator('.review-card').boundingBox();
  const firstField = await app.locator('.field').first().boundingBox();
  assert.ok(formTop.y < firstField.y, 'the comment is above the form');
  await app.locator('#f-participants .review-note', { hasText: FLAG }).waitFor();
  assert.equal(await app.locator('.review-note').count(), 1, 'only the question named is marked');
  await app.evaluate(() => window.scrollTo(0, 0));
  await shot(app, 'pwa-returned-form-360');
  await app.locator('#i-participants .grid-block').first().getByLabel('Kinh Nữ', { exact: true }).fill(String(FIXED_GIRLS));
  await app.getByRole('button', { name: 'Hoàn thành' }).click();
  await app.locator('.home').waitFor({ timeout: 10_000 });
  assert.equal((await counts(app)).waiting, 1, 'the fix waits on the phone');
  assert.equal(await toFix(app), null, 'finishing it answers the return: no "Cần sửa" tile');

  // Online again: it is sent, and the next pull does not bring the mark back.
  await phone.offline(false);
  await settled(app, { waiting: 0, synced: 1 });
  await toFixSettled(app, null);

  // The console: submitted again, three revisions by her; the supervisor approves.
  await desk_.reload();
  await panel(desk_).waitFor();
  assert.equal(await reviewState(desk_), 'Đã nộp, chờ duyệt');
  const resubmitted = await panel(desk_).locator('.meta').innerText();
  assert.ok(resubmitted.startsWith(OFFICER_NAME) && resubmitted.endsWith('lần sửa 3'), `sent again by her: ${resubmitted}`);
  const revisions = desk_.locator('ol.history > li.revision');
  await eventually('three revisions in the console', async () => (await revisions.count()) === 3);
  const titles = (await revisions.locator('h3').allInnerTexts()).map((s) => s.trim());
  assert.deepEqual(titles.map((s) => s.split(' · ')[0]), ['Lần sửa 3', 'Lần sửa 2', 'Lần sửa 1'], `newest first: ${titles}`);
  for (const meta of await revisions.locator('.meta').allInnerTexts()) {
    assert.ok(meta.includes(`${OFFICER_NAME} (${OFFICER})`), `each revision names her: ${meta}`);
  }
  const fix = await revisions.nth(0).innerText();
  assert.ok(fix.includes(`${GRID}: Kinh · Trẻ em (dưới 16 tuổi) · Nữ`), `the fix is the grid cell: ${fix}`);
  await panel(desk_).getByRole('button', { name: 'Duyệt phiếu này' }).click();
  await desk_.getByText('Đã duyệt phiếu.').waitFor();
  await eventually('the panel to say "Đã duyệt"', async () => (await reviewState(desk_)) === 'Đã duyệt');
  await panel(desk_).getByRole('button', { name: 'Mở lại phiếu' }).waitFor();

  // The phone, after its next sync: approved, and nothing to edit or delete.
  await eventually('the phone to learn of the approval', async () => {
    await openRecord(app, id);
    if (await app.getByText('Phiếu đã được duyệt', { exact: false }).count()) return true;
    await syncNow(app).catch(() => {});
    await app.waitForTimeout(500);
    return false;
  }, 30_000, 0);
  assert.equal(await app.getByRole('button', { name: 'Sửa phiếu' }).count(), 0, 'no edit button');
  assert.equal(await app.getByRole('button', { name: 'Xoá phiếu' }).count(), 0, 'no delete button');
  await app.goto(new URL('/#/records', app.url()).href);
  await row.locator('.badge', { hasText: /^Đã duyệt$/ }).waitFor();
});

/** The PWA's review section and its state badge. */
const section = (page) => page.locator('section.review');
async function pwaState(page) {
  return (await section(page).locator('h2 .badge').innerText()).trim();
}

/** Scrolls the PWA's review section to the top of the window. */
async function showSection(page) {
  await section(page).evaluate((s) => window.scrollTo(0, s.getBoundingClientRect().top + window.scrollY - 8));
}

test('a supervisor reviews a collector\'s record from the PWA, online only', async () => {
  const server = await Server.create([
    { username: OFFICER, role: 'collector', communes: [COMMUNE], name: OFFICER_NAME },
    { username: SUPERVISOR, role: 'supervisor', communes: [COMMUNE], name: SUPERVISOR_NAME },
    { username: 'admin', role: 'admin' },
  ]);
  const phone = new Device('pwa-review-collector');
  const boss = new Device('pwa-review-supervisor');
  cleanup.push(server, phone, boss);

  // The collector records an event and syncs it (revision 1).
  const app = await phone.open();
  await signIn(app, server, OFFICER);
  await fillOutreach(app, { place: PLACE, girls: GIRLS, boys: 2 });
  await settled(app, { waiting: 0, synced: 1 });
  const id = await localRecordId(app, PLACE);
  promise('lost', id !== null, 'the record is not on the phone');

  // The supervisor's phone holds none of it: her pull brings only her own records.
  const sup = await boss.open();
  await signIn(sup, server, SUPERVISOR);
  await serviceWorkerInCharge(sup);
  await settled(sup, { waiting: 0, synced: 0 });
  assert.equal(await localRecordId(sup, PLACE), null, "the collector's record is not on the supervisor's phone");

  // By its link, online: read from the server, with the review section.
  await openRecord(sup, id);
  await section(sup).waitFor();
  assert.equal(await pwaState(sup), 'Đã nộp, chờ duyệt');
  assert.ok((await sup.locator('.record-view').innerText()).includes(`Phiếu của ${OFFICER}, đọc từ máy chủ`), 'says where it comes from');
  assert.ok((await sup.locator('.answers').innerText()).includes(PLACE), 'shows the answers');
  assert.equal(await sup.getByRole('button', { name: 'Sửa phiếu' }).count(), 0, 'no edit of a record not on the phone');
  for (const button of [section(sup).getByRole('button', { name: 'Duyệt', exact: true }), section(sup).getByText('Trả lại để sửa')]) {
    const box = await button.boundingBox();
    assert.ok(box.height >= 48 && box.width >= 280, `a large touch target: ${JSON.stringify(box)}`);
  }
  await showSection(sup);
  await phoneShot(sup, 'pwa-review-submitted');

  // Returning needs a comment: said under the comment box, nothing sent.
  await section(sup).getByText('Trả lại để sửa').click();
  await section(sup).getByRole('button', { name: 'Trả lại cho cán bộ' }).click();
  await section(sup).getByText('Hãy ghi rõ cần sửa gì').waitFor();
  assert.equal(await pwaState(sup), 'Đã nộp, chờ duyệt');
  await section(sup).getByLabel(GRID, { exact: true }).check();
  await section(sup).getByLabel('Cần sửa gì', { exact: false }).fill(COMMENT);
  await section(sup).locator('#review-comment').evaluate((t) => t.scrollIntoView({ block: 'center' }));
  await phoneShot(sup, 'pwa-review-return');
  await section(sup).getByRole('button', { name: 'Trả lại cho cán bộ' }).click();
  await section(sup).getByText('Đã trả lại phiếu; cán bộ sẽ thấy khi điện thoại đồng bộ.').waitFor();
  await eventually('the section to say "Cần sửa"', async () => (await pwaState(sup)) === 'Cần sửa');
  assert.ok((await section(sup).innerText()).includes(COMMENT), 'the section shows the comment');
  const supToken = await server.token(SUPERVISOR);
  const returned = (await server.api('GET', `/admin/records/${id}`, { token: supToken })).review;
  assert.deepEqual([returned.state, returned.comment, returned.fields], ['needs_changes', COMMENT, ['participants']]);

  // The collector's phone pulls it: "Cần sửa", the comment, the grid marked; she fixes it.
  await toFixSettled(app, 1);
  await openRecord(app, id);
  assert.ok((await app.locator('.review-card').innerText()).includes(COMMENT), "the collector's page shows the comment");
  await app.getByRole('button', { name: 'Sửa phiếu' }).click();
  await app.locator('#f-participants .review-note', { hasText: FLAG }).waitFor();
  await app.locator('#i-participants .grid-block').first().getByLabel('Kinh Nữ', { exact: true }).fill(String(FIXED_GIRLS));
  await app.getByRole('button', { name: 'Hoàn thành' }).click();
  await app.locator('.home').waitFor({ timeout: 10_000 });
  await settled(app, { waiting: 0, synced: 1 });
  await toFixSettled(app, null);

  // The supervisor's page, read again: submitted again, revision 2.
  await sup.reload();
  await section(sup).waitFor();
  await eventually('the resubmission on the supervisor\'s page', async () => (await pwaState(sup)) === 'Đã nộp, chờ duyệt');
  assert.ok((await section(sup).locator('.sub').innerText()).endsWith('lần sửa 2'), 'resubmitted as revision 2');

  // A newer revision arrives while she reads revision 2: approving what she saw is refused.
  await openRecord(app, id);
  await app.getByRole('button', { name: 'Sửa phiếu' }).click();
  await app.locator('#i-notes').fill(NOTES);
  await app.getByRole('button', { name: 'Hoàn thành' }).click();
  await app.locator('.home').waitFor({ timeout: 10_000 });
  await settled(app, { waiting: 0, synced: 1 });
  await section(sup).getByRole('button', { name: 'Duyệt', exact: true }).click();
  const stale = section(sup).locator('.error[role=alert]');
  await stale.waitFor();
  assert.match(await stale.innerText(), /^Phiếu đã có bản sửa mới \(lần 3\)/, 'the server\'s refusal, in Vietnamese');
  await eventually('the page to show revision 3', async () => (await sup.locator('.answers').innerText()).includes(NOTES));
  await showSection(sup);
  await phoneShot(sup, 'pwa-review-stale');

  // Her approval of revision 3 reaches the server but the link drops before the answer (and
  // stays down for what the page asks next, so it cannot learn the outcome); pressing again
  // sends the same change id, which the server answers as a duplicate: approved once.
  let linkDown = true;
  const sent = [];
  await sup.route('**/api/v1/**', async (route) => {
    const review = route.request().url().endsWith('/review');
    if (review) sent.push(JSON.parse(route.request().postData()).change_id);
    if (review && !linkDown) return route.continue();
    if (review) await route.fetch();
    await route.abort('connectionreset');
  });
  await section(sup).getByRole('button', { name: 'Duyệt', exact: true }).click();
  await section(sup).getByText('Chưa gửi được. Bấm lại để thử').waitFor();
  assert.equal(await pwaState(sup), 'Đã nộp, chờ duyệt', 'the page cannot know it was applied');
  linkDown = false;
  await section(sup).getByRole('button', { name: 'Duyệt', exact: true }).click();
  await section(sup).getByText('Đã duyệt phiếu.').waitFor();
  await sup.unroute('**/api/v1/**');
  assert.equal(sent.length, 2, 'sent twice');
  assert.equal(sent[0], sent[1], 'the retry carries the same change id');
  await syncNow(sup);
  await eventually('the section to say "Đã duyệt"', async () => (await pwaState(sup)) === 'Đã duyệt');
  await section(sup).getByRole('button', { name: 'Mở lại' }).waitFor();
  await showSection(sup);
  await phoneShot(sup, 'pwa-review-approved');
  const audit = await server.api('GET', '/admin/audit?action=record_approved', { token: await server.token('admin') });
  promise('duplicated', audit.total === 1, `approved ${audit.total} times in the audit log`);
  const approved = (await server.api('GET', `/admin/records/${id}`, { token: supToken })).review;
  assert.deepEqual([approved.state, approved.revision], ['approved', 3]);

  // Offline: the section says reviewing needs a connection, and offers no action.
  await boss.offline(true);
  await sup.getByText('Không có mạng').first().waitFor({ timeout: 15_000 });
  await section(sup).getByText('Cần có mạng để duyệt, trả lại hoặc mở lại phiếu.').waitFor();
  assert.equal(await section(sup).getByRole('button').count(), 0, 'no review button offline');
  await showSection(sup);
  await phoneShot(sup, 'pwa-review-offline');
  // Opened offline, the record is not on her phone: it says so, and why.
  await sup.reload();
  await sup.getByText('Phiếu này không có trên máy. Cần có mạng để mở phiếu của cán bộ khác từ máy chủ.').waitFor({ timeout: 15_000 });
  await boss.offline(false);

  // The collector's phone learns of the approval.
  await eventually('the collector\'s phone to learn of the approval', async () => {
    await openRecord(app, id);
    if (await app.getByText('Phiếu đã được duyệt', { exact: false }).count()) return true;
    await syncNow(app).catch(() => {});
    await app.waitForTimeout(500);
    return false;
  }, 30_000, 0);
});
