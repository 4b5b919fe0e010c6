import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { parseConfig } from '../src/config/index.ts';
import type { CheckRecord } from '../src/evidence/model.ts';
import { planRun, type PlanEntry, type RunPlan } from '../src/harness/plan.ts';
import { runCutover, type CutoverRun } from './run-cutover.ts';

// `pnpm test:cutover:plan` states what a run will send before it spends; here a rehearsal is
// planned, then run with the same run id, and what its checks recorded must agree with the plan.
// The sandbox counts prompt tokens with cl100k as LiteLLM does, so per-request counts are exact.
describe('the cost plan matches what a rehearsal records', () => {
  const runId = `plan-${randomBytes(4).toString('hex')}`;
  let run: CutoverRun;
  let plan: RunPlan;
  const entry = (id: string): PlanEntry => {
    const found = plan.entries.find((e) => e.checkId === id);
    if (!found) throw new Error(`the plan has no entry for ${id}`);
    return found;
  };
  const observed = (c: CheckRecord, name: string): unknown => c.observations[name];
  const measured = (c: CheckRecord, name: string): number | null | undefined =>
    c.measurements.find((m) => m.name === name)?.value;

  beforeAll(async () => {
    // What scripts/plan.ts does without GATEWAY_URL: the sandbox's target values do not change the plan.
    const placeholders = {
      GATEWAY_URL: 'http://127.0.0.1:1',
      GATEWAY_ADMIN_KEY: 'placeholder',
      LANGFUSE_URL: 'http://127.0.0.1:1',
      LANGFUSE_PUBLIC_KEY: 'placeholder',
      LANGFUSE_SECRET_KEY: 'placeholder',
    };
    const config = parseConfig({ CUTOVER_RUN_ID: runId, ...placeholders }, 'sandbox');
    if (!config.ok) throw new Error(JSON.stringify(config.problems));
    plan = planRun(config.config);
    run = await runCutover({ CUTOVER_RUN_ID: runId });
    expect(run.bundle?.verdict, run.stderr).toBe('rehearsal-go');
  });

  test('every planned check ran and passed', () => {
    for (const e of plan.entries) expect(run.check(e.checkId).status, e.checkId).toBe('passed');
  });

  test('§5.1 and §5.2 record the planned figures and send them', () => {
    for (const id of ['5.1/rpm-limit', '5.2/failover']) {
      const c = run.check(id);
      const e = entry(id);
      expect({ requests: observed(c, 'plannedRequests'), inputTokens: observed(c, 'plannedInputTokens') }, id).toEqual({
        requests: e.requests,
        inputTokens: e.inputTokens,
      });
      expect(observed(c, 'actualRequests'), id).toBe(e.requests);
      // usage.total_tokens of the answered requests: their prompts plus at most max_tokens each.
      expect(observed(c, 'actualTokens') as number, id).toBeLessThanOrEqual(e.inputTokens + e.maxOutputTokens);
    }
  });

  test('§4.1 sends three requests of the planned size', () => {
    const sent = observed(run.check('4.1/exact-cache'), 'sent') as {
      requests: number;
      providerCalls: number;
      promptTokens: number;
      maxTokens: number;
    };
    const e = entry('4.1/exact-cache');
    expect(sent.requests).toBe(e.requests);
    expect(sent.requests * sent.maxTokens).toBe(e.maxOutputTokens);
    expect(sent.providerCalls).toBe(1);
    expect(sent.promptTokens * e.requests).toBe(e.inputTokens);
  });

  test('§4.2 stays within its ceiling', () => {
    const sent = observed(run.check('4.2/semantic-cache'), 'sent') as {
      requests: number;
      promptTokens: number;
      cachedTokens: number;
      maxTokens: number;
    };
    const e = entry('4.2/semantic-cache');
    expect(sent.requests).toBe(e.requests);
    expect(sent.requests * sent.maxTokens).toBe(e.maxOutputTokens);
    expect(sent.promptTokens).toBeLessThanOrEqual(e.inputTokens);
  });

  test('§7 sends the planned baseline samples, through the gateway and direct', () => {
    const c = run.check('7/rollback-readiness');
    const viaGateway = (observed(c, 'gatewayStatuses') as number[]).length;
    expect(viaGateway + (measured(c, 'direct_ok_samples') ?? 0)).toBe(entry('7/rollback-readiness').requests);
  });
});
