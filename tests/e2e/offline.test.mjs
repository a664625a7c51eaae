// Scenarios 1 and 2 of issue 5: a day with no signal, and a phone that dies mid-form.

import { test } from 'node:test';
import { Server, Device, eventually, disposeAfterAll } from './lib/harness.mjs';
import { promise, shot, signIn, serviceWorkerInCharge, counts, fillOutreach, kinhChildren } from './lib/app.mjs';

const cleanup = disposeAfterAll();

test('offline life: the app opens with no network, records wait, then reach the server exactly once', async () => {
  const server = await Server.create();
  const phone = new Device('offline');
  cleanup.push(server, phone);
  const page = await phone.open();
  await signIn(page, server);
  await serviceWorkerInCharge(page);
  await shot(page, '01-home');

  // No signal, and the server is gone too: only the service worker can open the app.
  await phone.offline(true);
  await server.stop();
  await page.reload();
  await page.getByText('Không có mạng').first().waitFor({ timeout: 15_000 });
  await shot(page, '02-home-offline');

  const places = ['Thôn Trà Xuân 1', 'Thôn Trà Xuân 2', 'Thôn Trà Xuân 3'];
  for (const [i, place] of places.entries()) {
    await fillOutreach(page, { place, girls: 10 + i, boys: 5 + i });
  }
  const waiting = await counts(page);
  promise('lost', waiting.waiting === 3, `3 finished records should wait on the phone, home shows ${JSON.stringify(waiting)}`);

  // The signal returns: the app syncs by itself on the `online` event.
  await server.start();
  await phone.offline(false);
  const synced = await eventually('the phone to show 3 synced', async () => {
    const c = await counts(page);
    return c.synced === 3 && c.waiting === 0 && c;
  }, 60_000, 500);
  await shot(page, '03-home-synced');

  const onServer = (await server.records()).filter((r) => places.includes(r.values.place));
  promise('lost', onServer.length >= 3, `server has ${onServer.length} of the 3 records`);
  promise('duplicated', onServer.length === 3, `server has ${onServer.length} copies of 3 records`);
  promise('duplicated', new Set(onServer.map((r) => r.id)).size === 3, 'two server records share an id');
  for (const [i, place] of places.entries()) {
    const r = onServer.find((x) => x.values.place === place);
    promise('duplicated', r.revision === 1, `${place} was applied ${r.revision} times`);
    const kids = kinhChildren(r);
    promise('lost', kids.female === 10 + i && kids.male === 5 + i, `${place} grid arrived as ${JSON.stringify(kids)}`);
  }
  promise('lost', synced.attention === 0, `records need attention: ${JSON.stringify(synced)}`);
});

test('killed mid-form: reopening restores the draft with every value entered', async () => {
  const server = await Server.create();
  const phone = new Device('killed');
  cleanup.push(server, phone);
  let page = await phone.open();
  await signIn(page, server);

  await fillOutreach(page, { place: 'Nhà văn hóa thôn 4', girls: 7, boys: 4, finish: false });
  await page.locator('#i-notes').fill('Họp tổ phụ nữ');
  // Autosave writes within about a second; the app then shows "Đã lưu trên máy".
  await page.getByText('Đã lưu trên máy').waitFor({ timeout: 5_000 });
  const draftUrl = page.url();
  await phone.close(); // the browser dies: no unload, no last write

  page = await phone.open();
  await page.goto(draftUrl);
  await page.locator('#i-place').waitFor({ timeout: 15_000 });
  const restored = {
    place: await page.locator('#i-place').inputValue(),
    format: await page.locator('#i-format').inputValue(),
    date: await page.locator('#i-event_date').inputValue(),
    notes: await page.locator('#i-notes').inputValue(),
    girls: await page.locator('#i-participants .grid-block').first().getByLabel('Kinh Nữ', { exact: true }).inputValue(),
    boys: await page.locator('#i-participants .grid-block').first().getByLabel('Kinh Nam', { exact: true }).inputValue(),
    topic: await page.locator('#i-topics-0').isChecked(),
  };
  await shot(page, '04-draft-restored');
  const expected = { place: 'Nhà văn hóa thôn 4', format: 'meeting', date: '20/11/2026', notes: 'Họp tổ phụ nữ', girls: '7', boys: '4', topic: true };
  for (const [k, v] of Object.entries(expected)) {
    promise('not restored', restored[k] === v, `${k}: typed ${JSON.stringify(v)}, reopened ${JSON.stringify(restored[k])}`);
  }
  const c = await counts(page);
  promise('not restored', c.drafts === 1, `home shows ${c.drafts} drafts`);
});
