// Load (issue 5): 200 simulated devices push finished records concurrently for 60 s
// (SOTAY_LOAD_SECONDS). Promise: zero errors, every change applied once; p50/p99 push
// latency printed and written to target/e2e-load.json.

import { test } from 'node:test';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Server, COMMUNE, PASSWORD, disposeAfterAll } from './lib/harness.mjs';
import { promise } from './lib/app.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const SECONDS = Number(process.env.SOTAY_LOAD_SECONDS ?? 60);
const DEVICES = Number(process.env.SOTAY_LOAD_DEVICES ?? 200);
const USERS = 20;
const PER_PUSH = 5;
const VALUES = JSON.parse(readFileSync(join(ROOT, 'forms/tests/cases/outreach_event_v1.json'), 'utf8')).valid[0].values;

const cleanup = disposeAfterAll();

function record(author, deviceId, n) {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    form_id: 'outreach_event',
    form_version: 1,
    location: { unit_list: 'units_2025', unit_code: COMMUNE },
    author,
    device_id: deviceId,
    created_at: now,
    updated_at: now,
    status: 'final',
    values: { ...VALUES, place: `${deviceId} #${n}` },
  };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

test(`load: ${DEVICES} devices push for ${SECONDS} s with zero errors`, { timeout: (SECONDS + 240) * 1000 }, async () => {
  const users = Array.from({ length: USERS }, (_, i) => ({
    username: `c${String(i + 1).padStart(2, '0')}`,
    role: 'collector',
    communes: [COMMUNE],
  }));
  const server = await Server.create(users);
  cleanup.push(server);
  const api = `${server.url}/api/v1`;

  const devices = [];
  for (let d = 0; d < DEVICES; d++) {
    const username = users[d % USERS].username;
    const deviceId = `load-${d}`;
    const r = await fetch(`${api}/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD, device_id: deviceId }),
    });
    const text = await r.text();
    promise('lost', r.ok, `sign-in of ${deviceId}: ${r.status} ${text}`);
    devices.push({ username, deviceId, token: JSON.parse(text).token });
  }

  const latencies = [];
  const errors = [];
  let applied = 0;
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(
    devices.map(async (dev) => {
      let n = 0;
      while (Date.now() < until) {
        const changes = Array.from({ length: PER_PUSH }, () => ({
          change_id: randomUUID(),
          base_revision: 0,
          record: record(dev.username, dev.deviceId, n++),
        }));
        const t0 = performance.now();
        try {
          const r = await fetch(`${api}/sync/push`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${dev.token}` },
            body: JSON.stringify({ device_id: dev.deviceId, changes }),
          });
          const body = await r.text();
          latencies.push(performance.now() - t0);
          if (!r.ok) {
            errors.push(`${r.status} ${body.slice(0, 200)}`);
          } else {
            const results = JSON.parse(body).results;
            const ok = results.filter((x) => x.outcome === 'applied' && !x.duplicate).length;
            applied += ok;
            if (ok !== PER_PUSH) errors.push(`only ${ok} of ${PER_PUSH} applied: ${body.slice(0, 300)}`);
          }
        } catch (e) {
          errors.push(String(e));
        }
        // A phone does not push back to back: up to half a second between batches.
        await new Promise((r) => setTimeout(r, Math.random() * 500));
      }
    }),
  );

  latencies.sort((a, b) => a - b);
  const figures = {
    devices: DEVICES,
    seconds: SECONDS,
    pushes: latencies.length,
    records_applied: applied,
    records_per_second: Math.round(applied / SECONDS),
    p50_ms: Math.round(percentile(latencies, 50)),
    p90_ms: Math.round(percentile(latencies, 90)),
    p99_ms: Math.round(percentile(latencies, 99)),
    max_ms: Math.round(latencies.at(-1)),
    errors: errors.length,
    server: process.env.SOTAY_SERVER_BIN ?? 'target/debug/sotay-sync-server',
  };
  console.log(`load figures: ${JSON.stringify(figures)}`);
  mkdirSync(join(ROOT, 'target'), { recursive: true });
  writeFileSync(join(ROOT, 'target/e2e-load.json'), JSON.stringify(figures, null, 2));
  promise('lost', errors.length === 0, `${errors.length} pushes failed, e.g. ${errors[0]}`);

  // Listed, not read one by one: tens of thousands of records. Only the load's users push.
  const loadUsers = new Set(users.map((u) => u.username));
  const stored = (await server.listed()).filter((r) => loadUsers.has(r.author));
  promise('lost', stored.length >= applied, `server has ${stored.length} of ${applied} acknowledged records`);
  promise('duplicated', stored.length === applied, `server has ${stored.length} records for ${applied} applied changes`);
});
