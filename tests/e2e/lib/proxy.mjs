// A bad mountain link between the phone and the server: latency, a bandwidth limit, and
// faults on pushes — the connection reset mid-request and mid-response, and the answer
// dropped after the server has committed. It also keeps what the phone was told.

import http from 'node:http';
import { freePort } from './harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const FAULTS = ['reset-mid-request', 'drop-after-commit', 'reset-mid-response'];

export class FaultyLink {
  /**
   * `faults`: what to do to successive pushes ('ok' or one of FAULTS); after the list runs
   * out, pushes pass. `latencyMs` each way; `bytesPerSecond` for bodies both ways.
   */
  static async open(target, { faults = [], photoFaults = [], latencyMs = 100, bytesPerSecond = 256 * 1024, compress = false } = {}) {
    const link = new FaultyLink(target, faults, latencyMs, bytesPerSecond);
    link.compress = compress;
    /** The same, for photo uploads (`PUT …/photos/…`), in turn. */
    link.photoFaults = [...photoFaults];
    link.port = await freePort();
    link.url = `http://127.0.0.1:${link.port}`;
    await new Promise((ok) => link.server.listen(link.port, '127.0.0.1', ok));
    return link;
  }

  constructor(target, faults, latencyMs, bytesPerSecond) {
    this.target = new URL(target);
    this.faults = [...faults];
    this.latencyMs = latencyMs;
    this.bytesPerSecond = bytesPerSecond;
    this.pushes = 0;
    /** Bytes of bodies carried each way and requests carried, for the slow-link figures. */
    this.bytesUp = 0;
    this.bytesDown = 0;
    this.requests = 0;
    /** Per request: when the link had its body, when the server answered, when the phone had
     * the answer (ms, `performance.now()`), so a figure can say where time went. */
    this.timeline = [];
    this.injected = [];
    /** Records the phone was told were stored (applied, or kept beside a conflict). */
    this.acknowledged = new Set();
    this.onPush = null;
    /** Called as a photo upload goes on to the server (after its faults). */
    this.onPhoto = null;
    /** Photo uploads: how many the phone started and the bytes of their bodies. */
    this.photoPuts = 0;
    this.photoBytesUp = 0;
    this.server = http.createServer((req, res) => this.handle(req, res).catch(() => res.destroy()));
  }

  async close() {
    this.server.closeAllConnections();
    await new Promise((ok) => this.server.close(ok));
  }

  async throttle(bytes) {
    await sleep((bytes / this.bytesPerSecond) * 1000);
  }

  async handle(req, res) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const push = req.method === 'POST' && req.url.startsWith('/api/v1/sync/push');
    const photo = req.method === 'PUT' && req.url.includes('/photos/');
    const fault = push ? (this.faults.shift() ?? 'ok') : photo ? (this.photoFaults.shift() ?? 'ok') : 'ok';
    if (push) this.pushes += 1;
    if (photo) {
      this.photoPuts += 1;
      this.photoBytesUp += body.length;
    }
    if ((push || photo) && fault !== 'ok') this.injected.push(fault);
    this.requests += 1;
    this.bytesUp += body.length;
    const times = { path: req.url.split('?')[0], up: body.length, received: performance.now() };
    this.timeline.push(times);
    await sleep(this.latencyMs);
    await this.throttle(body.length);
    if (fault === 'reset-mid-request') {
      // Half the body reaches the server, then the line drops.
      const upstream = this.forward(req, body.length);
      upstream.on('error', () => {});
      upstream.write(body.subarray(0, body.length >> 1));
      await sleep(50);
      upstream.destroy();
      res.destroy();
      return;
    }
    const pending = this.forward(req, body.length);
    if (push && this.onPush) this.onPush();
    if (photo && this.onPhoto) this.onPhoto();
    const answer = await new Promise((ok, fail) => {
      pending.on('response', async (up) => {
        const parts = [];
        for await (const c of up) parts.push(c);
        ok({ status: up.statusCode, headers: up.headers, body: Buffer.concat(parts) });
      });
      pending.on('error', fail);
      pending.end(body);
    }).catch(() => null);
    if (!answer) {
      res.destroy();
      return;
    }
    times.answered = performance.now();
    if (fault === 'drop-after-commit') {
      // The server committed and answered; the phone never hears it.
      res.destroy();
      return;
    }
    this.bytesDown += answer.body.length;
    times.down = answer.body.length;
    await sleep(this.latencyMs);
    await this.throttle(answer.body.length);
    const headers = { ...answer.headers };
    delete headers['transfer-encoding'];
    headers['content-length'] = String(answer.body.length);
    res.writeHead(answer.status, headers);
    if (fault === 'reset-mid-response') {
      res.write(answer.body.subarray(0, answer.body.length >> 1));
      await sleep(50);
      res.destroy();
      return;
    }
    res.end(answer.body);
    times.delivered = performance.now();
    if (push && answer.status === 200) this.remember(answer);
  }

  remember(answer) {
    try {
      const text = answer.headers['content-encoding'] ? null : answer.body.toString('utf8');
      if (!text) return;
      for (const r of JSON.parse(text).results ?? []) {
        if (r.outcome === 'applied' || r.outcome === 'conflict') this.acknowledged.add(r.record_id);
      }
    } catch {
      // Not JSON: nothing acknowledged.
    }
  }

  forward(req, length) {
    const headers = { ...req.headers, host: this.target.host };
    // Plain bodies both ways, so the link can cut them at a known point and read answers;
    // a link that only measures (`compress`) carries what browser and server agree on.
    if (!this.compress) delete headers['accept-encoding'];
    headers['content-length'] = String(length);
    return http.request({
      host: this.target.hostname,
      port: this.target.port,
      method: req.method,
      path: req.url,
      headers,
    });
  }
}
