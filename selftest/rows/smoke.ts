import type { MatrixRow } from './row.ts';

/** Runbook §3 smoke: latency and trace visibility. */
export const rows: readonly MatrixRow[] = [
  { faults: ['upstream-slow'], fails: ['3/smoke'], because: /total_ms = \d+(\.\d+)? ms, required < 2000 ms/ },
  { faults: ['trace-dropped'], fails: ['3/smoke'], because: /never appeared .*LANGFUSE_WAIT_MS=3000/, env: { LANGFUSE_WAIT_MS: '3000' } },
];
