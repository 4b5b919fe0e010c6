import { describe, expect, test } from 'vitest';
import { MATRIX } from './matrix.ts';
import { runCutover } from './run-cutover.ts';

// Each row is a full cutover run in a child process against a sandbox with the row's faults.
describe.concurrent('fault matrix: each fault fails exactly its checks', () => {
  for (const row of MATRIX) {
    const name = row.faults.length ? row.faults.join('+') : 'healthy sandbox';
    test(`${name} → ${row.fails.length ? `fails ${row.fails.join(', ')}` : 'verdict go'}`, async () => {
      const run = await runCutover({ SANDBOX_FAULTS: row.faults.join(','), ...row.env });
      expect(run.bundle, `no evidence written; stderr: ${run.stderr.slice(0, 500)}`).toBeDefined();
      const checks = run.bundle!.sections.flatMap((s) => s.checks);
      expect(checks.length).toBeGreaterThan(0);
      const failed = checks.filter((c) => c.status !== 'passed' && !(c.status === 'skipped' && c.skip?.explicit)).map((c) => c.id).sort();
      expect(failed, JSON.stringify(checks.filter((c) => c.status !== 'passed').map((c) => [c.id, c.status, c.error ?? c.skip]), null, 1)).toEqual([...row.fails].sort());
      for (const id of row.fails) {
        expect(run.check(id).status).toBe('failed');
        if (row.because) expect(run.check(id).error).toMatch(row.because);
      }
      expect(run.bundle!.verdict).toBe(row.fails.length ? 'no-go' : 'go');
      expect(run.exitCode).toBe(row.fails.length ? 1 : 0);
    });
  }
});
