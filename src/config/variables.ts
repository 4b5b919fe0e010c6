/**
 * Every environment variable the project reads, in four groups: the cutover configuration
 * (`VARIABLES`, validated by the zod schema in schema.ts, which the compiler keeps in step with
 * this table), the tools' own knobs (`TOOL_VARIABLES`: sandbox, reference proxy, selftest), the
 * marks our tooling leaves for itself (`INTERNAL_VARIABLES`) and what CI platforms set
 * (`PLATFORM_VARIABLES`). The table is the single source for the schema's defaults, for
 * `.env.example`, for the misspelt-name check and for the README, so they can never disagree;
 * src/config/variables.test.ts fails when a `process.env` read anywhere in the project names a
 * variable missing here. `secret: true` values are registered for redaction and never appear in
 * stdout, evidence or error messages.
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
  {
    section: 'Target',
    name: 'GATEWAY_URL',
    meaning:
      'LiteLLM gateway base URL, without /v1 and without a query or fragment; unset = run against the bundled sandbox',
    example: 'https://gateway.hotrodan.com',
  },
  {
    section: 'Target',
    name: 'GATEWAY_ADMIN_KEY',
    meaning: 'LiteLLM master/admin key (runbook: pass show infra/litellm/admin-key)',
    secret: true,
  },
  { section: 'Target', name: 'LANGFUSE_URL', meaning: 'Langfuse base URL', example: 'https://langfuse.hotrodan.com' },
  { section: 'Target', name: 'LANGFUSE_PUBLIC_KEY', meaning: 'Langfuse project public key (pk-lf-...)', secret: true },
  { section: 'Target', name: 'LANGFUSE_SECRET_KEY', meaning: 'Langfuse project secret key (sk-lf-...)', secret: true },
  { section: 'Models', name: 'MODEL_DEFAULT', meaning: 'model group agents call by default', default: 'gpt-4o-mini' },
  {
    section: 'Models',
    name: 'MODEL_ESCALATION',
    meaning: 'model group long prompts must escalate to',
    default: 'gpt-4o',
  },
  {
    section: '§3 smoke',
    name: 'THRESHOLD_SMOKE_MS',
    meaning: 'smoke request must complete (full body) in less than this',
    default: '2000',
  },
  {
    section: 'Langfuse',
    name: 'LANGFUSE_WAIT_MS',
    meaning: 'how long to poll Langfuse for a trace before failing',
    default: '90000',
  },
  { section: 'Langfuse', name: 'LANGFUSE_POLL_INTERVAL_MS', meaning: 'pause between Langfuse polls', default: '1000' },
  {
    section: 'HTTP',
    name: 'HTTP_TIMEOUT_MS',
    meaning: 'per-request budget for headers and for the body of any HTTP call',
    default: '15000',
  },
  {
    section: 'Run',
    name: 'CUTOVER_PHASE',
    meaning: 'pre (go/no-go before the switch) or post (hold/rollback watch)',
    default: 'pre',
  },
  {
    section: 'Run',
    name: 'CUTOVER_EVIDENCE_DIR',
    meaning: 'where evidence bundles are written (<dir>/<run-id>/, <dir>/latest/)',
    default: 'evidence',
  },
  {
    section: 'Run',
    name: 'CUTOVER_RUN_ID',
    meaning:
      'run id, 1-64 characters of A-Z a-z 0-9 . _ - starting with a letter or digit; generated when unset (tags every request and trace, names the evidence directory)',
  },
  {
    section: 'Run',
    name: 'CUTOVER_SKIP',
    meaning:
      'waivers: "<check id>: <reason>" entries separated by ";", e.g. "2/fly-machines: no Fly token in this CI" (the verdict becomes go-with-waivers; 3/smoke, 6/agent-config, 6/team-keys, 7/rollback-readiness and 7/watch cannot be waived)',
  },
  {
    section: 'Run',
    name: 'CUTOVER_SIGNING_KEY',
    meaning:
      'Ed25519 private key (PKCS#8 PEM, or its base64) that signs evidence.json into evidence.json.sig; pnpm evidence:keygen makes one, pnpm evidence:verify --public-key checks it',
    secret: true,
  },
  {
    section: 'Run',
    name: 'CUTOVER_MAX_WORKERS',
    meaning:
      'worker threads of a pre-cutover run (~26 MB each; default 3, so that §3, §4 and §5 wait for Langfuse at the same time, and 2 for a default-profile sandbox rehearsal, whose waits are short). vitest.config.ts reads it from the process environment only, before .env is loaded: set it on the command line (CUTOVER_MAX_WORKERS=4 pnpm test:cutover), not in .env',
    default: '3',
    processOnly: true,
  },
  {
    section: 'Run',
    name: 'CUTOVER_ON_PASS',
    meaning:
      'command run (via execa) after a go, go-with-waivers or hold verdict against the deployment (never a rehearsal), e.g. the runbook §8 complete-task call',
  },
  {
    section: 'Run',
    name: 'CUTOVER_ON_ROLLBACK',
    meaning:
      'command run once (via a shell, 120 s timeout, no secret in its environment) when a post-cutover run against the deployment ends rollback (never a rehearsal: it must not page anyone), e.g. a page or an incident-channel post; it gets CUTOVER_ROLLBACK_LINE, CUTOVER_RUNBOOK_ROW and CUTOVER_EVIDENCE_PATH',
  },
  {
    section: '§1-2 infra',
    name: 'FLY_API_URL',
    meaning: 'Fly Machines API base URL',
    default: 'https://api.machines.dev',
  },
  {
    section: '§1-2 infra',
    name: 'FLY_API_TOKEN',
    meaning: 'Fly token (fly tokens create readonly); FlyV1 tokens are sent whole',
    secret: true,
  },
  {
    section: '§1-2 infra',
    name: 'FLY_TRANSPORT',
    meaning: 'api (Machines REST API) or flyctl (run flyctl --json through execa)',
    default: 'api',
  },
  {
    section: '§1-2 infra',
    name: 'FLY_GATEWAY_APP',
    meaning: 'Fly app of the LiteLLM gateway (and Langfuse ui/worker)',
    default: 'hotdash-llm-gateway',
  },
  {
    section: '§1-2 infra',
    name: 'FLY_CLICKHOUSE_APP',
    meaning: 'Fly app of ClickHouse',
    default: 'hotdash-langfuse-clickhouse',
  },
  { section: '§1-2 infra', name: 'FLY_MINIO_APP', meaning: 'Fly app of MinIO', default: 'hotdash-langfuse-minio' },
  { section: '§1-2 infra', name: 'FLY_REGION', meaning: 'region every machine must run in', default: 'ord' },
  {
    section: '§1-2 infra',
    name: 'FLY_GATEWAY_PROCESSES',
    meaning: 'process groups the gateway app must run, each with a started machine',
    default: 'gateway,ui,worker',
  },
  {
    section: '§1-2 infra',
    name: 'FLY_EXPECTED_SECRETS',
    meaning: 'secret names that must exist, as app:NAME,NAME;app:NAME (names only, never values)',
    default:
      'hotdash-llm-gateway:LITELLM_MASTER_KEY,DATABASE_URL,REDIS_URL,LANGFUSE_PUBLIC_KEY,LANGFUSE_SECRET_KEY;hotdash-langfuse-clickhouse:CLICKHOUSE_PASSWORD;hotdash-langfuse-minio:MINIO_ROOT_USER,MINIO_ROOT_PASSWORD',
  },
  {
    section: '§1-2 infra',
    name: 'CLICKHOUSE_URL',
    meaning: 'ClickHouse HTTP URL (fly proxy/WireGuard); unset = query through Fly exec',
    example: 'http://localhost:8123',
  },
  { section: '§1-2 infra', name: 'CLICKHOUSE_USER', meaning: 'ClickHouse user for CLICKHOUSE_URL', default: 'default' },
  {
    section: '§1-2 infra',
    name: 'CLICKHOUSE_PASSWORD',
    meaning: 'ClickHouse password for CLICKHOUSE_URL',
    secret: true,
  },
  {
    section: '§1-2 infra',
    name: 'MINIO_URL',
    meaning: 'MinIO URL (fly proxy/WireGuard); unset = check through Fly exec',
    example: 'http://localhost:9000',
  },
  { section: '§1-2 infra', name: 'LANGFUSE_UI_EMAIL', meaning: 'Langfuse UI login from the vault' },
  { section: '§1-2 infra', name: 'LANGFUSE_UI_PASSWORD', meaning: 'Langfuse UI password from the vault', secret: true },
  {
    section: '§1-2 infra',
    name: 'LANGFUSE_DATABASE_URL',
    meaning: 'Langfuse Postgres URL for the optional _prisma_migrations check',
    secret: true,
  },
  {
    section: '§1-2 infra',
    name: 'TLS_GATEWAY_URL',
    meaning: 'public HTTPS URL of the gateway whose certificate is checked; default GATEWAY_URL when https',
    example: 'https://gateway.hotrodan.com',
  },
  {
    section: '§1-2 infra',
    name: 'TLS_LANGFUSE_URL',
    meaning: 'public HTTPS URL of Langfuse whose certificate is checked; default LANGFUSE_URL when https',
    example: 'https://langfuse.hotrodan.com',
  },
  {
    section: '§1-2 infra',
    name: 'TLS_CA_FILE',
    meaning: 'extra CA certificate (PEM file) to trust, e.g. the sandbox CA',
  },
  {
    section: '§1-2 infra',
    name: 'TLS_MIN_DAYS',
    meaning: 'certificates must stay valid at least this many days',
    default: '14',
  },
  {
    section: '§4 cache',
    name: 'CACHE_WRITE_SETTLE_MS',
    meaning: 'wait after request 1 before the repeats: LiteLLM writes the cache asynchronously',
    default: '1000',
  },
  {
    section: '§4 cache',
    name: 'THRESHOLD_CACHE_HIT_MS',
    meaning: 'exact-cache hits must complete in less than this',
    default: '100',
  },
  {
    section: '§5 quota',
    name: 'GATEWAY_QUOTA_KEY',
    meaning: 'the prod_customer virtual key; its rpm_limit is read with /key/info',
    secret: true,
  },
  {
    section: '§5 quota',
    name: 'QUOTA_RPM_LIMIT',
    meaning: 'rpm limit to test when GATEWAY_QUOTA_KEY is unset',
    default: '100',
  },
  {
    section: '§5 quota',
    name: 'QUOTA_USE_CUSTOMER_KEY',
    meaning: 'true = runbook literal mode: burst the prod_customer key itself (refused when CUTOVER_PHASE=post)',
    default: 'false',
  },
  { section: '§5 quota', name: 'QUOTA_CONCURRENCY', meaning: 'parallel connections of the quota burst', default: '32' },
  {
    section: '§5 failover',
    name: 'FAILOVER_PROMPT_TOKENS',
    meaning: 'size of the escalation prompt (cl100k_base tokens), clearly above the limit',
    default: '2400',
  },
  {
    section: '§5 failover',
    name: 'FAILOVER_CONTROL_TOKENS',
    meaning: 'size of the control prompt that must stay on MODEL_DEFAULT',
    default: '1500',
  },
  {
    section: '§5 failover',
    name: 'THRESHOLD_FAILOVER_TOKENS',
    meaning: 'max_input_tokens of MODEL_DEFAULT (runbook: > 2,000 tokens escalates)',
    default: '2000',
  },
  {
    section: '§6 agents',
    name: 'AGENTS_CONFIG_PATH',
    meaning: 'agents config to gate',
    default: 'app/agents/config/agents.json',
  },
  {
    section: '§6 agents',
    name: 'AGENTS_GATEWAY_URL',
    meaning: 'the base URL agents must use; default GATEWAY_URL',
    example: 'https://gateway.hotrodan.com',
  },
  {
    section: '§6 agents',
    name: 'AGENTS_EXPECTED',
    meaning: 'comma list of agents that must show live traffic; default all agents in the config',
  },
  {
    section: '§7 rollback',
    name: 'OPENAI_DIRECT_URL',
    meaning: 'direct OpenAI base URL (the rollback target)',
    default: 'https://api.openai.com',
  },
  {
    section: '§7 rollback',
    name: 'OPENAI_DIRECT_KEY',
    meaning: 'previous direct OpenAI key from the vault',
    secret: true,
  },
  {
    section: '§7 rollback',
    name: 'BASELINE_SAMPLES',
    meaning: 'latency samples taken direct and through the gateway',
    default: '10',
  },
  {
    section: '§7 rollback',
    name: 'LANGFUSE_POOLED_DATABASE_URL',
    meaning: 'pooled (6543) Postgres URL for the migration-failure rollback',
    secret: true,
  },
  {
    section: '§7 watch',
    name: 'MONITOR_DURATION',
    meaning: 'post-cutover watch duration, with a unit: ms, s, m or h (30m, 20s, 1500ms; a bare 30 is refused)',
    default: '30m',
  },
  {
    section: '§7 watch',
    name: 'MONITOR_INTERVAL',
    meaning: 'poll interval of the watch, with a unit (ms, s, m or h)',
    default: '30s',
  },
  {
    section: '§7 watch',
    name: 'MONITOR_MIN_SAMPLES',
    meaning: 'fewer requests than this in the window is inconclusive, never a pass',
    default: '50',
  },
  {
    section: '§7 watch',
    name: 'MONITOR_ERROR_WINDOW',
    meaning: 'rolling window of the error-rate rule, with a unit (ms, s, m or h)',
    default: '5m',
  },
  {
    section: '§7 watch',
    name: 'THRESHOLD_CACHE_HIT_RATE',
    meaning: 'steady cache hit rate must be at least this (a fraction: 0.30 = 30 %)',
    default: '0.30',
  },
  {
    section: '§7 watch',
    name: 'ROLLBACK_ERROR_RATE',
    meaning: 'error rate above this triggers rollback (a fraction: 0.02 = 2 %, runbook §7)',
    default: '0.02',
  },
  {
    section: '§7 watch',
    name: 'ROLLBACK_LATENCY_RATIO',
    meaning: 'p95 above ratio x baseline (and the floor) triggers rollback',
    default: '2',
  },
  {
    section: '§7 watch',
    name: 'ROLLBACK_LATENCY_FLOOR_MS',
    meaning: 'absolute floor added to the baseline: limit = max(ratio x p95, p95 + floor)',
    default: '50',
  },
  {
    section: '§7 watch',
    name: 'BASELINE_P95_MS',
    meaning: 'baseline p95 when no pre-cutover evidence bundle is available',
  },
  {
    section: '§7 watch',
    name: 'BASELINE_EVIDENCE',
    meaning:
      'pre-cutover evidence.json that holds the baseline; default <CUTOVER_EVIDENCE_DIR>/latest-pre/evidence.json',
  },
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

/** A name of the cutover configuration: exactly the keys of the schema in schema.ts. */
export type VariableName = (typeof VARIABLES)[number]['name'];

/**
 * A variable that is not cutover configuration: read by a tool that starts or judges cutover
 * runs. The cutover schema does not validate these; their reader does (`readBy`), and the
 * sandbox, which must never import src/, keeps reading its own names (a unit test checks they
 * are listed here).
 */
export interface ToolVariableSpec {
  readonly name: string;
  readonly section: string;
  readonly meaning: string;
  /** The value the reader uses when the variable is unset. */
  readonly default?: string;
  readonly example?: string;
  /** The files that read it (and validate it, when they do), comma-separated; a unit test checks each does. */
  readonly readBy: string;
  /** Read from the process environment only, never from `.env`. */
  readonly processOnly?: boolean;
}

export const TOOL_VARIABLES = [
  {
    section: 'Tools: run',
    name: 'CUTOVER_ENV_FILE',
    meaning: 'the .env file to read instead of ./.env (/dev/null reads none)',
    example: '/etc/gateway-cutover/prod.env',
    readBy: 'src/config/environment.ts',
    processOnly: true,
  },
  {
    section: 'Tools: sandbox',
    name: 'SANDBOX_FAULTS',
    meaning:
      'comma list of sandbox faults to switch on for a rehearsal (pnpm sandbox --list-faults names them); refused when unknown',
    example: 'upstream-slow',
    readBy: 'sandbox/cli.ts, sandbox/process.ts',
  },
  {
    section: 'Tools: sandbox',
    name: 'SANDBOX_CACHE_TYPE',
    meaning: "the sandbox gateway's one response cache: redis, redis-semantic or qdrant-semantic",
    example: 'redis',
    readBy: 'sandbox/cli.ts, sandbox/process.ts',
  },
  {
    section: 'Tools: sandbox',
    name: 'SANDBOX_PROFILE',
    meaning:
      "the sandbox's latencies: default (fast, for rehearsals) or production (the real stack's, seeded and jittered; sandbox/profile.ts); refused when unknown",
    default: 'default',
    example: 'production',
    readBy: 'sandbox/cli.ts, sandbox/settings.ts, sandbox/process.ts, src/config/workers.ts',
  },
  {
    section: 'Tools: sandbox',
    name: 'SANDBOX_SEED',
    meaning: "seed of the production profile's latencies: the same seed, the same latencies (default: the run id)",
    example: 'rehearsal-1',
    readBy: 'sandbox/profile.ts',
  },
  {
    section: 'Tools: reference proxy',
    name: 'CUTOVER_PYTHON',
    meaning:
      'python3 that creates .venv-litellm/ for the real LiteLLM proxy (pnpm test:conformance, pnpm sandbox --gateway litellm)',
    default: 'python3',
    readBy: 'sandbox/reference/venv.ts',
    processOnly: true,
  },
  {
    section: 'Tools: reference proxy',
    name: 'CUTOVER_LITELLM_VENV',
    meaning: 'virtualenv of the real LiteLLM proxy',
    default: '.venv-litellm',
    readBy: 'sandbox/reference/venv.ts',
    processOnly: true,
  },
  {
    section: 'Tools: reference proxy',
    name: 'CUTOVER_REDIS_SERVER',
    meaning: "redis-server binary behind the real proxy's redis cache",
    default: 'redis-server',
    readBy: 'sandbox/reference/redis.ts',
    processOnly: true,
  },
  {
    section: 'Tools: selftest',
    name: 'SELFTEST_SLOTS',
    meaning: 'how many cutover runs the selftests start at once on this machine',
    default: '4',
    readBy: 'selftest/concurrency.ts',
    processOnly: true,
  },
  {
    section: 'Tools: selftest',
    name: 'SELFTEST_SLOTS_SOCKET',
    meaning:
      'abstract socket name of the machine-wide selftest slot semaphore; a private one keeps the slot tests apart',
    default: 'gateway-cutover-selftest-slots',
    readBy: 'selftest/slots.ts',
    processOnly: true,
  },
  {
    section: 'Tools: selftest',
    name: 'CHROMIUM_PATH',
    meaning: 'Chromium that checks report.html in the browser selftest and takes pnpm screenshot',
    default: '/usr/bin/chromium',
    readBy: 'selftest/chromium.ts',
    processOnly: true,
  },
] as const satisfies readonly ToolVariableSpec[];

type ToolVariableName = (typeof TOOL_VARIABLES)[number]['name'];

/** A variable nobody sets by hand: what it carries and which of our files sets it (or which platform does). */
export interface SetVariableSpec {
  readonly name: string;
  readonly meaning: string;
  readonly setBy: string;
}

/**
 * Marks our tooling sets for itself or hands to a child: never set by hand, known to the
 * misspelt-name check so that a run's own environment is never refused.
 */
export const INTERNAL_VARIABLES = [
  {
    name: 'BENCH_MAXRSS_DIR',
    meaning: 'where each Node process of a benchmarked run records its ru_maxrss at exit',
    setBy: 'bench/maxrss.ts',
  },
  {
    name: 'CUTOVER_TARGET',
    meaning: 'sandbox or deployment: the target the global setup started',
    setBy: 'vitest.global-setup.ts',
  },
  {
    name: 'CUTOVER_RUN_KIND',
    meaning: 'config-gate for the offline agent-config gate',
    setBy: 'vitest.config-gate-setup.ts',
  },
  {
    name: 'CUTOVER_VERDICT',
    meaning: 'the verdict, for the CUTOVER_ON_PASS and CUTOVER_ON_ROLLBACK commands',
    setBy: 'src/evidence/on-pass.ts',
  },
  {
    name: 'CUTOVER_EVIDENCE_PATH',
    meaning: 'the evidence.json, for the CUTOVER_ON_PASS and CUTOVER_ON_ROLLBACK commands',
    setBy: 'src/evidence/on-pass.ts',
  },
  {
    name: 'CUTOVER_LANGFUSE_LINKS',
    meaning: 'Langfuse trace links, for the CUTOVER_ON_PASS command',
    setBy: 'src/evidence/on-pass.ts',
  },
  {
    name: 'CUTOVER_DEPLOY_HASHES',
    meaning: 'Fly releases and image digests, for the CUTOVER_ON_PASS command',
    setBy: 'src/evidence/on-pass.ts',
  },
  {
    name: 'CUTOVER_ROLLBACK_LINE',
    meaning: 'the ROLLBACK line of the breach, for the CUTOVER_ON_ROLLBACK command',
    setBy: 'src/evidence/on-rollback.ts',
  },
  {
    name: 'CUTOVER_RUNBOOK_ROW',
    meaning: 'the runbook §7 row to follow, for the CUTOVER_ON_ROLLBACK command',
    setBy: 'src/evidence/on-rollback.ts',
  },
  {
    name: 'CUTOVER_ROLLBACK_CHECK',
    meaning: 'the check that measured the breach, for the CUTOVER_ON_ROLLBACK command',
    setBy: 'src/evidence/on-rollback.ts',
  },
] as const satisfies readonly SetVariableSpec[];

/** Prefixes of families our tooling sets for a child (the reference LiteLLM proxy's `os.environ/` keys). */
export const INTERNAL_PREFIXES: readonly string[] = ['CUTOVER_REFERENCE_'];

/** What CI platforms, the operating system and Vitest set: read to describe the run in its evidence, or passed on. */
export const PLATFORM_VARIABLES = [
  { name: 'GITHUB_STEP_SUMMARY', meaning: 'file the verdict summary is appended to', setBy: 'GitHub Actions' },
  {
    name: 'GITHUB_SERVER_URL',
    meaning: 'with GITHUB_REPOSITORY and GITHUB_RUN_ID, the CI run link in the evidence',
    setBy: 'GitHub Actions',
  },
  { name: 'GITHUB_REPOSITORY', meaning: 'part of the CI run link', setBy: 'GitHub Actions' },
  { name: 'GITHUB_RUN_ID', meaning: 'part of the CI run link', setBy: 'GitHub Actions' },
  { name: 'CI_JOB_URL', meaning: 'the CI run link', setBy: 'GitLab CI' },
  { name: 'BUILD_URL', meaning: 'the CI run link', setBy: 'Jenkins' },
  { name: 'USER', meaning: 'the operator recorded in the evidence', setBy: 'the operating system' },
  { name: 'USERNAME', meaning: 'the operator, where USER is unset', setBy: 'the operating system' },
  {
    name: 'PATH',
    meaning: 'passed on to the real LiteLLM proxy the reference stack starts',
    setBy: 'the operating system',
  },
  {
    name: 'HOME',
    meaning: 'passed on to the real LiteLLM proxy the reference stack starts',
    setBy: 'the operating system',
  },
  {
    name: 'NODE_OPTIONS',
    meaning: 'passed on; the bench appends its ru_maxrss preload to it',
    setBy: 'the operating system or the user',
  },
  {
    name: 'VITEST',
    meaning: 'set inside Vitest workers; the selftest slots release their locks differently there',
    setBy: 'Vitest',
  },
] as const satisfies readonly SetVariableSpec[];

/** Every name in the four groups: what the project reads, and what it sets for itself. */
export const KNOWN_VARIABLES: ReadonlySet<string> = new Set(
  [...VARIABLES, ...TOOL_VARIABLES, ...INTERNAL_VARIABLES, ...PLATFORM_VARIABLES].map((v) => v.name),
);

/** Names of the variables whose values are secrets. */
export const SECRET_VARIABLES: readonly string[] = VARIABLES.filter((v) => 'secret' in v && v.secret).map(
  (v) => v.name,
);
