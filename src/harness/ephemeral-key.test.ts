import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayAdmin } from '../clients/gateway-admin.ts';
import { closePools } from '../clients/http.ts';
import { withEphemeralKey } from './ephemeral-key.ts';
import { CheckRecorder } from './recorder.ts';

// A stand-in for LiteLLM's key routes. `/key/delete` answers as 1.103.10 does: `deleted_keys`
// echoes the request whether or not anything was removed, so only `/key/info` can tell.
const ADMIN = 'sk-admin-0123456789abcdef';
let deletion: 'removes' | 'archives' | 'echoes only' = 'removes';
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
      const json = (status: number, b: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(b));
      if (u.pathname === '/key/generate') {
        const { key_alias } = JSON.parse(body) as { key_alias: string };
        const key = `sk-minted-${String(++minted).padStart(22, '0')}`;
        live.set(key, key_alias);
        return json(200, { key, key_alias, expires: '2030-01-01T00:00:00Z' });
      }
      if (u.pathname === '/key/delete') {
        const { keys } = JSON.parse(body) as { keys: string[] };
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
        return json(404, { error: { message: 'Key not found in database', type: 'not_found_error', param: 'key', code: '404' } });
      }
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

async function run(mode: typeof deletion): Promise<{ c: CheckRecorder; key: string }> {
  deletion = mode;
  const c = new CheckRecorder('5.1/rpm-limit', 't');
  const admin = new GatewayAdmin({ url, adminKey: ADMIN, timeoutMs: 2000 });
  const key = await withEphemeralKey(c, admin, { alias: `cutover-r-${mode.replace(' ', '-')}`, duration: '5m' }, async (k) => k);
  return { c, key };
}

describe('withEphemeralKey', () => {
  it('records the deletion as proven when GET /key/info no longer finds the key', async () => {
    const { c } = await run('removes');
    expect(c.failed).toEqual([]);
    expect(c.toRecord('passed').observations).toMatchObject({ keyAlias: 'cutover-r-removes', keyDeleted: true, keyDeletion: 'GET /key/info answered 404 (key not found)' });
  });

  it('accepts the archived row LiteLLM 1.103.10 answers for a deleted key', async () => {
    const { c } = await run('archives');
    expect(c.failed).toEqual([]);
    expect(c.toRecord('passed').observations).toMatchObject({ keyDeleted: true, keyDeletion: 'GET /key/info answered the archived row, status "deleted"' });
  });

  it('fails with the alias, never the key, when the delete was only echoed', async () => {
    const { c, key } = await run('echoes only');
    expect(c.toRecord('failed').observations).toMatchObject({ keyDeleted: false });
    expect(c.failed).toEqual([
      'the ephemeral key "cutover-r-echoes-only" is still there after POST /key/delete (GET /key/info still answers the key\'s row, status "active"); it expires after 5m, or delete it with POST /key/delete {"key_aliases":["cutover-r-echoes-only"]}',
    ]);
    expect(JSON.stringify(c.toRecord('failed'))).not.toContain(key);
  });
});
