import { z } from 'zod';
import { VARIABLES, type VariableName } from './variables.ts';

/**
 * The typed configuration every check receives. Built only by `parseConfig`; a value of this
 * type has passed validation, so checks never re-validate.
 */
export interface CutoverConfig {
  /** `sandbox` when the bundled stand-in was started for this run, else `deployment`. */
  readonly target: 'sandbox' | 'deployment';
  readonly runId: string;
  readonly phase: 'pre' | 'post';
  readonly evidenceDir: string;
  readonly gateway: { readonly url: string; readonly adminKey: string };
  readonly langfuse: {
    readonly url: string;
    readonly publicKey: string;
    readonly secretKey: string;
    readonly waitMs: number;
    readonly pollIntervalMs: number;
  };
  readonly models: { readonly default: string; readonly escalation: string };
  readonly thresholds: { readonly smokeMs: number };
  readonly httpTimeoutMs: number;
}

const defaults = Object.fromEntries(
  VARIABLES.filter((v) => 'default' in v).map((v) => [v.name, (v as { default: string }).default]),
) as Partial<Record<VariableName, string>>;

const str = z.string().trim().min(1, 'must not be empty');
const httpUrl = str.refine((s) => {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}, 'must be an http(s) URL without credentials, e.g. https://gateway.example.com');
const positiveMs = z.coerce
  .number({ message: 'must be a number of milliseconds' })
  .int('must be a whole number of milliseconds')
  .positive('must be greater than 0');

const envSchema = z.object({
  GATEWAY_URL: httpUrl,
  GATEWAY_ADMIN_KEY: str,
  LANGFUSE_URL: httpUrl,
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
  CUTOVER_RUN_ID: str.regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ -'),
});

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
 * since any of them may be a secret pasted into the wrong variable.
 */
export function parseConfig(env: Record<string, string | undefined>, target: CutoverConfig['target']): ConfigResult {
  const input: Record<string, string | undefined> = {};
  for (const v of VARIABLES) {
    const raw = env[v.name];
    input[v.name] = raw === undefined || raw.trim() === '' ? defaults[v.name] : raw;
  }
  const result = envSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '(environment)');
      const isMissing = input[variable] === undefined;
      return { variable, problem: isMissing ? missing : issue.message };
    });
    return { ok: false, problems: dedupe(problems) };
  }
  const e = result.data;
  return {
    ok: true,
    config: {
      target,
      runId: e.CUTOVER_RUN_ID,
      phase: e.CUTOVER_PHASE,
      evidenceDir: e.CUTOVER_EVIDENCE_DIR,
      gateway: { url: stripSlash(e.GATEWAY_URL), adminKey: e.GATEWAY_ADMIN_KEY },
      langfuse: {
        url: stripSlash(e.LANGFUSE_URL),
        publicKey: e.LANGFUSE_PUBLIC_KEY,
        secretKey: e.LANGFUSE_SECRET_KEY,
        waitMs: e.LANGFUSE_WAIT_MS,
        pollIntervalMs: e.LANGFUSE_POLL_INTERVAL_MS,
      },
      models: { default: e.MODEL_DEFAULT, escalation: e.MODEL_ESCALATION },
      thresholds: { smokeMs: e.THRESHOLD_SMOKE_MS },
      httpTimeoutMs: e.HTTP_TIMEOUT_MS,
    },
  };
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
export const TARGET_VARIABLES = ['GATEWAY_ADMIN_KEY', 'LANGFUSE_URL', 'LANGFUSE_PUBLIC_KEY', 'LANGFUSE_SECRET_KEY'] as const;

/** Problems with an environment that selects the sandbox (no `GATEWAY_URL`) but names parts of a real target. */
export function sandboxConflicts(env: Record<string, string | undefined>): ConfigProblem[] {
  return TARGET_VARIABLES.filter((name) => env[name]?.trim()).map((variable) => ({
    variable,
    problem: 'is set but GATEWAY_URL is not: set GATEWAY_URL to test a real deployment, or unset this to rehearse against the sandbox',
  }));
}
