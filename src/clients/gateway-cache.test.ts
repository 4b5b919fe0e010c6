import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayAdmin } from './gateway-admin.ts';
import { cacheCannotServe, readGatewayCache, type GatewayCache } from './gateway-cache.ts';
import { closePools } from './http.ts';

// `GET /cache/ping` as LiteLLM 1.103.10 answers it (`proxy/caching_routes.py` `cache_ping`):
// `litellm_cache_params` is a JSON string; only `redis` gets `ping_response`; no cache is a 503.
const ADMIN = 'sk-admin-0123456789abcdef';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  await closePools();
});

/** A stand-in gateway answering `/cache/ping` with `answer`; returns an admin client for it (with `key`). */
async function gateway(
  answer: (res: ServerResponse, req: IncomingMessage) => void,
  key = ADMIN,
): Promise<GatewayAdmin> {
  const server = createServer((req, res) => {
    if (req.url !== '/cache/ping')
      return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
    if (req.headers.authorization !== `Bearer ${ADMIN}`)
      return json(res, 401, {
        error: {
          message: 'Authentication Error, No api key passed in.',
          type: 'auth_error',
          param: 'None',
          code: '401',
        },
      });
    answer(res, req);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return new GatewayAdmin({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    adminKey: key,
    timeoutMs: 2000,
  });
}
const json = (res: ServerResponse, status: number, body: unknown): void =>
  void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
const params = (type: string): string => JSON.stringify({ type, namespace: null, ttl: null, mode: 'default_on' });
const healthy =
  (cacheType: string, extra: Record<string, unknown> = {}) =>
  (res: ServerResponse) =>
    json(res, 200, {
      status: 'healthy',
      cache_type: cacheType,
      ping_response: null,
      set_cache_response: null,
      litellm_cache_params: params(cacheType),
      health_check_cache_params: null,
      ...extra,
    });
const pingError = (message: string, cacheParams: string) => (res: ServerResponse) =>
  json(res, 503, {
    error: {
      message: JSON.stringify({ message, litellm_cache_params: cacheParams, health_check_cache_params: '{}' }),
      type: 'cache_ping_error',
      param: 'cache_ping',
      code: '503',
    },
  });

describe('readGatewayCache', () => {
  it('an exact redis cache, with its PING', async () => {
    const admin = await gateway(
      healthy('redis', {
        ping_response: true,
        set_cache_response: 'success',
        health_check_cache_params: { host: 'None' },
      }),
    );
    expect(await readGatewayCache(admin)).toEqual({
      kind: 'exact',
      type: 'redis',
      healthy: true,
      redisPing: true,
      detail: null,
      route: '/cache/ping',
    });
  });

  it('semantic types, which report no PING; an enum-printed type reads as its value', async () => {
    expect(await readGatewayCache(await gateway(healthy('qdrant-semantic')))).toMatchObject({
      kind: 'semantic',
      type: 'qdrant-semantic',
      healthy: true,
      redisPing: null,
    });
    expect(await readGatewayCache(await gateway(healthy('LiteLLMCacheType.REDIS_SEMANTIC')))).toMatchObject({
      kind: 'semantic',
      type: 'redis-semantic',
    });
  });

  it('no cache: the 503 "Cache not initialized"', async () => {
    const cache = await readGatewayCache(
      await gateway(pingError('Cache not initialized. litellm.cache is None', '{}')),
    );
    expect(cache).toEqual({
      kind: 'none',
      type: null,
      detail: 'GET /cache/ping answered 503: Cache not initialized. litellm.cache is None',
      route: '/cache/ping',
    });
  });

  it('a failing backend: the 503 "Service Unhealthy" still names the type in its params', async () => {
    const cache = await readGatewayCache(await gateway(pingError('Service Unhealthy', params('redis'))));
    expect(cache).toEqual({
      kind: 'exact',
      type: 'redis',
      healthy: false,
      redisPing: null,
      detail: 'GET /cache/ping answered 503: Service Unhealthy',
      route: '/cache/ping',
    });
    expect(await readGatewayCache(await gateway(pingError('Service Unhealthy', '{}')))).toMatchObject({
      kind: 'unknown',
      reason: 'GET /cache/ping answered 503: Service Unhealthy, naming no cache type',
    });
  });

  it('unknown, never a throw, when the route cannot be read; the reason names method and URL, not the key', async () => {
    const refused = await readGatewayCache(await gateway(healthy('redis'), 'sk-wrong-0123456789'));
    expect(refused).toMatchObject({ kind: 'unknown', type: null });
    expect((refused as { reason: string }).reason).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/cache\/ping: HTTP 401: Authentication Error/,
    );
    expect(JSON.stringify(refused)).not.toContain('sk-wrong');
    // An object where LiteLLM sends a JSON string is not the protocol: unknown, with the field.
    const wrongShape = await readGatewayCache(
      await gateway((res) =>
        json(res, 200, { status: 'healthy', cache_type: 'redis', litellm_cache_params: { type: 'redis' } }),
      ),
    );
    expect((wrongShape as { reason: string }).reason).toMatch(/expected a cache ping .* \(litellm_cache_params: /);
    const unreachable = await readGatewayCache(
      new GatewayAdmin({ url: 'http://127.0.0.1:9', adminKey: ADMIN, timeoutMs: 500 }),
    );
    expect((unreachable as { reason: string }).reason).toMatch(
      /^GET http:\/\/127\.0\.0\.1:9\/cache\/ping: unreachable/,
    );
  });
});

describe('cacheCannotServe', () => {
  const exact: GatewayCache = {
    kind: 'exact',
    type: 'redis',
    healthy: true,
    redisPing: true,
    detail: null,
    route: '/cache/ping',
  };
  const semantic: GatewayCache = {
    kind: 'semantic',
    type: 'redis-semantic',
    healthy: true,
    redisPing: null,
    detail: null,
    route: '/cache/ping',
  };
  const none: GatewayCache = {
    kind: 'none',
    type: null,
    detail: 'GET /cache/ping answered 503: Cache not initialized. litellm.cache is None',
    route: '/cache/ping',
  };
  const unknown: GatewayCache = { kind: 'unknown', type: null, reason: 'unreachable', route: '/cache/ping' };

  it('an exact cache serves repeats but never a paraphrase, and says why', () => {
    expect(cacheCannotServe(exact, 'repeat')).toBeUndefined();
    expect(cacheCannotServe(exact, 'paraphrase')).toBe(
      "the gateway's one response cache is the exact `redis` type: LiteLLM builds one cache from cache_params.type, so a paraphrase can never hit; configure redis-semantic or qdrant-semantic",
    );
  });

  it('no cache serves nothing; a semantic or unknown type decides nothing in advance', () => {
    expect(cacheCannotServe(none, 'repeat')).toMatch(
      /^the gateway has no response cache \(GET \/cache\/ping answered 503: Cache not initialized/,
    );
    expect(cacheCannotServe(none, 'paraphrase')).toBe(cacheCannotServe(none, 'repeat'));
    for (const c of [semantic, unknown])
      for (const r of ['repeat', 'paraphrase'] as const) expect(cacheCannotServe(c, r)).toBeUndefined();
  });
});
