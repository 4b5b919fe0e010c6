import type { MatrixRow } from './row.ts';

/**
 * Runbook §6 live traffic and §7 watch (post-cutover). Selftest evidence dirs are fresh, so the
 * latency baseline comes from BASELINE_P95_MS: the healthy sandbox's uncached gateway p95 is
 * about 200–280 ms (150 ms upstream + embedding + overhead), giving a 550 ms limit; the
 * latency-doubled fault (750 ms upstream, 5x) lands well above it.
 */
const post = { phase: 'post', env: { BASELINE_P95_MS: '275' } } as const;

export const rows: readonly MatrixRow[] = [
  // The rehearsal's gateway is a fleet: each machine is scraped on its own and Langfuse agrees.
  {
    ...post,
    name: 'healthy sandbox (post)',
    faults: [],
    fails: [],
    observes: [
      {
        check: '7/watch',
        key: 'trafficSource',
        matches:
          /^"metrics from 2 gateway machines, each scraped with fly-force-instance-id decided \d+ polls; Langfuse decided 0 polls"$/,
      },
      {
        check: '7/watch',
        key: 'trafficSources',
        matches:
          /"crossCheck":\{"atMs":\d+,"metrics":\{"requests":\d+,"errors":0\},"langfuse":\{"requests":\d+,"errors":0\}\}/,
      },
    ],
  },
  {
    ...post,
    faults: ['error-burst'],
    fails: ['7/watch'],
    because:
      /^ROLLBACK: error rate \d+\.\d % > 2\.0 % over \d+ requests \(window 10 s\) at [\d.]+ s of 20 s\. Runbook §7, "LiteLLM unavailable"/,
  },
  {
    ...post,
    faults: ['latency-doubled'],
    fails: ['7/watch'],
    because:
      /^ROLLBACK: p95 latency \d+ ms > limit 550 ms \(baseline p95 275 ms\) over \d+ requests \(window 10 s\) at [\d.]+ s of 20 s/,
  },
  // §6 expectations missed while the §7 rules held: the gateway stays, the findings need action.
  {
    ...post,
    faults: ['low-hit-rate'],
    fails: ['6/live-traffic'],
    verdict: 'hold-with-findings',
    because: /cache_hit_rate = 0 ratio, required >= 0\.3 ratio/,
  },
  {
    ...post,
    faults: ['agent-missing'],
    fails: ['6/live-traffic'],
    verdict: 'hold-with-findings',
    because: /agent returns-assistant: no trace tagged agent:returns-assistant/,
  },
  // Missing or untrustworthy metrics are missing data, never zero traffic: the watch says which
  // case it met and decides from Langfuse, the runbook's own traffic source.
  ...(
    [
      ['metrics-off', /no litellm_\* family: the prometheus callback is off/],
      [
        'metrics-gated',
        /only litellm_not_a_premium_user_metric: this LiteLLM build gates Prometheus behind an Enterprise licence/,
      ],
      [
        'metrics-key-refused',
        /HTTP 401: the gateway refused the admin key \(GATEWAY_ADMIN_KEY\) for its Prometheus metrics/,
      ],
      [
        'metrics-per-worker',
        /answered \/metrics\/ from 2 processes in turn .*several workers keep counters of their own/,
      ],
    ] as const
  ).map(
    ([fault, why]): MatrixRow => ({
      ...post,
      faults: [fault],
      fails: [],
      observes: ['6/live-traffic', '7/watch'].map((check) => ({
        check,
        key: 'trafficSource',
        matches: new RegExp(`^"gateway metrics not used: .*${why.source}.*; Langfuse decided \\d+ polls"$`),
      })),
    }),
  ),
  // A machine restarting mid-watch resets its own counters only: the watch counts on, and says so.
  {
    ...post,
    faults: ['machine-restarted-mid-watch'],
    fails: [],
    observes: [
      {
        check: '7/watch',
        key: 'trafficSource',
        matches: /^"metrics from 2 gateway machines.*; [0-9a-f]{14} restarted 1x"$/,
      },
    ],
  },
  // No baseline is missing input, never a rollback: the latency rule cannot decide, the error-rate rule still does.
  {
    name: 'post-cutover without a latency baseline',
    phase: 'post',
    faults: [],
    fails: ['7/watch'],
    status: 'inconclusive',
    because:
      /^inconclusive: the latency rule cannot decide: no latency baseline: no pre-cutover evidence at .*BASELINE_P95_MS is not set.*\. The error-rate rule did decide: at most 0\.0 % <= 2\.0 % over \d+ windows$/,
  },
];
