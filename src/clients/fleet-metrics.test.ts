import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { FleetMetrics } from './fleet-metrics.ts';
import { closePools } from './http.ts';
import { sumOf } from './prometheus.ts';

const ADMIN = 'sk-admin-fleet-0123456789';
const REQ = 'litellm_proxy_total_requests_metric_total';

/** One process's exposition: its start time and its request counter. */
const text = (start: number | null, requests: number): string =>
  `${start === null ? '' : `# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds ${start}\n`}# TYPE ${REQ} counter\n${REQ}{status_code="200"} ${requests}\n`;

/**
 * A gateway fleet whose every machine answers from a script: `script[id]` is the list of
 * (start, requests) answers that machine gives, one per scrape; `public` is what the URL without
 * `fly-force-instance-id` gives. A real server, so the header really travels.
 */
let script: Record<string, [number | null, number][]> = {};
let seen: (string | undefined)[] = [];
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    const id = req.headers['fly-force-instance-id'] as string | undefined;
    seen.push(id);
    const answers = script[id ?? 'public'];
    const next = answers?.shift();
    if (!next) return void res.writeHead(503).end('no such instance');
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text(next[0], next[1]));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await closePools();
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  seen = [];
});

const fleet = (ids: string[] | null): FleetMetrics =>
  new FleetMetrics({ gatewayUrl: url, adminKey: ADMIN, timeoutMs: 2000, machineIds: ids });

describe('FleetMetrics', () => {
  test('each machine is scraped on its own and the fleet increase is the sum of theirs', async () => {
    script = {
      a: [
        [100, 10],
        [100, 30],
        [100, 35],
      ],
      b: [
        [200, 5],
        [200, 6],
        [200, 26],
      ],
    };
    const f = fleet(['a', 'b']);
    expect(sumOf((await f.sample()).increase, REQ)).toBe(0);
    expect(sumOf((await f.sample()).increase, REQ)).toBe(21);
    expect(sumOf((await f.sample()).increase, REQ)).toBe(46);
    expect(seen.filter((x) => x === 'a')).toHaveLength(3);
    expect(f.mode).toBe('per-machine');
    expect(f.series().map((m) => [m.id, m.requests, m.restarts])).toEqual(
      [
        ['a', 25],
        ['b', 21],
      ].map(([id, n]) => [id, n, 0]),
    );
  });

  test('a machine restart (new, later start time) counts its new counters whole, once', async () => {
    script = {
      a: [
        [100, 50],
        [100, 60],
        [400, 4],
        [400, 9],
      ],
      b: [
        [200, 0],
        [200, 0],
        [200, 0],
        [200, 0],
      ],
    };
    const f = fleet(['a', 'b']);
    for (let i = 0; i < 3; i++) await f.sample();
    const last = await f.sample();
    expect(sumOf(last.increase, REQ)).toBe(10 + 4 + 5);
    expect(last.unreliable).toBeUndefined();
    expect(f.series()[0]).toMatchObject({ restarts: 1, processStarts: [100, 400] });
  });

  test('workers with counters of their own are reported, never averaged away', async () => {
    // Two workers (start 100 and 101) answer in turn: each switch would read as a restart.
    script = {
      a: [
        [100, 10],
        [101, 3],
        [100, 12],
        [101, 5],
      ],
    };
    const f = fleet(['a']);
    await f.sample();
    expect((await f.sample()).unreliable).toBeUndefined();
    const third = await f.sample();
    expect(third.unreliable).toMatch(
      /machine a answered \/metrics\/ from 2 processes in turn .*several workers keep counters of their own .*PROMETHEUS_MULTIPROC_DIR/,
    );
    expect(f.series()[0]!.perWorker).toBe(third.unreliable);
  });

  test('an earlier start time answering second is per-worker at once', async () => {
    script = {
      a: [
        [101, 3],
        [100, 10],
      ],
    };
    const f = fleet(['a']);
    await f.sample();
    expect((await f.sample()).unreliable).toMatch(/2 processes in turn/);
  });

  test('without start times, a counter falling back twice is per-worker; once is a restart', async () => {
    script = {
      a: [
        [null, 10],
        [null, 2],
        [null, 12],
        [null, 4],
      ],
    };
    const f = fleet(['a']);
    await f.sample();
    expect((await f.sample()).unreliable).toBeUndefined();
    await f.sample();
    expect((await f.sample()).unreliable).toMatch(/request counter went down 2 times in one watch/);
  });

  test('machines answering from one process (the header not honoured) are counted once', async () => {
    script = {
      a: [
        [100, 10],
        [100, 20],
      ],
      b: [
        [100, 10],
        [100, 20],
      ],
    };
    const f = fleet(['a', 'b']);
    await f.sample();
    expect(sumOf((await f.sample()).increase, REQ)).toBe(10);
    expect(f.routingNote).toMatch(
      /machines a and b answered \/metrics\/ from the same process: fly-force-instance-id was not honoured/,
    );
  });

  test('a machine that fails is a gap that its next scrape catches up; all failing is an error', async () => {
    script = {
      a: [
        [100, 10],
        [100, 20],
        [100, 40],
      ],
      b: [[200, 0]],
    };
    const f = fleet(['a', 'b']);
    await f.sample();
    expect(sumOf((await f.sample()).increase, REQ)).toBe(10);
    expect(f.series()[1]).toMatchObject({ gaps: 1, lastError: expect.stringMatching(/HTTP 503/) });
    script = {};
    await expect(f.sample()).rejects.toThrow(/HTTP 503/);
  });

  test('without machine ids the public URL is one "machine", named as such', async () => {
    script = {
      public: [
        [100, 1],
        [100, 4],
      ],
    };
    const f = fleet(null);
    await f.sample();
    expect(sumOf((await f.sample()).increase, REQ)).toBe(3);
    expect(f.mode).toBe('public-url');
    expect(seen).toEqual([undefined, undefined]);
  });
});
