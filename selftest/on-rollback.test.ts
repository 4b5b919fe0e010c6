import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { SECRET_VARIABLES } from '../src/config/index.ts';
import { runCutover } from './run-cutover.ts';
import { sharedSandbox } from './shared-sandbox.ts';

/**
 * `CUTOVER_ON_ROLLBACK` is how the 30-minute watch pages someone. It must run exactly once when
 * a run against the deployment ends `rollback`, with the ROLLBACK line, the runbook row and the
 * evidence path, and no secret; and never after a rehearsal, whose traffic is simulated.
 */

/** A hook that appends its whole environment, one JSON line per call, and the time it ran. */
function recordingHook(): { command: string; calls: () => Record<string, string>[] } {
  const file = join(mkdtempSync(join(tmpdir(), 'on-rollback-')), 'calls.jsonl');
  const script = `require('fs').appendFileSync(process.argv[1], JSON.stringify({ ...process.env, RAN_AT_MS: String(Date.now()) }) + '\\n')`;
  return {
    command: `node -e "${script}" "${file}"`,
    calls: () =>
      existsSync(file)
        ? readFileSync(file, 'utf8')
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as Record<string, string>)
        : [],
  };
}

describe.concurrent('CUTOVER_ON_ROLLBACK', () => {
  describe('against a running stack that fails 10 % of requests (error-burst), as a deployment', () => {
    const sandboxOf = sharedSandbox({ liveTraffic: true, faults: ['error-burst'] });

    test('runs once, as soon as the watch stops at the breach, with the line, the row and the evidence, and no secret', async () => {
      const hook = recordingHook();
      const env = sandboxOf().env;
      // A generous baseline: the rollback here must come from the error rate, whatever the machine's load.
      const run = await runCutover(
        { ...env, BASELINE_P95_MS: '2000', CUTOVER_ON_ROLLBACK: hook.command },
        { phase: 'post' },
      );
      expect(run.bundle?.verdict, run.stdout.slice(-800)).toBe('rollback');
      expect(run.exitCode).toBe(1);
      const calls = hook.calls();
      expect(calls, run.stdout.slice(-800)).toHaveLength(1);
      const seen = calls[0]!;
      const b = run.bundle!;
      const trigger = run.check('7/watch').observations.rollbackTrigger as { line: string };
      expect(seen.CUTOVER_ROLLBACK_LINE).toBe(trigger.line);
      expect(seen.CUTOVER_ROLLBACK_LINE).toMatch(/^ROLLBACK: error rate \d+\.\d % > 2\.0 % over \d+ requests/);
      expect(seen).toMatchObject({
        CUTOVER_RUNBOOK_ROW: 'LiteLLM unavailable',
        CUTOVER_ROLLBACK_CHECK: '7/watch',
        CUTOVER_EVIDENCE_PATH: join(run.evidenceDir, b.run.id, 'evidence.json'),
        CUTOVER_VERDICT: 'rollback',
        CUTOVER_RUN_ID: b.run.id,
        CUTOVER_PHASE: 'post',
      });
      // The path it was given holds the bundle that decided.
      expect(JSON.parse(readFileSync(seen.CUTOVER_EVIDENCE_PATH!, 'utf8')).digest).toBe(b.digest);
      // As soon as known: the watch stopped at the breach, before its 20 s, and the hook ran right after the run.
      expect(run.check('7/watch').observations.watchedMs).toBeLessThan(20_000);
      expect(Number(seen.RAN_AT_MS) - Date.parse(b.run.endedAt)).toBeLessThan(10_000);
      expect(run.stdout).toMatch(/^CUTOVER_ON_ROLLBACK succeeded in \d+ ms$/m);
      // No configured secret, under its name or another.
      const secrets = SECRET_VARIABLES.flatMap((n) => (env[n] ? [env[n]] : []));
      expect(secrets.length).toBeGreaterThan(2);
      const text = JSON.stringify(seen);
      for (const s of secrets) expect(text).not.toContain(s);
      for (const n of SECRET_VARIABLES) expect(seen[n]).toBeUndefined();
    });
  });

  test('a rehearsal (sandbox error-burst) ends rehearsal-rollback and never pages anyone', async () => {
    const hook = recordingHook();
    const run = await runCutover(
      { SANDBOX_FAULTS: 'error-burst', CUTOVER_ON_ROLLBACK: hook.command },
      { phase: 'post' },
    );
    expect(run.bundle?.verdict, run.stdout.slice(-800)).toBe('rehearsal-rollback');
    expect(run.stdout).toMatch(
      /^CUTOVER_ON_ROLLBACK not run: verdict is rehearsal-rollback; a rehearsal's simulated traffic never pages anyone$/m,
    );
    expect(hook.calls()).toEqual([]);
  });
});
