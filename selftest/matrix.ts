/**
 * The fault matrix: every sandbox fault, the runbook checks it must turn red, and (implicitly)
 * that every other check stays green. A check in tests/ with no row here could be broken
 * without anyone noticing; the matrix selftest fails when one is missing. Rows live in one
 * file per runbook section (`rows/`), so each section's owner edits only its own list.
 */
import { rows as agents } from './rows/agents.ts';
import { rows as cache } from './rows/cache.ts';
import { rows as infra } from './rows/infra.ts';
import { rows as monitor } from './rows/monitor.ts';
import { rows as quota } from './rows/quota.ts';
import { rows as rollback } from './rows/rollback.ts';
import { rows as smoke } from './rows/smoke.ts';
import type { MatrixRow } from './rows/row.ts';

export type { MatrixRow } from './rows/row.ts';

/** The healthy sandbox, run several times: a suite that flakes on a healthy stack cannot be trusted to fail on a broken one. */
const HEALTHY_REPEATS = 5;
const healthy: MatrixRow[] = Array.from({ length: HEALTHY_REPEATS }, (_, i) => ({
  name: `healthy sandbox (pre) #${i + 1}`,
  faults: [],
  fails: [],
}));

export const MATRIX: readonly MatrixRow[] = [
  ...healthy,
  ...smoke,
  ...infra,
  ...cache,
  ...quota,
  ...agents,
  ...rollback,
  ...monitor,
];
