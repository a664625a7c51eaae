// Scenario 7 of issue 5: a new version of the app arrives while a draft is open.

import { test } from 'node:test';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, Device, PWA_DIR, disposeAfterAll } from './lib/harness.mjs';
import { promise, shot, signIn, serviceWorkerInCharge, fillOutreach } from './lib/app.mjs';

const cleanup = disposeAfterAll();

test('app update while a draft is open: "Tải lại" loads the new version and loses nothing', async () => {
  // A copy of the built PWA that this test can "release" again.
  const pwa = mkdtempSync(join(tmpdir(), 'sotay-e2e-pwa-'));
  cpSync(PWA_DIR, pwa, { recursive: true });
  cleanup.push({ dispose: async () => rmSync(pwa, { recursive: true, force: true }) });
  const server = await Server.create(undefined, { pwaDir: pwa });
  const phone = new Device('update');
  cleanup.push(server, phone);
  const page = await phone.open();
  await signIn(page, server);
  await serviceWorkerInCharge(page);

  await fillOutreach(page, { place: 'Đang gõ dở khi có bản mới', girls: 6, boys: 1, finish: false });
  await page.getByText('Đã lưu trên máy').waitFor({ timeout: 5_000 });
  const draftUrl = page.url();

  // The new release: a new service worker (a new build id), its compressed copies removed
  // so the server sends the changed file.
  const sw = join(pwa, 'sw.js');
  writeFileSync(sw, readFileSync(sw, 'utf8').replace(/const BUILD = "([^"]+)"/, 'const BUILD = "$1-next"'));
  for (const copy of ['gz', 'br']) rmSync(`${sw}.${copy}`, { force: true });
  await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.update()));
  const banner = page.getByText('Có phiên bản mới');
  await banner.waitFor({ timeout: 20_000 });
  await shot(page, '09-update-banner');
  const newController = page.waitForEvent('load');
  await page.getByRole('button', { name: 'Tải lại' }).click();
  await newController;

  const build = await page.evaluate(async () => {
    const keys = await caches.keys();
    return keys.filter((k) => k.startsWith('sotay-shell-'));
  });
  promise('not restored', build.length === 1 && build[0].endsWith('-next'), `caches after the update: ${build}`);
  await page.goto(draftUrl);
  await page.locator('#i-place').waitFor({ timeout: 15_000 });
  const place = await page.locator('#i-place').inputValue();
  const girls = await page.locator('#i-participants .grid-block').first().getByLabel('Kinh Nữ', { exact: true }).inputValue();
  promise('not restored', place === 'Đang gõ dở khi có bản mới', `place after the update: ${JSON.stringify(place)}`);
  promise('not restored', girls === '6', `grid cell after the update: ${JSON.stringify(girls)}`);
});
