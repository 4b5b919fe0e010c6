import { describe, expect, test } from 'vitest';
import { judgeRow, rowName } from './judge.ts';
import { MATRIX } from './matrix.ts';

// Each row is a full cutover run in a child process against a sandbox with the row's faults.
describe.concurrent('fault matrix: each fault fails exactly its checks', () => {
  for (const row of MATRIX) {
    const status = row.status ?? 'failed';
    test(`${rowName(row)} → ${row.fails.length ? `${status}: ${row.fails.join(', ')}` : 'all green'}`, async () => {
      const v = await judgeRow(row);
      expect(v.problems, `evidence: ${v.run.evidenceDir}`).toEqual([]);
    });
  }
});
