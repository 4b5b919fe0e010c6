import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { burst, type BurstRequest } from './burst.ts';

// A tiny limiter: the first `limit` POSTs get 200, the rest 429 with a JSON error body. It
// also records the peak number of requests in flight and the sockets used.
let server: Server;
let origin: string;
let served = 0;
let inFlight = 0;
let peak = 0;
const sockets = new Set<unknown>();
const limit = 10;

beforeAll(async () => {
  server = createServer((req, res) => {
    sockets.add(req.socket);
    if (req.method === 'GET') {
      res.end('ok');
      return;
    }
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    req.resume();
    req.on('end', () => {
      setTimeout(() => {
        inFlight -= 1;
        served += 1;
        if (served <= limit) res.writeHead(200, { 'content-type': 'application/json', 'x-n': String(served) }).end('{"ok":true}');
        else res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '60' }).end('{"error":{"code":"429"}}');
      }, 5);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const post: BurstRequest = { path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') };

describe('burst', () => {
  it('sends every request once, in bounded concurrency, and records statuses in request order', async () => {
    served = 0;
    peak = 0;
    const r = await burst({ origin, count: limit + 1, concurrency: 4, request: () => post, timeoutMs: 5000, keepBody: (s) => s !== 200 });
    expect(r.responses).toHaveLength(limit + 1);
    expect(r.responses.map((x) => x.index)).toEqual([...Array(limit + 1).keys()]);
    expect(r.statusCounts).toEqual({ 200: limit, 429: 1 });
    expect(peak).toBeLessThanOrEqual(4);
    const throttled = r.responses.find((x) => x.status === 429)!;
    expect(throttled.body).toBe('{"error":{"code":"429"}}');
    expect(throttled.headers['retry-after']).toBe('60');
    expect(r.responses.filter((x) => x.status === 200).every((x) => x.body === undefined)).toBe(true);
    for (const x of r.responses) expect(x.startMs <= x.headersMs && x.headersMs <= x.endMs).toBe(true);
    expect(r.sendSpanMs).toBeLessThanOrEqual(r.arrivalSpanMs);
    expect(r.arrivalSpanMs).toBeLessThanOrEqual(r.totalMs);
    expect(r.throughputRps).toBeGreaterThan(0);
  });

  it('keeps exactly `concurrency` keep-alive connections, warmed before the clock starts', async () => {
    served = 0;
    sockets.clear();
    const r = await burst({ origin, count: 60, concurrency: 3, request: () => post, timeoutMs: 5000, warmPath: '/health/liveliness' });
    expect(r.responses).toHaveLength(60);
    expect(sockets.size).toBe(3);
  });

  it('uses a dispatcher it is given and leaves it open', async () => {
    const pool = new Pool(origin, { connections: 2 });
    try {
      const r = await burst({ origin, count: 5, concurrency: 2, request: () => post, timeoutMs: 5000, dispatcher: pool });
      expect(r.responses).toHaveLength(5);
      expect(pool.closed).toBe(false);
    } finally {
      await pool.close();
    }
  });

  it('records a transport failure as status 0 with the endpoint, and never throws for it', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const dead = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((r) => closed.close(r));
    const r = await burst({ origin: dead, count: 3, concurrency: 2, request: () => post, timeoutMs: 2000 });
    expect(r.statusCounts).toEqual({ 0: 3 });
    expect(r.responses[0]?.error).toMatch(new RegExp(`^POST ${dead}/v1/chat/completions: ECONNREFUSED`));
  });

  it('does nothing for zero requests and refuses nonsense sizes', async () => {
    const r = await burst({ origin, count: 0, concurrency: 8, request: () => post, timeoutMs: 1000 });
    expect(r.responses).toHaveLength(0);
    await expect(burst({ origin, count: 1, concurrency: 0, request: () => post, timeoutMs: 1000 })).rejects.toThrow(/concurrency/);
  });
});
