import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { burst, burstBudgetMs, type BurstRequest } from './burst.ts';

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
        if (served <= limit)
          res.writeHead(200, { 'content-type': 'application/json', 'x-n': String(served) }).end('{"ok":true}');
        else
          res
            .writeHead(429, { 'content-type': 'application/json', 'retry-after': '60' })
            .end('{"error":{"code":"429"}}');
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

const post: BurstRequest = {
  path: '/v1/chat/completions',
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: Buffer.from('{}'),
};

describe('burst', () => {
  it('sends every request once, in bounded concurrency, and records statuses in request order', async () => {
    served = 0;
    peak = 0;
    const r = await burst({
      origin,
      count: limit + 1,
      concurrency: 4,
      request: () => post,
      timeoutMs: 5000,
      keepBody: (s) => s !== 200,
    });
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
    expect(r.deadline).toEqual({
      ms: burstBudgetMs({ count: limit + 1, concurrency: 4, timeoutMs: 5000 }),
      hit: false,
      abortedInFlight: 0,
      notSent: 0,
    });
    expect(r.responses.every((x) => x.cut === undefined)).toBe(true);
  });

  it('keeps exactly `concurrency` keep-alive connections, warmed before the clock starts', async () => {
    served = 0;
    sockets.clear();
    const r = await burst({
      origin,
      count: 60,
      concurrency: 3,
      request: () => post,
      timeoutMs: 5000,
      warmPath: '/health/liveliness',
    });
    expect(r.responses).toHaveLength(60);
    expect(sockets.size).toBe(3);
  });

  it('uses a dispatcher it is given and leaves it open', async () => {
    const pool = new Pool(origin, { connections: 2 });
    try {
      const r = await burst({
        origin,
        count: 5,
        concurrency: 2,
        request: () => post,
        timeoutMs: 5000,
        dispatcher: pool,
      });
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
    await expect(burst({ origin, count: 1, concurrency: 0, request: () => post, timeoutMs: 1000 })).rejects.toThrow(
      /concurrency/,
    );
  });
});

describe('burst deadline', () => {
  // Answers at once with headers, then trickles the body one byte every 100 ms, for ever: no
  // silence ever reaches a per-request timeout.
  let trickle: Server;
  let trickleOrigin: string;
  const open = new Set<unknown>();
  beforeAll(async () => {
    trickle = createServer((req, res) => {
      req.resume();
      open.add(req.socket);
      req.socket.once('close', () => open.delete(req.socket));
      res.writeHead(200, { 'content-type': 'application/json' });
      const t = setInterval(() => res.write(' '), 100);
      res.once('close', () => clearInterval(t));
    });
    await new Promise<void>((r) => trickle.listen(0, '127.0.0.1', r));
    trickleOrigin = `http://127.0.0.1:${(trickle.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    trickle.closeAllConnections();
    await new Promise((r) => trickle.close(r));
  });

  it.each([
    ['kept', () => true],
    ['dumped', () => false],
  ])('aborts every request in flight at the deadline and sends none after it (bodies %s)', async (_, keepBody) => {
    const started = performance.now();
    const r = await burst({
      origin: trickleOrigin,
      count: 10,
      concurrency: 4,
      request: () => post,
      timeoutMs: 1000,
      deadlineMs: 600,
      keepBody,
    });
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(550);
    expect(took).toBeLessThan(1500);
    expect(r.deadline).toEqual({ ms: 600, hit: true, abortedInFlight: 4, notSent: 6 });
    expect(r.responses).toHaveLength(10);
    expect(r.responses.map((x) => x.cut)).toEqual([...Array(4).fill('in-flight'), ...Array(6).fill('not-sent')]);
    for (const x of r.responses.slice(0, 4))
      expect(x.error).toMatch(
        new RegExp(
          `^POST ${trickleOrigin}/v1/chat/completions: body cut short \\(BURST_DEADLINE: aborted at the burst deadline \\(600 ms\\)\\)$`,
        ),
      );
    expect(r.responses[9]!.error).toBe(
      `POST ${trickleOrigin}/v1/chat/completions: not sent, the burst deadline (600 ms) had passed`,
    );
    expect(r.statusCounts).toEqual({ 200: 4, 0: 6 });
    // The trickling connections are closed, not left to the server.
    await expect.poll(() => open.size, { timeout: 2000 }).toBe(0);
  });

  it('bounds the warm-up by the same deadline', async () => {
    const started = performance.now();
    const r = await burst({
      origin: trickleOrigin,
      count: 3,
      concurrency: 3,
      request: () => post,
      timeoutMs: 5000,
      deadlineMs: 400,
      warmPath: '/health/liveliness',
    });
    expect(performance.now() - started).toBeLessThan(1500);
    expect(r.deadline).toEqual({ ms: 400, hit: true, abortedInFlight: 0, notSent: 3 });
  });

  it('defaults to every request using its whole budget, round by round, plus the warm-up', () => {
    expect(burstBudgetMs({ count: 101, concurrency: 32, timeoutMs: 15_000 })).toBe(4 * 2 * 15_000);
    expect(burstBudgetMs({ count: 101, concurrency: 32, timeoutMs: 15_000, warmPath: '/health/liveliness' })).toBe(
      5 * 2 * 15_000,
    );
    expect(burstBudgetMs({ count: 3, concurrency: 32, timeoutMs: 1000 })).toBe(2000);
  });
});
