import { describe, expect, test } from 'vitest';
import type { CheckRecord, RollbackTrigger } from './model.ts';
import { decideVerdict } from './verdict.ts';

const rec = (id: string, status: CheckRecord['status'], o: Partial<CheckRecord> = {}): CheckRecord => ({
  id,
  section: id.split('/')[0]!,
  title: id,
  status,
  measurements: [],
  observations: {},
  links: [],
  durationMs: 1,
  ...o,
});

/** A 7/watch that measured a breach: 3.1 % errors over 412 requests of a 5-minute window. */
const errorBurst: RollbackTrigger = {
  rule: 'error-rate',
  value: 0.031,
  limit: 0.02,
  unit: 'ratio',
  samples: 412,
  minSamples: 50,
  windowMs: 300_000,
  atMs: 600_000,
  line: 'ROLLBACK: error rate 3.1 % > 2.0 % over 412 requests (window 5 min)',
};
const breached = (t: RollbackTrigger = errorBurst): CheckRecord =>
  rec('7/watch', 'failed', { error: `${t.line} at 10 min of 30 min.`, observations: { rollbackTrigger: t } });
const lowHitRate = rec('6/live-traffic', 'failed', {
  error:
    'cache_hit_rate_support-bot = 0.12 ratio, required >= 0.3 ratio\nagent returns-assistant: no trace tagged agent:returns-assistant in Langfuse over 30 min of watching',
});
const post = (checks: CheckRecord[], endReason: 'passed' | 'failed' | 'interrupted' = 'failed') => {
  const { notRun: _, ...v } = decideVerdict('post', checks, endReason, []);
  return v;
};

describe('decideVerdict, pre-cutover', () => {
  test('go only when everything passed', () => {
    expect(decideVerdict('pre', [rec('3/smoke', 'passed')], 'passed', []).verdict).toBe('go');
  });
  test('any failure is no-go', () => {
    expect(decideVerdict('pre', [rec('3/smoke', 'failed'), rec('4.1/x', 'passed')], 'failed', [])).toEqual({
      verdict: 'no-go',
      reasons: ['3/smoke failed'],
      notRun: [],
    });
  });
  test('no data is never a pass: no checks, inconclusive, implicit skip, interruption', () => {
    expect(decideVerdict('pre', [], 'passed', []).verdict).toBe('incomplete');
    expect(
      decideVerdict(
        'pre',
        [rec('4.2/x', 'inconclusive', { error: 'inconclusive: every pair was cached' })],
        'failed',
        [],
      ),
    ).toEqual({ verdict: 'incomplete', reasons: ['4.2/x inconclusive: every pair was cached'], notRun: [] });
    expect(
      decideVerdict(
        'pre',
        [rec('2/fly', 'skipped', { skip: { reason: 'no FLY_API_TOKEN', explicit: false } })],
        'passed',
        [],
      ).verdict,
    ).toBe('incomplete');
    expect(decideVerdict('pre', [rec('3/smoke', 'passed')], 'interrupted', []).verdict).toBe('incomplete');
  });
  test('a waiver (CUTOVER_SKIP with a reason) gives go-with-waivers, listing each waiver and its reason', () => {
    const v = decideVerdict(
      'pre',
      [
        rec('3/smoke', 'passed'),
        rec('2/fly', 'skipped', {
          skip: { reason: 'waived by CUTOVER_SKIP: no Fly token in this CI', explicit: true },
        }),
      ],
      'passed',
      [],
    );
    expect(v.verdict).toBe('go-with-waivers');
    expect(v.reasons).toEqual(['2/fly waived: no Fly token in this CI']);
  });
  test('a check of the catalogue that did not run (a filter, a crash) keeps the run from go', () => {
    const v = decideVerdict(
      'pre',
      [rec('6/agent-config', 'passed')],
      'passed',
      [],
      ['3/smoke', '6/agent-config', '7/rollback-readiness'],
    );
    expect(v.verdict).toBe('incomplete');
    expect(v.notRun).toEqual(['3/smoke', '7/rollback-readiness']);
    expect(v.reasons).toEqual([
      'not run: 3/smoke, 7/rollback-readiness (a verdict covers only the checks that ran; run the whole runbook without filters)',
    ]);
    // A failure still decides: a check that ran and failed is a no-go whatever else did not run.
    expect(
      decideVerdict('pre', [rec('6/agent-config', 'failed')], 'failed', [], ['3/smoke', '6/agent-config']).verdict,
    ).toBe('no-go');
    // After the switch, missing checks leave the run undecided, never hold.
    expect(
      decideVerdict('post', [rec('6/live-traffic', 'passed')], 'passed', [], ['6/live-traffic', '7/watch']).verdict,
    ).toBe('incomplete');
  });
});

describe('decideVerdict, post-cutover: rollback means a measured §7 breach, nothing else', () => {
  test('hold when the watch and live traffic passed', () => {
    expect(post([rec('6/live-traffic', 'passed'), rec('7/watch', 'passed')], 'passed')).toEqual({
      verdict: 'hold',
      reasons: [],
    });
  });

  test('a breach over enough samples is rollback, with the ROLLBACK line as the reason', () => {
    expect(post([rec('6/live-traffic', 'passed'), breached()])).toEqual({
      verdict: 'rollback',
      reasons: ['7/watch: ROLLBACK: error rate 3.1 % > 2.0 % over 412 requests (window 5 min)'],
    });
    const latency: RollbackTrigger = {
      rule: 'latency',
      value: 1400,
      limit: 550,
      unit: 'ms',
      samples: 60,
      minSamples: 50,
      windowMs: 300_000,
      atMs: 1,
      line: 'ROLLBACK: p95 latency 1400 ms > limit 550 ms',
    };
    expect(post([breached(latency)]).verdict).toBe('rollback');
  });

  test('a breach still rolls back alongside §6 findings, and in an interrupted run', () => {
    expect(post([lowHitRate, breached()]).verdict).toBe('rollback');
    expect(post([lowHitRate, breached()]).reasons).toHaveLength(3);
    expect(post([breached()], 'interrupted').verdict).toBe('rollback');
  });

  test('a recorded trigger that does not show a breach over enough samples is no rollback', () => {
    expect(post([breached({ ...errorBurst, samples: 49 })]).verdict).toBe('incomplete');
    expect(post([breached({ ...errorBurst, value: 0.02 })]).verdict).toBe('incomplete');
    expect(
      post([rec('7/watch', 'failed', { observations: { rollbackTrigger: { rule: 'error-rate', line: 'ROLLBACK' } } })])
        .verdict,
    ).toBe('incomplete');
    expect(post([rec('7/watch', 'inconclusive', { observations: { rollbackTrigger: errorBurst } })]).verdict).toBe(
      'incomplete',
    );
  });

  test('a failed watch without a trigger (a crash, a broken input) cannot decide: incomplete, saying so', () => {
    expect(
      post([
        rec('6/live-traffic', 'passed'),
        rec('7/watch', 'failed', { error: 'TypeError: cannot read properties of undefined' }),
      ]),
    ).toEqual({
      verdict: 'incomplete',
      reasons: ['7/watch failed without a measured rollback trigger: TypeError: cannot read properties of undefined'],
    });
  });

  test('§6 expectations missed while the watch held: hold-with-findings, each finding a reason (which agent, which rate)', () => {
    expect(post([lowHitRate, rec('7/watch', 'passed')])).toEqual({
      verdict: 'hold-with-findings',
      reasons: [
        '6/live-traffic: cache_hit_rate_support-bot = 0.12 ratio, required >= 0.3 ratio',
        '6/live-traffic: agent returns-assistant: no trace tagged agent:returns-assistant in Langfuse over 30 min of watching',
      ],
    });
  });

  test('missing inputs are incomplete, never rollback: no baseline, no metrics, no Langfuse, no checks, interruption', () => {
    const noBaseline = rec('7/watch', 'inconclusive', {
      error: 'inconclusive: the latency rule cannot decide: no latency baseline: …',
    });
    expect(post([rec('6/live-traffic', 'passed'), noBaseline])).toEqual({
      verdict: 'incomplete',
      reasons: ['7/watch inconclusive: the latency rule cannot decide: no latency baseline: …'],
    });
    const noWatch = (why: string) => [
      rec('6/live-traffic', 'inconclusive', { error: `inconclusive: ${why}` }),
      rec('7/watch', 'inconclusive', { error: `inconclusive: ${why}` }),
    ];
    expect(post(noWatch('the watch could not start: GET https://gw/metrics/: 401')).verdict).toBe('incomplete');
    expect(post(noWatch('the watch could not start: GET https://lf/api/public/traces: unreachable')).verdict).toBe(
      'incomplete',
    );
    expect(post([]).verdict).toBe('incomplete');
    expect(post([rec('6/live-traffic', 'passed'), rec('7/watch', 'passed')], 'interrupted').verdict).toBe('incomplete');
  });

  test('findings while the watch could not decide: incomplete, the findings still listed', () => {
    const v = post([lowHitRate, rec('7/watch', 'inconclusive', { error: 'inconclusive: too few samples' })]);
    expect(v.verdict).toBe('incomplete');
    expect(v.reasons).toEqual([
      '6/live-traffic: cache_hit_rate_support-bot = 0.12 ratio, required >= 0.3 ratio',
      '6/live-traffic: agent returns-assistant: no trace tagged agent:returns-assistant in Langfuse over 30 min of watching',
      '7/watch inconclusive: too few samples',
    ]);
  });
});

describe('verdict words', () => {
  test('a rehearsal and the config gate never say go', async () => {
    const { verdictWord, decisionOf } = await import('./model.ts');
    expect(verdictWord('go', 'cutover')).toBe('go');
    expect(verdictWord('go', 'rehearsal')).toBe('rehearsal-go');
    expect(verdictWord('hold-with-findings', 'rehearsal')).toBe('rehearsal-hold-with-findings');
    expect(verdictWord('incomplete', 'rehearsal')).toBe('incomplete');
    expect(verdictWord('go', 'config-gate')).toBe('config-ok');
    expect(verdictWord('no-go', 'config-gate')).toBe('config-failed');
    for (const d of ['go', 'go-with-waivers', 'no-go', 'hold', 'hold-with-findings', 'rollback', 'incomplete'] as const)
      expect(decisionOf(verdictWord(d, 'rehearsal'))).toBe(d);
  });
});

describe('one clear cause, not an echo per check', () => {
  test('an unreachable gateway is one reason naming every check it failed', () => {
    const dns = (id: string) =>
      rec(id, 'failed', {
        error: `POST https://gateway.example.com/v1/chat/completions: unreachable (ENOTFOUND: getaddrinfo ENOTFOUND gateway.example.com)`,
      });
    const v = decideVerdict(
      'pre',
      [dns('3/smoke'), dns('4.1/exact-cache'), dns('5.1/rpm-limit'), rec('2/minio', 'failed', { error: 'HTTP 503' })],
      'failed',
      [],
    );
    expect(v.verdict).toBe('no-go');
    expect(v.reasons).toEqual([
      'https://gateway.example.com unreachable (ENOTFOUND): 3 checks failed for this reason (3/smoke, 4.1/exact-cache, 5.1/rpm-limit)',
      '2/minio failed',
    ]);
  });
  test('a Langfuse that stores nothing of the run is said once', () => {
    const blind = (id: string) =>
      rec(id, 'failed', {
        error:
          'Langfuse trace abc: no trace of this run (tag run:r1) reached Langfuse in 45 s, although the gateway answered: …',
      });
    expect(decideVerdict('pre', [blind('3/smoke'), blind('5.2/failover')], 'failed', []).reasons).toEqual([
      'no trace of this run reached Langfuse (Langfuse is not storing what LiteLLM sends): 2 checks failed for this reason (3/smoke, 5.2/failover)',
    ]);
  });
});
