import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { probePostgres } from '../src/clients/postgres-probe.ts';
import { readPrismaMigrations } from '../src/clients/prisma-migrations.ts';
import { judgeRow } from './judge.ts';
import { FIXTURE, realPostgresMissing, startRealPostgres, type RealPostgres } from './real-postgres.ts';
import { realPostgresRows } from './rows/infra.ts';
import { realPoolerRows } from './rows/rollback.ts';
import { evidenceFiles } from './run-cutover.ts';

// Our Postgres probe speaks the wire protocol itself, and the fake servers of its unit tests
// are our own reading of that protocol: here it meets Debian's PostgreSQL and PgBouncer, as the
// Langfuse database and the runbook's pooled 6543 would answer it.

/** Prisma's `_prisma_migrations` DDL (prisma-engines create_migrations_table; notes/infra.md §6). */
const PRISMA_TABLE = (schema: string) => `CREATE TABLE ${schema}._prisma_migrations (
  id VARCHAR(36) PRIMARY KEY NOT NULL, checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ,
  migration_name VARCHAR(255) NOT NULL, logs TEXT, rolled_back_at TIMESTAMPTZ,
  started_at TIMESTAMPTZ NOT NULL DEFAULT now(), applied_steps_count INTEGER NOT NULL DEFAULT 0);
ALTER TABLE ${schema}._prisma_migrations OWNER TO ${FIXTURE.user};`;

/** One migration row: `finished` and `rolledBack` as minutes after its start, or null. */
const row = (
  schema: string,
  name: string,
  o: { startedMin: number; finished?: boolean; rolledBack?: boolean; logs?: string },
) =>
  `INSERT INTO ${schema}._prisma_migrations (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES (` +
  `gen_random_uuid()::text, md5('${name}') || md5('${name}'), ${o.finished ? `timestamptz '2025-01-01' + interval '${o.startedMin + 1} min'` : 'NULL'}, '${name}', ` +
  `${o.logs ? `'${o.logs.replace(/'/g, "''")}'` : 'NULL'}, ${o.rolledBack ? `timestamptz '2025-01-01' + interval '${o.startedMin + 2} min'` : 'NULL'}, timestamptz '2025-01-01' + interval '${o.startedMin} min', ${o.finished ? 1 : 0});`;

const FAILED_LOGS = 'ERROR: relation "scores" does not exist\n   0: sql_schema_connector::apply_migration';

/** Seeds the databases the tests and rows read: healthy, pending, no table, an empty table, a named schema. */
async function seed(pg: RealPostgres): Promise<void> {
  for (const db of ['lf_pending', 'lf_empty', 'lf_zero']) await pg.sql(`CREATE DATABASE ${db} OWNER ${FIXTURE.user}`);
  await pg.sql(
    [
      PRISMA_TABLE('public'),
      row('public', '20240104000000_init', { startedMin: 0, finished: true }),
      // Failed, marked rolled back (prisma migrate resolve --rolled-back), then applied again: history, not a problem.
      row('public', '20240612000000_add_traces_index', {
        startedMin: 10,
        rolledBack: true,
        logs: 'ERROR: deadlock detected',
      }),
      row('public', '20240612000000_add_traces_index', { startedMin: 20, finished: true }),
      row('public', '20250301000000_add_prompt_labels', { startedMin: 30, finished: true }),
      `CREATE SCHEMA langfuse AUTHORIZATION ${FIXTURE.user};`,
      PRISMA_TABLE('langfuse'),
      row('langfuse', '20240101000000_in_named_schema', { startedMin: 0, finished: true }),
    ].join('\n'),
    'langfuse',
  );
  await pg.sql(
    [
      PRISMA_TABLE('public'),
      row('public', '20240104000000_init', { startedMin: 0, finished: true }),
      row('public', '20250315000000_drop_old_sessions', {
        startedMin: 5,
        rolledBack: true,
        logs: 'ERROR: lock timeout',
      }),
      row('public', '20250401000000_add_scores_index', { startedMin: 10, logs: FAILED_LOGS }),
      row('public', '20250402000000_add_events', { startedMin: 20 }),
    ].join('\n'),
    'lf_pending',
  );
  await pg.sql(PRISMA_TABLE('public'), 'lf_zero');
}

const missing = realPostgresMissing();
let pg: RealPostgres;
/** A second pair whose PostgreSQL is stopped before anyone connects: the pooler is up, its database is not. */
let dead: RealPostgres;

describe.skipIf(missing !== undefined)('real PostgreSQL and PgBouncer', () => {
  beforeAll(async () => {
    [pg, dead] = await Promise.all([startRealPostgres(), startRealPostgres()]);
    await dead.stopPostgres();
    await seed(pg);
  });
  afterAll(async () => {
    await Promise.all([pg?.stop(), dead?.stop()]);
  });

  describe.sequential('the probe and the _prisma_migrations reader', () => {
    const opts = { timeoutMs: 10_000 };

    test('applied migrations: count and latest; a rolled-back row applied again is history', async () => {
      const res = await readPrismaMigrations(pg.directUrl(), opts);
      expect(res).toMatchObject({
        kind: 'read',
        table: 'public._prisma_migrations',
        applied: 3,
        latest: '20250301000000_add_prompt_labels',
        pending: [],
      });
    });

    test('failed, unfinished and rolled-back-never-reapplied migrations are each named', async () => {
      const res = await readPrismaMigrations(pg.directUrl('lf_pending'), opts);
      expect(res).toMatchObject({
        kind: 'read',
        applied: 1,
        latest: '20240104000000_init',
        pending: [
          { name: '20250401000000_add_scores_index', state: 'failed', logs: FAILED_LOGS },
          { name: '20250402000000_add_events', state: 'unfinished' },
          { name: '20250315000000_drop_old_sessions', state: 'rolled-back' },
        ],
      });
    });

    test('no table is its own answer (SQLSTATE 42P01), and an empty table reads as nothing applied', async () => {
      expect(await readPrismaMigrations(pg.directUrl('lf_empty'), opts)).toEqual({
        kind: 'missing',
        table: 'public._prisma_migrations',
        error: `postgres 127.0.0.1:${pg.port}/lf_empty: the query failed: relation "public._prisma_migrations" does not exist (SQLSTATE 42P01)`,
      });
      expect(await readPrismaMigrations(pg.directUrl('lf_zero'), opts)).toMatchObject({
        kind: 'read',
        applied: 0,
        latest: null,
        pending: [],
      });
    });

    test("Prisma's ?schema= selects the schema the table lives in", async () => {
      const res = await readPrismaMigrations(pg.directUrl('langfuse', '?schema=langfuse'), opts);
      expect(res).toMatchObject({
        kind: 'read',
        table: 'langfuse._prisma_migrations',
        applied: 1,
        latest: '20240101000000_in_named_schema',
      });
    });

    test('through PgBouncer (transaction pooling, SCRAM): SELECT 1 and the migrations query both answer', async () => {
      expect(await probePostgres(pg.pooledUrl(), opts)).toMatchObject({
        ok: true,
        auth: 'scram-sha-256',
        rows: [['1']],
        tls: false,
        serverVersion: expect.stringMatching(/^\d+\.\d+/),
      });
      expect(await readPrismaMigrations(pg.pooledUrl(), opts)).toMatchObject({ kind: 'read', applied: 3 });
    });

    test('a wrong password is refused by the server and by the pooler, and never echoed', async () => {
      const wrong = (url: string) => url.replace(encodeURIComponent(FIXTURE.password), 'wrong-Pa55word-x');
      const direct = await probePostgres(wrong(pg.directUrl()), opts);
      expect(direct).toEqual({
        ok: false,
        sqlstate: '28P01',
        error: `postgres 127.0.0.1:${pg.port}/langfuse: password authentication failed for user "langfuse" (SQLSTATE 28P01)`,
      });
      const pooled = await probePostgres(wrong(pg.pooledUrl()), opts);
      expect(pooled).toMatchObject({
        ok: false,
        error: expect.stringMatching(
          new RegExp(`^postgres 127\\.0\\.0\\.1:${pg.poolerPort}/langfuse: .*authentication failed`),
        ),
      });
      expect(JSON.stringify([direct, pooled])).not.toContain('wrong-Pa55word-x');
    });

    test('PgBouncer up, PostgreSQL down: fails naming the pooler endpoint, before and after the pool had a connection', async () => {
      const endpoint = `postgres 127.0.0.1:${dead.poolerPort}/langfuse`;
      // With a probe budget under the pooler's query_wait_timeout (2 s here, 120 s by default) the client is still waiting.
      const waiting = await probePostgres(dead.pooledUrl(), { timeoutMs: 1000 });
      expect(waiting).toEqual({
        ok: false,
        error: `${endpoint}: no answer to the login (a pooler whose database is down keeps its clients waiting like this) within 1000 ms`,
      });
      const fresh = await probePostgres(dead.pooledUrl(), opts);
      expect(fresh).toMatchObject({
        ok: false,
        error: expect.stringMatching(
          new RegExp(
            `^${endpoint}: .*the pooler answered, but has no connection to the database behind it \\(is the database down\\?\\)$`,
          ),
        ),
      });

      await dead.startPostgres();
      // PgBouncer waits server_login_retry after a failed server login before it tries again.
      const deadline = Date.now() + 10_000;
      let up = await probePostgres(dead.pooledUrl(), opts);
      while (!up.ok && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        up = await probePostgres(dead.pooledUrl(), opts);
      }
      expect(up).toMatchObject({ ok: true });
      await dead.stopPostgres();
      const used = await probePostgres(dead.pooledUrl(), opts);
      expect(used).toMatchObject({
        ok: false,
        error: expect.stringMatching(
          new RegExp(
            `^${endpoint}: SELECT 1 failed: .*the pooler answered, but has no connection to the database behind it`,
          ),
        ),
      });
      // The direct port is simply closed: a different, equally plain answer.
      expect(await probePostgres(dead.directUrl(), opts)).toEqual({
        ok: false,
        error: `postgres 127.0.0.1:${dead.port}/langfuse: unreachable (ECONNREFUSED)`,
      });
    });
  });

  // Whole sandbox rehearsals with the Langfuse database and the pooled fallback pointed at the
  // real servers. The rows' URLs exist only once the servers run, so names come from placeholders.
  describe.concurrent('the cutover rehearsal against them', () => {
    const rows = (db: (d: string) => string, pooled: { up: string; databaseDown: string }) => [
      ...realPostgresRows(db),
      ...realPoolerRows(pooled),
    ];
    const named = rows((d) => d, { up: 'up', databaseDown: 'down' });
    named.forEach((r, i) => {
      test(`${r.name} → ${r.fails.length ? `failed: ${r.fails.join(', ')}` : 'all green'}`, async () => {
        const row = rows((d) => pg.directUrl(d), { up: pg.pooledUrl(), databaseDown: dead.pooledUrl() })[i]!;
        const v = await judgeRow(row);
        expect(v.problems, `evidence: ${v.run.evidenceDir}`).toEqual([]);
        // The suite redacts URL passwords (config/load.ts DATABASE_URL_VARIABLES); prove it on a real run.
        const outputs = [v.run.stdout, v.run.stderr, ...evidenceFiles(v.run.evidenceDir).map(([, text]) => text)];
        expect(outputs.filter((o) => o.includes(FIXTURE.password))).toEqual([]);
      });
    });
  });
});

test.runIf(missing !== undefined)(
  'real PostgreSQL and PgBouncer are installed (apt-get install postgresql pgbouncer)',
  () => {
    expect.fail(`${missing}: the probe's tests against a real server cannot run`);
  },
);
