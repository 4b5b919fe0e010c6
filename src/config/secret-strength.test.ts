import { describe, expect, test } from 'vitest';
import { preflight } from './preflight.ts';
import { secretStrengthProblems } from './secret-strength.ts';

describe('secrets too weak to redact safely are refused at preflight', () => {
  test.each([
    ['CLICKHOUSE_PASSWORD', 'hunt'],
    ['CLICKHOUSE_PASSWORD', 'passed'],
    ['CLICKHOUSE_PASSWORD', 'clickhouse'],
    ['LANGFUSE_UI_PASSWORD', 'Password'],
    ['GATEWAY_ADMIN_KEY', 'sk-1234'],
    ['OPENAI_DIRECT_KEY', 'inconclusive'],
    ['TEAM_KEY_support_bot', 'minioadmin'],
  ])('%s=%s, named without its value', (variable, value) => {
    const problems = secretStrengthProblems({ [variable]: value });
    expect(problems.map((p) => p.variable)).toEqual([variable]);
    expect(problems[0]!.problem).not.toContain(value);
    expect(problems[0]!.problem).toMatch(/at least 8 characters/);
  });

  test('a weak password inside a database URL is refused, naming the URL variable', () => {
    const problems = secretStrengthProblems({ LANGFUSE_DATABASE_URL: 'postgres://postgres:postgres@db:5432/langfuse' });
    expect(problems).toEqual([
      {
        variable: 'LANGFUSE_DATABASE_URL',
        problem: expect.stringMatching(/^the password in this URL is a common word/),
      },
    ]);
    expect(problems[0]!.problem).not.toContain('postgres:');
  });

  test('strong secrets, unset and blank variables pass', () => {
    expect(
      secretStrengthProblems({
        CLICKHOUSE_PASSWORD: 'ch-4f9a2b7c1d8e',
        GATEWAY_ADMIN_KEY: '',
        LANGFUSE_DATABASE_URL: 'postgres://lf:Zq81xYw2Kp7@db/lf',
        TEAM_KEY_x: 'sk-team-0a1b2c3d4e5f',
      }),
    ).toEqual([]);
  });

  test('preflight reports them with the rest, in sandbox mode and against a deployment, and keeps the signing-key check', () => {
    const sandbox = preflight({ CLICKHOUSE_PASSWORD: 'clickhouse', CUTOVER_SIGNING_KEY: 'not a key' });
    expect(sandbox.map((p) => p.variable)).toEqual(
      expect.arrayContaining(['CLICKHOUSE_PASSWORD', 'CUTOVER_SIGNING_KEY']),
    );
    const deployment = preflight({
      GATEWAY_URL: 'https://gw.example.com',
      GATEWAY_ADMIN_KEY: 'admin',
      LANGFUSE_URL: 'https://lf.example.com',
      LANGFUSE_PUBLIC_KEY: 'pk-lf-0a1b2c3d4e',
      LANGFUSE_SECRET_KEY: 'sk-lf-0a1b2c3d4e',
      CUTOVER_RUN_ID: 'r1',
    });
    expect(deployment.filter((p) => p.variable === 'GATEWAY_ADMIN_KEY')).toHaveLength(1);
    expect(JSON.stringify(deployment)).not.toContain('"admin"');
  });
});
