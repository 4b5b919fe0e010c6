import { describe, expect, it } from 'vitest';
import { parseConfig, type CutoverConfig } from '../config/index.ts';
import { CATALOGUE } from '../evidence/catalogue.ts';
import { countChatTokens, countTextTokens } from '../measure/tokens.ts';
import { exactCachePrompt, loadParaphrases, runWords, uniqueControl } from './cache-probe.ts';
import { exactCachePlan, planRun, rollbackPlan, rpmLimitPlan, SEMANTIC_CACHE, semanticCachePlan } from './plan.ts';

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
