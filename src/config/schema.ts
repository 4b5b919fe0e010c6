import { accessSync, constants, statSync } from 'node:fs';
import { z } from 'zod';
import { runIdProblem } from '../evidence/safe-path.ts';
import { misspeltVariables } from './misspelt.ts';
import { VARIABLES, type VariableName } from './variables.ts';
import { parseWaivers, type Waiver } from './waivers.ts';

/**
 * The typed configuration every check receives. Built only by `parseConfig`; a value of this
 * type has passed validation, so checks never re-validate. Optional inputs (credentials for
 * one part of the stack) are `undefined` when absent: the check that needs them is skipped
 * with the variable's name, and the verdict cannot be go.
 */
export interface CutoverConfig {
  /** `sandbox` when the bundled stand-in was started for this run, else `deployment`. */
  readonly target: 'sandbox' | 'deployment';
  readonly runId: string;
  readonly phase: 'pre' | 'post';
  readonly evidenceDir: string;
  /** `CUTOVER_SKIP`: checks waived on purpose, each with its reason. */
  readonly waivers: readonly Waiver[];
  readonly onPass?: string;
  readonly gateway: { readonly url: string; readonly adminKey: string };
  readonly langfuse: {
    readonly url: string;
    readonly publicKey: string;
    readonly secretKey: string;
    readonly waitMs: number;
    readonly pollIntervalMs: number;
    readonly uiEmail?: string;
    readonly uiPassword?: string;
    readonly databaseUrl?: string;
  };
  readonly models: { readonly default: string; readonly escalation: string };
  readonly thresholds: {
    readonly smokeMs: number;
    readonly cacheHitMs: number;
    readonly failoverTokens: number;
    readonly cacheHitRate: number;
    readonly tlsMinDays: number;
  };
  readonly httpTimeoutMs: number;
  readonly fly: {
    readonly apiUrl: string;
    readonly token?: string;
    readonly transport: 'api' | 'flyctl';
    readonly apps: { readonly gateway: string; readonly clickhouse: string; readonly minio: string };
    readonly region: string;
    readonly gatewayProcesses: readonly string[];
    /** app name → secret names that must exist on it. */
    readonly expectedSecrets: Readonly<Record<string, readonly string[]>>;
  };
  readonly clickhouse: { readonly url?: string; readonly user: string; readonly password?: string };
  readonly minio: { readonly url?: string };
  readonly tls: { readonly gatewayUrl?: string; readonly langfuseUrl?: string; readonly caFile?: string };
  readonly cache: { readonly writeSettleMs: number };
  readonly quota: {
    readonly customerKey?: string;
    readonly rpmLimit: number;
    readonly useCustomerKey: boolean;
    readonly concurrency: number;
  };
  readonly failover: { readonly promptTokens: number; readonly controlTokens: number };
  readonly agents: { readonly configPath: string; readonly gatewayUrl: string; readonly expected?: readonly string[] };
  readonly rollback: {
    readonly directUrl: string;
    readonly directKey?: string;
    readonly baselineSamples: number;
    readonly pooledDatabaseUrl?: string;
  };
  readonly monitor: {
    readonly durationMs: number;
    readonly intervalMs: number;
    readonly minSamples: number;
    readonly errorWindowMs: number;
    readonly errorRate: number;
    readonly latencyRatio: number;
    readonly latencyFloorMs: number;
    readonly baselineP95Ms?: number;
    readonly baselineEvidence: string;
    /** BASELINE_EVIDENCE (or --baseline) named the bundle: a refused one is not replaced by BASELINE_P95_MS. */
    readonly baselinePinned: boolean;
  };
}

const defaults = Object.fromEntries(
  VARIABLES.filter((v) => 'default' in v).map((v) => [v.name, (v as { default: string }).default]),
) as Partial<Record<VariableName, string>>;

/** A valid value of `name` for a message: its example, else its default. */
function exampleOf(name: VariableName): string {
  const spec = VARIABLES.find((v) => v.name === name) as { example?: string; default?: string } | undefined;
  return spec?.example ?? spec?.default ?? '';
}

const str = z.string().trim().min(1, 'must not be empty');

/**
 * A base URL the clients append paths to: http(s), no credentials, and nothing after `?` or `#`,
 * which would swallow every path appended to it (`…/cache/flushall#` + `/key/generate` is a POST
 * to `/cache/flushall`). `GATEWAY_URL` must also not end in `/v1`, the form agents configs carry:
 * the clients add `/v1/chat/completions` themselves and call admin routes at the root.
 */
function baseUrl(name: VariableName) {
  const example = exampleOf(name);
  return str.superRefine((s, ctx) => {
    const problem = baseUrlProblem(name, s, example);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

function baseUrlProblem(name: VariableName, s: string, example: string): string | undefined {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return `must be an http(s) URL, e.g. ${example}`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `must be an http(s) URL, e.g. ${example}`;
  if (u.username !== '' || u.password !== '') return `must be an http(s) URL without credentials, e.g. ${example}`;
  if (/[?#]/.test(s))
    return `must be a base URL without a query (?) or fragment (#), e.g. ${example}: the suite appends paths to it, and anything after ? or # swallows them (…/cache/flushall# sends admin POSTs to /cache/flushall)`;
  if (name === 'GATEWAY_URL' && /\/v1$/i.test(u.pathname.replace(/\/+$/, ''))) {
    return `must be the proxy's base URL without /v1, e.g. ${example} (agents configs carry …/v1; the suite adds /v1/chat/completions itself and calls admin routes such as /key/generate at the root)`;
  }
  return undefined;
}

const positiveMs = z.coerce
  .number({ message: 'must be a number of milliseconds' })
  .int('must be a whole number of milliseconds')
  .positive('must be greater than 0');

const optional = z.string().trim().optional();
const count = z.coerce
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .positive('must be greater than 0');

/** A fraction in [0, 1]; the message shows this variable's own example, so a percentage (30) is refused with the right fix. */
function ratio(name: VariableName) {
  const example = exampleOf(name);
  const hint = `a fraction, e.g. ${example} for ${Math.round(Number(example) * 1000) / 10} %`;
  return z.coerce
    .number({ message: `must be ${hint}` })
    .min(0, `must be at least 0 (${hint})`)
    .max(1, `must be at most 1 (${hint})`);
}

const bool = z.enum(['true', 'false'], { message: 'must be true or false' }).transform((v) => v === 'true');
const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
const waivers = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const { waivers: parsed, problems } = parseWaivers(v);
    for (const message of problems) ctx.addIssue({ code: 'custom', message });
    return problems.length > 0 ? z.NEVER : parsed;
  });

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/**
 * A duration with its unit, in milliseconds. A bare number is refused: `MONITOR_DURATION=30`
 * once meant a 30-second watch to a user who meant 30 minutes.
 */
function duration(name: VariableName) {
  const example = exampleOf(name);
  const unitOf = (d: string): string => d.replace(/^[\d.]+/, '');
  const others = ['30m', '20s', '1500ms'].filter((d) => unitOf(d) !== unitOf(example)).slice(0, 2);
  const forms = `<number>ms, <number>s, <number>m or <number>h, e.g. ${example}, ${others.join(' or ')}`;
  return z
    .string()
    .trim()
    .transform((v, ctx) => {
      const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(v);
      const ms = m ? Math.round(Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]) : NaN;
      if (ms > 0) return ms;
      const bare = /^\d+(?:\.\d+)?$/.test(v);
      ctx.addIssue({
        code: 'custom',
        message: bare
          ? `has no unit (a bare number could mean seconds or minutes): write ${forms}`
          : `must be a positive duration with a unit: ${forms}`,
      });
      return z.NEVER;
    });
}
const secretsMap = z.string().transform((v, ctx) => {
  const out: Record<string, string[]> = {};
  for (const part of v
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [app, names] = part.split(':');
    if (!app?.trim() || !names?.trim()) {
      ctx.addIssue({ code: 'custom', message: 'must look like app:NAME,NAME;app2:NAME' });
      return z.NEVER;
    }
    out[app.trim()] = names
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
  }
  return out;
});

/**
 * One zod schema per variable of the table. `satisfies Record<VariableName, …>` makes the
 * compiler refuse a table entry without its schema and a schema without its table entry, so
 * `.env.example`, the misspelt-name check and validation cannot drift apart. Only the cutover
 * configuration is here: tool variables (`TOOL_VARIABLES`) are validated by the tool that reads
 * them (`SANDBOX_FAULTS` by the sandbox's own parser, called from the global setup).
 */
export const VARIABLE_SCHEMAS = {
  GATEWAY_URL: baseUrl('GATEWAY_URL'),
  GATEWAY_ADMIN_KEY: str,
  LANGFUSE_URL: baseUrl('LANGFUSE_URL'),
  LANGFUSE_PUBLIC_KEY: str,
  LANGFUSE_SECRET_KEY: str,
  MODEL_DEFAULT: str,
  MODEL_ESCALATION: str,
  THRESHOLD_SMOKE_MS: positiveMs,
  LANGFUSE_WAIT_MS: positiveMs,
  LANGFUSE_POLL_INTERVAL_MS: positiveMs,
  HTTP_TIMEOUT_MS: positiveMs,
  CUTOVER_PHASE: z.enum(['pre', 'post'], { message: 'must be pre or post' }),
  CUTOVER_EVIDENCE_DIR: str,
  // The writers' own rule (`runIdProblem`), so preflight refuses exactly what they would.
  CUTOVER_RUN_ID: str.superRefine((id, ctx) => {
    const problem = runIdProblem(id);
    if (problem)
      ctx.addIssue({
        code: 'custom',
        message: `${problem}: a run id names the evidence directory, so it is 1-64 characters of A-Z a-z 0-9 . _ - starting with a letter or digit, e.g. 20260301T090000Z-a1b2c3`,
      });
  }),
  // Validated here although only vitest.config.ts reads it (from the process environment).
  CUTOVER_MAX_WORKERS: count,
  CUTOVER_SKIP: waivers,
  // Parsed as a key where it is used (src/evidence/signing.ts); preflight refuses a malformed one.
  CUTOVER_SIGNING_KEY: optional,
  CUTOVER_ON_PASS: optional,
  CUTOVER_ON_ROLLBACK: optional,
  FLY_API_URL: baseUrl('FLY_API_URL'),
  FLY_API_TOKEN: optional,
  FLY_TRANSPORT: z.enum(['api', 'flyctl'], { message: 'must be api or flyctl' }),
  FLY_GATEWAY_APP: str,
  FLY_CLICKHOUSE_APP: str,
  FLY_MINIO_APP: str,
  FLY_REGION: str,
  FLY_GATEWAY_PROCESSES: list.refine((l) => l.length > 0, 'must name at least one process group'),
  FLY_EXPECTED_SECRETS: secretsMap,
  CLICKHOUSE_URL: baseUrl('CLICKHOUSE_URL').optional(),
  CLICKHOUSE_USER: str,
  CLICKHOUSE_PASSWORD: optional,
  MINIO_URL: baseUrl('MINIO_URL').optional(),
  LANGFUSE_UI_EMAIL: optional,
  LANGFUSE_UI_PASSWORD: optional,
  LANGFUSE_DATABASE_URL: optional,
  TLS_GATEWAY_URL: baseUrl('TLS_GATEWAY_URL').optional(),
  TLS_LANGFUSE_URL: baseUrl('TLS_LANGFUSE_URL').optional(),
  TLS_CA_FILE: optional,
  TLS_MIN_DAYS: count,
  CACHE_WRITE_SETTLE_MS: z.coerce
    .number({ message: 'must be a number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(0, 'must be at least 0'),
  THRESHOLD_CACHE_HIT_MS: positiveMs,
  GATEWAY_QUOTA_KEY: optional,
  QUOTA_RPM_LIMIT: count,
  QUOTA_USE_CUSTOMER_KEY: bool,
  QUOTA_CONCURRENCY: count,
  FAILOVER_PROMPT_TOKENS: count,
  FAILOVER_CONTROL_TOKENS: count,
  THRESHOLD_FAILOVER_TOKENS: count,
  AGENTS_CONFIG_PATH: str,
  AGENTS_GATEWAY_URL: baseUrl('AGENTS_GATEWAY_URL').optional(),
  AGENTS_EXPECTED: list,
  OPENAI_DIRECT_URL: baseUrl('OPENAI_DIRECT_URL'),
  OPENAI_DIRECT_KEY: optional,
  BASELINE_SAMPLES: count,
  LANGFUSE_POOLED_DATABASE_URL: optional,
  MONITOR_DURATION: duration('MONITOR_DURATION'),
  MONITOR_INTERVAL: duration('MONITOR_INTERVAL'),
  MONITOR_MIN_SAMPLES: count,
  MONITOR_ERROR_WINDOW: duration('MONITOR_ERROR_WINDOW'),
  THRESHOLD_CACHE_HIT_RATE: ratio('THRESHOLD_CACHE_HIT_RATE'),
  ROLLBACK_ERROR_RATE: ratio('ROLLBACK_ERROR_RATE'),
  ROLLBACK_LATENCY_RATIO: z.coerce.number({ message: 'must be a number' }).gt(1, 'must be greater than 1'),
  ROLLBACK_LATENCY_FLOOR_MS: z.coerce
    .number({ message: 'must be a number of milliseconds' })
    .min(0, 'must be at least 0'),
  BASELINE_P95_MS: positiveMs.optional(),
  BASELINE_EVIDENCE: optional,
} satisfies Record<VariableName, z.ZodType>;

const envSchema = z.object(VARIABLE_SCHEMAS);

/** One problem with one variable, as shown to the user. */
export interface ConfigProblem {
  readonly variable: string;
  readonly problem: string;
}

/** Result of `parseConfig`: a config, or every problem found (never just the first). */
export type ConfigResult = { ok: true; config: CutoverConfig } | { ok: false; problems: ConfigProblem[] };

const missing = 'is required when GATEWAY_URL is set (the target is a real deployment)';

/**
 * Validates an environment and builds the config. Empty strings count as unset, because a
 * `.env` line `GATEWAY_ADMIN_KEY=` is a forgotten value, not an intentional empty key.
 * All problems are returned together, each naming its variable; values are never echoed,
 * since any of them may be a secret pasted into the wrong variable. Names that look meant for
 * the suite but are not read by it (`GATEWAY_ULR`) are problems too (src/config/misspelt.ts).
 */
export function parseConfig(env: Record<string, string | undefined>, target: CutoverConfig['target']): ConfigResult {
  const input: Record<string, string | undefined> = {};
  for (const v of VARIABLES) {
    const raw = env[v.name];
    input[v.name] = raw === undefined || raw.trim() === '' ? defaults[v.name] : raw;
  }
  // First: a misspelt name usually explains a missing or defaulted variable further down.
  const misspelt = misspeltVariables(env);
  const result = envSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '(environment)');
      const isMissing = input[variable] === undefined;
      return { variable, problem: isMissing ? missing : issue.message };
    });
    return { ok: false, problems: dedupe([...misspelt, ...problems, ...fileProblems(env)]) };
  }
  const e = result.data;
  const contradictions = [...misspelt, ...contradictionsOf(e, env)];
  if (contradictions.length > 0) return { ok: false, problems: contradictions };
  const httpsOr = (url: string): string | undefined => (url.startsWith('https:') ? url : undefined);
  return {
    ok: true,
    config: {
      target,
      runId: e.CUTOVER_RUN_ID,
      phase: e.CUTOVER_PHASE,
      evidenceDir: e.CUTOVER_EVIDENCE_DIR,
      waivers: e.CUTOVER_SKIP,
      onPass: e.CUTOVER_ON_PASS || undefined,
      gateway: { url: stripSlash(e.GATEWAY_URL), adminKey: e.GATEWAY_ADMIN_KEY },
      langfuse: {
        url: stripSlash(e.LANGFUSE_URL),
        publicKey: e.LANGFUSE_PUBLIC_KEY,
        secretKey: e.LANGFUSE_SECRET_KEY,
        waitMs: e.LANGFUSE_WAIT_MS,
        pollIntervalMs: e.LANGFUSE_POLL_INTERVAL_MS,
        uiEmail: e.LANGFUSE_UI_EMAIL || undefined,
        uiPassword: e.LANGFUSE_UI_PASSWORD || undefined,
        databaseUrl: e.LANGFUSE_DATABASE_URL || undefined,
      },
      models: { default: e.MODEL_DEFAULT, escalation: e.MODEL_ESCALATION },
      thresholds: {
        smokeMs: e.THRESHOLD_SMOKE_MS,
        cacheHitMs: e.THRESHOLD_CACHE_HIT_MS,
        failoverTokens: e.THRESHOLD_FAILOVER_TOKENS,
        cacheHitRate: e.THRESHOLD_CACHE_HIT_RATE,
        tlsMinDays: e.TLS_MIN_DAYS,
      },
      httpTimeoutMs: e.HTTP_TIMEOUT_MS,
      fly: {
        apiUrl: stripSlash(e.FLY_API_URL),
        token: e.FLY_API_TOKEN || undefined,
        transport: e.FLY_TRANSPORT,
        apps: { gateway: e.FLY_GATEWAY_APP, clickhouse: e.FLY_CLICKHOUSE_APP, minio: e.FLY_MINIO_APP },
        region: e.FLY_REGION,
        gatewayProcesses: e.FLY_GATEWAY_PROCESSES,
        expectedSecrets: e.FLY_EXPECTED_SECRETS,
      },
      clickhouse: {
        url: e.CLICKHOUSE_URL && stripSlash(e.CLICKHOUSE_URL),
        user: e.CLICKHOUSE_USER,
        password: e.CLICKHOUSE_PASSWORD || undefined,
      },
      minio: { url: e.MINIO_URL && stripSlash(e.MINIO_URL) },
      tls: {
        gatewayUrl: e.TLS_GATEWAY_URL ?? httpsOr(e.GATEWAY_URL),
        langfuseUrl: e.TLS_LANGFUSE_URL ?? httpsOr(e.LANGFUSE_URL),
        caFile: e.TLS_CA_FILE || undefined,
      },
      cache: { writeSettleMs: e.CACHE_WRITE_SETTLE_MS },
      quota: {
        customerKey: e.GATEWAY_QUOTA_KEY || undefined,
        rpmLimit: e.QUOTA_RPM_LIMIT,
        useCustomerKey: e.QUOTA_USE_CUSTOMER_KEY,
        concurrency: e.QUOTA_CONCURRENCY,
      },
      failover: { promptTokens: e.FAILOVER_PROMPT_TOKENS, controlTokens: e.FAILOVER_CONTROL_TOKENS },
      agents: {
        configPath: e.AGENTS_CONFIG_PATH,
        gatewayUrl: stripSlash(e.AGENTS_GATEWAY_URL ?? e.GATEWAY_URL),
        expected: e.AGENTS_EXPECTED.length > 0 ? e.AGENTS_EXPECTED : undefined,
      },
      rollback: {
        directUrl: stripSlash(e.OPENAI_DIRECT_URL),
        directKey: e.OPENAI_DIRECT_KEY || undefined,
        baselineSamples: e.BASELINE_SAMPLES,
        pooledDatabaseUrl: e.LANGFUSE_POOLED_DATABASE_URL || undefined,
      },
      monitor: {
        durationMs: e.MONITOR_DURATION,
        intervalMs: e.MONITOR_INTERVAL,
        minSamples: e.MONITOR_MIN_SAMPLES,
        errorWindowMs: e.MONITOR_ERROR_WINDOW,
        errorRate: e.ROLLBACK_ERROR_RATE,
        latencyRatio: e.ROLLBACK_LATENCY_RATIO,
        latencyFloorMs: e.ROLLBACK_LATENCY_FLOOR_MS,
        baselineP95Ms: e.BASELINE_P95_MS,
        baselineEvidence: e.BASELINE_EVIDENCE || `${e.CUTOVER_EVIDENCE_DIR}/latest-pre/evidence.json`,
        baselinePinned: Boolean(e.BASELINE_EVIDENCE),
      },
    },
  };
}

/**
 * Files the user named explicitly that cannot be read. Only named ones: a missing default
 * agents file is the agent-config check's business (it skips with the reason).
 */
function fileProblems(env: Record<string, string | undefined>): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const name of ['AGENTS_CONFIG_PATH', 'TLS_CA_FILE', 'BASELINE_EVIDENCE'] as const) {
    const path = env[name]?.trim();
    if (path && !readable(path)) out.push({ variable: name, problem: `names a file that cannot be read (${path})` });
  }
  return out;
}

/** Settings that are each valid but cannot hold together, and files named explicitly that cannot be read. */
function contradictionsOf(e: z.infer<typeof envSchema>, env: Record<string, string | undefined>): ConfigProblem[] {
  const out: ConfigProblem[] = fileProblems(env);
  if (e.QUOTA_USE_CUSTOMER_KEY && e.CUTOVER_PHASE === 'post') {
    out.push({
      variable: 'QUOTA_USE_CUSTOMER_KEY',
      problem:
        'is true while CUTOVER_PHASE=post: bursting the prod_customer key after the switch would throttle real customers',
    });
  }
  if (e.QUOTA_USE_CUSTOMER_KEY && !e.GATEWAY_QUOTA_KEY) {
    out.push({
      variable: 'GATEWAY_QUOTA_KEY',
      problem: 'is required when QUOTA_USE_CUSTOMER_KEY=true (the key to burst)',
    });
  }
  if (e.FAILOVER_PROMPT_TOKENS <= e.THRESHOLD_FAILOVER_TOKENS) {
    out.push({
      variable: 'FAILOVER_PROMPT_TOKENS',
      problem: `must be above THRESHOLD_FAILOVER_TOKENS (${e.THRESHOLD_FAILOVER_TOKENS}), or the prompt cannot force an escalation`,
    });
  }
  if (e.FAILOVER_CONTROL_TOKENS >= e.THRESHOLD_FAILOVER_TOKENS) {
    out.push({
      variable: 'FAILOVER_CONTROL_TOKENS',
      problem: `must be below THRESHOLD_FAILOVER_TOKENS (${e.THRESHOLD_FAILOVER_TOKENS}), or the control prompt would escalate too`,
    });
  }
  if (e.MONITOR_INTERVAL > e.MONITOR_DURATION) {
    out.push({
      variable: 'MONITOR_INTERVAL',
      problem: 'is longer than MONITOR_DURATION: the watch would never take a sample',
    });
  }
  if (e.CLICKHOUSE_URL && !e.CLICKHOUSE_PASSWORD) {
    out.push({
      variable: 'CLICKHOUSE_PASSWORD',
      problem: 'is required when CLICKHOUSE_URL is set (SELECT 1 must be authenticated)',
    });
  }
  return out;
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => (seen.has(p.variable) ? false : (seen.add(p.variable), true)));
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Formats problems as the single message the user sees: one line per variable. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
  const lines = problems.map((p) => `  - ${p.variable}: ${p.problem}`);
  return `Configuration is not valid (${problems.length} problem${problems.length === 1 ? '' : 's'}); nothing was sent:\n${lines.join('\n')}\nSee .env.example for every variable and its default.`;
}

/**
 * Variables that describe the target. With `GATEWAY_URL` unset the sandbox supplies all of
 * them, so setting only some is contradictory: the user meant a real deployment and forgot
 * `GATEWAY_URL`, and silently testing the sandbox instead would be a false go.
 */
export const TARGET_VARIABLES = [
  'GATEWAY_ADMIN_KEY',
  'LANGFUSE_URL',
  'LANGFUSE_PUBLIC_KEY',
  'LANGFUSE_SECRET_KEY',
] as const;

/** Problems with an environment that selects the sandbox (no `GATEWAY_URL`) but names parts of a real target. */
export function sandboxConflicts(env: Record<string, string | undefined>): ConfigProblem[] {
  return TARGET_VARIABLES.filter((name) => env[name]?.trim()).map((variable) => ({
    variable,
    problem:
      'is set but GATEWAY_URL is not: set GATEWAY_URL to test a real deployment, or unset this to rehearse against the sandbox',
  }));
}
