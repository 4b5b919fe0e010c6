import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnexpectedResponseError } from './errors.ts';
import { GatewayAdmin, GatewayAdminError, logsFailuresTo } from './gateway-admin.ts';
import { closePools } from './http.ts';

// A tiny stand-in for LiteLLM's admin routes, answering in LiteLLM's shapes (notes/litellm.md §5–6).
const ADMIN = 'sk-admin-0123456789abcdef';
const MINTED = 'sk-minted-abcdefghijklmnop';
const ARCHIVED = 'sk-archived-abcdefghijklm';
let server: Server;
let url: string;
const seen: { path: string; body: string }[] = [];

/** What `/cache/ping` answers, in LiteLLM 1.103.10's shapes (`proxy/caching_routes.py`). */
let cacheState: 'redis' | 'qdrant-semantic' | 'none' | 'unhealthy' = 'redis';
function cachePing(json: (status: number, b: unknown) => void): void {
  const params = (type: string): string =>
    JSON.stringify({ type, namespace: null, ttl: 600, mode: 'default_on', supported_call_types: ['acompletion'] });
  const error = (message: string, cacheParams: string): void =>
    json(503, {
      error: {
        message: JSON.stringify({ message, litellm_cache_params: cacheParams, health_check_cache_params: '{}' }),
        type: 'cache_ping_error',
        param: 'cache_ping',
        code: '503',
      },
    });
  if (cacheState === 'redis')
    return json(200, {
      status: 'healthy',
      cache_type: 'redis',
      ping_response: true,
      set_cache_response: 'success',
      litellm_cache_params: params('redis'),
      health_check_cache_params: { host: 'None', port: 'None' },
    });
  if (cacheState === 'qdrant-semantic')
    return json(200, {
      status: 'healthy',
      cache_type: 'qdrant-semantic',
      ping_response: null,
      set_cache_response: null,
      litellm_cache_params: params('qdrant-semantic'),
      health_check_cache_params: null,
    });
  if (cacheState === 'none') return error('Cache not initialized. litellm.cache is None', '{}');
  error('Service Unhealthy', params('redis'));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      seen.push({ path: u.pathname + u.search, body });
      const json = (status: number, b: unknown): void =>
        void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(b));
      if (req.headers.authorization !== `Bearer ${ADMIN}`)
        return json(401, {
          error: {
            message: 'Authentication Error, Invalid proxy server token passed.',
            type: 'auth_error',
            param: 'None',
            code: '401',
          },
        });
      if (u.pathname === '/key/generate')
        return json(200, {
          ...JSON.parse(body),
          key: MINTED,
          key_name: 'sk-...mnop',
          expires: '2030-01-01T00:00:00Z',
          token_id: 'abc',
        });
      if (u.pathname === '/key/info') {
        const key = u.searchParams.get('key');
        if (key === MINTED)
          return json(200, { key, info: { key_alias: 'a', rpm_limit: 100, tpm_limit: null, status: 'active' } });
        // LiteLLM 1.103.10 answers a deleted key from its archive (LiteLLM_DeletedVerificationToken).
        if (key === ARCHIVED)
          return json(200, {
            key,
            info: {
              key_alias: 'b',
              rpm_limit: 100,
              tpm_limit: null,
              status: 'deleted',
              deleted_at: '2026-12-02T10:00:00Z',
            },
          });
        return json(404, {
          error: { message: 'Key not found in database', type: 'not_found_error', param: 'key', code: '404' },
        });
      }
      if (u.pathname === '/key/delete') {
        const b = JSON.parse(body) as { keys?: string[]; key_aliases?: string[] };
        // 1.103.10 (`delete_verification_tokens`): 404 only when nothing matched at all;
        // otherwise `deleted_keys` echoes the request, matched or not.
        if (b.key_aliases?.includes('gone'))
          return json(404, {
            error: { message: "{'error': 'No keys found'}", type: 'internal_server_error', param: 'None', code: '404' },
          });
        return json(200, { deleted_keys: b.keys ?? b.key_aliases ?? [] });
      }
      if (u.pathname === '/active/callbacks')
        return json(200, {
          'litellm.callbacks': ['prometheus'],
          'litellm.success_callback': ['langfuse'],
          'litellm.failure_callback': [],
          'litellm._async_failure_callback': ['Langfuse'],
        });
      // 1.103.10: the public route is {status, db} only; the version is on the details route.
      if (u.pathname === '/health/readiness') return json(200, { status: 'healthy', db: 'Not connected' });
      if (u.pathname === '/health/readiness/details')
        return json(200, {
          status: 'healthy',
          db: 'Not connected',
          cache: 'redis',
          litellm_version: '1.103.10',
          success_callbacks: ['langfuse'],
          use_aiohttp_transport: true,
          log_level: 'WARNING',
        });
      // A build from before the split: no details route, everything on the public one.
      if (u.pathname === '/old/health/readiness')
        return json(200, {
          status: 'connected',
          db: 'connected',
          cache: 'redis',
          litellm_version: '1.81.9',
          success_callbacks: ['langfuse'],
        });
      if (u.pathname === '/cache/ping') return cachePing(json);
      if (u.pathname === '/v1/model/info')
        return json(200, { data: [{ model_name: 'gpt-4o', model_info: { id: 'big-1' } }] });
      json(404, { detail: 'Not Found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await closePools();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const admin = (key = ADMIN): GatewayAdmin => new GatewayAdmin({ url, adminKey: key, timeoutMs: 2000 });

describe('GatewayAdmin', () => {
  it('mints a key with LiteLLM field names and returns it with alias and expiry', async () => {
    const k = await admin().generateKey({
      alias: 'cutover-r1-5.1',
      duration: '5m',
      rpmLimit: 100,
      models: ['gpt-4o-mini'],
    });
    expect(k).toEqual({ key: MINTED, alias: 'cutover-r1-5.1', expires: '2030-01-01T00:00:00Z', rpmLimit: 100 });
    expect(JSON.parse(seen.at(-1)!.body)).toEqual({
      key_alias: 'cutover-r1-5.1',
      duration: '5m',
      rpm_limit: 100,
      models: ['gpt-4o-mini'],
    });
  });

  it('reads a key row, and a 404 is a typed error that does not show the key', async () => {
    expect(await admin().keyInfo(MINTED)).toEqual({
      alias: 'a',
      rpmLimit: 100,
      tpmLimit: null,
      expires: null,
      status: 'active',
    });
    const err = await admin()
      .keyInfo('sk-unknown-0123456789')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayAdminError);
    expect((err as GatewayAdminError).status).toBe(404);
    expect((err as Error).message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/key\/info\?key=%5BREDACTED%5D: HTTP 404: Key not found in database$/,
    );
    expect((err as Error).message).not.toContain('sk-unknown');
  });

  it('deletes by key or alias; "none found" is an empty list, a missing route an error', async () => {
    expect(await admin().deleteKeys({ keys: [MINTED] })).toEqual([MINTED]);
    expect(await admin().deleteKeys({ aliases: ['gone'] })).toEqual([]);
    const missing = new GatewayAdmin({ url: `${url}/nowhere`, adminKey: ADMIN, timeoutMs: 2000 });
    await expect(missing.deleteKeys({ aliases: ['x'] })).rejects.toThrow(
      /POST .*\/nowhere\/key\/delete: HTTP 404: Not Found/,
    );
  });

  it('merges the failure callback lists and tells whether failures reach Langfuse', async () => {
    const cb = await admin().activeCallbacks();
    expect(cb).toEqual({ callbacks: ['prometheus'], successCallback: ['langfuse'], failureCallback: ['Langfuse'] });
    expect(logsFailuresTo(cb, 'langfuse')).toBe(true);
    expect(logsFailuresTo({ callbacks: [], successCallback: ['langfuse'], failureCallback: [] }, 'langfuse')).toBe(
      false,
    );
    expect(logsFailuresTo({ callbacks: ['langfuse'], successCallback: [], failureCallback: [] }, 'langfuse')).toBe(
      true,
    );
    // LiteLLM 1.103 lists the logger objects' reprs instead of names.
    const repr =
      '<litellm.integrations.langfuse.langfuse_prompt_management.LangfusePromptManagement object at 0x7f7ab3772390>';
    expect(logsFailuresTo({ callbacks: [], successCallback: [repr], failureCallback: [repr] }, 'langfuse')).toBe(true);
    expect(
      logsFailuresTo(
        {
          callbacks: [],
          successCallback: [repr],
          failureCallback: ['<litellm.integrations.prometheus.PrometheusLogger object at 0x1>'],
        },
        'langfuse',
      ),
    ).toBe(false);
  });

  it('proves a deletion by reading the key back: 404 or the archived row is gone, a live row is not', async () => {
    expect(await admin().keyGone('sk-unknown-0123456789')).toEqual({
      gone: true,
      how: 'GET /key/info answered 404 (key not found)',
    });
    expect(await admin().keyGone(ARCHIVED)).toEqual({
      gone: true,
      how: 'GET /key/info answered the archived row, status "deleted"',
    });
    const live = await admin().keyGone(MINTED);
    expect(live).toEqual({ gone: false, how: 'GET /key/info still answers the key\'s row, status "active"' });
    // A missing route says nothing about the key.
    await expect(
      new GatewayAdmin({ url: `${url}/nowhere`, adminKey: ADMIN, timeoutMs: 2000 }).keyGone(MINTED),
    ).rejects.toThrow(/GET .*\/nowhere\/key\/info\?key=%5BREDACTED%5D: HTTP 404: Not Found/);
  });

  it('reads /cache/ping in its real shapes: a JSON-string params, no PING for non-redis types, 503 without a cache', async () => {
    cacheState = 'redis';
    expect(await admin().cachePing()).toEqual({
      ok: true,
      status: 'healthy',
      cacheType: 'redis',
      redisPing: true,
      params: { type: 'redis', namespace: null, ttl: 600, mode: 'default_on', supported_call_types: ['acompletion'] },
    });
    cacheState = 'qdrant-semantic';
    expect(await admin().cachePing()).toMatchObject({
      ok: true,
      cacheType: 'qdrant-semantic',
      redisPing: null,
      params: { type: 'qdrant-semantic' },
    });
    cacheState = 'none';
    expect(await admin().cachePing()).toEqual({
      ok: false,
      message: 'Cache not initialized. litellm.cache is None',
      params: {},
    });
    cacheState = 'unhealthy';
    expect(await admin().cachePing()).toMatchObject({
      ok: false,
      message: 'Service Unhealthy',
      params: { type: 'redis' },
    });
    cacheState = 'redis';
  });

  it('reads the version from the readiness details, or from the public route of a build without them', async () => {
    expect(await admin().readiness()).toEqual({
      status: 'healthy',
      db: 'Not connected',
      version: '1.103.10',
      route: '/health/readiness/details',
    });
    const old = new GatewayAdmin({ url: `${url}/old`, adminKey: ADMIN, timeoutMs: 2000 });
    expect(await old.readiness()).toEqual({
      status: 'connected',
      db: 'connected',
      version: '1.81.9',
      route: '/health/readiness',
    });
  });

  it('resolves a deployment id to its group', async () => {
    expect(await admin().modelGroupOf('big-1')).toBe('gpt-4o');
    expect(await admin().modelGroupOf('nope')).toBeUndefined();
  });

  it("turns a wrong admin key into a 401 GatewayAdminError with LiteLLM's message", async () => {
    await expect(admin('sk-wrong-0123456789').activeCallbacks()).rejects.toThrow(
      /GET .*\/active\/callbacks: HTTP 401: Authentication Error/,
    );
  });

  it('refuses a body of the wrong shape with UnexpectedResponseError', async () => {
    // The base URL ends in `/v1/model/info?`, so `/health/readiness/details` lands on the
    // model-info route (as its query string) and gets a body without `status`.
    const bad = await new GatewayAdmin({ url: `${url}/v1/model/info?`, adminKey: ADMIN, timeoutMs: 2000 })
      .readiness()
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(UnexpectedResponseError);
    expect((bad as Error).message).toMatch(/expected a readiness body \{status, db, litellm_version\} \(status: /);
  });
});
