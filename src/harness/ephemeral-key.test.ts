import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayAdmin } from '../clients/gateway-admin.ts';
import { closePools } from '../clients/http.ts';
import { runSecrets } from '../evidence/secrets.ts';
import { EPHEMERAL_KEY_SECRET, withEphemeralKey } from './ephemeral-key.ts';
import { CheckRecorder } from './recorder.ts';

// A stand-in for LiteLLM's key routes. `/key/delete` answers as 1.103.10 does: `deleted_keys`
// echoes the request whether or not anything was removed, so only `/key/info` can tell.
const ADMIN = 'sk-admin-0123456789abcdef';
let deletion: 'removes' | 'archives' | 'echoes only' | 'hangs' = 'removes';
/** `refused`: /key/generate mints, then answers a body the suite's validation refuses (a key not shaped `sk-…`). */
let generation: 'ok' | 'refused' | 'unauthorized' = 'ok';
let deleteCalls = 0;
const live = new Map<string, string>();
const archived = new Set<string>();
let minted = 0;
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const json = (status: number, b: unknown): void =>
        void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(b));
      if (u.pathname === '/key/generate' && generation === 'unauthorized') {
        return json(401, {
          error: {
            message: 'Authentication Error, Invalid proxy server token passed.',
            type: 'auth_error',
            param: 'None',
            code: '401',
          },
        });
      }
      if (u.pathname === '/key/generate') {
        const { key_alias } = JSON.parse(body) as { key_alias: string };
        const key = `${generation === 'refused' ? 'lk' : 'sk'}-minted-${String(++minted).padStart(22, '0')}`;
        live.set(key, key_alias);
        return json(200, { key, key_alias, expires: '2030-01-01T00:00:00Z' });
      }
      if (u.pathname === '/key/delete') {
        deleteCalls++;
        if (deletion === 'hangs') return; // never answers: the proxy is stuck
        const { keys = [], key_aliases = [] } = JSON.parse(body) as { keys?: string[]; key_aliases?: string[] };
        if (key_aliases.length > 0) {
          const matched = [...live].filter(([, alias]) => key_aliases.includes(alias));
          for (const [k] of matched) live.delete(k);
          return matched.length
            ? json(200, { deleted_keys: key_aliases })
            : json(404, { error: { message: 'No keys found', type: 'not_found_error', param: 'keys', code: '404' } });
        }
        for (const k of keys) {
          if (deletion === 'echoes only') continue;
          if (deletion === 'archives') archived.add(k);
          live.delete(k);
        }
        return json(200, { deleted_keys: keys });
      }
      if (u.pathname === '/key/info') {
        const key = u.searchParams.get('key') ?? '';
        if (live.has(key)) return json(200, { key, info: { key_alias: live.get(key), status: 'active' } });
        if (archived.has(key)) return json(200, { key, info: { key_alias: null, status: 'deleted' } });
        return json(404, {
          error: { message: 'Key not found in database', type: 'not_found_error', param: 'key', code: '404' },
        });
      }
      json(404, { detail: 'Not Found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  deletion = 'removes';
  await closePools();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function run(
  mode: typeof deletion,
  o: { deleteTimeoutMs?: number } = {},
): Promise<{ c: CheckRecorder; key: string }> {
  deletion = mode;
  generation = 'ok';
  const c = new CheckRecorder('5.1/rpm-limit', 't');
  const admin = new GatewayAdmin({ url, adminKey: ADMIN, timeoutMs: 2000 });
  const key = await withEphemeralKey(
    c,
    admin,
    { alias: `cutover-r-${mode.replace(' ', '-')}`, duration: '5m' },
    async (k) => k,
    o,
  );
  return { c, key };
}

describe('withEphemeralKey', () => {
  it('records the deletion as proven when GET /key/info no longer finds the key', async () => {
    const { c } = await run('removes');
    expect(c.failed).toEqual([]);
    expect(c.toRecord('passed').observations).toMatchObject({
      keyAlias: 'cutover-r-removes',
      keyDeleted: true,
      keyDeletion: 'GET /key/info answered 404 (key not found)',
    });
  });

  it('accepts the archived row LiteLLM 1.103.10 answers for a deleted key', async () => {
    const { c } = await run('archives');
    expect(c.failed).toEqual([]);
    expect(c.toRecord('passed').observations).toMatchObject({
      keyDeleted: true,
      keyDeletion: 'GET /key/info answered the archived row, status "deleted"',
    });
  });

  it('fails with the alias, never the key, when the delete was only echoed', async () => {
    const { c, key } = await run('echoes only');
    expect(c.toRecord('failed').observations).toMatchObject({ keyDeleted: false });
    expect(c.failed).toEqual([
      'the ephemeral key "cutover-r-echoes-only" is still there after POST /key/delete (GET /key/info still answers the key\'s row, status "active"); it expires after 5m, or delete it with POST /key/delete {"key_aliases":["cutover-r-echoes-only"]}',
    ]);
    expect(JSON.stringify(c.toRecord('failed'))).not.toContain(key);
  });

  it('registers the minted key as a run secret before the body sees it, so this thread redacts it', async () => {
    const { key } = await run('removes');
    expect(runSecrets().findIn(`echoed ${key}`)).toEqual([EPHEMERAL_KEY_SECRET]);
    expect(runSecrets().redact(`echoed ${Buffer.from(key).toString('base64')}`)).not.toContain(
      Buffer.from(key).toString('base64').slice(4, 20),
    );
  });

  it('deletes a key the proxy minted but the suite refused, and keeps the refused answer out of the error', async () => {
    deletion = 'removes';
    generation = 'refused';
    const c = new CheckRecorder('5.1/rpm-limit', 't');
    const admin = new GatewayAdmin({ url, adminKey: ADMIN, timeoutMs: 2000 });
    const alias = 'cutover-r-refused';
    const err = (await withEphemeralKey(c, admin, { alias, duration: '5m' }, async () => 'never').catch(
      (e: unknown) => e,
    )) as Error;
    generation = 'ok';
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(
      /POST .*\/key\/generate: HTTP 200, expected a generated key .*the answer is not recorded/,
    );
    expect(err.message).not.toMatch(/lk-minted/);
    expect([...live.values()]).not.toContain(alias);
    expect(c.toRecord('failed').observations).toMatchObject({
      keyAlias: alias,
      keyDeletion: expect.stringMatching(/by alias was sent/),
    });
    expect(JSON.stringify(c.toRecord('failed'))).not.toMatch(/lk-minted/);
  });

  it('gives up on a stuck delete at its own deadline and fails with the alias, whatever the admin timeout', async () => {
    const started = performance.now();
    const { c } = await run('hangs', { deleteTimeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(1800);
    expect(c.toRecord('failed').observations).toMatchObject({ keyDeleted: false });
    expect(c.failed).toEqual([
      expect.stringMatching(
        /^could not delete the ephemeral key "cutover-r-hangs" \(deleting the ephemeral key did not finish within 300 ms\); it expires after 5m/,
      ),
    ]);
  });

  it('sends no delete when the proxy refused to mint (4xx), and passes its error on', async () => {
    generation = 'unauthorized';
    const before = deleteCalls;
    const c = new CheckRecorder('5.1/rpm-limit', 't');
    const admin = new GatewayAdmin({ url, adminKey: ADMIN, timeoutMs: 2000 });
    await expect(
      withEphemeralKey(c, admin, { alias: 'cutover-r-401', duration: '5m' }, async () => 'never'),
    ).rejects.toThrow(/HTTP 401: Authentication Error/);
    generation = 'ok';
    expect(deleteCalls).toBe(before);
    expect(c.failed).toEqual([]);
  });
});
