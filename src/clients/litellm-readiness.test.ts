import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closePools } from './http.ts';
import { litellmCacheReport } from './litellm-readiness.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  await closePools();
});

async function gateway(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
const json = (res: ServerResponse, status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

describe('litellmCacheReport', () => {
  it('reads the cache field of an older LiteLLM on the open readiness route', async () => {
    const url = await gateway((_req, res) => json(res, 200, { status: 'healthy', db: 'connected', cache: 'redis' }));
    expect(await litellmCacheReport({ url, adminKey: 'k', timeoutMs: 2000 })).toEqual({ cache: 'redis', route: '/health/readiness', status: 'healthy' });
  });

  it('asks the details route with the admin key when the open route lacks the field', async () => {
    const seen: (string | undefined)[] = [];
    const url = await gateway((req, res) => {
      seen.push(req.headers.authorization);
      if (req.url === '/health/readiness') return json(res, 200, { status: 'healthy' });
      json(res, 200, { status: 'healthy', db: 'connected', cache: null });
    });
    expect(await litellmCacheReport({ url, adminKey: 'sk-admin', timeoutMs: 2000 })).toEqual({ cache: null, route: '/health/readiness/details', status: 'healthy' });
    expect(seen).toEqual([undefined, 'Bearer sk-admin']);
  });

  it('fails a gateway that is not ready', async () => {
    const url = await gateway((_req, res) => json(res, 503, { error: 'DB not connected' }));
    await expect(litellmCacheReport({ url, adminKey: 'k', timeoutMs: 2000 })).rejects.toThrow(/\/health\/readiness: HTTP 503/);
  });
});
