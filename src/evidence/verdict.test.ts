import { describe, expect, test } from 'vitest';
import type { CheckRecord } from './model.ts';
import { decideVerdict } from './verdict.ts';

const rec = (id: string, status: CheckRecord['status'], skip?: CheckRecord['skip']): CheckRecord => ({
  id, section: id.split('/')[0]!, title: id, status, measurements: [], observations: {}, links: [], durationMs: 1, ...(skip ? { skip } : {}),
});

describe('decideVerdict', () => {
  test('go only when everything passed', () => {
    expect(decideVerdict('pre', [rec('3/smoke', 'passed')], 'passed', []).verdict).toBe('go');
  });
  test('any failure is no-go (pre) or rollback (post)', () => {
    expect(decideVerdict('pre', [rec('3/smoke', 'failed'), rec('4.1/x', 'passed')], 'failed', []).verdict).toBe('no-go');
    expect(decideVerdict('post', [rec('7/watch', 'failed')], 'failed', []).verdict).toBe('rollback');
  });
  test('no data is never a pass: no checks, inconclusive, implicit skip, interruption', () => {
    expect(decideVerdict('pre', [], 'passed', []).verdict).toBe('incomplete');
    expect(decideVerdict('pre', [rec('4.2/x', 'inconclusive')], 'failed', []).verdict).toBe('incomplete');
    expect(decideVerdict('pre', [rec('2/fly', 'skipped', { reason: 'no FLY_API_TOKEN', explicit: false })], 'passed', []).verdict).toBe('incomplete');
    expect(decideVerdict('pre', [rec('3/smoke', 'passed')], 'interrupted', []).verdict).toBe('incomplete');
  });
  test('an explicit skip (CUTOVER_SKIP) still allows go, and says so', () => {
    const v = decideVerdict('pre', [rec('3/smoke', 'passed'), rec('2/fly', 'skipped', { reason: 'CUTOVER_SKIP', explicit: true })], 'passed', []);
    expect(v.verdict).toBe('go');
    expect(v.reasons.join()).toMatch(/2\/fly skipped on purpose/);
  });
});
