import type { MatrixRow } from './row.ts';

/** Runbook §3 smoke: latency and trace visibility. */
export const rows: readonly MatrixRow[] = [
  { faults: ['upstream-slow'], fails: ['3/smoke'], because: /total_ms = \d+(\.\d+)? ms, required < 2000 ms/ },
  // Every check that waits for its Langfuse trace is blind when Langfuse stores nothing. Half a
  // wait in, the first check finds no trace of the run at all and says why once; the others stop
  // at once with the same cause instead of each waiting the whole LANGFUSE_WAIT_MS.
  {
    faults: ['trace-dropped'],
    fails: ['3/smoke', '4.1/exact-cache', '4.2/semantic-cache', '5.1/rpm-limit', '5.2/failover'],
    because:
      /no trace of this run \(tag run:\S+\) reached Langfuse in \d+ s, although the gateway answered: .*Raising LANGFUSE_WAIT_MS will not help/,
    env: { LANGFUSE_WAIT_MS: '12000' },
  },
  // Langfuse takes 20 s to ingest: every trace check must wait for it (LANGFUSE_WAIT_MS, 90 s by
  // default) rather than fail early; a suite that gave up after a few seconds would cry wolf.
  { name: 'slow Langfuse ingestion (20 s) is waited for', faults: ['ingestion-slow'], fails: [], long: true },
];
