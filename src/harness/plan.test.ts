import { describe, expect, it } from 'vitest';
import type { ModelDefinition, ModelDefinitions } from '../clients/langfuse-models.ts';
import { parseConfig, type CutoverConfig } from '../config/index.ts';
import { CATALOGUE } from '../evidence/catalogue.ts';
import { countChatTokens, countTextTokens } from '../measure/tokens.ts';
import { exactCachePrompt, loadParaphrases, runWords, uniqueControl } from './cache-probe.ts';
import {
  entryCost,
  exactCachePlan,
  modelShares,
  planRun,
  plannedTokenCounts,
  failoverPrompt,
  priceOf,
  rollbackPlan,
  rpmLimitPlan,
  SEMANTIC_CACHE,
  semanticCachePlan,
} from './plan.ts';

function config(env: Record<string, string> = {}): CutoverConfig {
  const r = parseConfig(
    {
      GATEWAY_URL: 'http://127.0.0.1:1',
      GATEWAY_ADMIN_KEY: 'sk-x',
      LANGFUSE_URL: 'http://127.0.0.1:1',
      LANGFUSE_PUBLIC_KEY: 'pk',
      LANGFUSE_SECRET_KEY: 'sk',
      CUTOVER_RUN_ID: 'r1',
      ...env,
    },
    'deployment',
  );
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

  it('plans every check the registry marks planned, in runbook order, and no other', () => {
    const planned = CATALOGUE.filter((c) => c.planned).map((c) => c.id);
    expect(planned.length).toBeGreaterThan(5);
    expect(planRun(config()).entries.map((e) => e.checkId)).toEqual(planned);
  });

  it('follows the config and leaves out waived checks', () => {
    const plan = planRun(
      config({
        QUOTA_RPM_LIMIT: '10',
        FAILOVER_PROMPT_TOKENS: '3000',
        CUTOVER_SKIP: '4.2/semantic-cache: no semantic cache in this deployment',
      }),
    );
    expect(plan.entries.map((e) => e.checkId)).not.toContain('4.2/semantic-cache');
    expect(plan.entries.find((e) => e.checkId === '5.1/rpm-limit')?.requests).toBe(11);
    expect(plan.entries.find((e) => e.checkId === '5.2/failover')?.inputTokens).toBe(4500);
  });

  it('plans §5.1 for the limit the check actually tests', () => {
    const small = rpmLimitPlan(config(), 5);
    expect(small.requests).toBe(6);
    expect(small.inputTokens % 6).toBe(0);
  });

  it("counts the prompts the checks send: §4.1 three times the run's probe prompt at max_tokens 8", () => {
    const c = config();
    const entry = exactCachePlan(c);
    expect(entry).toMatchObject({ requests: 3, maxOutputTokens: 24 });
    expect(entry.inputTokens).toBe(3 * countChatTokens([{ role: 'user', content: exactCachePrompt(c.runId) }]));
  });

  it("states §7 through the gateway, and direct only with a direct key (or the sandbox's)", () => {
    const without = rollbackPlan(config({ BASELINE_SAMPLES: '3' }));
    expect(without).toMatchObject({ requests: 3, maxOutputTokens: 3 });
    expect(without.note).toMatch(/OPENAI_DIRECT_KEY is not set/);
    const gatewayOnly = [
      'Rollback baseline 0 (run r1)',
      'Rollback baseline 1 (run r1)',
      'Rollback baseline 2 (run r1)',
    ];
    expect(without.inputTokens).toBe(
      gatewayOnly.reduce((n, content) => n + countChatTokens([{ role: 'user', content }]), 0),
    );
    const withKey = rollbackPlan(config({ BASELINE_SAMPLES: '3', OPENAI_DIRECT_KEY: 'sk-direct' }));
    expect(withKey.requests).toBe(6);
    expect(withKey.inputTokens).toBe(
      without.inputTokens + 3 * countChatTokens([{ role: 'user', content: 'Rollback baseline 0' }]),
    );
  });

  it('bounds §4.2 from above, whatever control and probe words the check draws', () => {
    const entry = semanticCachePlan();
    const { pairs, controls } = loadParaphrases(SEMANTIC_CACHE.fixture);
    const tokens = (content: string) => countChatTokens([{ role: 'user', content }]);
    const sent = (control: string) => tokens(pairs[0]![0]) + tokens(pairs[0]![1]) + tokens(control);
    for (const control of controls)
      for (let i = 0; i < 20; i++) expect(sent(uniqueControl(control))).toBeLessThanOrEqual(entry.inputTokens);
    expect(entry).toMatchObject({ requests: 3, maxOutputTokens: 48 });
  });

  it('knows the costliest probe word (the §4.2 ceiling rests on it)', () => {
    // 400 seeds draw every one of the few dozen probe words many times over.
    const words = new Set(Array.from({ length: 400 }, (_, i) => runWords(`seed-${i}`)).flat());
    expect(words.size).toBeGreaterThan(50);
    expect(Math.max(...[...words].map((w) => countTextTokens(` ${w}`)))).toBe(SEMANTIC_CACHE.wordTokensMax);
  });
});

const SOURCE = 'http://langfuse.test/api/public/models';
const definition = (over: Partial<ModelDefinition>): ModelDefinition => ({
  id: 'lf-mini',
  modelName: 'gpt-4o-mini',
  matchPattern: '(?i)^(openai\\/)?(gpt-4o-mini)$',
  startDate: null,
  unit: 'TOKENS',
  isLangfuseManaged: true,
  prices: { input: 1e-7, output: 1e-6 },
  ...over,
});
const defs = (...definitions: ModelDefinition[]): ModelDefinitions => ({ source: SOURCE, definitions });

describe('money in the plan', () => {
  it("sends §5.2's long prompt to the escalation model and every other token to the default model", () => {
    const c = config({ MODEL_DEFAULT: 'gpt-4o-mini', MODEL_ESCALATION: 'gpt-4o' });
    for (const e of planRun(c).entries) {
      const shares = modelShares(e, c);
      expect(shares.reduce((n, s) => n + s.inputTokens, 0)).toBe(e.inputTokens);
      expect(shares.reduce((n, s) => n + s.maxOutputTokens, 0)).toBe(e.maxOutputTokens);
    }
    const failover = planRun(c).entries.find((e) => e.checkId === '5.2/failover')!;
    expect(modelShares(failover, c)).toEqual([
      { model: 'gpt-4o', inputTokens: 2400, maxOutputTokens: 1 },
      { model: 'gpt-4o-mini', inputTokens: 1500, maxOutputTokens: 1 },
    ]);
  });

  it('prices a model with the definition Langfuse would apply, and names it', () => {
    const own = definition({ id: 'own', isLangfuseManaged: false, prices: { input: 2e-7, output: 3e-6 } });
    expect(priceOf(defs(definition({}), own), 'gpt-4o-mini')).toEqual({
      ok: true,
      price: {
        model: 'gpt-4o-mini',
        inputUsd: 2e-7,
        outputUsd: 3e-6,
        source: SOURCE,
        definitionId: 'own',
        definitionName: 'gpt-4o-mini',
        isLangfuseManaged: false,
      },
    });
    const totalOnly = priceOf(defs(definition({ prices: { total: 5e-7 } })), 'gpt-4o-mini');
    expect(totalOnly).toMatchObject({ ok: true, price: { inputUsd: 5e-7, outputUsd: 5e-7 } });
  });

  it('gives no price, with the reason, rather than a made-up figure', () => {
    const unread = priceOf("Langfuse's model prices could not be read (HTTP 401)", 'gpt-4o-mini');
    expect(unread).toEqual({ ok: false, why: "Langfuse's model prices could not be read (HTTP 401)" });
    const none = priceOf(defs(definition({})), 'gpt-4o');
    expect(none.ok).toBe(false);
    expect(!none.ok && none.why).toContain(SOURCE);
    const chars = priceOf(defs(definition({ unit: 'CHARACTERS' })), 'gpt-4o-mini');
    expect(!chars.ok && chars.why).toContain('CHARACTERS, not TOKENS');
    const inputOnly = priceOf(defs(definition({ prices: { input: 1e-7 } })), 'gpt-4o-mini');
    expect(inputOnly.ok).toBe(false);
  });

  it('costs an entry at most its prompt tokens at the input price plus its ceiling at the output price', () => {
    const c = config({ MODEL_DEFAULT: 'gpt-4o-mini', MODEL_ESCALATION: 'gpt-4o' });
    const prices = defs(
      definition({}),
      definition({
        id: 'lf-4o',
        modelName: 'gpt-4o',
        matchPattern: '(?i)^(gpt-4o)$',
        prices: { input: 1e-6, output: 1e-5 },
      }),
    );
    const entries = planRun(c).entries;
    const smoke = entries.find((e) => e.checkId === '3/smoke')!;
    const cost = entryCost(smoke, c, (m) => priceOf(prices, m));
    expect(cost.ok && cost.usd).toBeCloseTo(smoke.inputTokens * 1e-7 + smoke.maxOutputTokens * 1e-6, 12);
    const failover = entries.find((e) => e.checkId === '5.2/failover')!;
    const split = entryCost(failover, c, (m) => priceOf(prices, m));
    expect(split.ok && split.usd).toBeCloseTo(2400 * 1e-6 + 1e-5 + 1500 * 1e-7 + 1e-6, 12);
    const noEscalationPrice = entryCost(failover, c, (m) => priceOf(defs(definition({})), m));
    expect(noEscalationPrice.ok).toBe(false);
    expect(!noEscalationPrice.ok && noEscalationPrice.why).toMatch(/^gpt-4o: /);
    const teamKeys = entries.find((e) => e.checkId === '6/team-keys')!;
    expect(entryCost(teamKeys, c, () => ({ ok: false, why: 'never asked' }))).toEqual({ ok: true, usd: 0 });
  });
});

describe('plannedTokenCounts', () => {
  it('holds every planned prompt and both §5.2 prompts, so the workers never count', () => {
    const c = config({ CUTOVER_RUN_ID: 'r-counts' });
    const counts = plannedTokenCounts(c);
    const key = (content: string) => JSON.stringify([['user', content, undefined]]);
    expect(counts.chats[key(exactCachePrompt('r-counts'))]).toBe(
      countChatTokens([{ role: 'user', content: exactCachePrompt('r-counts') }]),
    );
    const prompts = Object.values(counts.prompts);
    expect(prompts).toContainEqual(failoverPrompt(c, 'escalation'));
    expect(prompts).toContainEqual(failoverPrompt(c, 'control'));
    expect(failoverPrompt(c, 'escalation').tokens).toBe(c.failover.promptTokens);
  });
});
