import type { MatrixRow } from './row.ts';

/** Runbook §3 smoke: latency and trace visibility. */
export const rows: readonly MatrixRow[] = [
  { faults: ['upstream-slow'], fails: ['3/smoke'], because: /total_ms = \d+(\.\d+)? ms, required < 2000 ms/ },
  { faults: ['trace-dropped'], fails: ['3/smoke'], because: /never appeared .*LANGFUSE_WAIT_MS=3000/, env: { LANGFUSE_WAIT_MS: '3000' } },
  // Langfuse takes 20 s to ingest: every trace check must wait for it (LANGFUSE_WAIT_MS, 90 s by
  // default) rather than fail early; a suite that gave up after a few seconds would cry wolf.
  { name: 'slow Langfuse ingestion (20 s) is waited for', faults: ['ingestion-slow'], fails: [] },
];
