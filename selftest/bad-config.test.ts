import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { sharedSandbox } from './shared-sandbox.ts';
import { evidenceFiles, runCutover } from './run-cutover.ts';

/**
 * Malformed configurations. Each must exit with code 2 and one message naming every bad
 * variable, before any request: the target is a sandbox whose request counter must stay 0.
 */
interface BadConfig {
  name: string;
  /** Overrides on top of a valid configuration pointing at the counted sandbox; `null` removes a variable. */
  env: Record<string, string | null>;
  /** Every variable the message must name. */
  names: string[];
  /** When true the target is the bundled sandbox (no GATEWAY_URL): it must not even start. */
  sandboxMode?: boolean;
}

const CASES: BadConfig[] = [
  { name: 'missing admin key', env: { GATEWAY_ADMIN_KEY: null }, names: ['GATEWAY_ADMIN_KEY'] },
  { name: 'URL without scheme', env: { GATEWAY_URL: 'gateway.hotrodan.com' }, names: ['GATEWAY_URL'] },
  {
    name: 'credentials inside a URL',
    env: { LANGFUSE_URL: 'https://admin:hunter2@langfuse.hotrodan.com' },
    names: ['LANGFUSE_URL'],
  },
  { name: 'negative threshold', env: { THRESHOLD_SMOKE_MS: '-5' }, names: ['THRESHOLD_SMOKE_MS'] },
  { name: 'unknown phase', env: { CUTOVER_PHASE: 'during' }, names: ['CUTOVER_PHASE'] },
  {
    name: 'unreadable agents file',
    env: { AGENTS_CONFIG_PATH: 'fixtures/agents/does-not-exist.json' },
    names: ['AGENTS_CONFIG_PATH'],
  },
  { name: 'unreadable CA file', env: { TLS_CA_FILE: '/nonexistent/ca.pem' }, names: ['TLS_CA_FILE'] },
  {
    name: 'customer-key burst after the switch',
    env: { QUOTA_USE_CUSTOMER_KEY: 'true', GATEWAY_QUOTA_KEY: 'sk-customer-12345678', CUTOVER_PHASE: 'post' },
    names: ['QUOTA_USE_CUSTOMER_KEY'],
  },
  {
    name: 'failover prompt below the limit',
    env: { FAILOVER_PROMPT_TOKENS: '1200' },
    names: ['FAILOVER_PROMPT_TOKENS'],
  },
  { name: 'hit rate as a percentage', env: { THRESHOLD_CACHE_HIT_RATE: '30' }, names: ['THRESHOLD_CACHE_HIT_RATE'] },
  { name: 'unparsable duration', env: { MONITOR_DURATION: 'half an hour' }, names: ['MONITOR_DURATION'] },
  {
    name: 'interval longer than the watch',
    env: { MONITOR_DURATION: '10s', MONITOR_INTERVAL: '1m' },
    names: ['MONITOR_INTERVAL'],
  },
  {
    name: 'ClickHouse URL without password',
    env: { CLICKHOUSE_URL: 'http://127.0.0.1:8123' },
    names: ['CLICKHOUSE_PASSWORD'],
  },
  { name: 'unknown Fly transport', env: { FLY_TRANSPORT: 'ssh' }, names: ['FLY_TRANSPORT'] },
  {
    name: 'malformed expected secrets',
    env: { FLY_EXPECTED_SECRETS: 'hotdash-llm-gateway' },
    names: ['FLY_EXPECTED_SECRETS'],
  },
  { name: 'zero rpm limit', env: { QUOTA_RPM_LIMIT: '0' }, names: ['QUOTA_RPM_LIMIT'] },
  { name: 'run id with a path in it', env: { CUTOVER_RUN_ID: '../../etc' }, names: ['CUTOVER_RUN_ID'] },
  { name: 'wait that is not a number', env: { LANGFUSE_WAIT_MS: 'soon' }, names: ['LANGFUSE_WAIT_MS'] },
  {
    name: 'several problems at once',
    env: { GATEWAY_ADMIN_KEY: null, THRESHOLD_CACHE_HIT_MS: '0', MODEL_DEFAULT: ' ', BASELINE_SAMPLES: 'ten' },
    names: ['GATEWAY_ADMIN_KEY', 'THRESHOLD_CACHE_HIT_MS', 'BASELINE_SAMPLES'],
  },
  {
    name: 'a partial target without GATEWAY_URL',
    env: { LANGFUSE_URL: 'https://langfuse.hotrodan.com' },
    names: ['LANGFUSE_URL'],
    sandboxMode: true,
  },
  {
    name: 'a bad threshold in sandbox mode',
    env: { THRESHOLD_SMOKE_MS: '0' },
    names: ['THRESHOLD_SMOKE_MS'],
    sandboxMode: true,
  },
];

describe('bad configuration: one message naming every bad variable, nothing sent', () => {
  const sandboxOf = sharedSandbox();

  test.concurrent.each(CASES)('$name', async (c) => {
    const base: Record<string, string | undefined> = c.sandboxMode ? {} : { ...sandboxOf().env };
    for (const [k, v] of Object.entries(c.env)) {
      if (v === null) delete base[k];
      else base[k] = v;
    }
    const before = sandboxOf().counter.total;
    const run = await runCutover(base, { timeoutMs: 60_000, slot: false });
    expect(run.exitCode, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toMatch(/Configuration is not valid \(\d+ problems?\); nothing was sent/);
    for (const name of c.names) expect(run.stderr).toContain(`  - ${name}: `);
    expect(run.stderr).not.toMatch(/\n\s+at .*\.ts:\d+/); // no stack trace
    expect(run.stdout).not.toContain('Target: bundled sandbox');
    // The refusal is on record: an incomplete bundle, no check run, each problem a run error by
    // variable name, and no secret in it (one case puts a password inside a URL).
    expect(run.bundle?.verdict, 'evidence of the refusal').toBe('incomplete');
    expect(run.bundle!.sections).toEqual([]);
    for (const name of c.names)
      expect(run.bundle!.runErrors.join('\n')).toContain(`configuration refused, nothing was sent: ${name}: `);
    expect(existsSync(join(run.evidenceDir, 'latest-pre')), 'a refusal must not displace the baseline run').toBe(false);
    for (const [file, text] of evidenceFiles(run.evidenceDir))
      expect(text.includes('hunter2'), `${file} holds the password from a URL`).toBe(false);
    // Other cases run concurrently against the same sandbox and send nothing either.
    expect(sandboxOf().counter.total - before).toBe(0);
  });
});
