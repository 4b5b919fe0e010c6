import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { sendJson } from '../http.ts';
import { sessionExpiry, type UiAuth } from './nextauth.ts';

/** One row of Postgres `background_migrations`, as `backgroundMigrations.all` returns it. */
export interface BackgroundMigration {
  id: string;
  name: string;
  script: string;
  args: Record<string, unknown>;
  state: Record<string, unknown>;
  finishedAt: Date | null;
  failedAt: Date | null;
  failedReason: string | null;
  workerId: string | null;
  lockedAt: Date | null;
}

// v3's own backfills finished long ago; the names are representative, not an exhaustive list.
const FINISHED = [
  ['20241024_1216_add_generations_cost_backfill', 'addGenerationsCostBackfill'],
  ['20241024_1730_migrate_traces_from_pg_to_ch', 'migrateTracesFromPostgresToClickhouse'],
  ['20241024_1737_migrate_observations_from_pg_to_ch', 'migrateObservationsFromPostgresToClickhouse'],
  ['20241024_1738_migrate_scores_from_pg_to_ch', 'migrateScoresFromPostgresToClickhouse'],
] as const;

// v3.203.0+ ships the v4 backfill steps dormant: inserted by Prisma migrations
// 20260701115500…115504, gated on an env var the worker never sets on v3, never locked.
const DORMANT_GATES = [
  'LANGFUSE_BACKGROUND_MIGRATION_V4_ENABLE_HISTORIC_BACKFILL',
  'LANGFUSE_BACKGROUND_MIGRATION_V4_ENABLE_HISTORIC_BACKFILL',
  'LANGFUSE_BACKGROUND_MIGRATION_V4_ENABLE_HISTORIC_BACKFILL',
  'LANGFUSE_BACKGROUND_MIGRATION_V4_ENABLE_HISTORIC_BACKFILL',
  'LANGFUSE_BACKGROUND_MIGRATION_V4_DROP_PID_TID_SORTING_TABLES',
] as const;

/**
 * The `background_migrations` rows of a v3.225.4 install: finished backfills plus the five
 * dormant `20260701_v4_step_*` rows. With `pending`, one ordinary migration is mid-run: locked
 * by a worker and unfinished, which is what a cutover must not start on.
 */
export function backgroundMigrations(pending: boolean): BackgroundMigration[] {
  const installedAt = new Date(Date.now() - 90 * 24 * 3600_000);
  const rows: BackgroundMigration[] = FINISHED.map(([name, script]) => ({
    id: randomUUID(),
    name,
    script,
    args: {},
    state: {},
    finishedAt: installedAt,
    failedAt: null,
    failedReason: null,
    workerId: null,
    lockedAt: null,
  }));
  DORMANT_GATES.forEach((envGate, i) =>
    rows.push({
      id: randomUUID(),
      name: `20260701_v4_step_${i + 1}`,
      script: `v4Step${i + 1}`,
      args: { envGate },
      state: {},
      finishedAt: null,
      failedAt: null,
      failedReason: null,
      workerId: null,
      lockedAt: null,
    }),
  );
  if (pending) {
    rows.push({
      id: randomUUID(),
      name: '20250519_traces_to_events',
      script: 'migrateTracesToEvents',
      args: {},
      state: { maxDate: new Date().toISOString() },
      finishedAt: null,
      failedAt: null,
      failedReason: null,
      workerId: randomUUID(),
      lockedAt: new Date(Date.now() - 60_000),
    });
  }
  return rows;
}

/**
 * v3.225.4's `backgroundMigrations.status`: FAILED if any row failed, ACTIVE if any row is
 * unfinished (dormant rows included: the bug fixed only in v4.3.0), otherwise FINISHED.
 */
function migrationStatus(rows: readonly BackgroundMigration[]): 'FINISHED' | 'ACTIVE' | 'FAILED' {
  if (rows.some((r) => r.failedAt !== null)) return 'FAILED';
  if (rows.some((r) => r.finishedAt === null)) return 'ACTIVE';
  return 'FINISHED';
}

// superjson sends Dates as ISO strings and lists their paths under `meta.values`.
function superjson(value: unknown): { json: unknown; meta?: { values: Record<string, ['Date']> } } {
  const values: Record<string, ['Date']> = {};
  const walk = (v: unknown, path: string[]): unknown => {
    if (v instanceof Date) {
      values[path.join('.')] = ['Date'];
      return v.toISOString();
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, String(i)]));
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...path, k])]));
    return v;
  };
  const json = walk(value, []);
  return Object.keys(values).length > 0 ? { json, meta: { values } } : { json };
}

const PROCEDURES = {
  'backgroundMigrations.status': (rows: BackgroundMigration[]) => ({ status: migrationStatus(rows) }),
  'backgroundMigrations.all': (rows: BackgroundMigration[]) => ({ migrations: rows }),
} as const;

function unauthorized(path: string) {
  return {
    error: { json: { message: 'UNAUTHORIZED', code: -32001, data: { code: 'UNAUTHORIZED', httpStatus: 401, path } } },
  };
}

/**
 * `GET /api/trpc/<procedure>[,<procedure>…][?batch=1]` for the two background-migration
 * procedures (tRPC v11 + superjson). Both are `authenticatedProcedure`s: without a session
 * each answers the tRPC UNAUTHORIZED error with HTTP 401. Unknown procedures are NOT_FOUND.
 */
export function handleTrpc(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  a: UiAuth,
  rows: () => BackgroundMigration[],
): void {
  const paths = decodeURIComponent(url.pathname.slice('/api/trpc/'.length)).split(',');
  const batch = url.searchParams.get('batch') === '1';
  const loggedIn = sessionExpiry(req, a) !== undefined;
  const results = paths.map((path) => {
    const proc = PROCEDURES[path as keyof typeof PROCEDURES];
    if (!proc) {
      return {
        status: 404,
        body: {
          error: {
            json: {
              message: `No procedure found on path "${path}"`,
              code: -32004,
              data: { code: 'NOT_FOUND', httpStatus: 404, path },
            },
          },
        },
      };
    }
    if (!loggedIn) return { status: 401, body: unauthorized(path) };
    return { status: 200, body: { result: { data: superjson(proc(rows())) } } };
  });
  const status = results.every((r) => r.status === results[0]?.status) ? (results[0]?.status ?? 200) : 207;
  sendJson(res, status, batch ? results.map((r) => r.body) : results[0]?.body);
}
