import type { MatrixRow } from './row.ts';

/** Runbook §1 prerequisites and §2 infrastructure health. */
export const rows: readonly MatrixRow[] = [
  // §2 Fly machines: each fault bends one gateway machine (or drops the worker).
  {
    faults: ['machine-unhealthy'],
    fails: ['2/fly-machines'],
    because: /hotdash-llm-gateway: machine \w+ \(gateway\): health check servicecheck-00-http-4000 is critical/,
  },
  // The worker machine is gone. 1/redis stays green: its worker half is not probed without a
  // worker (that is this check's finding) and the gateway still reports its Redis cache.
  { faults: ['process-missing'], fails: ['2/fly-machines'], because: /process group worker has no started machine/ },
  { faults: ['wrong-region'], fails: ['2/fly-machines'], because: /runs in region iad, expected ord \(FLY_REGION\)/ },
  {
    faults: ['image-mismatch'],
    fails: ['2/fly-machines'],
    because: /process group gateway runs more than one release or image \(a half-finished deploy\)/,
  },

  // §2 ClickHouse. 1/langfuse-schema reads schema_migrations through the same clickhouse-client
  // on the same machine, so a ClickHouse that is down or refuses its credentials fails it too.
  {
    faults: ['clickhouse-down'],
    fails: ['2/clickhouse', '1/langfuse-schema'],
    because: /clickhouse-client exited \d+: Code: 210\. .*NETWORK_ERROR/,
  },
  {
    faults: ['clickhouse-bad-auth'],
    fails: ['2/clickhouse', '1/langfuse-schema'],
    because: /clickhouse-client exited \d+: Code: 516\. .*AUTHENTICATION_FAILED/,
  },

  // §2 MinIO: live/ready still answer 200; only the cluster route tells.
  { faults: ['minio-not-ready'], fails: ['2/minio'], because: /cluster_status = 503 code, required == 200 code/ },

  // §2 Langfuse UI.
  {
    faults: ['langfuse-login-broken'],
    fails: ['2/langfuse-ui'],
    because: /the login was refused \(Invalid credentials\)/,
  },
  {
    faults: ['migration-pending'],
    fails: ['2/langfuse-ui'],
    because: /background migration\(s\) still pending: 20250519_traces_to_events/,
  },
  // v4 in events_only mode 404s every legacy read and rejects LiteLLM's ingestion, so every
  // check that waits for a Langfuse trace fails as well; each says events_only. (7/rollback-
  // readiness and 6/agent-config read no trace and stay green.)
  {
    faults: ['langfuse-v4-events-only'],
    fails: ['2/langfuse-ui', '3/smoke', '4.1/exact-cache', '4.2/semantic-cache', '5.1/rpm-limit', '5.2/failover'],
    because: /events_only/,
  },

  // §1 TLS: only the gateway site is bent; the Langfuse site stays valid.
  { faults: ['tls-expiring'], fails: ['1/tls'], because: /gateway_days_left = [23](\.\d+)? days, required >= 14 days/ },
  {
    faults: ['tls-wrong-host'],
    fails: ['1/tls'],
    because: /gateway localhost: the certificate is not valid for localhost: .*wrong\.example\.test/,
  },

  // §1 Redis: with no cache the gateway's /cache/ping answers 503 "Cache not initialized". The
  // same fault also fails the cache checks (the cache section's own cache-off row skips
  // 1/redis); here they are skipped on purpose so that this row isolates 1/redis.
  {
    name: 'cache-off, cache checks skipped (1/redis)',
    faults: ['cache-off'],
    env: { CUTOVER_SKIP: '4.1/exact-cache: isolates 1/redis; 4.2/semantic-cache: isolates 1/redis' },
    fails: ['1/redis'],
    because:
      /the gateway has no cache configured \(GET \/cache\/ping answered 503: Cache not initialized\. litellm\.cache is None\)/,
  },

  // §1 Fly secrets: the vault was never synced, so the gateway app lacks REDIS_URL.
  {
    faults: ['secret-missing'],
    fails: ['1/fly-secrets'],
    because: /hotdash-llm-gateway lacks secret\(s\) REDIS_URL \(FLY_EXPECTED_SECRETS\)/,
  },
  // A vault entry nobody pushed, named only in the expectation: the check reads the names it is given.
  {
    name: 'an expected secret never synced to Fly (1/fly-secrets)',
    faults: [],
    env: {
      FLY_EXPECTED_SECRETS:
        'hotdash-llm-gateway:LITELLM_MASTER_KEY,REDIS_URL,SLACK_ALERT_WEBHOOK;hotdash-langfuse-minio:MINIO_ROOT_USER',
    },
    fails: ['1/fly-secrets'],
    because: /hotdash-llm-gateway lacks secret\(s\) SLACK_ALERT_WEBHOOK \(FLY_EXPECTED_SECRETS\)/,
  },
  // §1 Langfuse schema: a ClickHouse migration that stopped half-way.
  { faults: ['schema-dirty'], fails: ['1/langfuse-schema'], because: /schema_migrations is dirty at version \d+/ },
  // §1 Redis, the worker half: the Langfuse worker's health fails its Redis PING.
  {
    faults: ['worker-redis-down'],
    fails: ['1/redis'],
    because: /the Langfuse worker cannot reach Redis or Postgres: .*exited 22/,
  },
];

/**
 * §1 Langfuse schema against a real PostgreSQL (selftest/real-postgres.ts; run by
 * selftest/real-postgres.test.ts, which starts the server): `url(database)` points
 * LANGFUSE_DATABASE_URL at one of its seeded databases. The sandbox has no Postgres, so the
 * healthy rows above record the Postgres half as not checked.
 */
export function realPostgresRows(url: (database: string) => string): readonly MatrixRow[] {
  return [
    {
      name: 'real PostgreSQL: _prisma_migrations all applied (1/langfuse-schema)',
      faults: [],
      only: ['1/langfuse-schema'],
      env: { LANGFUSE_DATABASE_URL: url('langfuse') },
      fails: [],
      observes: [
        {
          check: '1/langfuse-schema',
          key: 'postgresMigrations',
          matches: /"applied":3,"latest":"20250301000000_add_prompt_labels","pending":\[\]/,
        },
      ],
    },
    {
      name: 'real PostgreSQL: failed, unfinished and rolled-back migrations (1/langfuse-schema)',
      faults: [],
      only: ['1/langfuse-schema'],
      env: { LANGFUSE_DATABASE_URL: url('lf_pending') },
      fails: ['1/langfuse-schema'],
      because:
        /has migration\(s\) not applied: 20250401000000_add_scores_index \(failed: ERROR: relation "scores" does not exist\), 20250402000000_add_events \(unfinished\), 20250315000000_drop_old_sessions \(rolled-back\); prisma migrate deploy refuses to run \(P3009\)/,
    },
    {
      name: 'real PostgreSQL: no _prisma_migrations table (1/langfuse-schema)',
      faults: [],
      only: ['1/langfuse-schema'],
      env: { LANGFUSE_DATABASE_URL: url('lf_empty') },
      fails: ['1/langfuse-schema'],
      because:
        /Langfuse Postgres has no public\._prisma_migrations table: Prisma has never migrated this database .*relation "public\._prisma_migrations" does not exist \(SQLSTATE 42P01\)/,
    },
  ];
}
