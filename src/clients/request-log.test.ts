import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePools, send } from './http.ts';
import { logRequestsTo, type SentRequest } from './request-log.ts';

let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(req.url?.startsWith('/missing') ? 404 : 200).end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await closePools();
  await new Promise((r) => server.close(r));
});

describe('logRequestsTo', () => {
  it('hears every request sent inside it, however deep, with status and times, never the query', async () => {
    const heard: SentRequest[] = [];
    const before = performance.now();
    await logRequestsTo(
      (r) => heard.push(r),
      async () => {
        await send(`${origin}/a?key=sk-secret`, { timeoutMs: 2000 });
        await Promise.all([
          send(`${origin}/missing`, { timeoutMs: 2000 }),
          (async () => send(`${origin}/b`, { timeoutMs: 2000 }))(),
        ]);
      },
    );
    expect(heard.map((r) => `${r.method} ${r.path} ${r.status}`).sort()).toEqual([
      'GET /a 200',
      'GET /b 200',
      'GET /missing 404',
    ]);
    for (const r of heard) {
      expect(r.startMs).toBeGreaterThanOrEqual(before);
      expect(r.endMs).toBeGreaterThanOrEqual(r.startMs);
    }
  });

  it('keeps concurrent contexts apart, and silences requests under an undefined listener', async () => {
    const a: SentRequest[] = [];
    const b: SentRequest[] = [];
    await Promise.all([
      logRequestsTo(
        (r) => a.push(r),
        async () => {
          await send(`${origin}/a1`, { timeoutMs: 2000 });
          await logRequestsTo(undefined, () => send(`${origin}/polled`, { timeoutMs: 2000 }));
        },
      ),
      logRequestsTo(
        (r) => b.push(r),
        () => send(`${origin}/b1`, { timeoutMs: 2000 }),
      ),
    ]);
    expect(a.map((r) => r.path)).toEqual(['/a1']);
    expect(b.map((r) => r.path)).toEqual(['/b1']);
  });

  it('logs an exchange that got no answer with status null', async () => {
    const heard: SentRequest[] = [];
    await logRequestsTo(
      (r) => heard.push(r),
      () => send('http://127.0.0.1:9/', { timeoutMs: 500 }).catch(() => undefined),
    );
    expect(heard).toHaveLength(1);
    expect(heard[0]!.status).toBeNull();
  });
});
