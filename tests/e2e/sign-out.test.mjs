// Issue 12, item 11: a shared or lost phone. Signing out with everything sent offers to remove
// the account's records from the phone (they come back from the server at the next sign-in);
// with records not sent yet it says how many, and keeps them; a revoked token keeps them too
// until someone signs in again and sends them.

import { test } from 'node:test';
import { Server, Device, eventually, disposeAfterAll } from './lib/harness.mjs';
import { promise, shot, signIn, counts, syncNow, fillOutreach } from './lib/app.mjs';

const cleanup = disposeAfterAll();

/** What the phone's IndexedDB holds: rows per store, and the meta keys sign-out touches. */
async function stored(page) {
  return page.evaluate(async () => {
    const db = await new Promise((ok, fail) => {
      const r = indexedDB.open('sotay');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const ask = (store, op, ...args) =>
      new Promise((ok, fail) => {
        const r = db.transaction(store).objectStore(store)[op](...args);
        r.onsuccess = () => ok(r.result ?? null);
        r.onerror = () => fail(r.error);
      });
    const out = {
      records: await ask('records', 'count'),
      outbox: await ask('outbox', 'count'),
      rejected: await ask('rejected', 'count'),
      cursor: await ask('meta', 'get', 'cursor'),
      session: JSON.parse((await ask('meta', 'get', 'session')) ?? 'null'),
      deviceId: await ask('meta', 'get', 'device_id'),
    };
    db.close();
    return out;
  });
}

/** Syncs until the home screen shows `synced` sent and nothing waiting. */
async function allSent(page, synced) {
  await eventually(`${synced} records sent`, async () => {
    const c = await counts(page);
    if (c.synced === synced && c.waiting === 0 && c.drafts === 0) return true;
    await syncNow(page).catch(() => {});
    return false;
  }, 60_000, 1_000);
}

async function openSignOut(page) {
  await page.goto(new URL('/#/settings', page.url()).href);
  await page.getByRole('button', { name: 'Đăng xuất', exact: true }).click();
}

test('sign-out removes what the server has only when asked, and never what it lacks', async () => {
  const server = await Server.create();
  const phone = new Device('sign-out');
  cleanup.push(server, phone);
  const page = await phone.open();
  await signIn(page, server);
  await fillOutreach(page, { place: 'Đã gửi 1' });
  await fillOutreach(page, { place: 'Đã gửi 2' });
  await allSent(page, 2);
  const before = await stored(page);
  promise('lost', before.records === 2 && before.cursor !== null, `before sign-out: ${JSON.stringify(before)}`);

  // Everything is on the server: removal is offered, says how much, and takes it all off.
  await openSignOut(page);
  await page.getByText('Mọi phiếu trên máy đã được gửi lên máy chủ.').waitFor();
  await page.getByText('Xoá dữ liệu của tài khoản này khỏi máy (2 phiếu)?').waitFor();
  await shot(page, '22-sign-out-all-sent');
  await page.getByRole('button', { name: 'Đăng xuất và xoá dữ liệu trên máy' }).click();
  await page.locator('input[autocomplete=username]').waitFor();
  const gone = await stored(page);
  promise(
    'overwritten',
    gone.records === 0 && gone.outbox === 0 && gone.rejected === 0 && gone.cursor === null && gone.session === null,
    `after removal the phone still holds ${JSON.stringify(gone)}`,
  );
  promise('overwritten', gone.deviceId === before.deviceId, 'the phone lost its device id');
  // Removed from the phone, not from the server: the next sign-in pulls them back.
  promise('lost', (await server.records()).length === 2, 'the server lost records when the phone removed its copies');
  await signIn(page, server, 'lan', { navigate: false });
  await allSent(page, 2);

  // Not sent yet: the count is said, removal is not offered, and signing out keeps it.
  await phone.offline(true);
  await fillOutreach(page, { place: 'Chưa gửi' });
  await openSignOut(page);
  await page.getByText('Còn 1 phiếu chưa gửi lên máy chủ.', { exact: false }).waitFor();
  const offered = await page.getByRole('button', { name: 'Đăng xuất và xoá dữ liệu trên máy' }).count();
  promise('lost', offered === 0, 'removal is offered with a record not sent');
  await shot(page, '23-sign-out-unsent');
  await page.getByRole('button', { name: 'Vẫn đăng xuất' }).click();
  await page.locator('input[autocomplete=username]').waitFor();
  const kept = await stored(page);
  promise('lost', kept.records === 3 && kept.outbox === 1, `after sign-out with a record unsent: ${JSON.stringify(kept)}`);
  await phone.offline(false);
  await signIn(page, server, 'lan', { navigate: false });
  await allSent(page, 3);
  const places = (await server.records()).map((r) => r.values.place);
  promise('lost', places.includes('Chưa gửi') && places.length === 3, `the server holds ${JSON.stringify(places)}`);

  // A revoked token (the phone reported lost, say): the record waits, untouched, until
  // someone signs in again.
  await phone.offline(true);
  await fillOutreach(page, { place: 'Sau thu hồi' });
  await server.api('POST', '/auth/sign-out', { token: (await stored(page)).session.token });
  await phone.offline(false);
  await page.reload(); // the app starts a sync at start: the server refuses the token
  await page.getByText('Phiên đăng nhập đã hết hạn.', { exact: false }).first().waitFor({ timeout: 20_000 });
  const waiting = await stored(page);
  promise('lost', waiting.records === 4 && waiting.outbox === 1, `after the token was revoked: ${JSON.stringify(waiting)}`);
  await page.getByRole('link', { name: 'Đăng nhập lại' }).click();
  await signIn(page, server, 'lan', { navigate: false });
  await allSent(page, 4);
  promise('lost', (await server.records()).length === 4, 'the record kept through the revocation was not sent');
});
