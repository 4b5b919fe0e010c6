import type { MatrixRow } from './row.ts';

/**
 * Runbook §4 cache. Faults on the gateway's shared hit path (no caching at all, no cache-key
 * header, hits logged as misses) break the semantic cache's promise too, as they would on a
 * real LiteLLM, so those rows name both checks. The warmed-cache case needs two runs against
 * one sandbox and lives in `selftest/warm-cache.test.ts`.
 */
export const rows: readonly MatrixRow[] = [
  // With no cache at all the gateway also reports `cache: null`, which 1/redis judges in the
  // infra section's own cache-off row; skipped here so this row judges the cache checks.
  { faults: ['cache-off'], fails: ['4.1/exact-cache', '4.2/semantic-cache'], because: /no x-litellm-cache-key header/, env: { CUTOVER_SKIP: '1/redis' } },
  { faults: ['cache-hit-slow'], fails: ['4.1/exact-cache'], because: /request_2_ms = \d+(\.\d+)? ms, required < 100 ms/ },
  { faults: ['cache-key-header-missing'], fails: ['4.1/exact-cache', '4.2/semantic-cache'], because: /no x-litellm-cache-key header/ },
  { faults: ['langfuse-cache-hit-missing'], fails: ['4.1/exact-cache', '4.2/semantic-cache'], because: /metadata\.cache_hit = false, expected true/ },
  { faults: ['semantic-off'], fails: ['4.2/semantic-cache'], because: /not served from the semantic cache/ },
  // A cache that answers everything also answers §4.1's request 1 whenever another check has
  // already filled the semantic index: an outcome that depends on test-file order. 4.1 is
  // skipped on purpose so that the row judges exactly the promise this fault breaks.
  { faults: ['semantic-too-loose'], fails: ['4.2/semantic-cache'], because: /unrelated control prompt .* was a hit .*answers everything/, env: { CUTOVER_SKIP: '4.1/exact-cache' } },
];
