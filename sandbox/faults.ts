/**
 * The sandbox's named faults. Each one breaks exactly one promise of the cutover runbook, so
 * that the selftest matrix can prove every check is able to turn red. The names are the
 * public contract with `selftest/` and with `SANDBOX_FAULTS=a,b`; descriptions are what
 * `pnpm sandbox --list-faults` prints.
 */
export const FAULTS = {
  'upstream-slow': 'the upstream model provider answers after 3 s instead of ~150 ms (§3 latency)',
  'trace-dropped': 'Langfuse accepts ingestion with 207 but never stores the trace (§3 trace visible)',
  'ingestion-slow': 'Langfuse stores ingested events only after 20 s instead of ~0.3 s',
  'cache-off': 'the gateway runs with no response cache at all (cache: false): repeats never hit (§4.1)',
  'cache-hit-slow': 'cache hits take 250 ms more (§4.1 < 100 ms)',
  'cache-key-header-missing': 'cache hits omit the x-litellm-cache-key header (§4.1)',
  'langfuse-cache-hit-missing': 'the gateway logs cache hits to Langfuse with cache_hit: false (§4.1)',
  'semantic-off':
    'the semantic cache threshold is so tight that only identical prompts hit: paraphrases miss (§4.2; §4.1 still passes)',
  'semantic-too-loose': 'the semantic cache threshold is 0, so every prompt is a hit (§4.2 control)',
  'cache-exact-only':
    'the cache is type redis (exact match) instead of semantic: paraphrases can never hit (§4.2; §4.1 still passes)',
  'embedding-down':
    'the embedding model answers 500: the semantic cache can neither look up nor store, so nothing is served from cache (§4.1, §4.2)',
  'embedding-slow':
    "the semantic cache's embedding call takes ~300 ms, so every lookup, exact repeats included, takes over 100 ms (§4.1)",
  'rpm-off': 'virtual-key rpm_limit is not enforced (§5.1)',
  'limiter-per-process':
    'the gateway runs 2 worker processes whose rate-limit counters are their own (LiteLLM shares them only through an exact Redis cache), so limit+1 requests all pass (§5.1)',
  'rpm-off-by-one': 'the rate limiter lets limit+1 requests through before the first 429 (§5.1)',
  'throttle-not-logged': 'langfuse is only a success callback, so 429s never reach Langfuse (§5.1)',
  'no-escalation': 'context_window_fallbacks is missing: long prompts stay on gpt-4o-mini (§5.2)',
  'escalation-always': 'every request is served by gpt-4o, whatever its size (§5.2 control)',
  'escalation-no-cost':
    'escalated generations are logged to Langfuse with cost 0, as when LiteLLM has no price for the model (§5.2)',
  'team-key-revoked':
    "order-tracker's rotated team key (TEAM_KEY_order_tracker) is not known to the gateway, as after a revoke or delete: it answers 401 (§6 team keys)",
  'team-key-wrong-model':
    "returns-assistant's team key (TEAM_KEY_returns_assistant) allows only gpt-4o, not the gpt-4o-mini its agent uses (§6 team keys)",
  'machine-unhealthy': 'one gateway machine fails its health check (§2 Fly)',
  'process-missing': 'the gateway app has no machine in the worker process group (§2 Fly)',
  'wrong-region': 'one gateway machine runs in iad instead of ord (§2 Fly)',
  'image-mismatch': 'one gateway machine runs an older image and release: a half-finished deploy (§2 Fly)',
  'clickhouse-down': 'ClickHouse does not answer queries (§2 ClickHouse)',
  'clickhouse-bad-auth': 'ClickHouse rejects the configured credentials (§2 ClickHouse)',
  'secret-missing': 'the gateway app lacks the REDIS_URL secret: the vault was never synced to Fly (§1 secrets)',
  'schema-dirty': 'ClickHouse schema_migrations is dirty: a Langfuse migration failed half-way (§1 schema)',
  'worker-redis-down': 'the Langfuse worker cannot reach Redis: its /api/health answers 500 (§1 Redis)',
  'minio-not-ready': 'MinIO is live but its cluster health answers 503 (§2 MinIO)',
  'langfuse-login-broken': 'the Langfuse UI rejects the vault credentials (§2 Langfuse UI)',
  'migration-pending': 'a non-dormant Langfuse background migration is still running (§2 Langfuse UI)',
  'langfuse-v4-events-only':
    'Langfuse runs v4 in events_only mode: legacy reads 404, ingestion rejected (§2 Langfuse UI)',
  'tls-expiring': 'the gateway certificate expires in 3 days (§1 TLS)',
  'tls-wrong-host': 'the gateway certificate is issued for another host name (§1 TLS)',
  'metrics-off':
    'the gateway serves /metrics/ without any litellm_* family: the prometheus callback is off (§6, §7 watch)',
  'metrics-gated':
    'the gateway serves only litellm_not_a_premium_user_metric, as an enterprise-gated build without a licence does (§6, §7 watch)',
  'metrics-key-refused':
    'the gateway answers /metrics/ with 401 even to the admin key, as a deployment whose metrics auth wants another key does (§6, §7 watch)',
  'metrics-per-worker':
    'every gateway machine runs 2 uvicorn workers without Prometheus multiprocess mode: each worker has its own registry and process_start_time_seconds and answers every other /metrics/ scrape, so successive scrapes of one machine disagree (§6, §7 watch)',
  'machine-restarted-mid-watch':
    'the second gateway machine restarts 8 s after its first /metrics/ scrape: its counters start again from zero under a later process_start_time_seconds while requests keep being served (§6, §7 watch)',
  'error-burst': 'live traffic: 10 % of gateway requests fail with 500 (§7 watch)',
  'latency-doubled': 'live traffic: upstream latency is 5x the baseline, well past the doubling rule (§7 watch)',
  'low-hit-rate': 'live traffic repeats no prompts, so the cache hit rate is ~0 (§6 live traffic)',
  'agent-missing': 'live traffic: one configured agent sends nothing (§6 live traffic)',
  'echo-secret': 'servers echo the configured secrets in error bodies (secret redaction)',
} as const;

/** A fault's name, as accepted by `startSandbox({ faults })` and `SANDBOX_FAULTS`. */
export type FaultName = keyof typeof FAULTS;

/** The set of active faults a sandbox component consults; empty on a healthy sandbox. */
export type Faults = ReadonlySet<FaultName>;

/**
 * Parses a comma-separated fault list (the `SANDBOX_FAULTS` format). Unknown names throw,
 * naming each one, because a mistyped fault would silently test the healthy sandbox.
 */
export function parseFaults(list: string | readonly string[] | undefined): Set<FaultName> {
  const names = (typeof list === 'string' ? list.split(',') : (list ?? [])).map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(n in FAULTS));
  if (unknown.length > 0) {
    throw new Error(`unknown sandbox fault(s): ${unknown.join(', ')}; see pnpm sandbox --list-faults`);
  }
  return new Set(names as FaultName[]);
}
