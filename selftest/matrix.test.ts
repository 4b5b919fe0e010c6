import { describe, expect, test } from 'vitest';
import { slotOrder } from './concurrency.ts';
import { judgeRow, rowName } from './judge.ts';
import { MATRIX } from './matrix.ts';

// Each row is a full cutover run in a child process against a sandbox with the row's faults.
describe.concurrent('fault matrix: each fault fails exactly its checks', () => {
  // Tests ask for their slots in declaration order, and so get them in that order.
  for (const row of slotOrder(MATRIX)) {
    const status = row.status ?? 'failed';
    test(`${rowName(row)} → ${row.fails.length ? `${status}: ${row.fails.join(', ')}` : 'all green'}${row.verdict ? ` (${row.verdict})` : ''}`, async () => {
      const v = await judgeRow(row);
      expect(v.problems, `evidence: ${v.run.evidenceDir}`).toEqual([]);
    });
  }
});
