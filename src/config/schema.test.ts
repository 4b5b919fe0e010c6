import { describe, expect, expectTypeOf, test } from 'vitest';
import type { z } from 'zod';
import { formatProblems, parseConfig, sandboxConflicts, VARIABLE_SCHEMAS } from './schema.ts';
import { VARIABLES, type VariableName } from './variables.ts';

const target = {
  GATEWAY_URL: 'https://gateway.example.com/',
  GATEWAY_ADMIN_KEY: 'sk-admin-123456',
  LANGFUSE_URL: 'https://langfuse.example.com',
  LANGFUSE_PUBLIC_KEY: 'pk-lf-123456',
  LANGFUSE_SECRET_KEY: 'sk-lf-123456',
  CUTOVER_RUN_ID: 'run-1',
};

describe('parseConfig', () => {
  test('applies the runbook defaults and normalises URLs', () => {
    const r = parseConfig(target, 'deployment');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.gateway.url).toBe('https://gateway.example.com');
    expect(r.config.models).toEqual({ default: 'gpt-4o-mini', escalation: 'gpt-4o' });
    expect(r.config.thresholds.smokeMs).toBe(2000);
    expect(r.config.langfuse.waitMs).toBe(90_000);
    expect(r.config.phase).toBe('pre');
    expect(r.config.evidenceDir).toBe('evidence');
  });

  test('reports every problem at once, each by variable name, never echoing values', () => {
    const r = parseConfig(
      {
        GATEWAY_URL: 'gateway.example.com',
        LANGFUSE_URL: 'https://user:sk-secret-value@x',
        THRESHOLD_SMOKE_MS: '-5',
        CUTOVER_PHASE: 'during',
        LANGFUSE_SECRET_KEY: '  ',
        CUTOVER_RUN_ID: 'r',
      },
      'deployment',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byVar = Object.fromEntries(r.problems.map((p) => [p.variable, p.problem]));
    expect(Object.keys(byVar).sort()).toEqual(
      [
        'CUTOVER_PHASE',
        'GATEWAY_ADMIN_KEY',
        'GATEWAY_URL',
        'LANGFUSE_PUBLIC_KEY',
        'LANGFUSE_SECRET_KEY',
        'LANGFUSE_URL',
        'THRESHOLD_SMOKE_MS',
      ].sort(),
    );
    expect(byVar.GATEWAY_ADMIN_KEY).toMatch(/required when GATEWAY_URL is set/);
    expect(byVar.THRESHOLD_SMOKE_MS).toMatch(/greater than 0/);
    expect(byVar.CUTOVER_PHASE).toMatch(/pre or post/);
    const message = formatProblems(r.problems);
    expect(message).not.toContain('sk-secret-value');
    expect(message).toMatch(/\(7 problems\); nothing was sent/);
  });

  test('a partial target without GATEWAY_URL is contradictory', () => {
    expect(sandboxConflicts({ LANGFUSE_URL: 'https://langfuse.example.com' }).map((p) => p.variable)).toEqual([
      'LANGFUSE_URL',
    ]);
    expect(sandboxConflicts({})).toEqual([]);
  });
});

/** The problems of `target` plus `env`, by variable name; an empty object when it is valid. */
function problemsOf(env: Record<string, string>): Record<string, string> {
  const r = parseConfig({ ...target, ...env }, 'deployment');
  return r.ok ? {} : Object.fromEntries(r.problems.map((p) => [p.variable, p.problem]));
}

describe('hostile input', () => {
  test('durations need a unit; the message shows the accepted forms', () => {
    const bare = problemsOf({ MONITOR_DURATION: '30' });
    expect(bare.MONITOR_DURATION).toMatch(/has no unit/);
    expect(bare.MONITOR_DURATION).toMatch(/<number>ms, <number>s, <number>m or <number>h, e\.g\. 30m/);
    expect(problemsOf({ MONITOR_INTERVAL: '2' }).MONITOR_INTERVAL).toMatch(/e\.g\. 30s/);
    expect(problemsOf({ MONITOR_ERROR_WINDOW: 'five minutes' }).MONITOR_ERROR_WINDOW).toMatch(
      /must be a positive duration with a unit/,
    );
    expect(problemsOf({ MONITOR_DURATION: '0s' }).MONITOR_DURATION).toBeDefined();
    const r = parseConfig(
      { ...target, MONITOR_DURATION: '1h', MONITOR_INTERVAL: '1500ms', MONITOR_ERROR_WINDOW: '20s' },
      'deployment',
    );
    expect(r.ok && r.config.monitor).toMatchObject({ durationMs: 3_600_000, intervalMs: 1500, errorWindowMs: 20_000 });
  });

  test('a URL with a query or fragment is refused, for every URL variable', () => {
    const urls = {
      GATEWAY_URL: 'https://gw.example.com/cache/flushall#',
      LANGFUSE_URL: 'https://lf.example.com/?x=1',
      FLY_API_URL: 'https://api.machines.dev#',
      CLICKHOUSE_URL: 'http://127.0.0.1:8123/?user=x',
      MINIO_URL: 'http://127.0.0.1:9000#a',
      TLS_GATEWAY_URL: 'https://gw.example.com?',
      TLS_LANGFUSE_URL: 'https://lf.example.com#',
      AGENTS_GATEWAY_URL: 'https://gw.example.com/?',
      OPENAI_DIRECT_URL: 'https://api.openai.com/#',
    };
    const byVar = problemsOf({ ...urls, CLICKHOUSE_PASSWORD: 'pw' });
    for (const name of Object.keys(urls)) expect(byVar[name], name).toMatch(/without a query \(\?\) or fragment \(#\)/);
    expect(byVar.GATEWAY_URL).toMatch(/cache\/flushall/);
  });

  test('GATEWAY_URL ending in /v1 is named, not turned into /v1/key/generate; agents may use /v1', () => {
    for (const url of [
      'https://gw.example.com/v1',
      'https://gw.example.com/v1/',
      'https://gw.example.com/litellm/V1',
    ]) {
      expect(problemsOf({ GATEWAY_URL: url }).GATEWAY_URL, url).toMatch(/^must be the proxy's base URL without \/v1/);
    }
    expect(
      problemsOf({ GATEWAY_URL: 'https://gw.example.com/litellm', AGENTS_GATEWAY_URL: 'https://gw.example.com/v1' }),
    ).toEqual({});
  });

  test('each message shows an example of its own variable', () => {
    expect(problemsOf({ LANGFUSE_URL: 'langfuse.example.com' }).LANGFUSE_URL).toMatch(
      /e\.g\. https:\/\/langfuse\.hotrodan\.com/,
    );
    expect(problemsOf({ GATEWAY_URL: 'ftp://gw' }).GATEWAY_URL).toMatch(/e\.g\. https:\/\/gateway\.hotrodan\.com/);
    const rates = problemsOf({ ROLLBACK_ERROR_RATE: '2', THRESHOLD_CACHE_HIT_RATE: '30' });
    expect(rates.ROLLBACK_ERROR_RATE).toMatch(/e\.g\. 0\.02 for 2 %/);
    expect(rates.ROLLBACK_ERROR_RATE).not.toContain('0.30');
    expect(rates.THRESHOLD_CACHE_HIT_RATE).toMatch(/e\.g\. 0\.30 for 30 %/);
    const r = parseConfig(target, 'deployment');
    expect(r.ok && r.config.monitor.errorRate).toBe(0.02);
  });

  test('CUTOVER_RUN_ID refuses ".", ".." and leading dots; and the names the evidence root keeps; keeps 1-64 safe characters', () => {
    for (const id of ['.', '..', '.hidden', '-x', 'a/b', 'a'.repeat(65), 'latest', 'LATEST-pre', 'schema.json'])
      expect(problemsOf({ CUTOVER_RUN_ID: id }).CUTOVER_RUN_ID, id).toMatch(/starting with a letter or digit/);
    for (const id of ['a', 'run.1', '20261203T014603Z-647dba', 'a'.repeat(64)])
      expect(problemsOf({ CUTOVER_RUN_ID: id }), id).toEqual({});
  });

  test('CUTOVER_MAX_WORKERS must be a whole number', () => {
    expect(problemsOf({ CUTOVER_MAX_WORKERS: 'four' }).CUTOVER_MAX_WORKERS).toMatch(/must be a number/);
    expect(problemsOf({ CUTOVER_MAX_WORKERS: '4' })).toEqual({});
  });

  test('a misspelt variable is refused with the name meant, alongside every other problem', () => {
    const { GATEWAY_URL, ...rest } = target;
    const r = parseConfig(
      { ...rest, GATEWAY_ULR: GATEWAY_URL, CUTOVER_SKIPS: '1/tls: by hand', THRESHOLD_SMOKE_MS: '0' },
      'deployment',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byVar = Object.fromEntries(r.problems.map((p) => [p.variable, p.problem]));
    expect(byVar.GATEWAY_ULR).toMatch(/did you mean GATEWAY_URL\?/);
    expect(byVar.CUTOVER_SKIPS).toMatch(/did you mean CUTOVER_SKIP\?/);
    expect(byVar.GATEWAY_URL).toMatch(/required/);
    expect(byVar.THRESHOLD_SMOKE_MS).toBeDefined();
    expect(r.problems[0]?.variable).toBe('CUTOVER_SKIPS');
  });

  test('a misspelt variable alone is enough to refuse an otherwise valid configuration', () => {
    expect(problemsOf({ LANGFUSE_SECRETKEY: 'sk-lf-x' }).LANGFUSE_SECRETKEY).toMatch(
      /did you mean LANGFUSE_SECRET_KEY\?/,
    );
    expect(problemsOf({ OPENAI_API_KEY: 'sk-x', LANGFUSE_HOST: 'https://lf', FLY_APP_NAME: 'x' })).toEqual({});
  });
});

describe('the variable table and the schema', () => {
  test('name the same variables', () => {
    expectTypeOf<keyof typeof VARIABLE_SCHEMAS>().toEqualTypeOf<VariableName>();
    expect(Object.keys(VARIABLE_SCHEMAS).sort()).toEqual(VARIABLES.map((v) => v.name).sort());
  });

  test('the compiler refuses a schema that loses a name or gains one (tsc checks these lines)', () => {
    const { MODEL_DEFAULT: lostName, ...lost } = VARIABLE_SCHEMAS;
    // @ts-expect-error MODEL_DEFAULT is in the table but no longer in the schema
    const withoutOne = lost satisfies Record<VariableName, z.ZodType>;
    // @ts-expect-error MODEL_FALLBACK is in the schema but not in the table
    const withExtra = { ...VARIABLE_SCHEMAS, MODEL_FALLBACK: lostName } satisfies Record<VariableName, z.ZodType>;
    expect(Object.keys(withExtra).length - Object.keys(withoutOne).length).toBe(2);
  });
});
