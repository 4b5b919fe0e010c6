import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { readResults, withBenchTable } from './bench-table.ts';

test("README's bench table is the one bench/results.json generates (run pnpm bench:table when this fails)", () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  expect(readme).toBe(withBenchTable(readme, readResults()));
});

test('a figure the bench could not measure reads as missed, with its reason; a partial run says what it kept', () => {
  const readme = ['# x', '  <!-- bench:start -->', 'old', '  <!-- bench:end -->', ''].join('\n');
  const out = withBenchTable(readme, {
    date: '2026-12-03T10:00:00.000Z',
    node: 'v20.20.2',
    runs: 1,
    cores: 2,
    cpu: 'AMD EPYC',
    skipped: ['ci'],
    carriedOver: { burst: '2026-12-02T20:03:02.563Z', sandbox: '2026-12-02T20:03:02.563Z' },
    table: [
      {
        name: 'ratio',
        unit: '×',
        median: null,
        min: null,
        max: null,
        runs: 0,
        target: '<= 1.3',
        pass: false,
        reason: 'no timelines',
      },
      { name: 'wall | time', unit: 's', median: 12345.678, min: 0.5, max: 3.14567, runs: 1 },
    ],
    rehearsal: { flakes: { runs: 1, notGo: 0 } },
  });
  expect(out).toContain('  | ratio | - × | - … - | 0 | <= 1.3 | MISSED: no timelines |');
  expect(out).toContain('  | wall \\| time | 12,346 s | 0.5 … 3.15 | 1 | — | |');
  expect(out).toContain('  | rehearsal: healthy rehearsals not ending go (flakes) | 0 of 1 | | 1 | 0 | ok |');
  expect(out).toContain('Node v20.20.2, 2 cores (AMD EPYC), --runs 1; not measured: ci.');
  expect(out).toContain('Not run this time, figures of 2026-12-02 20:03 UTC: burst, sandbox.');
  expect(out).not.toContain('old');
  expect(out.startsWith('# x\n  <!-- bench:start -->\n  Generated')).toBe(true);
  expect(out.endsWith('  <!-- bench:end -->\n')).toBe(true);
});
