import { describe, expect, test } from 'vitest';
import { judgeRow, rowName } from './judge.ts';
import { MATRIX } from './matrix.ts';

// Each row is a full cutover run in a child process against a sandbox with the row's faults.
describe.concurrent('fault matrix: each fault fails exactly its checks', () => {
  // Tests take their slots in declaration order (selftest/slots.ts). Long rows first, so the file
  // does not end waiting on one of them; the post-cutover rows last: their latency-doubling rule
  // is the one most sensitive to a crowded CPU, which is most crowded while every selftest file
  // is starting.
  const post = MATRIX.filter((r) => r.phase === 'post');
  const pre = MATRIX.filter((r) => r.phase !== 'post');
  const ordered = [...pre.filter((r) => r.long), ...pre.filter((r) => !r.long), ...post];
  for (const row of ordered) {
    const status = row.status ?? 'failed';
    test(`${rowName(row)} → ${row.fails.length ? `${status}: ${row.fails.join(', ')}` : 'all green'}${row.verdict ? ` (${row.verdict})` : ''}`, async () => {
      const v = await judgeRow(row);
      expect(v.problems, `evidence: ${v.run.evidenceDir}`).toEqual([]);
    });
  }
});
