// Slow link (issue 5): 1,000 queued records sync over an emulated 3G link (750 kbit/s,
// 200 ms round trip). A figure, not a timed assertion: the time against the physical lower
// bound (bytes ÷ bandwidth + round trips × RTT) and the bytes per record are printed and
// written to target/e2e-slow-link.json (BENCHMARKS.md records them). Asserted: every record
// on the server exactly once.

import { test } from 'node:test';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Server, Device, eventually, disposeAfterAll } from './lib/harness.mjs';
import { FaultyLink } from './lib/proxy.mjs';
import { copyQueuedRecord } from './lib/seed.mjs';
import { promise, signIn, counts, fillOutreach } from './lib/app.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const N = Number(process.env.SOTAY_SLOW_LINK_RECORDS ?? 1000);
const BYTES_PER_SECOND = 750_000 / 8;
const RTT_MS = 200;

const cleanup = disposeAfterAll();

test(`slow link: ${N} records over 750 kbit/s with 200 ms RTT`, { timeout: 600_000 }, async () => {
  const server = await Server.create();
  cleanup.push(server);
  const link = await FaultyLink.open(server.url, { latencyMs: RTT_MS / 2, bytesPerSecond: BYTES_PER_SECOND, compress: true });
  cleanup.push({ dispose: () => link.close() });
  const phone = new Device('slow');
  cleanup.push(phone);
  const page = await phone.open();
  await signIn(page, { url: link.url });
  await phone.offline(true);
  await fillOutreach(page, { place: 'Chậm #1' });
  const places = await copyQueuedRecord(page, N, (i) => `Chậm #${i + 1}`);
  await page.reload();
  promise('lost', (await counts(page)).waiting === N, `${N} records should wait on the phone`);

  link.bytesUp = 0;
  link.bytesDown = 0;
  link.requests = 0;
  link.timeline = [];
  const t0 = performance.now();
  await phone.offline(false);
  await eventually(`${N} records synced`, async () => {
    const c = await counts(page);
    return c.synced === N && c.waiting === 0;
  }, 540_000, 250);
  const seconds = (performance.now() - t0) / 1000;

  const bytes = link.bytesUp + link.bytesDown;
  const bound = bytes / BYTES_PER_SECOND + (link.requests * RTT_MS) / 1000;
  const figures = {
    records: N,
    seconds: Number(seconds.toFixed(1)),
    lower_bound_seconds: Number(bound.toFixed(1)),
    ratio_to_bound: Number((seconds / bound).toFixed(2)),
    requests: link.requests,
    bytes_up: link.bytesUp,
    bytes_down: link.bytesDown,
    bytes_up_per_record: Math.round(link.bytesUp / N),
    bytes_total_per_record: Math.round(bytes / N),
    seconds_spent: whereTimeWent(link.timeline, t0, t0 + seconds * 1000, link.latencyMs, BYTES_PER_SECOND),
  };
  console.log(`slow-link figures: ${JSON.stringify(figures)}`);
  mkdirSync(join(ROOT, 'target'), { recursive: true });
  writeFileSync(join(ROOT, 'target/e2e-slow-link.json'), JSON.stringify(figures, null, 2));

  const wanted = new Set(places);
  const stored = (await server.records()).filter((r) => wanted.has(r.values.place));
  promise('lost', new Set(stored.map((r) => r.values.place)).size === N, `server has ${stored.length} of ${N}`);
  promise('duplicated', stored.length === N, `server has ${stored.length} records for ${N}`);
});

/**
 * Where the time of the sync went, in seconds: `link` (latency and bandwidth, as the bound
 * counts them), `server` (from the request leaving the link to its answer), `phone` (between
 * an answer arriving and the next request: storage, encoding, compression), `start` (from
 * going online to the first request) and `end` (from the last answer to the screen saying
 * synced, including this test's polling).
 */
function whereTimeWent(timeline, t0, t1, latencyMs, bytesPerSecond) {
  const spent = { start: 0, link: 0, server: 0, phone: 0, end: 0 };
  let previous = null;
  // A request still open when the screen said synced (the service worker's update check)
  // carried nothing the sync waited for.
  for (const t of timeline.filter((t) => t.delivered !== undefined)) {
    const upLink = latencyMs + (t.up / bytesPerSecond) * 1000;
    spent.link += upLink + (t.delivered - t.answered);
    spent.server += t.answered - t.received - upLink;
    if (previous === null) spent.start = t.received - t0;
    else spent.phone += Math.max(0, t.received - previous.delivered);
    previous = t;
  }
  if (previous) spent.end = t1 - previous.delivered;
  return Object.fromEntries(Object.entries(spent).map(([k, ms]) => [k, Number((ms / 1000).toFixed(2))]));
}
