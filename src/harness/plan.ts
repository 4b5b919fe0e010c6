import { type ModelDefinitions, matchModel } from '../clients/langfuse-models.ts';
import type { CutoverConfig } from '../config/index.ts';
import { CATALOGUE, type CatalogueEntry, type PlannedCheckId } from '../evidence/catalogue.ts';
import { buildPrompt, countChatTokens, countsMade, type SizedPrompt, type TokenCounts } from '../measure/tokens.ts';
import { exactCachePrompt, loadParaphrases } from './cache-probe.ts';
import type { CheckRecorder } from './recorder.ts';

/**
 * What one check will send to the gateway, stated before it spends: requests, prompt tokens
 * (cl100k_base with chat overhead, what LiteLLM counts) and the ceiling on completion tokens
 * (`max_tokens` × requests). Requests rejected by the gateway (a 429) are counted as sent
 * but cost nothing upstream.
 */
export interface PlanEntry<Id extends PlannedCheckId = PlannedCheckId> {
  readonly checkId: Id;
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

/**
 * A §5.2 prompt, built to its exact size: the run id and the kind make it unique to this request
 * of this run (it is also sent uncached), and it is the same in the composition root, which builds
 * it first (`plannedTokenCounts`), and in the check, which sends it.
 */
export function failoverPrompt(c: CutoverConfig, kind: 'escalation' | 'control'): SizedPrompt {
  const tokens = kind === 'escalation' ? c.failover.promptTokens : c.failover.controlTokens;
  return buildPrompt(tokens, `Cutover failover check (${kind}), run ${c.runId}. Summarise the text below in one word.`);
}

/** The §3 smoke request's shape (tests/smoke): one uncached request with the admin key. */
export const SMOKE = {
  maxTokens: 16,
  prompt: (runId: string): string => `Cutover smoke test (run ${runId})`,
} as const;

/** The §4.1 requests' shape (tests/cache/exact-cache.ts): the same prompt three times, a miss then two hits. */
export const EXACT_CACHE = { requests: 3, maxTokens: 8 } as const;

/**
 * The §4.2 requests' shape (tests/cache/semantic-cache.ts): a pair's prompt and paraphrase from the
 * fixture, then a control prompt made unique with three random probe words (`uniqueControl`).
 */
export const SEMANTIC_CACHE = {
  maxTokens: 16,
  fixture: new URL('../../fixtures/paraphrases.json', import.meta.url),
  controlWords: 3,
  /** The most cl100k tokens one probe word costs after its space (tambourine, narwhal …: 3; plan.test.ts checks the list). */
  wordTokensMax: 3,
} as const;

/** The §7 rollback baseline's shape (tests/rollback): `BASELINE_SAMPLES` uncached requests each way, `max_tokens` 1. */
export const ROLLBACK_BASELINE = {
  maxTokens: 1,
  gatewayPrompt: (runId: string, i: number): string => `Rollback baseline ${i} (run ${runId})`,
  directPrompt: (i: number): string => `Rollback baseline ${i}`,
} as const;

const userTokens = (content: string): number => countChatTokens([{ role: 'user', content }]);

/**
 * One planner per check the registry marks `planned` (`evidence/catalogue.ts`), keyed by its id:
 * the compiler refuses a missing planner, a planner for a check not marked, and a planner that
 * answers for another check. Prompts are counted as sent (cache hits and throttled requests
 * included); the notes say which of them cost nothing upstream.
 */
const PLANNERS: { readonly [Id in PlannedCheckId]: (config: CutoverConfig) => PlanEntry<Id> } = {
  '3/smoke': (c) => ({
    checkId: '3/smoke',
    requests: 1,
    inputTokens: userTokens(SMOKE.prompt(c.runId)),
    maxOutputTokens: SMOKE.maxTokens,
    note: 'one live request with the admin key',
  }),
  '4.1/exact-cache': (c) => exactCachePlan(c),
  '4.2/semantic-cache': () => semanticCachePlan(),
  '5.1/rpm-limit': (c) => rpmLimitPlan(c),
  '5.2/failover': (c) => failoverPlan(c),
  '6/team-keys': () => ({
    checkId: '6/team-keys',
    requests: 0,
    inputTokens: 0,
    maxOutputTokens: 0,
    note: 'no model request: one GET /key/info per TEAM_KEY_* the agents config references, asked with that key',
  }),
  '7/rollback-readiness': (c) => rollbackPlan(c),
};

const isPlanned = (e: CatalogueEntry): e is CatalogueEntry & { readonly id: PlannedCheckId } => e.planned;

/** The cost plan of a whole pre-cutover run: one entry per planned check, in registry order, and the totals. */
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
  const entries = CATALOGUE.filter(isPlanned)
    .filter((e) => e.phase === 'pre' && !config.waivers.some((w) => w.id === e.id))
    .map((e) => PLANNERS[e.id](config));
  const sum = (f: (e: PlanEntry) => number): number => entries.reduce((n, e) => n + f(e), 0);
  return {
    entries,
    totals: {
      requests: sum((e) => e.requests),
      inputTokens: sum((e) => e.inputTokens),
      maxOutputTokens: sum((e) => e.maxOutputTokens),
    },
  };
}

/**
 * Every prompt of the run's plan counted, and the §5.2 prompts built, as data for the workers
 * (`adoptCounts`). The composition root calls it once: each worker that counted for itself
 * loaded its own cl100k table (~40 MB, commit 0f63e91); a worker that adopts these never does.
 */
export function plannedTokenCounts(config: CutoverConfig): TokenCounts {
  planRun(config);
  if (!config.waivers.some((w) => w.id === '5.2/failover')) {
    failoverPrompt(config, 'escalation');
    failoverPrompt(config, 'control');
  }
  return countsMade();
}

/**
 * §5.1: `limit + 1` tiny requests. `limit` defaults to `QUOTA_RPM_LIMIT`; the check passes the
 * limit it actually tests (the prod_customer key's, read with /key/info) before spending.
 */
export function rpmLimitPlan(c: CutoverConfig, limit = c.quota.rpmLimit): PlanEntry<'5.1/rpm-limit'> {
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
export function failoverPlan(c: CutoverConfig): PlanEntry<'5.2/failover'> {
  return {
    checkId: '5.2/failover',
    requests: 2,
    inputTokens: c.failover.promptTokens + c.failover.controlTokens,
    maxOutputTokens: 2 * FAILOVER.maxTokens,
    note: `a ${c.failover.promptTokens}-token prompt (must escalate to ${c.models.escalation}) and a ${c.failover.controlTokens}-token control (stays on ${c.models.default})`,
  };
}

/** §4.1: the run's cache-probe prompt three times; only the first (the miss) reaches the provider. */
export function exactCachePlan(c: CutoverConfig): PlanEntry<'4.1/exact-cache'> {
  const { requests, maxTokens } = EXACT_CACHE;
  return {
    checkId: '4.1/exact-cache',
    requests,
    inputTokens: requests * userTokens(exactCachePrompt(c.runId)),
    maxOutputTokens: requests * maxTokens,
    note: 'a miss, then two hits that cost no upstream tokens; a semantic cache type also embeds each prompt',
  };
}

/**
 * §4.2 when the first pair's prompt is a clean miss (an earlier run can have cached it: then one
 * more request per cached pair). The control's random words vary, so its tokens are the most
 * any control with any words can cost: the entry is a ceiling.
 */
export function semanticCachePlan(): PlanEntry<'4.2/semantic-cache'> {
  const { pairs, controls } = loadParaphrases(SEMANTIC_CACHE.fixture);
  const [prompt, paraphrase] = pairs[0]!;
  // cl100k splits `<control> Mention w1, w2, w3.` at every word and comma, so the parts add up.
  const words = SEMANTIC_CACHE.controlWords * SEMANTIC_CACHE.wordTokensMax + SEMANTIC_CACHE.controlWords;
  const control = Math.max(...controls.map((text) => userTokens(`${text} Mention`))) + words;
  return {
    checkId: '4.2/semantic-cache',
    requests: 3,
    inputTokens: userTokens(prompt) + userTokens(paraphrase) + control,
    maxOutputTokens: 3 * SEMANTIC_CACHE.maxTokens,
    note: `at most: prompt, paraphrase (a hit), control; plus one embedding call per lookup and per cache write, and one request more per pair an earlier run cached (up to ${pairs.length - 1})`,
  };
}

/**
 * §7: the baseline samples through the gateway, and as many direct to OpenAI when there is a
 * direct key: `OPENAI_DIRECT_KEY`, or the sandbox's own upstream key in a rehearsal.
 */
export function rollbackPlan(c: CutoverConfig): PlanEntry<'7/rollback-readiness'> {
  const n = c.rollback.baselineSamples;
  const direct = c.rollback.directKey || c.target === 'sandbox' ? n : 0;
  let inputTokens = 0;
  for (let i = 0; i < n; i++) inputTokens += userTokens(ROLLBACK_BASELINE.gatewayPrompt(c.runId, i));
  for (let i = 0; i < direct; i++) inputTokens += userTokens(ROLLBACK_BASELINE.directPrompt(i));
  return {
    checkId: '7/rollback-readiness',
    requests: n + direct,
    inputTokens,
    maxOutputTokens: (n + direct) * ROLLBACK_BASELINE.maxTokens,
    note: `${n} uncached baseline samples through the gateway${direct ? ` and ${direct} direct to OpenAI (not through the gateway)` : ' (none direct to OpenAI: OPENAI_DIRECT_KEY is not set)'}, max_tokens ${ROLLBACK_BASELINE.maxTokens}`,
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

/** The tokens one model receives within a plan entry. */
export interface ModelShare {
  readonly model: string;
  readonly inputTokens: number;
  readonly maxOutputTokens: number;
}

/**
 * Which model each planned token goes to. Every check sends `MODEL_DEFAULT` (the rollback
 * baseline's direct requests too), except §5.2, whose long prompt must be escalated by the
 * gateway to `MODEL_ESCALATION` while its control stays on `MODEL_DEFAULT`.
 */
export function modelShares(e: PlanEntry, c: CutoverConfig): readonly ModelShare[] {
  if (e.checkId === '5.2/failover')
    return [
      { model: c.models.escalation, inputTokens: c.failover.promptTokens, maxOutputTokens: FAILOVER.maxTokens },
      { model: c.models.default, inputTokens: c.failover.controlTokens, maxOutputTokens: FAILOVER.maxTokens },
    ];
  return [{ model: c.models.default, inputTokens: e.inputTokens, maxOutputTokens: e.maxOutputTokens }];
}

/** A model's USD price per input and per output token, and the Langfuse definition it came from. */
interface TokenPrice {
  readonly model: string;
  readonly inputUsd: number;
  readonly outputUsd: number;
  /** The URL the definitions were read from (`<LANGFUSE_URL>/api/public/models`). */
  readonly source: string;
  readonly definitionId: string;
  readonly definitionName: string;
  readonly isLangfuseManaged: boolean;
}

/** A price, or why there is none (Langfuse unreadable, no matching definition, not priced per token). */
export type PriceOf = { readonly ok: true; readonly price: TokenPrice } | { readonly ok: false; readonly why: string };

/**
 * The price Langfuse would apply to `model`: the definition `matchModel` picks, its `input`
 * and `output` prices per token, or its `total` price for both when it has only that. A
 * definition counted in another unit than tokens, or with none of these prices, gives no price.
 * `definitions` is the read's failure reason when Langfuse could not be read.
 */
export function priceOf(definitions: ModelDefinitions | string, model: string): PriceOf {
  if (typeof definitions === 'string') return { ok: false, why: definitions };
  const m = matchModel(definitions.definitions, model);
  if (!m.ok) return { ok: false, why: `${m.why} at ${definitions.source}` };
  const d = m.definition;
  const named = `definition ${d.id} "${d.modelName}"`;
  if (d.unit !== null && d.unit !== 'TOKENS') return { ok: false, why: `${named} prices ${d.unit}, not TOKENS` };
  const { input, output, total } = d.prices;
  const inputUsd = input ?? (output === undefined ? total : undefined);
  const outputUsd = output ?? (input === undefined ? total : undefined);
  if (inputUsd === undefined || outputUsd === undefined)
    return { ok: false, why: `${named} has no input and output (or total) price` };
  return {
    ok: true,
    price: {
      model,
      inputUsd,
      outputUsd,
      source: definitions.source,
      definitionId: d.id,
      definitionName: d.modelName,
      isLangfuseManaged: d.isLangfuseManaged,
    },
  };
}

/** An entry's cost ceiling in USD, or why it cannot be given. */
export type EntryCost = { readonly ok: true; readonly usd: number } | { readonly ok: false; readonly why: string };

/**
 * The most an entry can cost: every planned prompt token at the input price and every
 * completion-token ceiling at the output price. Cache hits and throttled requests, which cost
 * nothing upstream, are priced as if sent, so the figure is a ceiling. Unknown when any model
 * of the entry has no price; an entry that sends nothing costs 0.
 */
export function entryCost(e: PlanEntry, c: CutoverConfig, prices: (model: string) => PriceOf): EntryCost {
  let usd = 0;
  for (const share of modelShares(e, c)) {
    if (share.inputTokens === 0 && share.maxOutputTokens === 0) continue;
    const p = prices(share.model);
    if (!p.ok) return { ok: false, why: `${share.model}: ${p.why}` };
    usd += share.inputTokens * p.price.inputUsd + share.maxOutputTokens * p.price.outputUsd;
  }
  return { ok: true, usd };
}
