import { describe, expect, it } from 'vitest';
import { parseConfig, type CutoverConfig } from '../config/index.ts';
import { planRun, rpmLimitPlan } from './plan.ts';

function config(env: Record<string, string> = {}): CutoverConfig {
  const r = parseConfig({ GATEWAY_URL: 'http://127.0.0.1:1', GATEWAY_ADMIN_KEY: 'sk-x', LANGFUSE_URL: 'http://127.0.0.1:1', LANGFUSE_PUBLIC_KEY: 'pk', LANGFUSE_SECRET_KEY: 'sk', CUTOVER_RUN_ID: 'r1', ...env }, 'deployment');
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

describe('planRun', () => {
  it('states one entry per spending check, with the runbook numbers, and their totals', () => {
    const plan = planRun(config());
    const by = Object.fromEntries(plan.entries.map((e) => [e.checkId, e]));
    expect(by['3/smoke']?.requests).toBe(1);
    expect(by['4.1/exact-cache']?.requests).toBe(3);
    expect(by['5.1/rpm-limit']).toMatchObject({ requests: 101, maxOutputTokens: 101 });
    expect(by['5.2/failover']).toMatchObject({ requests: 2, inputTokens: 2400 + 1500 });
    expect(plan.totals.requests).toBe(plan.entries.reduce((n, e) => n + e.requests, 0));
    expect(plan.totals.inputTokens).toBe(plan.entries.reduce((n, e) => n + e.inputTokens, 0));
  });

  it('follows the config and leaves out waived checks', () => {
    const plan = planRun(config({ QUOTA_RPM_LIMIT: '10', FAILOVER_PROMPT_TOKENS: '3000', CUTOVER_SKIP: '4.2/semantic-cache: no semantic cache in this deployment' }));
    expect(plan.entries.map((e) => e.checkId)).not.toContain('4.2/semantic-cache');
    expect(plan.entries.find((e) => e.checkId === '5.1/rpm-limit')?.requests).toBe(11);
    expect(plan.entries.find((e) => e.checkId === '5.2/failover')?.inputTokens).toBe(4500);
  });

  it('plans §5.1 for the limit the check actually tests', () => {
    const small = rpmLimitPlan(config(), 5);
    expect(small.requests).toBe(6);
    expect(small.inputTokens % 6).toBe(0);
  });
});
