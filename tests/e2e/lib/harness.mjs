// The e2e harness: a real sotay-sync-server process on SQLite in a fresh data directory,
// the real built PWA it serves, and Debian's Chromium driven by playwright-core.
// `cargo xtask test` sets SOTAY_SERVER_BIN, SOTAY_PWA_DIR and SOTAY_CHROMIUM.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';
import { createRequire } from 'node:module';
import { after } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../../..');
// playwright-core lives in `.tools/node` (installed by `cargo xtask`), found through
// NODE_PATH, which only `require` honours.
const require = createRequire(import.meta.url);
const { chromium } = require(process.env.NODE_PATH ? 'playwright-core' : join(ROOT, '.tools/node/node_modules/playwright-core'));
export const SERVER_BIN = process.env.SOTAY_SERVER_BIN ?? join(ROOT, 'target/debug/sotay-sync-server');
export const PWA_DIR = process.env.SOTAY_PWA_DIR ?? join(ROOT, 'frontend/dist');
export const CHROMIUM = process.env.SOTAY_CHROMIUM ?? '/usr/bin/chromium';
/** Where the suite saves screenshots (360×740) of the screens it passes through. */
export const SHOTS = process.env.SOTAY_E2E_SHOTS ?? join(ROOT, 'target/e2e-screenshots');

/** Commune 21025 (a ward of the former Quảng Ngãi city) and one outside it. */
export const COMMUNE = '21025';
export const OTHER_COMMUNE = '21028';
export const PASSWORD = 'e2e-password-123';

export async function freePort() {
  return new Promise((ok, fail) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
    srv.on('error', fail);
  });
}

/** What a test file starts (servers, phones, links): disposed in reverse after its last test. */
export function disposeAfterAll() {
  const started = [];
  after(async () => {
    for (const c of started.reverse()) await c.dispose();
  });
  return started;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a truthy value or `ms` pass; returns the value. */
export async function eventually(what, check, ms = 20_000, every = 100) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${last})`);
    await sleep(every);
  }
}

/** The test PostgreSQL server (`cargo xtask` sets it), or null: scenarios then skip it. */
export const POSTGRES_URL = process.env.SOTAY_TEST_DATABASE_URL ?? null;

/** A database of its own on the test PostgreSQL server; returns its URL. */
function freshPostgresDatabase() {
  const name = `sotay_e2e_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  execFileSync('psql', [POSTGRES_URL, '-q', '-c', `CREATE DATABASE ${name}`], { stdio: 'pipe' });
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return url.href;
}

export class Server {
  /**
   * A fresh data directory with `users` ({username, role, communes, wholeProvince, name}); with
   * `postgres`, a fresh database on the test PostgreSQL server instead of SQLite.
   */
  static async create(
    users = [{ username: 'lan', role: 'collector', communes: [COMMUNE] }],
    { pwaDir = PWA_DIR, postgres = false } = {},
  ) {
    const dataDir = mkdtempSync(join(tmpdir(), 'sotay-e2e-'));
    const server = new Server(dataDir, await freePort(), pwaDir);
    if (postgres) server.databaseUrl = freshPostgresDatabase();
    for (const u of users) server.addUser(u);
    server.addUser({ username: 'province', role: 'supervisor', wholeProvince: true });
    await server.start();
    return server;
  }

  constructor(dataDir, port, pwaDir = PWA_DIR) {
    this.dataDir = dataDir;
    this.pwaDir = pwaDir;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.child = null;
    this.tokens = new Map();
  }

  /** The server's global options: its data directory and, on PostgreSQL, its database. */
  globalArgs() {
    const args = ['--data-dir', this.dataDir];
    if (this.databaseUrl) args.push('--database-url', this.databaseUrl);
    return args;
  }

  cli(args, env = {}) {
    return execFileSync(SERVER_BIN, [...this.globalArgs(), ...args], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** `name`: the display name the console and the phone show (`E2E <username>` unless given). */
  addUser({ username, role, communes = [], wholeProvince = false, name = `E2E ${username}` }) {
    const args = ['user', 'add', username, '--role', role, '--name', name];
    for (const c of communes) args.push('--commune', c);
    if (wholeProvince) args.push('--whole-province');
    this.cli(args, { SOTAY_PASSWORD: PASSWORD });
  }

  async start() {
    mkdirSync(this.dataDir, { recursive: true });
    const log = openSync(join(this.dataDir, 'server.log'), 'a');
    this.child = spawn(
      SERVER_BIN,
      [...this.globalArgs(), 'serve', '--listen', `127.0.0.1:${this.port}`, '--pwa-dir', this.pwaDir],
      { stdio: ['ignore', log, log] },
    );
    const child = this.child;
    this.exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
    await eventually('the server to answer /healthz', async () => (await fetch(`${this.url}/healthz`)).ok);
  }

  /** SIGKILL: no chance to finish anything, like a power cut. */
  async kill() {
    if (!this.child) return;
    this.child.kill('SIGKILL');
    await this.exited;
    this.child = null;
  }

  async stop() {
    if (!this.child) return;
    this.child.kill('SIGTERM');
    await this.exited;
    this.child = null;
  }

  async dispose() {
    await this.kill();
    if (process.env.SOTAY_E2E_KEEP) return;
    rmSync(this.dataDir, { recursive: true, force: true });
    if (this.databaseUrl) {
      const name = new URL(this.databaseUrl).pathname.slice(1);
      try {
        execFileSync('psql', [POSTGRES_URL, '-q', '-c', `DROP DATABASE IF EXISTS ${name}`], { stdio: 'pipe' });
      } catch {
        // A database left behind is only disk space on a throwaway server.
      }
    }
  }

  async token(username) {
    if (!this.tokens.has(username)) {
      const r = await this.api('POST', '/auth/sign-in', { body: { username, password: PASSWORD, device_id: 'e2e-harness' } });
      this.tokens.set(username, r.token);
    }
    return this.tokens.get(username);
  }

  async api(method, path, { token, body } = {}) {
    const headers = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body) headers['content-type'] = 'application/json';
    const r = await fetch(`${this.url}/api/v1${path}`, { method, headers, body: body && JSON.stringify(body) });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  /**
   * Every record the province has, as the console's search lists them (no answers): read
   * through the console's API, since a province supervisor's phone pulls only their own.
   */
  async listed() {
    const token = await this.token('province');
    const items = [];
    let after = '';
    for (;;) {
      const page = await this.api('GET', `/admin/records?limit=200${after}`, { token });
      items.push(...page.items);
      if (!page.next) break;
      after = `&after=${page.next}`;
    }
    return items;
  }

  /** Every record the province has, as the server stores it: each listed record, a few at a time. */
  async records() {
    const token = await this.token('province');
    const ids = (await this.listed()).map((item) => item.id);
    const all = [];
    for (let i = 0; i < ids.length; i += 20) {
      const shown = await Promise.all(ids.slice(i, i + 20).map((id) => this.api('GET', `/admin/records/${id}`, { token })));
      all.push(...shown.map((s) => s.record));
    }
    return all;
  }
}

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A phone: a persistent Chromium profile, so closing it and opening it again is an app
 * kill and restart with the same IndexedDB and service worker.
 */
export class Device {
  constructor(name) {
    this.profile = mkdtempSync(join(tmpdir(), `sotay-e2e-${name}-`));
    this.context = null;
  }

  async open() {
    this.context = await chromium.launchPersistentContext(this.profile, {
      executablePath: CHROMIUM,
      args: FLAGS,
      headless: true,
      viewport: { width: 360, height: 740 },
      locale: 'vi-VN',
      serviceWorkers: 'allow',
    });
    this.page = this.context.pages()[0] ?? (await this.context.newPage());
    return this.page;
  }

  /** Kills the browser: no unload handlers, nothing flushed beyond what was committed. */
  async close() {
    if (this.context) await this.context.close();
    this.context = null;
  }

  async dispose() {
    await this.close();
    if (!process.env.SOTAY_E2E_KEEP) rmSync(this.profile, { recursive: true, force: true });
  }

  async offline(on) {
    await this.context.setOffline(on);
  }
}
