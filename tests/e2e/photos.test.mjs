// Evidence photos and GPS (issue 16), in Chromium against the real server:
// - a 12-megapixel camera picture with EXIF made small on the phone (a figure: time, size),
//   shown from the server's copy once the phone no longer holds it;
// - 50 records with photos through a link that resets and drops answers, the server killed
//   once during the photo uploads: every record and every photo on the server exactly once,
//   nothing left to send on the phone (and a figure: bytes sent against the photos' size);
// - the same 50 photos over an emulated 3G link (a figure: time against the physical bound);
// - a phone whose storage is full keeps its records and says so;
// - the GPS question with its accuracy, retry and skip.
// Figures are printed and written to target/e2e-photos.json (BENCHMARKS.md records them);
// no time is asserted.

import { test } from 'node:test';
import { createHash } from 'node:crypto';
import { readdirSync, writeFileSync, mkdirSync, mkdtempSync, existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Server, Device, PASSWORD, eventually, disposeAfterAll } from './lib/harness.mjs';
import { FaultyLink } from './lib/proxy.mjs';
import { copyQueuedRecord } from './lib/seed.mjs';
import { cameraJpeg, photosForQueuedRecords, phonePhotos } from './lib/photos.mjs';
import { promise, signIn, counts, syncNow, fillOutreach, localRecordId, shot } from './lib/app.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const FIGURES = join(ROOT, 'target/e2e-photos.json');
const N = 50;
const cleanup = disposeAfterAll();

function figure(name, value) {
  mkdirSync(join(ROOT, 'target'), { recursive: true });
  const all = existsSync(FIGURES) ? JSON.parse(readFileSync(FIGURES, 'utf8')) : {};
  all[name] = value;
  writeFileSync(FIGURES, JSON.stringify(all, null, 2));
  console.log(`# photos figure ${name}: ${JSON.stringify(value)}`);
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** Files under the server's photo folder: one per photo stored. */
function storedFiles(server) {
  const root = join(server.dataDir, 'photos');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true }).filter((f) => String(f).endsWith('.jpg'));
}

/** The photo's bytes as the province reads them through the API (or the status). */
async function photoOnServer(server, recordId, hash) {
  const token = await server.token('province');
  const r = await fetch(`${server.url}/api/v1/records/${recordId}/photos/${hash}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: r.status, bytes: Buffer.from(await r.arrayBuffer()), cache: r.headers.get('cache-control') };
}

/** Fills the outreach form (not finished), attaches `jpeg` as the sign-in sheet, waits for its thumbnail. */
async function outreachWithPhoto(page, place, jpeg) {
  await fillOutreach(page, { place, finish: false });
  const started = performance.now();
  await page.locator('#i-sign_in_sheet input[type=file]').nth(1).setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: jpeg });
  await page.locator('#i-sign_in_sheet .photo img').waitFor({ timeout: 60_000 });
  return performance.now() - started;
}

async function finish(page) {
  await page.getByRole('button', { name: 'Hoàn thành' }).click();
  await page.locator('.home').waitFor({ timeout: 10_000 });
}

/** Presses "Đồng bộ ngay" until every record is synced and every photo sent. */
async function syncEverything(page, n, ms) {
  return eventually(`${n} records synced and their photos sent`, async () => {
    const c = await counts(page);
    const photos = await phonePhotos(page);
    if (c.synced === n && c.waiting === 0 && photos.unsent === 0) return { ...c, photos };
    await syncNow(page).catch(() => {});
    return false;
  }, ms, 1_500);
}

/** A phone signed in through `link` holding `N` queued outreach records, each with its own photo. */
async function phoneWithPhotos(server, link, name, places) {
  const phone = new Device(name);
  cleanup.push(phone);
  const page = await phone.open();
  await signIn(page, { url: link.url });
  await phone.offline(true);
  const first = await cameraJpeg(page, { width: 1600, height: 1200, seed: 7 });
  await outreachWithPhoto(page, places[0], first);
  await finish(page);
  const keep = await localRecordId(page, places[0]);
  await copyQueuedRecord(page, N, (i) => places[i]);
  const seeded = await photosForQueuedRecords(page, keep, { kb: 120 });
  await page.reload();
  const c = await counts(page);
  promise('lost', c.waiting === N, `${N} records should wait on the phone, home shows ${JSON.stringify(c)}`);
  const held = await phonePhotos(page);
  promise('lost', held.unsent === N && held.blobs === N, `${N} photos should wait as pictures on the phone: ${JSON.stringify(held)}`);
  return { phone, page, seeded, keep };
}

test('a 12-megapixel camera photo is made small on the phone, without its EXIF, and kept beside the record', { timeout: 300_000 }, async () => {
  const server = await Server.create();
  cleanup.push(server);
  const phone = new Device('camera');
  cleanup.push(phone);
  const page = await phone.open();
  await signIn(page, server);
  const camera = await cameraJpeg(page, { width: 4000, height: 3000, seed: 3, exif: true });
  promise('lost', camera.includes(Buffer.from('Exif\0\0', 'latin1')), 'the test picture should carry EXIF');
  const ms = await outreachWithPhoto(page, 'Ảnh 12 MP', camera);
  await page.locator('#f-sign_in_sheet').scrollIntoViewIfNeeded();
  await shot(page, 'pwa-photo-question-360');
  const kept = await page.evaluate(async () => {
    const db = await new Promise((ok) => { const r = indexedDB.open('sotay'); r.onsuccess = () => ok(r.result); });
    const rows = await new Promise((ok) => { const r = db.transaction('photos').objectStore('photos').getAll(); r.onsuccess = () => ok(r.result); });
    db.close();
    const blob = rows[0].blob;
    const bitmap = await createImageBitmap(blob);
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const text = String.fromCharCode(...bytes.subarray(0, 4096));
    return { n: rows.length, type: blob.type, size: blob.size, width: bitmap.width, height: bitmap.height, exif: text.includes('Exif'), gps: text.includes('GPS') };
  });
  figure('compress_12mp', { input_bytes: camera.length, output_bytes: kept.size, width: kept.width, height: kept.height, ms: Math.round(ms) });
  promise('lost', kept.n === 1 && kept.type === 'image/jpeg', `one JPEG should be stored beside the record: ${JSON.stringify(kept)}`);
  promise('lost', Math.max(kept.width, kept.height) === 1600, `the long side should be 1600 px: ${kept.width}×${kept.height}`);
  promise('lost', kept.size <= 300 * 1024, `the photo should be about 250 KB, is ${kept.size} B`);
  promise('leaked', !kept.exif && !kept.gps, 'the stored photo still carries the camera EXIF (GPS position)');
  await finish(page);
  // The record holds the hash and the size, never the picture.
  const id = await localRecordId(page, 'Ảnh 12 MP');
  const answer = await page.evaluate(async (id) => {
    const db = await new Promise((ok) => { const r = indexedDB.open('sotay'); r.onsuccess = () => ok(r.result); });
    const row = await new Promise((ok) => { const r = db.transaction('records').objectStore('records').get(id); r.onsuccess = () => ok(r.result); });
    db.close();
    return JSON.parse(row.data).record.values.sign_in_sheet;
  }, id);
  promise('lost', answer?.length === 1 && /^[0-9a-f]{64}$/.test(answer[0].sha256) && answer[0].bytes === kept.size, `the answer names the photo: ${JSON.stringify(answer)}`);
  await eventually('the record and its photo on the server', async () => {
    await syncNow(page).catch(() => {});
    return (await phonePhotos(page)).unsent === 0;
  }, 60_000, 1_000);
  const got = await photoOnServer(server, id, answer[0].sha256);
  promise('lost', got.status === 200 && sha256(got.bytes) === answer[0].sha256, `the server serves the photo as sent: ${got.status}`);
  promise('leaked', got.cache?.includes('no-store'), `a photo answer must not be cached: ${got.cache}`);
  await page.goto(new URL(`/#/record/${id}`, page.url()).href);
  await page.locator('.record-view .photo img').waitFor();
  await shot(page, 'pwa-record-photo-360');

  // A photo the phone let go (sent 30 days ago) or never held: read from the server when
  // online, and said to be elsewhere when not.
  await page.evaluate(async () => {
    const db = await new Promise((ok) => { const r = indexedDB.open('sotay'); r.onsuccess = () => ok(r.result); });
    await new Promise((ok, fail) => { const tx = db.transaction('photos', 'readwrite'); tx.objectStore('photos').clear(); tx.oncomplete = ok; tx.onerror = fail; });
    db.close();
  });
  promise('lost', (await phonePhotos(page)).blobs === 0, 'the phone should hold no photo now');
  await page.reload();
  const fromServer = page.locator('.record-view .photo img');
  await fromServer.waitFor({ timeout: 30_000 });
  const served = await fromServer.evaluate((i) => i.decode().then(() => i.naturalWidth));
  promise('lost', served === 1600, `the record shows the server's copy of a photo the phone let go: ${served}`);
  await phone.offline(true);
  await page.reload();
  await page.locator('.record-view .photo-missing').waitFor({ timeout: 30_000 });
  const note = await page.locator('.record-view .photo-missing').innerText();
  promise('lost', note.includes('không lưu trên máy này'), `offline, the record says the photo is not on this phone: ${note}`);
  await phone.offline(false);

  // The province reads the record in the console, with its photo (fetched with the token).
  const desk = new Device('camera-console');
  cleanup.push(desk);
  const console_ = await desk.open();
  await console_.setViewportSize({ width: 1280, height: 900 });
  await console_.goto(`${server.url}/console/`);
  await console_.locator('#username').fill('province');
  await console_.locator('#password').fill(PASSWORD);
  await console_.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
  await console_.locator('nav.menu').waitFor();
  await console_.goto(`${server.url}/console/records/${id}`);
  const img = console_.locator('.answers .photo img');
  await img.waitFor({ timeout: 30_000 });
  const shown = await img.evaluate((i) => i.decode().then(() => [i.naturalWidth, i.naturalHeight]));
  promise('lost', shown[0] === 1600, `the console shows the photo as stored: ${shown}`);
  await img.scrollIntoViewIfNeeded();
  await shot(console_, 'console-record-photo-1280');
});

test(`bad link: ${N} records with photos, resets and dropped answers, the server killed once; each on the server exactly once`, { timeout: 600_000 }, async () => {
  const server = await Server.create();
  cleanup.push(server);
  const faults = ['drop-after-commit', 'reset-mid-response'];
  const photoFaults = ['drop-after-commit', 'reset-mid-request', 'ok', 'reset-mid-response', 'ok', 'ok', 'drop-after-commit'];
  const link = await FaultyLink.open(server.url, { faults, photoFaults, latencyMs: 20, bytesPerSecond: 1024 * 1024 });
  cleanup.push({ dispose: () => link.close() });
  const places = Array.from({ length: N }, (_, i) => `Ảnh qua mạng yếu #${i + 1}`);
  const { page, seeded, keep } = await phoneWithPhotos(server, link, 'photos-badlink', places);
  const firstAnswer = await page.evaluate(async (id) => {
    const db = await new Promise((ok) => { const r = indexedDB.open('sotay'); r.onsuccess = () => ok(r.result); });
    const row = await new Promise((ok) => { const r = db.transaction('records').objectStore('records').get(id); r.onsuccess = () => ok(r.result); });
    db.close();
    return JSON.parse(row.data).record.values.sign_in_sheet[0];
  }, keep);
  const photos = [{ record_id: keep, ...firstAnswer }, ...seeded];
  const photoBytes = photos.reduce((s, p) => s + p.bytes, 0);

  // Power cut during the 12th photo upload; back a second later.
  let crashed = null;
  link.onPhoto = () => {
    if (crashed || link.photoPuts < 12) return;
    crashed = new Promise((r) => setTimeout(r, 10)).then(() => server.kill());
  };
  await page.context().setOffline(false);
  await eventually('the 12th photo upload', () => crashed !== null, 120_000, 200);
  await crashed;
  await new Promise((r) => setTimeout(r, 1_000));
  await server.start();
  const done = await syncEverything(page, N, 300_000);
  await shot(page, 'pwa-photos-sent-360');

  promise('lost', link.injected.length === 6, `the link injected ${link.injected.length} of 6 faults: ${link.injected}`);
  const onServer = (await server.records()).filter((r) => places.includes(r.values.place));
  promise('lost', onServer.length === N, `server has ${onServer.length} of ${N} records`);
  promise('duplicated', onServer.every((r) => r.revision === 1), 'a record was applied more than once');
  const files = storedFiles(server);
  promise('duplicated', files.length === N, `the server's photo folder holds ${files.length} files for ${N} photos`);
  for (const p of photos) {
    const got = await photoOnServer(server, p.record_id, p.sha256);
    promise('lost', got.status === 200 && sha256(got.bytes) === p.sha256, `photo of ${p.record_id}: ${got.status}`);
  }
  promise('lost', done.photos.total === N && done.photos.blobs === N, `the phone still shows its photos: ${JSON.stringify(done.photos)}`);
  figure('bad_link', {
    photos: N,
    photo_bytes: photoBytes,
    photo_bytes_sent: link.photoBytesUp,
    ratio: Number((link.photoBytesUp / photoBytes).toFixed(3)),
    uploads: link.photoPuts,
    faults: link.injected,
  });
});

test(`slow link: ${N} photos over 750 kbit/s with 200 ms RTT, against the physical bound`, { timeout: 600_000 }, async () => {
  const server = await Server.create();
  cleanup.push(server);
  const bytesPerSecond = 750_000 / 8;
  const link = await FaultyLink.open(server.url, { latencyMs: 100, bytesPerSecond, compress: true });
  cleanup.push({ dispose: () => link.close() });
  const places = Array.from({ length: N }, (_, i) => `Ảnh 3G #${i + 1}`);
  const { page } = await phoneWithPhotos(server, link, 'photos-3g', places);
  link.timeline = [];
  await page.context().setOffline(false);
  await syncEverything(page, N, 540_000);
  const photoPhase = link.timeline.filter((t) => t.path.endsWith('/sync/photos') || t.path.includes('/photos/'));
  const puts = photoPhase.filter((t) => t.path.includes('/photos/'));
  const start = Math.min(...photoPhase.map((t) => t.received));
  const end = Math.max(...puts.map((t) => t.delivered ?? t.answered));
  const up = puts.reduce((s, t) => s + t.up, 0);
  // No link can do better than carrying every photo's bytes once, plus one round trip.
  const bound = (up / bytesPerSecond) * 1000 + 200;
  figure('slow_link_3g', {
    photos: N,
    uploads: puts.length,
    bytes: up,
    seconds: Number(((end - start) / 1000).toFixed(1)),
    bound_seconds: Number((bound / 1000).toFixed(1)),
    ratio: Number(((end - start) / bound).toFixed(3)),
  });
  promise('duplicated', puts.length === N, `${puts.length} uploads for ${N} photos on a clean link`);
  promise('lost', storedFiles(server).length === N, `the server holds ${storedFiles(server).length} of ${N} photos`);
});

/**
 * A phone whose storage is nearly full, for real: its browser profile on a small disk of its
 * own (tmpfs, which needs root: CI runs as root; elsewhere the scenario skips and says why).
 */
function smallDisk(mb) {
  const dir = mkdtempSync(join(tmpdir(), 'sotay-e2e-small-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mb}m`, 'tmpfs', dir]);
  return { dir, dispose: async () => execFileSync('umount', ['-l', dir]) };
}

const asRoot = process.getuid?.() === 0;
const noSmallDisk = !asRoot && !process.env.CI && 'a small disk for the full phone needs root (tmpfs)';

test('a phone whose storage is full says so and keeps its records', { timeout: 300_000, skip: noSmallDisk }, async () => {
  const server = await Server.create();
  cleanup.push(server);
  const disk = smallDisk(32);
  cleanup.push(disk);
  const phone = new Device('full');
  phone.profile = mkdtempSync(join(disk.dir, 'profile-'));
  cleanup.push(phone);
  const page = await phone.open();
  await signIn(page, server);
  await phone.offline(true);
  await fillOutreach(page, { place: 'Trước khi đầy' });
  const picture = await cameraJpeg(page, { width: 3000, height: 2000, seed: 11 });
  await fillOutreach(page, { place: 'Khi máy đầy', finish: false });
  // Other apps fill the phone: written until the browser refuses, then 100 KB given back,
  // room for a record but not for a photo.
  const filled = await page.evaluate(async () => {
    const db = await new Promise((ok, fail) => {
      const r = indexedDB.open('other-app', 1);
      r.onupgradeneeded = () => r.result.createObjectStore('files');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const put = (key, value) => new Promise((ok) => {
      const tx = db.transaction('files', 'readwrite');
      tx.objectStore('files').put(value, key);
      tx.oncomplete = () => ok(null);
      tx.onabort = () => ok(tx.error?.name ?? 'aborted');
    });
    let n = 0;
    for (;;) {
      const chunk = new Blob([crypto.getRandomValues(new Uint8Array(50_000)), crypto.getRandomValues(new Uint8Array(50_000))]);
      const refused = await put(n, chunk);
      if (refused) {
        await new Promise((ok) => {
          const tx = db.transaction('files', 'readwrite');
          tx.objectStore('files').delete(n - 1);
          tx.oncomplete = ok;
        });
        db.close();
        return { files: n, refused };
      }
      n += 1;
    }
  });
  promise('lost', filled.refused === 'QuotaExceededError', `the small disk should fill up: ${JSON.stringify(filled)}`);
  await page.locator('#i-sign_in_sheet input[type=file]').nth(1).setInputFiles({ name: 'IMG_0002.jpg', mimeType: 'image/jpeg', buffer: picture });
  const alert = page.locator('#i-sign_in_sheet .error');
  const kept = page.locator('#i-sign_in_sheet .photo img');
  await eventually('the photo question to answer', async () => (await alert.count()) + (await kept.count()) > 0, 60_000);
  promise('lost', (await kept.count()) === 0, 'the photo was stored on a full phone: the test did not fill it');
  const text = await alert.innerText();
  promise('lost', text.includes('Bộ nhớ điện thoại đã đầy') && text.includes('Phiếu vẫn được giữ'), `the officer should be told plainly: "${text}"`);
  await page.locator('#f-sign_in_sheet').scrollIntoViewIfNeeded();
  await shot(page, 'pwa-photo-storage-full-360');
  // As the message asks, the officer frees some space (the other app's files go), and
  // finishes the record, which was kept as it was typed.
  await page.evaluate(() => new Promise((ok) => { const r = indexedDB.deleteDatabase('other-app'); r.onsuccess = ok; r.onerror = ok; }));
  await finish(page);
  await page.reload();
  const c = await counts(page);
  promise('lost', c.waiting === 2, `both records should wait to be sent, home shows ${JSON.stringify(c)}`);
  await phone.offline(false);
  await eventually('both records on the server', async () => {
    await syncNow(page).catch(() => {});
    return (await counts(page)).synced === 2;
  }, 60_000, 1_000);
  const stored = (await server.records()).map((r) => r.values.place).sort();
  promise('lost', JSON.stringify(stored) === JSON.stringify(['Khi máy đầy', 'Trước khi đầy']), `server has ${stored}`);
});

test('the GPS question shows the accuracy, tries again and can be skipped', { timeout: 120_000 }, async () => {
  const server = await Server.create();
  cleanup.push(server);
  const phone = new Device('gps');
  cleanup.push(phone);
  const page = await phone.open();
  await signIn(page, server);
  await page.goto(new URL('/#/new/model_check', page.url()).href);
  const field = page.locator('#i-gps_position');
  await field.waitFor();
  // Not allowed yet: said plainly, with a way on.
  await field.getByRole('button', { name: 'Lấy vị trí' }).click();
  await field.locator('.error').waitFor();
  promise('lost', (await field.locator('.error').innerText()).includes('chưa được phép'), 'a refused position should say why');
  await field.getByRole('button', { name: 'Bỏ qua' }).waitFor();
  await phone.context.grantPermissions(['geolocation'], { origin: server.url });
  await phone.context.setGeolocation({ latitude: 15.12141, longitude: 108.80442, accuracy: 12.4 });
  await field.getByRole('button', { name: 'Lấy vị trí' }).click();
  await eventually('the position with its accuracy', async () => (await field.locator('output').innerText()).includes('(±12 m)'));
  const shown = await field.locator('output').innerText();
  promise('lost', shown.startsWith('15,12141; 108,80442'), `the position reads as in Vietnam: ${shown}`);
  await shot(page, 'pwa-gps-question-360');
  await phone.context.setGeolocation({ latitude: 15.2, longitude: 108.9, accuracy: 5 });
  await field.getByRole('button', { name: 'Lấy lại vị trí' }).click();
  await eventually('the new position', async () => (await field.locator('output').innerText()).includes('(±5 m)'));
  await field.getByRole('button', { name: 'Bỏ qua' }).click();
  promise('lost', (await field.locator('output').innerText()) === 'Chưa có vị trí', 'skipping clears the position');
});
