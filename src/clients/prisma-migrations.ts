import { probePostgres } from './postgres-probe.ts';

/** A migration Prisma has not finished: `failed` left logs, `unfinished` did not (it may still be running), `rolled-back` was marked rolled back and never applied again. */
interface PendingMigration {
  readonly name: string;
  readonly state: 'failed' | 'unfinished' | 'rolled-back';
  /** The start of the row's `logs` (Prisma's error output), when it has any. */
  readonly logs?: string;
}

/**
 * What Langfuse's Postgres `_prisma_migrations` says: `read` with the applied count, the
 * latest applied migration (names start with their timestamp, so the greatest name is the
 * newest) and the migrations that are not applied cleanly; `missing` when the table does not
 * exist (Prisma never migrated this schema); `unreachable` when the query did not run at all.
 */
export type PrismaMigrations =
  | {
      readonly kind: 'read';
      readonly table: string;
      readonly applied: number;
      readonly latest: string | null;
      readonly pending: readonly PendingMigration[];
      readonly ms: number;
    }
  | { readonly kind: 'missing'; readonly table: string; readonly error: string }
  | { readonly kind: 'unreachable'; readonly table: string; readonly error: string };

/** At most this many pending migrations are listed; more than a handful means the same story. */
const LIST_LIMIT = 20;

const quoteIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/**
 * Reads `_prisma_migrations` through `probePostgres` with one read-only simple query. The
 * table lives in the schema Prisma's `?schema=` URL parameter names (default `public`;
 * notes/infra.md §6). A row is a problem as Prisma's `migrate deploy` sees it (P3009): not
 * rolled back and `finished_at` NULL, `failed` when Prisma wrote `logs`. A migration whose
 * every row is rolled back is pending too: the next deploy applies it again. A rolled-back row
 * followed by a finished one is history, not a problem. The table missing (SQLSTATE 42P01) is
 * its own kind, not an unreachable database.
 */
export async function readPrismaMigrations(url: string, o: { timeoutMs: number }): Promise<PrismaMigrations> {
  let schema = 'public';
  try {
    schema = new URL(url).searchParams.get('schema') || 'public';
  } catch {
    // probePostgres reports the malformed URL.
  }
  const table = `${quoteIdent(schema)}._prisma_migrations`;
  const shown = `${schema}._prisma_migrations`;
  const applied = 'finished_at IS NOT NULL AND rolled_back_at IS NULL';
  const query = [
    `SELECT 'applied', count(*)::text, max(migration_name) FROM ${table} WHERE ${applied}`,
    `UNION ALL (SELECT CASE WHEN logs IS NULL THEN 'unfinished' ELSE 'failed' END, left(logs, 300), migration_name FROM ${table} WHERE finished_at IS NULL AND rolled_back_at IS NULL ORDER BY started_at LIMIT ${LIST_LIMIT})`,
    `UNION ALL (SELECT DISTINCT 'rolled-back', NULL, r.migration_name FROM ${table} r WHERE r.rolled_back_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${table} a WHERE a.migration_name = r.migration_name AND a.rolled_back_at IS NULL) ORDER BY 3 LIMIT ${LIST_LIMIT})`,
  ].join(' ');
  const res = await probePostgres(url, { timeoutMs: o.timeoutMs, query });
  if (!res.ok)
    return res.sqlstate === '42P01'
      ? { kind: 'missing', table: shown, error: res.error }
      : { kind: 'unreachable', table: shown, error: res.error };
  const summary = res.rows.find((r) => r[0] === 'applied');
  const pending = res.rows
    .filter((r) => r[0] !== 'applied')
    .map(
      (r): PendingMigration => ({
        name: r[2] ?? '(no name)',
        state: r[0] as PendingMigration['state'],
        ...(r[1] ? { logs: r[1] } : {}),
      }),
    );
  return {
    kind: 'read',
    table: shown,
    applied: Number(summary?.[1] ?? 0),
    latest: summary?.[2] ?? null,
    pending,
    ms: res.ms,
  };
}
