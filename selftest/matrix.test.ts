import { describe, expect, test } from 'vitest';
import { MATRIX } from './matrix.ts';
import { runCutover } from './run-cutover.ts';

// Each row is a full cutover run in a child process against a sandbox with the row's faults.
describe.concurrent('fault matrix: each fault fails exactly its checks', () => {
  for (const row of MATRIX) {
    const name = row.name ?? (row.faults.length ? row.faults.join('+') : `healthy sandbox (${row.phase ?? 'pre'})`);
    const status = row.status ?? 'failed';
    test(`${name} → ${row.fails.length ? `${status}: ${row.fails.join(', ')}` : 'all green'}`, async () => {
      const run = await runCutover({ SANDBOX_FAULTS: row.faults.join(','), ...row.env }, { phase: row.phase });
      expect(run.bundle, `no evidence written; stderr: ${run.stderr.slice(0, 500)}`).toBeDefined();
      const checks = run.bundle!.sections.flatMap((s) => s.checks);
      expect(checks.length).toBeGreaterThan(0);
      const notGreen = checks.filter((c) => c.status !== 'passed' && !(c.status === 'skipped' && c.skip?.explicit));
      const detail = JSON.stringify(notGreen.map((c) => [c.id, c.status, c.error ?? c.skip]), null, 1);
      expect(notGreen.map((c) => c.id).sort(), detail).toEqual([...row.fails].sort());
      for (const id of row.fails) {
        expect(run.check(id).status, detail).toBe(status);
        if (row.because) expect(run.check(id).error ?? run.check(id).skip?.reason).toMatch(row.because);
      }
      const [good, bad] = row.phase === 'post' ? ['hold', 'rollback'] : ['go', 'no-go'];
      expect(run.bundle!.verdict).toBe(row.fails.length === 0 ? good : status === 'failed' ? bad : 'incomplete');
      expect(run.exitCode).toBe(row.fails.length ? 1 : 0);
    });
  }
});
