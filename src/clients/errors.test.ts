import { afterEach, describe, expect, test } from 'vitest';
import { runSecrets } from '../evidence/secrets.ts';
import { excerptOf, UnexpectedResponseError } from './errors.ts';

describe('excerptOf redacts before it cuts', () => {
  const PASSWORD = 'Xk29-mQ7rTz4-LpW8vN3-cB6yHd1-fG5s'; // 33 characters
  const saved = process.env.CLICKHOUSE_PASSWORD;
  afterEach(() => {
    if (saved === undefined) delete process.env.CLICKHOUSE_PASSWORD;
    else process.env.CLICKHOUSE_PASSWORD = saved;
  });

  test('a secret straddling the cut leaves none of its characters (cutting first left 20 of 33)', () => {
    process.env.CLICKHOUSE_PASSWORD = PASSWORD;
    const out = excerptOf(`${'e'.repeat(280)}${PASSWORD} and more`);
    for (let i = 0; i + 4 <= PASSWORD.length; i++) expect(out).not.toContain(PASSWORD.slice(i, i + 4));
    // The marker itself would straddle the cut: it is left out whole, never split.
    expect(out).toBe(`${'e'.repeat(280)}…`);
    expect(runSecrets().findIn(out)).toEqual([]);
  });

  test('a secret inside the excerpt is replaced by its marker', () => {
    process.env.CLICKHOUSE_PASSWORD = PASSWORD;
    const out = excerptOf(`${'e'.repeat(100)}\n${PASSWORD}${'f'.repeat(400)}`);
    expect(out).toMatch(/^e{100} \[REDACTED:CLICKHOUSE_PASSWORD\]f+…$/);
    expect(out).toHaveLength(301);
  });

  test('the error built from a body carries the redacted excerpt only', () => {
    process.env.CLICKHOUSE_PASSWORD = PASSWORD;
    const err = new UnexpectedResponseError(
      'GET',
      'https://ch.example.com/?query=1',
      500,
      'JSON',
      `Code: 516. Authentication failed: password ${PASSWORD.toUpperCase()} is incorrect`,
    );
    expect(err.message).not.toMatch(/XK29-MQ7R/);
    expect(err.excerpt).toContain('[REDACTED:CLICKHOUSE_PASSWORD]');
  });
});
