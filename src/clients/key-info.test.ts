import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointUnreachableError } from './errors.ts';
import { GatewayAdminError } from './gateway-admin.ts';
import { closePools } from './http.ts';
import { readOwnKeyInfo } from './key-info.ts';

// A stand-in for LiteLLM 1.103.10's /key/info and its auth, answering in LiteLLM's shapes.
describe('readOwnKeyInfo', () => {
  let server: Server;
  let url: string;
  const seen: string[] = [];
  const ROWS: Record<string, unknown> = {
    'sk-live-0123456789': {
      key_alias: 'team:a',
      team_id: 't-a',
      models: ['gpt-4o-mini'],
      rpm_limit: 600,
      tpm_limit: null,
      expires: null,
      blocked: null,
      status: 'active',
      user_id: null,
    },
    'sk-bad-shape-0000': { key_alias: 7 },
  };
  beforeAll(async () => {
    server = createServer((req, res) => {
      const json = (status: number, b: unknown): void =>
        void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(b));
      seen.push(req.url ?? '');
      const key = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (key === 'sk-expired-000000')
        return json(401, {
          error: {
            message:
              'Authentication Error - Expired Key. Key Expiry time 2026-01-01 00:00:00+00:00 and current time 2026-06-01 00:00:00+00:00',
            type: 'expired_key',
            param: 'sk-...0000',
            code: '401',
          },
        });
      if (key === 'sk-blocked-000000')
        return json(401, {
          error: {
            message: "Authentication Error, Key is blocked. Update via `/key/unblock` if you're an admin.",
            type: 'auth_error',
            param: 'None',
            code: '401',
          },
        });
      if (key === 'sk-no-db-00000000')
        return json(500, {
          error: {
            message: 'Database not connected. Connect a database to your proxy',
            type: 'internal_server_error',
            param: null,
            code: '500',
          },
        });
      const row = ROWS[key];
      if (!row)
        return json(401, {
          error: {
            message: `Authentication Error, Invalid proxy server token passed. Received API Key = sk-...${key.slice(-4)}, Key Hash (Token) =abc. Unable to find token in cache or \`LiteLLM_VerificationTokenTable\``,
            type: 'auth_error',
            param: 'None',
            code: '401',
          },
        });
      json(200, { key: 'hash-of-the-key', info: row });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await closePools();
    await new Promise((r) => server.close(r));
  });
  const read = (key: string, at = url) => readOwnKeyInfo({ url: at, key, timeoutMs: 2000 });

  it("reads the key's own row with the key in the header only, never in the URL", async () => {
    expect(await read('sk-live-0123456789')).toEqual({
      live: true,
      row: {
        alias: 'team:a',
        teamId: 't-a',
        models: ['gpt-4o-mini'],
        rpmLimit: 600,
        tpmLimit: null,
        expires: null,
        blocked: false,
        status: 'active',
      },
    });
    expect(seen.at(-1)).toBe('/key/info');
  });

  it("tells LiteLLM's 401s apart: unknown, expired (with the expiry it named) and blocked", async () => {
    expect(await read('sk-revoked-0000000')).toEqual({ live: false, refused: 'unknown', expiredAt: null });
    expect(await read('sk-expired-000000')).toEqual({
      live: false,
      refused: 'expired',
      expiredAt: '2026-01-01 00:00:00+00:00',
    });
    expect(await read('sk-blocked-000000')).toEqual({ live: false, refused: 'blocked', expiredAt: null });
  });

  it('throws on other statuses, a wrong shape and an unreachable gateway', async () => {
    await expect(read('sk-no-db-00000000')).rejects.toThrow(GatewayAdminError);
    await expect(read('sk-no-db-00000000')).rejects.toThrow(/HTTP 500: Database not connected/);
    await expect(read('sk-bad-shape-0000')).rejects.toThrow(/expected a key row .*info\.key_alias/);
    await expect(read('sk-live-0123456789', 'http://127.0.0.1:1')).rejects.toThrow(EndpointUnreachableError);
  });
});
