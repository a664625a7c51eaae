// Scenarios 5, 6 and 8 of issue 5: two phones edit one record offline, the server refuses
// one record of a batch, and a token is revoked while records wait.

import { test } from 'node:test';
import { Server, Device, COMMUNE, OTHER_COMMUNE, eventually, disposeAfterAll } from './lib/harness.mjs';
import { copyQueuedRecord } from './lib/seed.mjs';
import { promise, shot, signIn, counts, syncNow, fillOutreach, localRecordId, editPlace } from './lib/app.mjs';

const cleanup = disposeAfterAll();

async function settled(page, want, ms = 60_000) {
  return eventually(`the phone to show ${JSON.stringify(want)}`, async () => {
    const c = await counts(page);
    if (Object.entries(want).every(([k, v]) => c[k] === v)) return c;
    await syncNow(page).catch(() => {});
    return false;
  }, ms, 1_000);
}

test('token revoked while records wait offline: sign in again, then the queue syncs', async () => {
  const server = await Server.create();
  const phone = new Device('revoked');
  cleanup.push(server, phone);
  const page = await phone.open();
  await signIn(page, server);
  await phone.offline(true);
  const places = ['Thu hồi 1', 'Thu hồi 2'];
  for (const place of places) await fillOutreach(page, { place });

  // The administrator signs every device of the user out (then lets the user back in).
  server.cli(['user', 'disable', 'lan']);
  server.cli(['user', 'enable', 'lan']);
  await phone.offline(false);
  await page.getByText('Phiên đăng nhập đã hết hạn').first().waitFor({ timeout: 30_000 });
  await shot(page, '06-session-expired');
  const waiting = await counts(page);
  promise('lost', waiting.waiting === 2, `signed out with 2 waiting, home shows ${JSON.stringify(waiting)}`);
  const before = (await server.records()).filter((r) => places.includes(r.values.place));
  promise('duplicated', before.length === 0, `a revoked token stored ${before.length} records`);

  await page.getByRole('link', { name: 'Đăng nhập lại' }).click();
  await signIn(page, server, 'lan', { navigate: false });
  await settled(page, { waiting: 0, synced: 2 });
  const after = (await server.records()).filter((r) => places.includes(r.values.place));
  promise('lost', after.length === 2, `after signing in again the server has ${after.length} of 2`);
});

test('rejection: one record out of the officer\'s communes is refused with a reason and kept; the others sync', async () => {
  const server = await Server.create();
  const phone = new Device('rejected');
  cleanup.push(server, phone);
  const page = await phone.open();
  await signIn(page, server);
  await phone.offline(true);
  await fillOutreach(page, { place: 'Từ chối 1' });
  // The third record names a commune the officer no longer covers.
  await copyQueuedRecord(page, 3, (i) => `Từ chối ${i + 1}`, (i) => (i === 2 ? OTHER_COMMUNE : null));
  await page.reload();
  await phone.offline(false);
  await settled(page, { waiting: 0, synced: 2, attention: 1 });

  const onServer = (await server.records()).filter((r) => r.values.place?.startsWith('Từ chối'));
  promise('lost', onServer.length === 2, `the two valid records: server has ${onServer.length}`);
  promise('overwritten', onServer.every((r) => r.location.unit_code === COMMUNE), 'an out-of-scope record was stored');

  const id = await localRecordId(page, 'Từ chối 3');
  promise('lost', id !== null, 'the refused record is gone from the phone');
  await page.goto(new URL(`/#/record/${id}`, page.url()).href);
  await page.getByText('Máy chủ chưa nhận phiếu vì:').waitFor({ timeout: 10_000 });
  const reason = await page.locator('.card.attention li').first().innerText();
  promise('lost', reason.length > 10, `the reason shown is ${JSON.stringify(reason)}`);
  await shot(page, '07-rejected-with-reason');
});

test('two devices edit one record offline: the conflict is kept and shown, the choice syncs', async () => {
  const server = await Server.create([
    { username: 'lan', role: 'collector', communes: [COMMUNE] },
    { username: 'hoa', role: 'collector', communes: [COMMUNE] },
  ]);
  const a = new Device('phone-a');
  const b = new Device('phone-b');
  cleanup.push(server, a, b);
  const pa = await a.open();
  const pb = await b.open();
  await signIn(pa, server, 'lan');
  await fillOutreach(pa, { place: 'Bản gốc' });
  await settled(pa, { waiting: 0, synced: 1 });
  await signIn(pb, server, 'hoa');
  await settled(pb, { synced: 1 });
  const id = await localRecordId(pb, 'Bản gốc');
  promise('lost', id !== null, 'phone B never received the record');

  await a.offline(true);
  await b.offline(true);
  await editPlace(pa, id, 'Bản của máy A');
  await editPlace(pb, id, 'Bản của máy B');
  await a.offline(false);
  await settled(pa, { waiting: 0 });
  await b.offline(false);
  await settled(pb, { waiting: 0, attention: 1 });

  // B's edit did not overwrite A's: the server keeps A's until B decides.
  let [r] = (await server.records()).filter((x) => x.id === id);
  promise('overwritten', r.values.place === 'Bản của máy A', `server has "${r.values.place}" before B chose`);
  await pb.goto(new URL(`/#/record/${id}`, pb.url()).href);
  await pb.getByText('Phiếu đã được sửa ở nơi khác').waitFor({ timeout: 10_000 });
  const shown = await pb.locator('.card.attention').innerText();
  promise('overwritten', shown.includes('Bản của máy A') && shown.includes('Bản của máy B'), 'both versions are not shown side by side');
  await shot(pb, '08-conflict-side-by-side');
  await pb.getByRole('button', { name: 'Giữ bản của tôi' }).click();
  await settled(pb, { waiting: 0, attention: 0 });
  [r] = (await server.records()).filter((x) => x.id === id);
  promise('lost', r.values.place === 'Bản của máy B', `B kept its version, server has "${r.values.place}"`);
  await settled(pa, { waiting: 0 });
  const seenOnA = await eventually('phone A to pull B\'s version', async () => {
    await syncNow(pa).catch(() => {});
    return (await localRecordId(pa, 'Bản của máy B')) === id;
  }, 30_000, 1_000);
  promise('lost', seenOnA, 'phone A never received the resolution');
});

test('enrolment link: opening it signs the phone in without a password, once', async () => {
  const server = await Server.create();
  const phone = new Device('enrol');
  cleanup.push(server, phone);
  const out = server.cli(['--public-url', server.url, 'enroll', 'lan']);
  const link = out.split('\n').map((l) => l.trim()).find((l) => l.startsWith(server.url));
  promise('not restored', Boolean(link), `no enrolment link in: ${out.slice(-300)}`);

  const page = await phone.open();
  await page.goto(link);
  await page.locator('button[type=submit]').waitFor({ timeout: 15_000 });
  await shot(page, '11-enrolment-link');
  await page.locator('button[type=submit]').click();
  await page.getByText('Hoạt động truyền thông').waitFor({ timeout: 20_000 });
  await fillOutreach(page, { place: 'Kích hoạt bằng liên kết' });
  await settled(page, { waiting: 0, synced: 1 });
  const stored = (await server.records()).filter((r) => r.values.place === 'Kích hoạt bằng liên kết');
  promise('lost', stored.length === 1 && stored[0].author === 'lan', `server has ${JSON.stringify(stored.map((r) => r.author))}`);

  // The code was used: a second phone opening the same link is refused.
  const other = new Device('enrol-again');
  cleanup.push(other);
  const again = await other.open();
  await again.goto(link);
  await again.locator('button[type=submit]').click();
  await again.locator('.error').first().waitFor({ timeout: 15_000 });
  promise('duplicated', (await again.getByText('Hoạt động truyền thông').count()) === 0, 'a used enrolment link signed a second phone in');
});
