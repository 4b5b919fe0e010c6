/**
 * The fault matrix: every sandbox fault, the runbook checks it must turn red, and (implicitly)
 * that every other check stays green. A check in tests/ with no row here could be broken
 * without anyone noticing; the matrix selftest fails when one is missing.
 */
export interface MatrixRow {
  /** Sandbox faults switched on for this run; empty for the healthy baseline. */
  readonly faults: readonly string[];
  /** Check ids that must end `failed`; every other check must pass. */
  readonly fails: readonly string[];
  /** Words the failure message of each failing check must contain (it must say why). */
  readonly because?: RegExp;
  /** Extra environment for the run. */
  readonly env?: Readonly<Record<string, string>>;
}

export const MATRIX: readonly MatrixRow[] = [
  { faults: [], fails: [] },
  { faults: ['upstream-slow'], fails: ['3/smoke'], because: /total_ms = \d+(\.\d+)? ms, required < 2000 ms/ },
  { faults: ['trace-dropped'], fails: ['3/smoke'], because: /never appeared .*LANGFUSE_WAIT_MS=3000/, env: { LANGFUSE_WAIT_MS: '3000' } },
];
