import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { probePostgres, scramClient } from './postgres-probe.ts';

describe('postgres probe', () => {
  test('SCRAM-SHA-256 matches the RFC 7677 example', () => {
    // RFC 7677 §3 (user "user", password "pencil"); Postgres sends an empty n=, which is not
    // part of the proof inputs that differ here, so the RFC's client-first-bare is rebuilt.
    const c = scramClient('pencil', 'rOprNGfwEbeRWgbNEkqO');
    expect(c.first()).toBe('n,,n=,r=rOprNGfwEbeRWgbNEkqO');
    const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
    const final = c.final(serverFirst);
    expect(final).toMatch(/^c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj\)hNlF\$k0,p=[A-Za-z0-9+/=]{44}$/);
    expect(c.verify('v=AAAA')).toBe(false);
    expect(() => scramClient('pencil', 'abc').final(serverFirst)).toThrow(/does not extend our nonce/);
  });

  test('the RFC 7677 proof is reproduced when the username is part of client-first-bare', async () => {
    // Same math as scramClient with n=user: proof and server signature from the RFC.
    const { createHash, createHmac, pbkdf2Sync } = await import('node:crypto');
    const salted = pbkdf2Sync('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), 4096, 32, 'sha256');
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    const auth = 'n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    const sig = createHmac('sha256', createHash('sha256').update(clientKey).digest()).update(auth).digest();
    expect(Buffer.from(clientKey.map((b, i) => b ^ sig[i]!)).toString('base64')).toBe('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
    const serverSig = createHmac('sha256', createHmac('sha256', salted).update('Server Key').digest()).update(auth).digest();
    expect(serverSig.toString('base64')).toBe('6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
  });

  describe('against a server that refuses', () => {
    let server: Server;
    let port: number;
    beforeAll(async () => {
      // Answers the SSLRequest with N, then rejects the startup with a FATAL ErrorResponse.
      server = createServer((s) => {
        let first = true;
        s.on('data', () => {
          if (first) {
            first = false;
            s.write('N');
            return;
          }
          const body = Buffer.from('SFATAL\0C28P01\0Mpassword authentication failed for user "probe"\0\0');
          const head = Buffer.alloc(5);
          head.write('E');
          head.writeInt32BE(body.length + 4, 1);
          s.end(Buffer.concat([head, body]));
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    test('reports the server error with host, port and database, never the password', async () => {
      const res = await probePostgres(`postgresql://probe:hunter2-secret@127.0.0.1:${port}/langfuse`, { timeoutMs: 2000 });
      expect(res).toEqual({ ok: false, error: `postgres 127.0.0.1:${port}/langfuse: password authentication failed for user "probe" (SQLSTATE 28P01)` });
    });

    test('sslmode=require refuses a server without TLS', async () => {
      const res = await probePostgres(`postgresql://probe:x@127.0.0.1:${port}/langfuse?sslmode=require`, { timeoutMs: 2000 });
      expect(res).toEqual({ ok: false, error: expect.stringContaining('refused TLS but sslmode=require') });
    });
  });

  test('an unreachable port and a non-postgres URL fail with a reason', async () => {
    expect(await probePostgres('postgresql://u:p@127.0.0.1:1/db', { timeoutMs: 2000 })).toEqual({ ok: false, error: 'postgres 127.0.0.1:1/db: unreachable (ECONNREFUSED)' });
    expect(await probePostgres('https://example.com', { timeoutMs: 2000 })).toEqual({ ok: false, error: 'the URL is not a postgres:// or postgresql:// URL' });
  });
});
