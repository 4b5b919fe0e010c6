import { expect, test } from 'vitest';
import { quantile, summarize } from './stats.ts';

test('quantiles interpolate between ranks', () => {
  expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
  expect(quantile([10], 0.95)).toBe(10);
  expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBeCloseTo(9.55);
});

test('an empty sample has no statistics, not zeros', () => {
  expect(summarize([])).toEqual({ count: 0, min: null, max: null, mean: null, p50: null, p95: null, p99: null });
  expect(quantile([], 0.5)).toBeNull();
});
