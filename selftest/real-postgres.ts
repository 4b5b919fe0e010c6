/**
 * A throwaway real PostgreSQL (Debian's `postgresql` package) with Debian's `pgbouncer` in front
 * of it, on free loopback ports, for the tests that must not trust our own reading of the wire
 * protocol: the probe in `src/clients/postgres-probe.ts` is checked against the real server and
 * the real pooler here. Used only by selftests; nothing in `src/` imports it.
 *
 * PostgreSQL and PgBouncer both refuse to run as root, so when this process is root every
 * server command runs as the `postgres` user the Debian package creates (`runuser`). Data,
 * sockets, configs and logs live in one temp dir, removed by `stop()`.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The database, role and password the fixture creates (a Langfuse-like app role, not a superuser). */
export const FIXTURE = { database: 'langfuse', user: 'langfuse', password: 'lf-real-pg-Zq81xYw2Kp7' } as const;

/** A running PostgreSQL + PgBouncer pair, and what a test needs to drive it. */
export interface RealPostgres {
  /** PostgreSQL's own port (the "direct" 5432 of the runbook). */
  readonly port: number;
  /** PgBouncer's port (the runbook's pooled 6543), transaction pooling, in front of `port`. */
  readonly poolerPort: number;
  /** `postgresql://langfuse:…@127.0.0.1:<port>/<database>` straight to PostgreSQL; `query` is appended as is (e.g. `?schema=x`). */
  directUrl(database?: string, query?: string): string;
  /** The same role and database through PgBouncer, with the `?pgbouncer=true` Prisma adds for a transaction pooler. */
  pooledUrl(): string;
  /** Runs SQL as the superuser over the Unix socket with Debian's psql (not our probe: the fixture must not share the code under test). */
  sql(text: string, database?: string): Promise<string>;
  /** Stops PostgreSQL (fast shutdown); PgBouncer keeps listening. */
  stopPostgres(): Promise<void>;
  /** Starts PostgreSQL again on the same port and data. */
  startPostgres(): Promise<void>;
  /** Stops both servers and removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
  /** Milliseconds spent in initdb and in the first start of each server. */
  readonly timings: { readonly initdbMs: number; readonly postgresStartMs: number; readonly pgbouncerStartMs: number };
}

/** The newest versioned server bin dir (`/usr/lib/postgresql/<major>/bin`), or undefined when PostgreSQL is not installed. */
function postgresBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const majors = readdirSync(base)
    .filter((d) => /^\d+$/.test(d) && existsSync(join(base, d, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? join(base, majors[0], 'bin') : undefined;
}

/** Why the real servers cannot run here (for `test.skipIf` reasons and CI warnings), or undefined when they can. */
export function realPostgresMissing(): string | undefined {
  if (!postgresBinDir()) return 'PostgreSQL is not installed (apt-get install postgresql)';
  if (!['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].some(existsSync))
    return 'PgBouncer is not installed (apt-get install pgbouncer)';
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts PostgreSQL (initdb into a temp dir, scram-sha-256 over TCP, trust on its private Unix
 * socket for the fixture's psql) and PgBouncer (transaction pooling, scram-sha-256 with the
 * role's password in its auth file), each on a free loopback port, and creates the fixture
 * role and database. Rejects with the server's log when either does not come up.
 */
export async function startRealPostgres(): Promise<RealPostgres> {
  const missing = realPostgresMissing();
  if (missing) throw new Error(missing);
  const bin = postgresBinDir()!;
  const root = process.getuid?.() === 0;
  const as = (file: string, args: string[]) =>
    root
      ? run('runuser', ['-u', 'postgres', '--', file, ...args], { timeout: 60_000 })
      : run(file, args, { timeout: 60_000 });
  const dir = mkdtempSync(join(tmpdir(), 'real-postgres-'));
  const owner = root
    ? ([
        Number((await run('id', ['-u', 'postgres'])).stdout),
        Number((await run('id', ['-g', 'postgres'])).stdout),
      ] as const)
    : undefined;
  const own = (path: string) => owner && chownSync(path, owner[0], owner[1]);
  own(dir);
  const data = join(dir, 'data');
  const [port, poolerPort] = [await freePort(), await freePort()];
  const pgLog = join(dir, 'postgres.log');
  const bouncerPid = join(dir, 'pgbouncer.pid');
  const withLog = async <T>(what: string, log: string, p: Promise<T>): Promise<T> =>
    p.catch((e: Error) => {
      throw new Error(`${what} failed: ${e.message}\n${existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : ''}`);
    });

  let t = performance.now();
  await withLog(
    'initdb',
    pgLog,
    as(join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--no-sync',
      '-E',
      'UTF8',
      '--locale=C',
    ]),
  );
  const initdbMs = performance.now() - t;
  // fsync off and a small footprint: the data is thrown away, and CI has 2 cores.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=16MB -c max_connections=20`;
  const pgCtl = (args: string[]) =>
    withLog(
      `pg_ctl ${args[0]}`,
      pgLog,
      as(join(bin, 'pg_ctl'), [...args, '-D', data, '-l', pgLog, '-o', options, '-w', '-t', '30']),
    );
  t = performance.now();
  await pgCtl(['start']);
  const postgresStartMs = performance.now() - t;
  let postgresUp = true;

  const sql = async (text: string, database = 'postgres'): Promise<string> =>
    (
      await as(join(bin, 'psql'), [
        '-h',
        dir,
        '-p',
        String(port),
        '-U',
        'postgres',
        '-d',
        database,
        '-v',
        'ON_ERROR_STOP=1',
        '-qAtX',
        '-c',
        text,
      ])
    ).stdout;

  await sql(`CREATE ROLE ${FIXTURE.user} LOGIN PASSWORD '${FIXTURE.password}'`);
  await sql(`CREATE DATABASE ${FIXTURE.database} OWNER ${FIXTURE.user}`);

  const bouncerLog = join(dir, 'pgbouncer.log');
  const ini = join(dir, 'pgbouncer.ini');
  writeFileSync(join(dir, 'userlist.txt'), `"${FIXTURE.user}" "${FIXTURE.password}"\n`);
  writeFileSync(
    ini,
    [
      '[databases]',
      `${FIXTURE.database} = host=127.0.0.1 port=${port} dbname=${FIXTURE.database}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${poolerPort}`,
      'unix_socket_dir =',
      'auth_type = scram-sha-256',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      // Supabase's 6543 is a transaction-mode pooler.
      'pool_mode = transaction',
      `logfile = ${bouncerLog}`,
      `pidfile = ${bouncerPid}`,
      // A dead database is reported to the waiting client within seconds, not after the 120 s default.
      'server_connect_timeout = 3',
      'server_login_retry = 1',
      'query_wait_timeout = 2',
      '',
    ].join('\n'),
  );
  for (const f of ['userlist.txt', 'pgbouncer.ini']) own(join(dir, f));
  t = performance.now();
  await withLog('pgbouncer', bouncerLog, as('pgbouncer', ['-d', ini]));
  const pgbouncerStartMs = performance.now() - t;

  const url = (p: number, database: string, query = '') =>
    `postgresql://${FIXTURE.user}:${encodeURIComponent(FIXTURE.password)}@127.0.0.1:${p}/${database}${query}`;
  let stopped = false;
  return {
    port,
    poolerPort,
    directUrl: (database = FIXTURE.database, query = '') => url(port, database, query),
    pooledUrl: () => url(poolerPort, FIXTURE.database, '?pgbouncer=true'),
    sql,
    async stopPostgres() {
      if (!postgresUp) return;
      await pgCtl(['stop', '-m', 'fast']);
      postgresUp = false;
    },
    async startPostgres() {
      if (postgresUp) return;
      await pgCtl(['start']);
      postgresUp = true;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      // PgBouncer daemonized itself; its pid file names the one process this fixture started.
      const pid = existsSync(bouncerPid) ? Number(readFileSync(bouncerPid, 'utf8').trim()) : NaN;
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
      }
      if (postgresUp) await pgCtl(['stop', '-m', 'immediate']).catch(() => undefined);
      postgresUp = false;
      rmSync(dir, { recursive: true, force: true });
    },
    timings: { initdbMs, postgresStartMs, pgbouncerStartMs },
  };
}
