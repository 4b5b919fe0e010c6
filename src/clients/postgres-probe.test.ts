import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSandboxCa, issueLeaf } from '../../sandbox/tls/index.ts';
import { isLoopbackHost, probePostgres, scramClient, tlsPolicyFor } from './postgres-probe.ts';

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
    const auth =
      'n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    const sig = createHmac('sha256', createHash('sha256').update(clientKey).digest()).update(auth).digest();
    expect(Buffer.from(clientKey.map((b, i) => b ^ sig[i]!)).toString('base64')).toBe(
      'dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    );
    const serverSig = createHmac('sha256', createHmac('sha256', salted).update('Server Key').digest())
      .update(auth)
      .digest();
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
      const res = await probePostgres(`postgresql://probe:hunter2-secret@127.0.0.1:${port}/langfuse`, {
        timeoutMs: 2000,
      });
      expect(res).toEqual({
        ok: false,
        sqlstate: '28P01',
        error: `postgres 127.0.0.1:${port}/langfuse: password authentication failed for user "probe" (SQLSTATE 28P01)`,
      });
    });

    test('sslmode=require refuses a server without TLS', async () => {
      const res = await probePostgres(`postgresql://probe:x@127.0.0.1:${port}/langfuse?sslmode=require`, {
        timeoutMs: 2000,
      });
      expect(res).toEqual({
        ok: false,
        error: expect.stringContaining(
          'the server refused TLS, and the probe requires it (TLS required, certificate not verified (sslmode=require))',
        ),
      });
    });
  });

  test('an unreachable port and a non-postgres URL fail with a reason', async () => {
    expect(await probePostgres('postgresql://u:p@127.0.0.1:1/db', { timeoutMs: 2000 })).toEqual({
      ok: false,
      error: 'postgres 127.0.0.1:1/db: unreachable (ECONNREFUSED)',
    });
    expect(await probePostgres('https://example.com', { timeoutMs: 2000 })).toEqual({
      ok: false,
      error: 'the URL is not a postgres:// or postgresql:// URL',
    });
  });
});

/** A Postgres that speaks just enough of the protocol: SSLRequest, cleartext password, SELECT 1. */
function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}
const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

interface FakePostgres {
  readonly port: number;
  /** Every byte received on the raw TCP socket (TLS records stay ciphertext here). */
  readonly plaintext: () => string;
  close(): Promise<void>;
}

async function fakePostgres(o: { host: string; tls?: { key: string; cert: string } }): Promise<FakePostgres> {
  let raw = Buffer.alloc(0);
  const sockets = new Set<Socket>();
  // Each (possibly TLS-wrapped) socket starts with a length-prefixed startup-phase message.
  const serve = (s: Socket | TLSSocket): void => {
    let buf = Buffer.alloc(0);
    let startup = true;
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        if (startup) {
          if (buf.length < 8) return;
          const len = buf.readInt32BE(0);
          if (buf.length < len) return;
          const code = buf.readInt32BE(4);
          buf = buf.subarray(len);
          if (code === 80877103) {
            if (!o.tls) {
              s.write('N');
              continue;
            }
            s.removeAllListeners('data');
            s.write('S');
            const t = new TLSSocket(s as Socket, { isServer: true, key: o.tls.key, cert: o.tls.cert });
            return serve(t);
          }
          startup = false;
          s.write(message('R', int32(3)));
          continue;
        }
        if (buf.length < 5) return;
        const len = buf.readInt32BE(1);
        if (buf.length < len + 1) return;
        const type = String.fromCharCode(buf[0]!);
        buf = buf.subarray(len + 1);
        if (type === 'p')
          s.write(
            Buffer.concat([
              message('R', int32(0)),
              message('S', Buffer.from('server_version\x0016.4\x00')),
              message('Z', Buffer.from('I')),
            ]),
          );
        else if (type === 'Q')
          s.write(
            Buffer.concat([
              message('D', Buffer.concat([Buffer.from([0, 1]), int32(1), Buffer.from('1')])),
              message('C', Buffer.from('SELECT 1\x00')),
              message('Z', Buffer.from('I')),
            ]),
          );
        else if (type === 'X') return void s.end();
      }
    });
    s.on('error', () => undefined);
  };
  const server = createServer((s) => {
    sockets.add(s);
    s.on('data', (d: Buffer) => (raw = Buffer.concat([raw, d])));
    serve(s);
  });
  await new Promise<void>((r) => server.listen(0, o.host, r));
  return {
    port: (server.address() as AddressInfo).port,
    plaintext: () => raw.toString('latin1'),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('TLS to a database that is not loopback', () => {
  test('the policy: prefer and allow are read as require away from loopback; only sslmode=disable turns TLS off', () => {
    expect(tlsPolicyFor('db.internal', undefined)).toEqual({
      mode: 'require',
      policy:
        'TLS required: db.internal is not loopback, and sslmode=prefer (the default) would fall back to plaintext',
    });
    expect(tlsPolicyFor('10.0.0.5', 'allow')).toMatchObject({ mode: 'require' });
    expect(tlsPolicyFor('10.0.0.5', 'prefer')).toMatchObject({ mode: 'require' });
    expect(tlsPolicyFor('10.0.0.5', 'disable')).toEqual({
      mode: 'disable',
      policy: 'TLS off: the URL sets sslmode=disable',
    });
    expect(tlsPolicyFor('10.0.0.5', 'verify-full')).toMatchObject({ mode: 'verify-full' });
    expect(tlsPolicyFor('127.0.0.1', undefined)).toMatchObject({
      mode: 'prefer',
      policy: expect.stringContaining('loopback'),
    });
    expect(tlsPolicyFor('localhost', 'allow')).toMatchObject({ mode: 'allow' });
    expect(tlsPolicyFor('db', 'requir')).toEqual({
      error: 'sslmode=requir is not one of disable, allow, prefer, require, verify-ca, verify-full',
    });
    expect(
      ['localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1', 'x.localhost', '::ffff:127.0.0.1'].every(isLoopbackHost),
    ).toBe(true);
    expect(
      ['10.0.0.1', 'db.internal', '128.0.0.1', '::2', 'localhost.evil.example', '127.0.0.1.nip.io'].some(
        isLoopbackHost,
      ),
    ).toBe(false);
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && !i.internal && i.family === 'IPv4')?.address;
  const servers: FakePostgres[] = [];
  afterAll(() => Promise.all(servers.map((s) => s.close())));
  const start = async (o: Parameters<typeof fakePostgres>[0]): Promise<FakePostgres> => {
    const s = await fakePostgres(o);
    servers.push(s);
    return s;
  };
  let tls: { key: string; cert: string };
  beforeAll(async () => {
    const ca = await createSandboxCa('postgres-probe test CA');
    const leaf = await issueLeaf(ca, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], validDays: 1 });
    tls = { key: leaf.keyPem, cert: leaf.certPem };
  });

  test.skipIf(!external)(
    'a server that refuses TLS is refused, with no sslmode or with prefer, before the password leaves',
    async () => {
      const pg = await start({ host: external! });
      for (const q of ['', '?sslmode=prefer', '?sslmode=allow']) {
        const res = await probePostgres(`postgresql://probe:hunter2-secret@${external}:${pg.port}/langfuse${q}`, {
          timeoutMs: 2000,
        });
        expect(res).toEqual({
          ok: false,
          error: expect.stringMatching(
            new RegExp(
              `^postgres ${external}:${pg.port}/langfuse: the server refused TLS, and the probe requires it \\(TLS required: ${external} is not loopback.*set sslmode=disable in the URL to probe in plaintext$`,
            ),
          ),
        });
      }
      expect(pg.plaintext()).not.toContain('hunter2');
      expect(pg.plaintext()).not.toContain('probe');
    },
  );

  test.skipIf(!external)('TLS offered: the password travels encrypted and the result says TLS was on', async () => {
    const pg = await start({ host: external!, tls });
    const res = await probePostgres(`postgresql://probe:hunter2-secret@${external}:${pg.port}/langfuse`, {
      timeoutMs: 3000,
    });
    expect(res).toMatchObject({
      ok: true,
      auth: 'cleartext',
      serverVersion: '16.4',
      tls: true,
      tlsPolicy: expect.stringContaining('TLS required'),
    });
    expect(pg.plaintext()).not.toContain('hunter2');
  });

  test.skipIf(!external)(
    'sslmode=disable, set explicitly, probes in plaintext and the result records that TLS was off',
    async () => {
      const pg = await start({ host: external! });
      const res = await probePostgres(`postgresql://probe:pw@${external}:${pg.port}/langfuse?sslmode=disable`, {
        timeoutMs: 2000,
      });
      expect(res).toMatchObject({ ok: true, tls: false, tlsPolicy: 'TLS off: the URL sets sslmode=disable' });
      // No SSLRequest was sent: the first bytes are the startup message (protocol 3.0).
      expect(pg.plaintext().slice(4, 8)).toBe('\x00\x03\x00\x00');
    },
  );

  test('a loopback server without TLS is still probed under the default prefer, and says so', async () => {
    const pg = await start({ host: '127.0.0.1' });
    const res = await probePostgres(`postgresql://probe:pw@127.0.0.1:${pg.port}/langfuse`, { timeoutMs: 2000 });
    expect(res).toMatchObject({
      ok: true,
      tls: false,
      tlsPolicy: 'TLS if the server offers it (sslmode=prefer, the default; loopback host)',
    });
  });

  test('an IPv6 loopback host in brackets is reached', async () => {
    const pg = await start({ host: '::1' }).catch(() => undefined);
    if (!pg) return; // no IPv6 loopback here
    const res = await probePostgres(`postgresql://probe:pw@[::1]:${pg.port}/langfuse`, { timeoutMs: 2000 });
    expect(res).toMatchObject({ ok: true, tls: false });
  });

  test('a server announcing or pushing a huge message is refused at the cap, not buffered; bytes injected after N are refused', async () => {
    // Each answers the SSLRequest with N, then the startup message with its hostile bytes.
    // The probe drops the connection mid-write: the server side sees a reset, which is expected.
    const quiet = (s: Socket): Socket => s.on('error', () => undefined);
    const answering = (hostile: Buffer): Server =>
      createServer((s) => quiet(s).once('data', () => (s.write('N'), s.once('data', () => s.write(hostile)))));
    const announce = answering(Buffer.concat([Buffer.from('R'), int32(0x7fff0000)]));
    const flood = answering(
      Buffer.concat([Buffer.from('S'), int32(1024 * 1024 - 64), Buffer.alloc(3 * 1024 * 1024, 'S')]),
    );
    const injected = createServer((s) =>
      quiet(s).once('data', () => s.write(Buffer.concat([Buffer.from('N'), message('R', int32(0))]))),
    );
    const all = [announce, flood, injected];
    for (const server of all) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const probe = (server: Server) =>
        probePostgres(`postgresql://u:pw-long-secret@127.0.0.1:${(server.address() as AddressInfo).port}/db`, {
          timeoutMs: 2000,
        });
      expect(await probe(announce)).toEqual({
        ok: false,
        error: expect.stringMatching(/announced a 2147418112-byte message; a probe reads none over 1048576 bytes$/),
      });
      // Where the chunks fall decides which guard stops the flood first; neither lets it pile up.
      expect(await probe(flood)).toEqual({
        ok: false,
        error: expect.stringMatching(
          /(sent over 1048576 bytes the probe had not asked for|announced a \d+-byte message; a probe reads none over 1048576 bytes)$/,
        ),
      });
      expect(await probe(injected)).toEqual({
        ok: false,
        error: expect.stringMatching(/sent more than its one-byte answer to the TLS request/),
      });
    } finally {
      for (const server of all) server.close();
    }
  });

  test('a query answered with more rows than a summary holds is refused at the cap', async () => {
    // Trust login, then 1001 one-column rows for any query.
    const rows = Buffer.concat(
      Array.from({ length: 1001 }, () =>
        message('D', Buffer.concat([Buffer.from([0, 1]), int32(1), Buffer.from('x')])),
      ),
    );
    const server = createServer((s) => {
      s.on('error', () => undefined);
      s.once('data', () => {
        s.write('N');
        s.once('data', () => {
          s.write(Buffer.concat([message('R', int32(0)), message('Z', Buffer.from('I'))]));
          s.once('data', () => s.write(Buffer.concat([rows, message('Z', Buffer.from('I'))])));
        });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const res = await probePostgres(
        `postgresql://u:pw-long-secret@127.0.0.1:${(server.address() as AddressInfo).port}/db`,
        { timeoutMs: 2000, query: 'SELECT x FROM t' },
      );
      expect(res).toEqual({
        ok: false,
        error: expect.stringMatching(/: the query returned over 1000 rows; the probe reads summaries only$/),
      });
    } finally {
      server.close();
    }
  });

  test('an unknown sslmode is refused before connecting', async () => {
    expect(await probePostgres('postgresql://u:p@127.0.0.1:1/db?sslmode=requir', { timeoutMs: 1000 })).toEqual({
      ok: false,
      error:
        'postgres 127.0.0.1:1/db: sslmode=requir is not one of disable, allow, prefer, require, verify-ca, verify-full',
    });
  });
});
