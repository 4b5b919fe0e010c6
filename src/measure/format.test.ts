import { describe, expect, test } from 'vitest';
import { duration, num, pct, textTable } from './format.ts';

describe('format', () => {
  test('pct: one decimal always, so a ratio reads the same in every view', () => {
    expect([0.031, 0.3, 0.41, 1, 0].map(pct)).toEqual(['3.1 %', '30.0 %', '41.0 %', '100.0 %', '0.0 %']);
  });
  test('num: integers grouped, fractions bounded', () => {
    expect([12345, 2.345678, 0.0123456, -3].map(num)).toEqual(['12,345', '2.35', '0.0123', '-3']);
  });
  test('duration: minutes when whole, else seconds to a tenth, else milliseconds', () => {
    expect([300_000, 90_000, 1_234, 85.4, 10_000].map(duration)).toEqual(['5 min', '90 s', '1.2 s', '85 ms', '10 s']);
    // A value that rounds up to a second is said in seconds, never "1,000 ms".
    expect([999.6, 999.4].map(duration)).toEqual(['1 s', '999 ms']);
  });
});

describe('textTable', () => {
  test('pads to the widest cell, aligns numbers right, cuts long cells, trims line ends', () => {
    const out = textTable(
      [{ title: 'check' }, { title: 'requests', align: 'right' }, { title: 'note', max: 8 }],
      [
        ['3/smoke', '1', ''],
        ['5.1/rpm-limit', '101', 'a very long note'],
      ],
    );
    expect(out.split('\n')).toEqual([
      'check          requests  note',
      '-------------  --------  --------',
      '3/smoke               1',
      '5.1/rpm-limit       101  a very …',
    ]);
  });
});
