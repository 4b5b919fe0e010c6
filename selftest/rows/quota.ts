import type { MatrixRow } from './row.ts';

/** Runbook §5: RPM enforcement (5.1) and context-window failover (5.2). */
export const rows: readonly MatrixRow[] = [
  {
    faults: ['rpm-off'],
    fails: ['5.1/rpm-limit'],
    because:
      /http_200_count = 101 requests, required == 100 requests[\s\S]*http_429_count = 0 requests, required == 1 requests/,
  },
  // Counters per worker process: every request of the burst is answered, and the failure names
  // the likely cause with the cache type it read.
  {
    faults: ['limiter-per-process'],
    fails: ['5.1/rpm-limit'],
    because:
      /101 of 101 requests in one window were answered[\s\S]*cache type is `redis-semantic`, and LiteLLM shares rate-limit counters across worker processes and machines only through an exact Redis cache/,
  },
  {
    faults: ['rpm-off-by-one'],
    fails: ['5.1/rpm-limit'],
    because:
      /http_200_count = 101 requests, required == 100 requests[\s\S]*http_429_count = 0 requests, required == 1 requests/,
  },
  {
    faults: ['throttle-not-logged'],
    fails: ['5.1/rpm-limit'],
    because:
      /Langfuse is not a failure callback of the gateway .*litellm_settings: callbacks: \["langfuse"\].* or failure_callback: \["langfuse"\]/,
  },
  {
    faults: ['no-escalation'],
    fails: ['5.2/failover'],
    because: /2400-token prompt to gpt-4o-mini was served by gpt-4o-mini, not gpt-4o/,
  },
  {
    faults: ['escalation-always'],
    fails: ['5.2/failover'],
    because: /1500-token control prompt was served by gpt-4o, not gpt-4o-mini/,
  },
  {
    faults: ['escalation-no-cost'],
    fails: ['5.2/failover'],
    because: /escalation_cost_microusd = 0 µUSD, required > 0 µUSD/,
  },
];
