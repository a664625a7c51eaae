// Bad input (issue 5): schemathesis generates requests from /api/openapi.json — examples,
// boundary values, fuzzing and stateful sequences — as a collector and as an administrator.
// Promise: no 5xx, ever. Bounded (25 examples per operation) so CI stays within its time;
// a longer run: SOTAY_FUZZ_EXAMPLES=500 node --test tests/e2e/api-fuzz.test.mjs

import { test } from 'node:test';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Server, COMMUNE, disposeAfterAll } from './lib/harness.mjs';
import { promise } from './lib/app.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const ST = process.env.SOTAY_SCHEMATHESIS ?? join(ROOT, '.tools/venv/bin/st');
const EXAMPLES = process.env.SOTAY_FUZZ_EXAMPLES ?? '25';

const cleanup = disposeAfterAll();

test('generated requests against the API never get a 5xx', { skip: !existsSync(ST) && `no schemathesis at ${ST} (cargo xtask setup installs it)` }, async () => {
  const server = await Server.create([
    { username: 'lan', role: 'collector', communes: [COMMUNE] },
    { username: 'boss', role: 'admin' },
  ]);
  cleanup.push(server);
  const reports = join(ROOT, 'target/e2e-schemathesis');
  mkdirSync(reports, { recursive: true });
  // Both tokens first: the fuzzer's failed sign-ins soon trip the rate limit (429), as
  // they should.
  const tokens = { lan: await server.token('lan'), boss: await server.token('boss') };
  for (const [user, token] of Object.entries(tokens)) {
    const run = spawnSync(
      ST,
      [
        'run', `${server.url}/api/openapi.json`, '--url', server.url,
        '-H', `Authorization: Bearer ${token}`,
        // Signing out would revoke the token the rest of the run uses.
        '--exclude-path', '/api/v1/auth/sign-out',
        '--checks', 'not_a_server_error',
        '-n', EXAMPLES, '--request-timeout', '20', '--seed', '20261129',
        '--report', 'junit', '--report-junit-path', join(reports, `${user}.xml`),
      ],
      { encoding: 'utf8', timeout: 600_000, cwd: reports },
    );
    const out = `${run.stdout}\n${run.stderr}`;
    const summary = out.split('\n').filter((l) => /generated|passed|failed|error/i.test(l)).slice(-4).join(' | ');
    console.log(`schemathesis as ${user}: ${summary}`);
    promise('lost', run.status === 0, `a generated request got a server error as ${user} (exit ${run.status}):\n${out.slice(-4000)}`);
  }
});
