import { describe, expect, test } from 'vitest';
import { distance, misspeltVariables } from './misspelt.ts';

const named = (env: Record<string, string>) =>
  Object.fromEntries(misspeltVariables(env).map((p) => [p.variable, p.problem]));

describe('misspeltVariables', () => {
  test('names the issue examples with the variable meant', () => {
    const byVar = named({ GATEWAY_ULR: 'https://gw', LANGFUSE_SECRETKEY: 'x', CUTOVER_SKIPS: 'x', SANDBOX_FAULT: 'x' });
    expect(byVar).toEqual({
      GATEWAY_ULR: 'is not a variable this suite reads: did you mean GATEWAY_URL?',
      LANGFUSE_SECRETKEY: 'is not a variable this suite reads: did you mean LANGFUSE_SECRET_KEY?',
      CUTOVER_SKIPS: 'is not a variable this suite reads: did you mean CUTOVER_SKIP?',
      SANDBOX_FAULT: 'is not a variable this suite reads: did you mean SANDBOX_FAULTS?',
    });
  });

  test('a name in the wrong case is named as such', () => {
    expect(named({ gateway_url: 'x' }).gateway_url).toBe(
      'is not read (variable names are case-sensitive): did you mean GATEWAY_URL?',
    );
  });

  test("an unknown name under a prefix of ours is refused, listing that prefix's variables", () => {
    const problem = named({ MONITOR_WINDOW: '5m' }).MONITOR_WINDOW;
    expect(problem).toMatch(/^is not a variable this suite reads, though MONITOR_ is its prefix/);
    expect(problem).toContain('MONITOR_ERROR_WINDOW');
  });

  test('TEAM_KEY_<team> is a pattern: its members pass, its misspellings are named with the member meant', () => {
    expect(named({ TEAM_KEY_support_bot: 'sk-a', TEAM_KEY_X1: 'sk-b' })).toEqual({});
    const byVar = named({
      TEAMKEY_support_bot: 'x',
      TEAM_KEYS_order_tracker: 'x',
      team_key_returns: 'x',
      TEAM_KEY: 'x',
      'TEAM_KEY_a-b': 'x',
    });
    expect(byVar.TEAMKEY_support_bot).toMatch(/did you mean TEAM_KEY_support_bot \(a TEAM_KEY_<team> variable\)\?/);
    expect(byVar.TEAM_KEYS_order_tracker).toMatch(/did you mean TEAM_KEY_order_tracker /);
    expect(byVar.team_key_returns).toMatch(/did you mean TEAM_KEY_returns /);
    expect(byVar.TEAM_KEY).toMatch(/did you mean a TEAM_KEY_<team> variable such as TEAM_KEY_support_bot\?/);
    expect(byVar['TEAM_KEY_a-b']).toMatch(/not a usable TEAM_KEY_<team> name/);
  });

  test("leaves alone what CI and vendors set, our own tooling's names, and empty values", () => {
    const env = {
      PATH: '/bin',
      HOME: '/root',
      GITHUB_TOKEN: 'x',
      HTTP_PROXY: 'x',
      OPENAI_API_KEY: 'x',
      OPENAI_BASE_URL: 'x',
      LANGFUSE_HOST: 'x',
      FLY_APP_NAME: 'x',
      FLY_MACHINE_ID: 'x',
      FLY_ACCESS_TOKEN: 'x',
      CLICKHOUSE_HOST: 'x',
      MINIO_ROOT_USER: 'x',
      TEAMCITY_VERSION: 'x',
      CUTOVER_ENV_FILE: '/dev/null',
      CUTOVER_TARGET: 'sandbox',
      CUTOVER_RUN_KIND: 'config-gate',
      CUTOVER_REFERENCE_UPSTREAM_KEY: 'x',
      SANDBOX_CACHE_TYPE: 'redis',
      CUTOVER_WAIVERS: '',
      GATEWAY_ULR: ' ',
    };
    expect(misspeltVariables(env)).toEqual([]);
  });

  test('distance counts a swap of neighbours as one edit', () => {
    expect(distance('GATEWAY_ULR', 'GATEWAY_URL')).toBe(1);
    expect(distance('LANGFUSE_SECRETKEY', 'LANGFUSE_SECRET_KEY')).toBe(1);
    expect(distance('', 'ABC')).toBe(3);
    expect(distance('KITTEN', 'SITTING')).toBe(3);
  });
});
