import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** One result row of the probe's query: each column as the server's text, `null` for SQL NULL. */
type PostgresRow = readonly (string | null)[];

/**
 * Result of a probe: the query answered, with its rows and how long the whole exchange took,
 * or the reason it did not. `tls` says whether the exchange was encrypted and `tlsPolicy` why
 * (for the evidence): `sslmode=disable` set explicitly shows as TLS off by request. `sqlstate`
 * is set when the server itself refused (login or query) with an ErrorResponse, so a caller can
 * tell "no such table" (42P01) from an unreachable server without parsing the message.
 */
export type PostgresProbe =
  | {
      readonly ok: true;
      readonly ms: number;
      readonly rows: readonly PostgresRow[];
      readonly auth: 'trust' | 'cleartext' | 'md5' | 'scram-sha-256';
      readonly serverVersion?: string;
      readonly tls: boolean;
      readonly tlsPolicy: string;
    }
  | { readonly ok: false; readonly error: string; readonly sqlstate?: string };

const SSLMODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
type SslMode = (typeof SSLMODES)[number];

/** Whether `host` (a URL hostname, IPv6 in brackets or not) can only be this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    h === '' ||
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    /^127(?:\.\d{1,3}){3}$/.test(h) ||
    h === '::1' ||
    h === '0:0:0:0:0:0:0:1' ||
    /^::ffff:127(?:\.\d{1,3}){3}$/.test(h)
  );
}

/**
 * How the probe treats TLS for `host` under the URL's `sslmode` (undefined when the URL names
 * none). libpq's default `prefer`, and `allow`, fall back to plaintext when the server refuses
 * TLS, and a plaintext exchange carries the password (cleartext or md5) across the network: to
 * a host that is not loopback they are read as `require`. Only an explicit `sslmode=disable`
 * probes such a host without TLS. `verify-ca` and `verify-full` verify the certificate.
 */
export function tlsPolicyFor(
  host: string,
  sslmode: string | undefined,
): { mode: SslMode; policy: string } | { error: string } {
  if (sslmode !== undefined && !(SSLMODES as readonly string[]).includes(sslmode))
    return { error: `sslmode=${sslmode} is not one of ${SSLMODES.join(', ')}` };
  const asked = (sslmode ?? 'prefer') as SslMode;
  if (asked === 'disable') return { mode: 'disable', policy: 'TLS off: the URL sets sslmode=disable' };
  if (asked === 'verify-ca' || asked === 'verify-full')
    return { mode: asked, policy: `TLS required, certificate verified (sslmode=${asked})` };
  if (asked === 'require')
    return { mode: 'require', policy: 'TLS required, certificate not verified (sslmode=require)' };
  if (isLoopbackHost(host))
    return {
      mode: asked,
      policy: `TLS if the server offers it (sslmode=${sslmode ?? 'prefer, the default'}; loopback host)`,
    };
  return {
    mode: 'require',
    policy: `TLS required: ${host} is not loopback, and sslmode=${sslmode ?? 'prefer (the default)'} would fall back to plaintext`,
  };
}

/**
 * The SCRAM-SHA-256 client of RFC 5802/7677, as Postgres uses it (empty username in the
 * messages: the server takes the startup user). `first()` gives client-first-message;
 * `final(serverFirst)` gives client-final-message; `verify(serverFinal)` checks the server's
 * signature, so a server that does not know the password cannot pass itself off as the database.
 */
export function scramClient(password: string, nonce = randomBytes(18).toString('base64')) {
  const firstBare = `n=,r=${nonce}`;
  let serverSignature: Buffer | undefined;
  return {
    first: (): string => `n,,${firstBare}`,
    final(serverFirst: string): string {
      const attrs = new Map(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)] as const));
      const r = attrs.get('r');
      const s = attrs.get('s');
      const i = Number(attrs.get('i'));
      if (!r || !s || !(i > 0) || !r.startsWith(nonce))
        throw new Error('SCRAM server-first-message is malformed or does not extend our nonce');
      const salted = pbkdf2Sync(password.normalize('NFKC'), Buffer.from(s, 'base64'), i, 32, 'sha256');
      const clientKey = createHmac('sha256', salted).update('Client Key').digest();
      const storedKey = createHash('sha256').update(clientKey).digest();
      const withoutProof = `c=biws,r=${r}`;
      const authMessage = `${firstBare},${serverFirst},${withoutProof}`;
      const signature = createHmac('sha256', storedKey).update(authMessage).digest();
      const proof = Buffer.from(clientKey.map((b, k) => b ^ signature[k]!));
      serverSignature = createHmac('sha256', createHmac('sha256', salted).update('Server Key').digest())
        .update(authMessage)
        .digest();
      return `${withoutProof},p=${proof.toString('base64')}`;
    },
    verify(serverFinal: string): boolean {
      const v = /(?:^|,)v=([^,]+)/.exec(serverFinal)?.[1];
      if (!v || !serverSignature) return false;
      const got = Buffer.from(v, 'base64');
      return got.length === serverSignature.length && timingSafeEqual(got, serverSignature);
    },
  };
}

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}
const cstr = (s: string): Buffer => Buffer.from(`${s}\0`, 'utf8');

/**
 * The largest backend message, and the most unread bytes, the probe accepts: what it reads
 * (authentication, parameter status, a few short rows) is a few kilobytes, and a server
 * claiming more is refused before it can fill the memory.
 */
const MAX_MESSAGE_BYTES = 1024 * 1024;

/** The most rows the probe keeps: its queries are summaries, and a server sending more is refused. */
const MAX_ROWS = 1000;

/** An ErrorResponse from the server, carrying its SQLSTATE for the result. */
class ServerError extends Error {
  constructor(
    message: string,
    readonly sqlstate: string | undefined,
  ) {
    super(message);
  }
}

/** Reads whole backend messages from a socket, one at a time, none over `MAX_MESSAGE_BYTES`. */
class MessageReader {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private failure: Error | undefined;
  constructor(socket: Socket) {
    socket.on('data', (d: Buffer) => {
      if (this.buf.length + d.length > MAX_MESSAGE_BYTES) {
        this.fail(new Error(`the server sent over ${MAX_MESSAGE_BYTES} bytes the probe had not asked for`));
        socket.destroy();
        return;
      }
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('the server closed the connection')));
  }
  fail(e: Error): void {
    this.failure ??= e;
    this.wake();
  }
  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
  /** Bytes received and not yet read. */
  unread(): number {
    return this.buf.length;
  }
  async bytes(n: number): Promise<Buffer> {
    while (this.buf.length < n) {
      if (this.failure) throw this.failure;
      await new Promise<void>((r) => this.waiters.push(r));
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }
  async next(): Promise<{ type: string; body: Buffer }> {
    const head = await this.bytes(5);
    const length = head.readInt32BE(1);
    if (length < 4 || length > MAX_MESSAGE_BYTES)
      throw new Error(
        `the server announced a ${length}-byte message; a probe reads none over ${MAX_MESSAGE_BYTES} bytes`,
      );
    const body = await this.bytes(length - 4);
    return { type: String.fromCharCode(head[0]!), body };
  }
}

/** An ErrorResponse as an error: its `M`essage and SQLSTATE `C`ode, after `prefix`. */
function serverError(body: Buffer, prefix = ''): ServerError {
  const fields = new Map<string, string>();
  let i = 0;
  while (i < body.length && body[i] !== 0) {
    const end = body.indexOf(0, i + 1);
    fields.set(String.fromCharCode(body[i]!), body.subarray(i + 1, end).toString('utf8'));
    i = end + 1;
  }
  const code = fields.get('C');
  return new ServerError(`${prefix}${fields.get('M') ?? 'error'}${code ? ` (SQLSTATE ${code})` : ''}`, code);
}

/**
 * PgBouncer answers its clients itself (login from its auth file) and takes a server connection
 * only when one is needed: with the database down, the client waits until `query_wait_timeout`
 * or is told `server_login_retry`, under SQLSTATE 08P01, which reads like a protocol error.
 */
const POOLER_NO_SERVER = /query_wait_timeout|server_login_retry|cannot connect to server/;
const POOLER_DOWN = 'the pooler answered, but has no connection to the database behind it (is the database down?)';
const POOLER_WAITING = 'a pooler whose database is down keeps its clients waiting like this';

/** The columns of a DataRow, as text (the simple-query protocol sends every value as text). */
function dataRow(body: Buffer): PostgresRow {
  const out: (string | null)[] = [];
  let at = 2;
  for (let k = body.readInt16BE(0); k > 0; k--) {
    const len = body.readInt32BE(at);
    at += 4;
    out.push(len < 0 ? null : body.subarray(at, at + len).toString('utf8'));
    if (len > 0) at += len;
  }
  return out;
}

/**
 * Opens a connection to the Postgres URL, authenticates (trust, cleartext, md5 or
 * SCRAM-SHA-256, the methods Postgres, PgBouncer and Supavisor offer), runs one query with the
 * simple-query protocol (no prepared statements, so it works through a transaction pooler) and
 * closes. Without `query` it runs `SELECT 1` and fails unless that answers 1; with `query` it
 * returns the rows of the last result set (at most 1000) as text, and a query the server
 * refuses is a failure carrying its SQLSTATE. TLS follows `tlsPolicyFor`: to a host that is not
 * loopback it is required unless the URL sets `sslmode=disable` explicitly (the result then
 * says TLS was off); `require` and an upgraded `prefer`/`allow` do not verify the certificate,
 * as libpq does, and `verify-ca`/`verify-full` verify it. The whole exchange is bounded by
 * `timeoutMs`, and a timeout says which step got no answer. Errors name host:port and
 * database, never the password.
 */
export async function probePostgres(url: string, o: { timeoutMs: number; query?: string }): Promise<PostgresProbe> {
  const sql = o.query ?? 'SELECT 1';
  const what = o.query === undefined ? 'SELECT 1' : 'the query';
  let u: URL;
  try {
    u = new URL(url);
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new Error();
  } catch {
    return { ok: false, error: 'the URL is not a postgres:// or postgresql:// URL' };
  }
  const host = decodeURIComponent(u.hostname).replace(/^\[|\]$/g, '') || 'localhost';
  const port = Number(u.port || 5432);
  const user = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  const database = decodeURIComponent(u.pathname.slice(1)) || user;
  const where = `postgres ${host}:${port}/${database}`;
  const tlsPolicy = tlsPolicyFor(host, u.searchParams.get('sslmode') ?? undefined);
  if ('error' in tlsPolicy) return { ok: false, error: `${where}: ${tlsPolicy.error}` };
  const { mode: sslmode, policy } = tlsPolicy;
  const started = performance.now();
  let socket: Socket | undefined;
  let step = `to the login (${POOLER_WAITING})`;
  const timer = setTimeout(() => socket?.destroy(new Error(`no answer ${step} within ${o.timeoutMs} ms`)), o.timeoutMs);
  try {
    socket = await open(host, port, o.timeoutMs);
    let tls = false;
    if (sslmode !== 'disable') {
      const req = Buffer.alloc(8);
      req.writeInt32BE(8, 0);
      req.writeInt32BE(80877103, 4);
      socket.write(req);
      const sslReader = new MessageReader(socket);
      const answer = await sslReader.bytes(1).finally(() => socket!.removeAllListeners('data'));
      // Bytes behind the one-byte answer were never asked for: as libpq does since
      // CVE-2021-23222, refuse them rather than read them as the (TLS) session's start.
      if (sslReader.unread() > 0)
        throw new Error(
          'the server sent more than its one-byte answer to the TLS request (data injected before the handshake?)',
        );
      if (answer.toString() === 'S') {
        const verify = sslmode === 'verify-ca' || sslmode === 'verify-full';
        socket = await upgrade(socket, host, verify);
        tls = true;
      } else if (sslmode !== 'prefer' && sslmode !== 'allow')
        throw new Error(
          `the server refused TLS, and the probe requires it (${policy}); enable TLS on the server, or set sslmode=disable in the URL to probe in plaintext`,
        );
    }
    const reader = new MessageReader(socket);
    const startup = Buffer.concat([
      Buffer.alloc(8),
      cstr('user'),
      cstr(user),
      cstr('database'),
      cstr(database),
      cstr('application_name'),
      cstr('gateway-cutover'),
      Buffer.from([0]),
    ]);
    startup.writeInt32BE(startup.length, 0);
    startup.writeInt32BE(196608, 4);
    socket.write(startup);

    let auth: 'trust' | 'cleartext' | 'md5' | 'scram-sha-256' = 'trust';
    let scram: ReturnType<typeof scramClient> | undefined;
    let serverVersion: string | undefined;
    for (;;) {
      const m = await reader.next();
      if (m.type === 'E') throw serverError(m.body);
      if (m.type === 'S') {
        const [k, v] = m.body.toString('utf8').split('\0');
        if (k === 'server_version') serverVersion = v;
        continue;
      }
      if (m.type === 'Z') break;
      if (m.type !== 'R') continue;
      const code = m.body.readInt32BE(0);
      if (code === 0) continue;
      if (code === 3) {
        auth = 'cleartext';
        socket.write(message('p', cstr(password)));
      } else if (code === 5) {
        auth = 'md5';
        const inner = createHash('md5')
          .update(password + user)
          .digest('hex');
        socket.write(
          message(
            'p',
            cstr(
              `md5${createHash('md5')
                .update(Buffer.concat([Buffer.from(inner), m.body.subarray(4, 8)]))
                .digest('hex')}`,
            ),
          ),
        );
      } else if (code === 10) {
        const mechanisms = m.body.subarray(4).toString('utf8').split('\0').filter(Boolean);
        if (!mechanisms.includes('SCRAM-SHA-256'))
          throw new Error(`the server offers only ${mechanisms.join(', ')} (SCRAM-SHA-256 is supported here)`);
        auth = 'scram-sha-256';
        scram = scramClient(password);
        const first = Buffer.from(scram.first());
        const len = Buffer.alloc(4);
        len.writeInt32BE(first.length);
        socket.write(message('p', Buffer.concat([cstr('SCRAM-SHA-256'), len, first])));
      } else if (code === 11 && scram) {
        socket.write(message('p', Buffer.from(scram.final(m.body.subarray(4).toString('utf8')))));
      } else if (code === 12 && scram) {
        if (!scram.verify(m.body.subarray(4).toString('utf8')))
          throw new Error('the server signature does not verify: this is not the database that holds the password');
      } else throw new Error(`unsupported authentication request ${code}`);
    }

    step = `to ${what} (${POOLER_WAITING})`;
    socket.write(message('Q', cstr(sql)));
    let rows: PostgresRow[] = [];
    for (;;) {
      const m = await reader.next();
      if (m.type === 'E') throw serverError(m.body, `${what} failed: `);
      if (m.type === 'T') rows = [];
      if (m.type === 'D') {
        if (rows.length >= MAX_ROWS)
          throw new Error(`${what} returned over ${MAX_ROWS} rows; the probe reads summaries only`);
        rows.push(dataRow(m.body));
      }
      if (m.type === 'Z') break;
    }
    const value = rows[0]?.[0];
    if (o.query === undefined && value !== '1')
      throw new Error(`SELECT 1 returned ${value == null ? 'no row' : JSON.stringify(value)}`);
    socket.write(message('X', Buffer.alloc(0)));
    return { ok: true, ms: performance.now() - started, rows, auth, serverVersion, tls, tlsPolicy: policy };
  } catch (err) {
    const hint = err instanceof ServerError && POOLER_NO_SERVER.test(err.message) ? `; ${POOLER_DOWN}` : '';
    const error = `${where}: ${(err as Error).message.split(password || '\0').join('[REDACTED]')}${hint}`;
    return err instanceof ServerError && err.sqlstate
      ? { ok: false, error, sqlstate: err.sqlstate }
      : { ok: false, error };
  } finally {
    clearTimeout(timer);
    socket?.destroy();
  }
}

function open(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host, port, timeout: timeoutMs });
    s.once('connect', () => {
      s.setTimeout(0);
      resolve(s);
    });
    s.once('timeout', () => s.destroy(new Error(`connect timed out after ${timeoutMs} ms`)));
    s.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`unreachable (${e.code ?? e.message})`)));
  });
}

function upgrade(socket: Socket, host: string, verify: boolean): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const t = tlsConnect({
      socket,
      servername: /^[\d.]+$|:/.test(host) ? undefined : host,
      rejectUnauthorized: verify,
    });
    t.once('secureConnect', () => resolve(t));
    t.once('error', (e) => reject(new Error(`TLS failed: ${e.message}`)));
  });
}
