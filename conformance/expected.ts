import type { ReferenceCacheType } from '../sandbox/reference/index.ts';

/** What one check must end with against the real proxy, and why. */
export interface Expectation {
  readonly status: 'passed' | 'failed';
  /** For a failure: the check's own message must say this, so it fails for the stated reason and never by accident. */
  readonly because?: RegExp;
  /** Why this is the right outcome for this configuration (printed in the test name's file, read by reviewers). */
  readonly why: string;
}

const ALL_PASS: Record<string, Expectation> = {
  '1/tls': { status: 'passed', why: 'the sandbox TLS fronts; independent of the gateway' },
  '1/redis': { status: 'passed', why: 'the proxy reports its cache type `redis` on /health/readiness/details' },
  '1/fly-secrets': { status: 'passed', why: 'the sandbox Fly API; independent of the gateway' },
  '1/langfuse-schema': { status: 'passed', why: 'the sandbox ClickHouse; independent of the gateway' },
  '2/fly-machines': { status: 'passed', why: 'the sandbox Fly API; independent of the gateway' },
  '2/clickhouse': { status: 'passed', why: 'the sandbox ClickHouse; independent of the gateway' },
  '2/minio': { status: 'passed', why: 'the sandbox MinIO; independent of the gateway' },
  '2/langfuse-ui': { status: 'passed', why: 'the sandbox Langfuse; independent of the gateway' },
  '3/smoke': {
    status: 'passed',
    why: "a real completion through the proxy, its trace posted by LiteLLM's own langfuse callback (SDK v2)",
  },
  '4.1/exact-cache': {
    status: 'passed',
    why: 'the repeat is a cache hit with x-litellm-cache-key, logged with cache_hit true and cost 0',
  },
  '4.2/semantic-cache': {
    status: 'passed',
    why: "LiteLLM's own qdrant-semantic logic over sandbox embeddings matches the paraphrase, not the control",
  },
  '5.1/rpm-limit': {
    status: 'passed',
    why: "LiteLLM's v3 limiter enforces the custom_auth key's rpm_limit 100; the 429 reaches the langfuse failure callback",
  },
  '5.2/failover': {
    status: 'passed',
    why: 'pre-call checks drop gpt-4o-mini (max_input_tokens 2000) and context_window_fallbacks serve gpt-4o, with its cost in Langfuse',
  },
  '6/agent-config': { status: 'passed', why: 'offline; independent of the gateway' },
  '6/team-keys': {
    status: 'failed',
    because: /No connected db/,
    why: 'no database: LiteLLM authenticates a virtual key against its key table and answers 400 no_db_connection, so no team key can be proven live here (proven against the sandbox only)',
  },
  '7/rollback-readiness': {
    status: 'passed',
    why: 'the sandbox upstream as direct OpenAI, and the proxy with the cache bypassed',
  },
};

/**
 * The expected outcome of every pre-cutover check against the real LiteLLM proxy, per cache
 * configuration. LiteLLM builds exactly one response cache from `cache_params.type`, so neither
 * configuration can pass the whole runbook: with `redis` a paraphrase never hits (§4.2 is a true
 * no-go), with `qdrant-semantic` there is no Redis behind the gateway (§1's Redis check fails,
 * as it would for a production gateway that dropped Redis). `6/team-keys` cannot pass in either:
 * the reference runs without a database, so no virtual key can be looked up.
 */
export const EXPECTED: Record<ReferenceCacheType, Record<string, Expectation>> = {
  redis: {
    ...ALL_PASS,
    '4.2/semantic-cache': {
      status: 'failed',
      because: /exact `?redis`?/i,
      why: 'the one cache is exact: a paraphrase has another cache key and can never hit',
    },
  },
  'qdrant-semantic': {
    ...ALL_PASS,
    '1/redis': {
      status: 'failed',
      because: /qdrant-semantic, not Redis/,
      why: "the gateway's cache backend is Qdrant; the runbook's stack keeps its cache in Redis",
    },
    '4.1/exact-cache': {
      status: 'passed',
      why: 'an identical repeat is a semantic hit (similarity ~1) after an embedding round trip, still under 100 ms with local embeddings',
    },
  },
};
