import type { CutoverConfig } from '../config/index.ts';
import { countChatTokens } from '../measure/tokens.ts';
import type { CheckRecorder } from './recorder.ts';

/**
 * What one check will send to the gateway, stated before it spends: requests, prompt tokens
 * (cl100k_base with chat overhead, what LiteLLM counts) and the ceiling on completion tokens
 * (`max_tokens` × requests). Requests rejected by the gateway (a 429) are counted as sent
 * but cost nothing upstream.
 */
export interface PlanEntry {
  readonly checkId: string;
  readonly requests: number;
  readonly inputTokens: number;
  readonly maxOutputTokens: number;
  /** Where the numbers come from, and what can change them at run time. */
  readonly note: string;
}

/** The §5.1 burst's request shape; the check and the plan both read it, so they cannot disagree. */
export const RPM_BURST = {
  maxTokens: 1,
  /** The tiny prompt of request `i`: the run id keeps it out of caches of earlier runs. */
  prompt: (runId: string): string => `Reply with one word. Cutover quota check, run ${runId}.`,
} as const;

/** The §5.2 requests' shape: an escalation prompt and a control prompt, each sent once. */
export const FAILOVER = { maxTokens: 1 } as const;

/** The prefix (nonce) of a §5.2 prompt; also counted into its size. */
export function failoverPrefix(runId: string, kind: 'escalation' | 'control', traceId: string): string {
  return `Cutover failover check (${kind}), run ${runId}, request ${traceId}. Summarise the text below in one word.`;
}

/**
 * One planner per check. Sections add theirs here; the entries of checks that are not yet
 * written are the runbook's request counts with small prompts, marked as estimates.
 */
const PLANNERS: readonly ((config: CutoverConfig) => PlanEntry)[] = [
  (c) => ({
    checkId: '3/smoke',
    requests: 1,
    inputTokens: countChatTokens([{ role: 'user', content: `Cutover smoke test (run ${c.runId})` }]),
    maxOutputTokens: 16,
    note: 'one live request with the admin key',
  }),
  () => ({ checkId: '4.1/exact-cache', requests: 3, inputTokens: 3 * 40, maxOutputTokens: 3 * 16, note: 'estimate: miss, hit, namespaced repeat; hits cost no upstream tokens (a semantic cache type still embeds each prompt)' }),
  () => ({ checkId: '4.2/semantic-cache', requests: 3, inputTokens: 3 * 40, maxOutputTokens: 3 * 16, note: 'estimate: original, paraphrase, control; plus one embedding call per lookup and one per cache write' }),
  (c) => rpmLimitPlan(c),
  (c) => failoverPlan(c),
  () => ({ checkId: '6/team-keys', requests: 0, inputTokens: 0, maxOutputTokens: 0, note: 'no model request: one GET /key/info per TEAM_KEY_* the agents config references, asked with that key' }),
  (c) => ({
    checkId: '7/rollback-readiness',
    requests: 2 * c.rollback.baselineSamples,
    inputTokens: 2 * c.rollback.baselineSamples * 12,
    maxOutputTokens: 2 * c.rollback.baselineSamples,
    note: `${c.rollback.baselineSamples} uncached baseline samples through the gateway and ${c.rollback.baselineSamples} direct to OpenAI (max_tokens 1)`,
  }),
];

/** The cost plan of a whole pre-cutover run: one entry per check that sends model requests, and the totals. */
export interface RunPlan {
  readonly entries: readonly PlanEntry[];
  readonly totals: { readonly requests: number; readonly inputTokens: number; readonly maxOutputTokens: number };
}

/**
 * Computes what a pre-cutover run with this config will send, without sending anything.
 * Checks skipped by `CUTOVER_SKIP` are left out. Numbers that are only known at run time
 * (the prod_customer key's limit) are taken from the config and say so in their note.
 */
export function planRun(config: CutoverConfig): RunPlan {
  const entries = PLANNERS.map((p) => p(config)).filter((e) => !config.waivers.some((w) => w.id === e.checkId));
  const sum = (f: (e: PlanEntry) => number): number => entries.reduce((n, e) => n + f(e), 0);
  return { entries, totals: { requests: sum((e) => e.requests), inputTokens: sum((e) => e.inputTokens), maxOutputTokens: sum((e) => e.maxOutputTokens) } };
}

/**
 * §5.1: `limit + 1` tiny requests. `limit` defaults to `QUOTA_RPM_LIMIT`; the check passes the
 * limit it actually tests (the prod_customer key's, read with /key/info) before spending.
 */
export function rpmLimitPlan(c: CutoverConfig, limit = c.quota.rpmLimit): PlanEntry {
  const requests = limit + 1;
  return {
    checkId: '5.1/rpm-limit',
    requests,
    inputTokens: requests * countChatTokens([{ role: 'user', content: RPM_BURST.prompt(c.runId) }]),
    maxOutputTokens: requests * RPM_BURST.maxTokens,
    note: `rpm_limit + 1 requests (limit ${limit}${c.quota.customerKey ? ': at run time the prod_customer key’s rpm_limit from /key/info' : ' from QUOTA_RPM_LIMIT'}); the throttled request costs nothing upstream`,
  };
}

/** §5.2: one escalation prompt and one control prompt, each built to its exact token count. */
export function failoverPlan(c: CutoverConfig): PlanEntry {
  return {
    checkId: '5.2/failover',
    requests: 2,
    inputTokens: c.failover.promptTokens + c.failover.controlTokens,
    maxOutputTokens: 2 * FAILOVER.maxTokens,
    note: `a ${c.failover.promptTokens}-token prompt (must escalate to ${c.models.escalation}) and a ${c.failover.controlTokens}-token control (stays on ${c.models.default})`,
  };
}

/** Records what a check is about to send (`plannedRequests`, `plannedInputTokens`) before it sends it. */
export function observePlan(c: CheckRecorder, plan: Pick<PlanEntry, 'requests' | 'inputTokens'>): void {
  c.observe('plannedRequests', plan.requests);
  c.observe('plannedInputTokens', plan.inputTokens);
}

/** Records what was actually sent and what the provider reported (`usage.total_tokens` summed over answered requests). */
export function observeUsage(c: CheckRecorder, actual: { requests: number; tokens: number }): void {
  c.observe('actualRequests', actual.requests);
  c.observe('actualTokens', actual.tokens);
}
