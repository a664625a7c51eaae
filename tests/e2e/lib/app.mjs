// What an officer does with the PWA, in its own words (Vietnamese UI), for the scenarios.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PASSWORD, SHOTS, eventually } from './harness.mjs';

/**
 * A broken promise of the product, named: the message says what happened to the
 * officer's data (lost, duplicated, overwritten, not restored), then the detail.
 */
export function promise(kind, holds, detail) {
  if (!holds) throw new Error(`PROMISE BROKEN — ${kind}: ${detail}`);
}

export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

export async function signIn(page, server, username = 'lan', { navigate = true } = {}) {
  if (navigate) await page.goto(server.url);
  await page.fill('input[autocomplete=username]', username);
  await page.fill('input[type=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.getByText('Hoạt động truyền thông').waitFor({ timeout: 20_000 });
}

/** Waits until the service worker controls the page, so a reload works with no network. */
export async function serviceWorkerInCharge(page) {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await eventually('the service worker to control the page', () =>
    page.evaluate(() => Boolean(navigator.serviceWorker.controller)),
  );
}

/** The four counters of the home screen. */
export async function counts(page) {
  await page.goto(new URL('/#/', page.url()).href);
  const tiles = page.locator('.tiles .tile .n');
  await tiles.first().waitFor();
  const [drafts, waiting, synced, attention] = (await tiles.allInnerTexts()).map(Number);
  return { drafts, waiting, synced, attention };
}

export async function syncNow(page) {
  await page.getByRole('button', { name: 'Đồng bộ ngay' }).click();
}

/**
 * Fills an outreach event ("Hoạt động truyền thông") from the home screen: `place`
 * identifies it, `girls`/`boys` go into the Kinh row of the children's grid. With
 * `finish`, "Hoàn thành" queues it for sync. `route` opens another form screen instead
 * (`#/try/outreach_event`: its draft).
 */
export async function fillOutreach(page, { place, girls = 3, boys = 2, materials = 0, finish = true, route = null }) {
  if (route) {
    await page.goto(new URL(`/${route}`, page.url()).href);
  } else {
    await page.goto(new URL('/#/', page.url()).href);
    await page.getByText('Hoạt động truyền thông').click();
  }
  await page.locator('#i-format').selectOption('meeting');
  await page.locator('#i-topics-0').check();
  await page.locator('#i-organiser').selectOption({ index: 1 });
  await page.locator('#i-place').fill(place);
  await page.locator('#i-event_date').pressSequentially('20112026');
  await page.locator('#i-part_of_action_month').getByRole('button', { name: 'Có' }).click();
  await page.locator('#f-language label.option').first().click();
  const children = page.locator('#i-participants .grid-block').first();
  await children.getByLabel('Kinh Nữ', { exact: true }).fill(String(girls));
  await children.getByLabel('Kinh Nam', { exact: true }).fill(String(boys));
  await page.locator('#i-materials_distributed').fill(String(materials));
  // More than none asks what kind they were.
  if (materials > 0) await page.locator('#i-materials_kind-0').check();
  if (finish) {
    await page.getByRole('button', { name: 'Hoàn thành' }).click();
    await page.locator('.home').waitFor({ timeout: 10_000 });
  }
}

/** The children's grid cells of a stored record: `{ female, male }` for Kinh. */
export function kinhChildren(record) {
  const cells = record.values.participants ?? [];
  const count = (sex) =>
    cells.filter((c) => c.ethnicity === '01' && c.sex === sex && c.group === 'child').reduce((n, c) => n + c.count, 0);
  return { female: count('female'), male: count('male') };
}

/** The id of the record on the phone whose place is `place` (read from IndexedDB). */
export async function localRecordId(page, place) {
  return page.evaluate(async (place) => {
    const db = await new Promise((ok, fail) => {
      const r = indexedDB.open('sotay');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const rows = await new Promise((ok) => {
      const r = db.transaction('records').objectStore('records').getAll();
      r.onsuccess = () => ok(r.result);
    });
    db.close();
    const hit = rows.map((row) => JSON.parse(row.data)).find((l) => l.record.values.place === place);
    return hit?.record.id ?? null;
  }, place);
}

/** Opens a record, presses "Sửa phiếu", sets the place and finishes it again. */
export async function editPlace(page, id, place) {
  await page.goto(new URL(`/#/record/${id}`, page.url()).href);
  await page.getByRole('button', { name: 'Sửa phiếu' }).click();
  await page.locator('#i-place').fill(place);
  await page.getByRole('button', { name: 'Hoàn thành' }).click();
  await page.locator('.home').waitFor({ timeout: 10_000 });
}
