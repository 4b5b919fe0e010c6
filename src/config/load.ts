import { randomBytes } from 'node:crypto';
import { readEnvironment } from './environment.ts';

export { readEnvironment };
import { formatProblems, parseConfig, type ConfigProblem, type CutoverConfig } from './schema.ts';
import { SECRET_VARIABLES } from './variables.ts';

/**
 * Thrown when the configuration is unusable. Carries every problem at once; its message is
 * the whole user-facing explanation, so callers print `message` and never the stack.
 */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    super(formatProblems(problems));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** A fresh run id: sortable by time, unique enough to isolate caches and traces per run. */
export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Which target the harness started: `CUTOVER_TARGET=sandbox` is set only by our global setup. */
export function targetOf(env: Record<string, string | undefined>): CutoverConfig['target'] {
  return env.CUTOVER_TARGET === 'sandbox' ? 'sandbox' : 'deployment';
}

/** Parses the environment into a config or throws one `ConfigError` listing every problem. */
export function loadConfig(env: Record<string, string | undefined>): CutoverConfig {
  const result = parseConfig(env, targetOf(env));
  if (!result.ok) throw new ConfigError(result.problems);
  return result.config;
}

/**
 * The secret values present in an environment, keyed by variable name (every `TEAM_KEY_*` too),
 * plus derived forms a server could echo back: the Basic-auth base64 of the Langfuse key pair,
 * each macaroon of a Fly token without its `FlyV1 ` scheme (`FLY_API_TOKEN_MACAROON`), and the
 * password inside each database URL (`<NAME>_PASSWORD`, see `urlPasswords`), since a driver's
 * error message quotes the password, not the URL.
 */
export function secretValues(env: Record<string, string | undefined>): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of SECRET_VARIABLES) {
    const value = env[name]?.trim();
    if (value) out.set(name, value);
  }
  // Team keys are referenced by agent configs as TEAM_KEY_<team>; their values are live credentials.
  for (const [name, value] of Object.entries(env))
    if (name.startsWith('TEAM_KEY_') && value?.trim()) out.set(name, value.trim());
  const pk = out.get('LANGFUSE_PUBLIC_KEY');
  const sk = out.get('LANGFUSE_SECRET_KEY');
  if (pk && sk) out.set('LANGFUSE_BASIC_AUTH', Buffer.from(`${pk}:${sk}`).toString('base64'));
  // A Fly token travels as `FlyV1 <macaroon>,<macaroon>…`; an API may echo one macaroon alone.
  const fly = out.get('FLY_API_TOKEN')?.replace(/^(?:FlyV1|Bearer)\s+/i, '');
  const macaroons =
    fly
      ?.split(',')
      .map((m) => m.trim())
      .filter((m) => m && m !== out.get('FLY_API_TOKEN')) ?? [];
  macaroons.forEach((m, i) => out.set(`FLY_API_TOKEN_MACAROON${i === 0 ? '' : `_${i + 1}`}`, m));
  for (const name of DATABASE_URL_VARIABLES) {
    const forms = urlPasswords(out.get(name));
    forms.forEach((form, i) => out.set(`${name}_PASSWORD${i === 0 ? '' : `_${i + 1}`}`, form));
  }
  return out;
}

/** Secret variables holding a database URL whose password part is a credential of its own. */
export const DATABASE_URL_VARIABLES = ['LANGFUSE_DATABASE_URL', 'LANGFUSE_POOLED_DATABASE_URL'] as const;

/**
 * The password of a `scheme://user:password@host/…` URL in every form worth redacting: as
 * written and percent-decoded, and, when the password holds an unencoded `@` (libpq reads up to
 * the last one), both readings. Empty when there is none. Read with patterns rather than
 * `new URL`, which refuses some valid Postgres URLs (several hosts) and would then hide the
 * password from redaction.
 */
export function urlPasswords(url: string | undefined): string[] {
  const text = url?.trim() ?? '';
  const forms = new Set<string>();
  for (const re of [
    /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^:@/]*:([^@]*)@/,
    /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^:@/]*:(.*)@[^@]*$/,
  ]) {
    const raw = re.exec(text)?.[1];
    if (!raw) continue;
    forms.add(raw);
    try {
      forms.add(decodeURIComponent(raw));
    } catch {
      // A stray % is taken literally, as libpq does.
    }
  }
  return [...forms];
}
