import { expect, test } from 'vitest';
import { ExitCode, exitCodeFor } from './exit-codes.ts';
import { Verdict } from './model.ts';

test('0 only for go, go-with-waivers and hold (of any kind); hold-with-findings is non-zero but never the code of a rollback', () => {
  const codes = Object.fromEntries(Verdict.options.map((v) => [v, exitCodeFor(v)]));
  expect(codes).toEqual({
    go: 0,
    'go-with-waivers': 0,
    'no-go': 1,
    hold: 0,
    'hold-with-findings': 3,
    rollback: 1,
    incomplete: 1,
    'rehearsal-go': 0,
    'rehearsal-go-with-waivers': 0,
    'rehearsal-no-go': 1,
    'rehearsal-hold': 0,
    'rehearsal-hold-with-findings': 3,
    'rehearsal-rollback': 1,
    'config-ok': 0,
    'config-failed': 1,
  });
  expect(exitCodeFor('hold-with-findings')).not.toBe(exitCodeFor('rollback'));
  expect(new Set(Object.values(ExitCode)).size).toBe(Object.values(ExitCode).length);
});
