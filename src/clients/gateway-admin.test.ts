import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnexpectedResponseError } from './errors.ts';
import { GatewayAdmin, GatewayAdminError, logsFailuresTo } from './gateway-admin.ts';
import { closePools } from './http.ts';

// A tiny stand-in for LiteLLM's admin routes, answering in LiteLLM's shapes (notes/litellm.md §5–6).
const ADMIN = 'sk-admin-0123456789abcdef';
const MINTED = 'sk-minted-abcdefghijklmnop';
let server: Server;
let url: string;
const seen: { path: string; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      seen.push({ path: u.pathname + u.search, body });
      const json = (status: number, b: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(b));
      if (req.headers.authorization !== `Bearer ${ADMIN}`) return json(401, { error: { message: 'Authentication Error, Invalid proxy server token passed.', type: 'auth_error', param: 'None', code: '401' } });
      if (u.pathname === '/key/generate') return json(200, { ...JSON.parse(body), key: MINTED, key_name: 'sk-...mnop', expires: '2030-01-01T00:00:00Z', token_id: 'abc' });
      if (u.pathname === '/key/info') return u.searchParams.get('key') === MINTED ? json(200, { key: MINTED, info: { key_alias: 'a', rpm_limit: 100, tpm_limit: null } }) : json(404, { error: { message: 'Key not found in database.', type: 'not_found_error', param: 'None', code: '404' } });
      if (u.pathname === '/key/delete') {
        const b = JSON.parse(body) as { keys?: string[]; key_aliases?: string[] };
        if (b.key_aliases?.includes('gone')) return json(404, { error: { message: 'Failed to delete keys: none found', type: 'not_found_error', param: 'None', code: '404' } });
        return json(200, { deleted_keys: [...(b.keys ?? []), ...(b.key_aliases ?? [])] });
      }
      if (u.pathname === '/active/callbacks') return json(200, { 'litellm.callbacks': ['prometheus'], 'litellm.success_callback': ['langfuse'], 'litellm.failure_callback': [], 'litellm._async_failure_callback': ['Langfuse'] });
      if (u.pathname === '/health/readiness') return json(200, { status: 'healthy', db: 'Not connected', litellm_version: '1.81.9' });
      if (u.pathname === '/v1/model/info') return json(200, { data: [{ model_name: 'gpt-4o', model_info: { id: 'big-1' } }] });
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
    const k = await admin().generateKey({ alias: 'cutover-r1-5.1', duration: '5m', rpmLimit: 100, models: ['gpt-4o-mini'] });
    expect(k).toEqual({ key: MINTED, alias: 'cutover-r1-5.1', expires: '2030-01-01T00:00:00Z', rpmLimit: 100 });
    expect(JSON.parse(seen.at(-1)!.body)).toEqual({ key_alias: 'cutover-r1-5.1', duration: '5m', rpm_limit: 100, models: ['gpt-4o-mini'] });
  });

  it('reads a key row, and a 404 is a typed error that does not show the key', async () => {
    expect(await admin().keyInfo(MINTED)).toEqual({ alias: 'a', rpmLimit: 100, tpmLimit: null, expires: null });
    const err = await admin().keyInfo('sk-unknown-0123456789').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayAdminError);
    expect((err as GatewayAdminError).status).toBe(404);
    expect((err as Error).message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/key\/info\?key=%5BREDACTED%5D: HTTP 404: Key not found in database\.$/);
    expect((err as Error).message).not.toContain('sk-unknown');
  });

  it('deletes by key or alias; "none found" is an empty list, a missing route an error', async () => {
    expect(await admin().deleteKeys({ keys: [MINTED] })).toEqual([MINTED]);
    expect(await admin().deleteKeys({ aliases: ['gone'] })).toEqual([]);
    const missing = new GatewayAdmin({ url: `${url}/nowhere`, adminKey: ADMIN, timeoutMs: 2000 });
    await expect(missing.deleteKeys({ aliases: ['x'] })).rejects.toThrow(/POST .*\/nowhere\/key\/delete: HTTP 404: Not Found/);
  });

  it('merges the failure callback lists and tells whether failures reach Langfuse', async () => {
    const cb = await admin().activeCallbacks();
    expect(cb).toEqual({ callbacks: ['prometheus'], successCallback: ['langfuse'], failureCallback: ['Langfuse'] });
    expect(logsFailuresTo(cb, 'langfuse')).toBe(true);
    expect(logsFailuresTo({ callbacks: [], successCallback: ['langfuse'], failureCallback: [] }, 'langfuse')).toBe(false);
    expect(logsFailuresTo({ callbacks: ['langfuse'], successCallback: [], failureCallback: [] }, 'langfuse')).toBe(true);
  });

  it('reads readiness and resolves a deployment id to its group', async () => {
    expect((await admin().readiness()).litellm_version).toBe('1.81.9');
    expect(await admin().modelGroupOf('big-1')).toBe('gpt-4o');
    expect(await admin().modelGroupOf('nope')).toBeUndefined();
  });

  it('turns a wrong admin key into a 401 GatewayAdminError with LiteLLM\'s message', async () => {
    await expect(admin('sk-wrong-0123456789').activeCallbacks()).rejects.toThrow(/GET .*\/active\/callbacks: HTTP 401: Authentication Error/);
  });

  it('refuses a body of the wrong shape with UnexpectedResponseError', async () => {
    // The base URL ends in `/v1/model/info?`, so `/health/readiness` lands on the model-info
    // route (as its query string) and gets a body without `status`.
    const bad = await new GatewayAdmin({ url: `${url}/v1/model/info?`, adminKey: ADMIN, timeoutMs: 2000 }).readiness().catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(UnexpectedResponseError);
    expect((bad as Error).message).toMatch(/expected a readiness body \{status, litellm_version, …\} \(status: /);
  });
});
