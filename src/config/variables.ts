/**
 * Every environment variable the suite reads, with its runbook default and a one-line meaning.
 * This table is the single source for the zod schema's defaults, for `.env.example` and for the
 * README, so the three can never disagree. `secret: true` values are registered for redaction
 * and never appear in stdout, evidence or error messages.
 */
export interface VariableSpec {
  readonly name: string;
  readonly section: string;
  readonly meaning: string;
  /** The runbook default, as the string a `.env` would hold; absent when there is none. */
  readonly default?: string;
  /**
   * A valid value of this variable, shown after "e.g." in `.env.example` and in the messages that
   * refuse a malformed value; absent when the default serves as the example.
   */
  readonly example?: string;
  readonly secret?: boolean;
  /**
   * Read from the process environment only, never from `.env` (Vitest reads it while loading
   * its config, before our setup reads `.env`): `.env.example` shows it commented out.
   */
  readonly processOnly?: boolean;
}

/**
 * A family of variables named by a prefix, e.g. `TEAM_KEY_<team>`: the agents config decides
 * which members exist, so they cannot be listed one by one.
 */
export interface VariablePattern {
  readonly prefix: string;
  /** How the family is written in documentation, e.g. `TEAM_KEY_<team>`. */
  readonly name: string;
  readonly section: string;
  readonly meaning: string;
  /** One member, e.g. `TEAM_KEY_support_bot`. */
  readonly example: string;
  /** What a member must look like after the prefix. */
  readonly member: RegExp;
  readonly secret?: boolean;
}

export const VARIABLES = [
  { section: 'Target', name: 'GATEWAY_URL', meaning: 'LiteLLM gateway base URL, without /v1 and without a query or fragment; unset = run against the bundled sandbox', example: 'https://gateway.hotrodan.com' },
  { section: 'Target', name: 'GATEWAY_ADMIN_KEY', meaning: 'LiteLLM master/admin key (runbook: pass show infra/litellm/admin-key)', secret: true },
  { section: 'Target', name: 'LANGFUSE_URL', meaning: 'Langfuse base URL', example: 'https://langfuse.hotrodan.com' },
  { section: 'Target', name: 'LANGFUSE_PUBLIC_KEY', meaning: 'Langfuse project public key (pk-lf-...)', secret: true },
  { section: 'Target', name: 'LANGFUSE_SECRET_KEY', meaning: 'Langfuse project secret key (sk-lf-...)', secret: true },
  { section: 'Models', name: 'MODEL_DEFAULT', meaning: 'model group agents call by default', default: 'gpt-4o-mini' },
  { section: 'Models', name: 'MODEL_ESCALATION', meaning: 'model group long prompts must escalate to', default: 'gpt-4o' },
  { section: '§3 smoke', name: 'THRESHOLD_SMOKE_MS', meaning: 'smoke request must complete (full body) in less than this', default: '2000' },
  { section: 'Langfuse', name: 'LANGFUSE_WAIT_MS', meaning: 'how long to poll Langfuse for a trace before failing', default: '90000' },
  { section: 'Langfuse', name: 'LANGFUSE_POLL_INTERVAL_MS', meaning: 'pause between Langfuse polls', default: '1000' },
  { section: 'HTTP', name: 'HTTP_TIMEOUT_MS', meaning: 'per-request budget for headers and for the body of any HTTP call', default: '15000' },
  { section: 'Run', name: 'CUTOVER_PHASE', meaning: 'pre (go/no-go before the switch) or post (hold/rollback watch)', default: 'pre' },
  { section: 'Run', name: 'CUTOVER_EVIDENCE_DIR', meaning: 'where evidence bundles are written (<dir>/<run-id>/, <dir>/latest/)', default: 'evidence' },
  { section: 'Run', name: 'CUTOVER_RUN_ID', meaning: 'run id, 1-64 characters of A-Z a-z 0-9 . _ - starting with a letter or digit; generated when unset (tags every request and trace, names the evidence directory)' },
  { section: 'Run', name: 'CUTOVER_SKIP', meaning: 'waivers: "<check id>: <reason>" entries separated by ";", e.g. "2/fly-machines: no Fly token in this CI" (the verdict becomes go-with-waivers; 3/smoke, 6/agent-config, 6/team-keys, 7/rollback-readiness and 7/watch cannot be waived)' },
  { section: 'Run', name: 'CUTOVER_SIGNING_KEY', meaning: 'Ed25519 private key (PKCS#8 PEM, or its base64) that signs evidence.json into evidence.json.sig; pnpm evidence:keygen makes one, pnpm evidence:verify --public-key checks it', secret: true },
  { section: 'Run', name: 'CUTOVER_MAX_WORKERS', meaning: 'worker threads of a pre-cutover run (~50 MB each; more run the Langfuse-bound checks at once against a real stack). vitest.config.ts reads it from the process environment only, before .env is loaded: set it on the command line (CUTOVER_MAX_WORKERS=4 pnpm test:cutover), not in .env', default: '2', processOnly: true },
  { section: 'Run', name: 'CUTOVER_ON_PASS', meaning: 'command run (via execa) after a go, go-with-waivers or hold verdict against the deployment (never a rehearsal), e.g. the runbook §8 complete-task call' },
  { section: '§1-2 infra', name: 'FLY_API_URL', meaning: 'Fly Machines API base URL', default: 'https://api.machines.dev' },
  { section: '§1-2 infra', name: 'FLY_API_TOKEN', meaning: 'Fly token (fly tokens create readonly); FlyV1 tokens are sent whole', secret: true },
  { section: '§1-2 infra', name: 'FLY_TRANSPORT', meaning: 'api (Machines REST API) or flyctl (run flyctl --json through execa)', default: 'api' },
  { section: '§1-2 infra', name: 'FLY_GATEWAY_APP', meaning: 'Fly app of the LiteLLM gateway (and Langfuse ui/worker)', default: 'hotdash-llm-gateway' },
  { section: '§1-2 infra', name: 'FLY_CLICKHOUSE_APP', meaning: 'Fly app of ClickHouse', default: 'hotdash-langfuse-clickhouse' },
  { section: '§1-2 infra', name: 'FLY_MINIO_APP', meaning: 'Fly app of MinIO', default: 'hotdash-langfuse-minio' },
  { section: '§1-2 infra', name: 'FLY_REGION', meaning: 'region every machine must run in', default: 'ord' },
  { section: '§1-2 infra', name: 'FLY_GATEWAY_PROCESSES', meaning: 'process groups the gateway app must run, each with a started machine', default: 'gateway,ui,worker' },
  { section: '§1-2 infra', name: 'FLY_EXPECTED_SECRETS', meaning: 'secret names that must exist, as app:NAME,NAME;app:NAME (names only, never values)', default: 'hotdash-llm-gateway:LITELLM_MASTER_KEY,DATABASE_URL,REDIS_URL,LANGFUSE_PUBLIC_KEY,LANGFUSE_SECRET_KEY;hotdash-langfuse-clickhouse:CLICKHOUSE_PASSWORD;hotdash-langfuse-minio:MINIO_ROOT_USER,MINIO_ROOT_PASSWORD' },
  { section: '§1-2 infra', name: 'CLICKHOUSE_URL', meaning: 'ClickHouse HTTP URL (fly proxy/WireGuard); unset = query through Fly exec', example: 'http://localhost:8123' },
  { section: '§1-2 infra', name: 'CLICKHOUSE_USER', meaning: 'ClickHouse user for CLICKHOUSE_URL', default: 'default' },
  { section: '§1-2 infra', name: 'CLICKHOUSE_PASSWORD', meaning: 'ClickHouse password for CLICKHOUSE_URL', secret: true },
  { section: '§1-2 infra', name: 'MINIO_URL', meaning: 'MinIO URL (fly proxy/WireGuard); unset = check through Fly exec', example: 'http://localhost:9000' },
  { section: '§1-2 infra', name: 'LANGFUSE_UI_EMAIL', meaning: 'Langfuse UI login from the vault' },
  { section: '§1-2 infra', name: 'LANGFUSE_UI_PASSWORD', meaning: 'Langfuse UI password from the vault', secret: true },
  { section: '§1-2 infra', name: 'LANGFUSE_DATABASE_URL', meaning: 'Langfuse Postgres URL for the optional _prisma_migrations check', secret: true },
  { section: '§1-2 infra', name: 'TLS_GATEWAY_URL', meaning: 'public HTTPS URL of the gateway whose certificate is checked; default GATEWAY_URL when https', example: 'https://gateway.hotrodan.com' },
  { section: '§1-2 infra', name: 'TLS_LANGFUSE_URL', meaning: 'public HTTPS URL of Langfuse whose certificate is checked; default LANGFUSE_URL when https', example: 'https://langfuse.hotrodan.com' },
  { section: '§1-2 infra', name: 'TLS_CA_FILE', meaning: 'extra CA certificate (PEM file) to trust, e.g. the sandbox CA' },
  { section: '§1-2 infra', name: 'TLS_MIN_DAYS', meaning: 'certificates must stay valid at least this many days', default: '14' },
  { section: '§4 cache', name: 'CACHE_WRITE_SETTLE_MS', meaning: 'wait after request 1 before the repeats: LiteLLM writes the cache asynchronously', default: '1000' },
  { section: '§4 cache', name: 'THRESHOLD_CACHE_HIT_MS', meaning: 'exact-cache hits must complete in less than this', default: '100' },
  { section: '§5 quota', name: 'GATEWAY_QUOTA_KEY', meaning: 'the prod_customer virtual key; its rpm_limit is read with /key/info', secret: true },
  { section: '§5 quota', name: 'QUOTA_RPM_LIMIT', meaning: 'rpm limit to test when GATEWAY_QUOTA_KEY is unset', default: '100' },
  { section: '§5 quota', name: 'QUOTA_USE_CUSTOMER_KEY', meaning: 'true = runbook literal mode: burst the prod_customer key itself (refused when CUTOVER_PHASE=post)', default: 'false' },
  { section: '§5 quota', name: 'QUOTA_CONCURRENCY', meaning: 'parallel connections of the quota burst', default: '32' },
  { section: '§5 failover', name: 'FAILOVER_PROMPT_TOKENS', meaning: 'size of the escalation prompt (cl100k_base tokens), clearly above the limit', default: '2400' },
  { section: '§5 failover', name: 'FAILOVER_CONTROL_TOKENS', meaning: 'size of the control prompt that must stay on MODEL_DEFAULT', default: '1500' },
  { section: '§5 failover', name: 'THRESHOLD_FAILOVER_TOKENS', meaning: 'max_input_tokens of MODEL_DEFAULT (runbook: > 2,000 tokens escalates)', default: '2000' },
  { section: '§6 agents', name: 'AGENTS_CONFIG_PATH', meaning: 'agents config to gate', default: 'app/agents/config/agents.json' },
  { section: '§6 agents', name: 'AGENTS_GATEWAY_URL', meaning: 'the base URL agents must use; default GATEWAY_URL', example: 'https://gateway.hotrodan.com' },
  { section: '§6 agents', name: 'AGENTS_EXPECTED', meaning: 'comma list of agents that must show live traffic; default all agents in the config' },
  { section: '§7 rollback', name: 'OPENAI_DIRECT_URL', meaning: 'direct OpenAI base URL (the rollback target)', default: 'https://api.openai.com' },
  { section: '§7 rollback', name: 'OPENAI_DIRECT_KEY', meaning: 'previous direct OpenAI key from the vault', secret: true },
  { section: '§7 rollback', name: 'BASELINE_SAMPLES', meaning: 'latency samples taken direct and through the gateway', default: '10' },
  { section: '§7 rollback', name: 'LANGFUSE_POOLED_DATABASE_URL', meaning: 'pooled (6543) Postgres URL for the migration-failure rollback', secret: true },
  { section: '§7 watch', name: 'MONITOR_DURATION', meaning: 'post-cutover watch duration, with a unit: ms, s, m or h (30m, 20s, 1500ms; a bare 30 is refused)', default: '30m' },
  { section: '§7 watch', name: 'MONITOR_INTERVAL', meaning: 'poll interval of the watch, with a unit (ms, s, m or h)', default: '30s' },
  { section: '§7 watch', name: 'MONITOR_MIN_SAMPLES', meaning: 'fewer requests than this in the window is inconclusive, never a pass', default: '50' },
  { section: '§7 watch', name: 'MONITOR_ERROR_WINDOW', meaning: 'rolling window of the error-rate rule, with a unit (ms, s, m or h)', default: '5m' },
  { section: '§7 watch', name: 'THRESHOLD_CACHE_HIT_RATE', meaning: 'steady cache hit rate must be at least this (a fraction: 0.30 = 30 %)', default: '0.30' },
  { section: '§7 watch', name: 'ROLLBACK_ERROR_RATE', meaning: 'error rate above this triggers rollback (a fraction: 0.02 = 2 %, runbook §7)', default: '0.02' },
  { section: '§7 watch', name: 'ROLLBACK_LATENCY_RATIO', meaning: 'p95 above ratio x baseline (and the floor) triggers rollback', default: '2' },
  { section: '§7 watch', name: 'ROLLBACK_LATENCY_FLOOR_MS', meaning: 'absolute floor added to the baseline: limit = max(ratio x p95, p95 + floor)', default: '50' },
  { section: '§7 watch', name: 'BASELINE_P95_MS', meaning: 'baseline p95 when no pre-cutover evidence bundle is available' },
  { section: '§7 watch', name: 'BASELINE_EVIDENCE', meaning: 'pre-cutover evidence.json that holds the baseline; default <CUTOVER_EVIDENCE_DIR>/latest-pre/evidence.json' },
] as const satisfies readonly VariableSpec[];

/** Variable families; `.env.example` lists each after its section's variables. */
export const VARIABLE_PATTERNS: readonly VariablePattern[] = [
  {
    section: '§6 agents',
    prefix: 'TEAM_KEY_',
    name: 'TEAM_KEY_<team>',
    meaning:
      'one LiteLLM virtual key per team, named by the agents config: "apiKeyRef": "TEAM_KEY_support_bot" (or ${TEAM_KEY_support_bot}, $TEAM_KEY_support_bot, env:TEAM_KEY_support_bot, os.environ/TEAM_KEY_support_bot) reads TEAM_KEY_support_bot. 6/agent-config requires every referenced one to be set, 6/team-keys asks the gateway about each',
    example: 'TEAM_KEY_support_bot',
    member: /^[A-Za-z0-9_]+$/,
    secret: true,
  },
];

export type VariableName = (typeof VARIABLES)[number]['name'];

/** Names of the variables whose values are secrets. */
export const SECRET_VARIABLES: readonly string[] = VARIABLES.filter((v) => 'secret' in v && v.secret).map((v) => v.name);
