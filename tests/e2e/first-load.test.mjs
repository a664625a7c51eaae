// First-load transfer (issue 4), measured in Chromium: every byte the network carried on a
// phone's first visit — the page, its files, and what the service worker precaches — until
// the worker is installed and in charge. API calls are not the app shell and are counted
// apart. Printed and written to target/e2e-first-load.json; `cargo xtask size` gives the
// same per-file figure from the build.

import { test } from 'node:test';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Server, Device, disposeAfterAll } from './lib/harness.mjs';
import { serviceWorkerInCharge } from './lib/app.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const BUDGET = 300 * 1024;

const cleanup = disposeAfterAll();

test('first visit: bytes over the network for the app shell', async () => {
  const server = await Server.create();
  const phone = new Device('first-load');
  cleanup.push(server, phone);
  const page = await phone.open();
  const seen = [];
  phone.context.on('requestfinished', async (request) => {
    const sizes = await request.sizes().catch(() => null);
    if (!sizes) return;
    const response = await request.response();
    seen.push({
      url: new URL(request.url()).pathname,
      bytes: sizes.responseBodySize + sizes.responseHeadersSize,
      status: response?.status(),
      worker: Boolean(request.serviceWorker()),
    });
  });
  await page.goto(server.url);
  await page.locator('input[autocomplete=username]').waitFor();
  await serviceWorkerInCharge(page);
  await page.waitForLoadState('networkidle');

  const shell = seen.filter((r) => !r.url.startsWith('/api/'));
  const total = shell.reduce((n, r) => n + r.bytes, 0);
  const byFile = Object.fromEntries(shell.map((r) => [`${r.worker ? 'worker ' : ''}${r.url} (${r.status})`, r.bytes]));
  const figures = { total_bytes: total, total_kb: Math.round(total / 1024), budget_kb: BUDGET / 1024, requests: shell.length, files: byFile };
  console.log(`first-load figures: ${JSON.stringify(figures)}`);
  mkdirSync(join(ROOT, 'target'), { recursive: true });
  writeFileSync(join(ROOT, 'target/e2e-first-load.json'), JSON.stringify(figures, null, 2));
});
