import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { startSandbox } from '../sandbox/index.ts';
import { verifyEvidence } from '../src/evidence/verify.ts';
import { evidenceFiles, runCutover, type CutoverRun } from './run-cutover.ts';

/** Every output of a run: stdout, stderr and each file under its evidence directory. */
function outputs(run: CutoverRun): [string, string][] {
  return [['stdout', run.stdout], ['stderr', run.stderr], ...evidenceFiles(run.evidenceDir)];
}

/**
 * Secrets in shapes the exact-value scan missed. The sandbox's `echo-secret` fault makes the
 * gateway and Langfuse quote the presented credentials in their 401 bodies, as some proxies do.
 */
describe('secrets in any shape', () => {
  test('a credential echoed across the 300-character excerpt cut leaves no piece of itself in any output', async () => {
    // Long and not `sk-`-shaped, so that only the configured value can catch it, and the
    // excerpt's cut falls inside the echo: cutting before redacting printed ~220 characters of it.
    const sandbox = await startSandbox({ faults: ['echo-secret'] });
    try {
      const planted = {
        GATEWAY_ADMIN_KEY: `planted-admin-${randomBytes(160).toString('hex')}`,
        LANGFUSE_SECRET_KEY: `planted-lf-${randomBytes(160).toString('hex')}`,
      };
      const run = await runCutover({ ...sandbox.env, ...planted, LANGFUSE_WAIT_MS: '2000' });
      expect(run.bundle, run.stderr).toBeDefined();
      expect(run.check('3/smoke').status).toBe('failed');
      for (const value of Object.values(planted)) {
        const random = value.slice(value.lastIndexOf('-') + 1);
        const pieces = Array.from({ length: random.length - 12 }, (_, i) => random.slice(i, i + 12));
        for (const [where, text] of outputs(run)) {
          const leaked = pieces.find((p) => text.includes(p));
          expect(leaked, `${where} holds a piece of a planted secret`).toBeUndefined();
        }
      }
      expect(JSON.stringify(run.bundle)).toContain('[REDACTED:');
    } finally {
      await sandbox.stop();
    }
  });

  test.each([
    ['a status word', 'passed'],
    ['the service name', 'clickhouse'],
    ['a 4-character password', '7Hq2'],
  ])(
    'CLICKHOUSE_PASSWORD set to %s is refused at preflight, never echoed, and the refusal evidence keeps its statuses',
    async (_, value) => {
      const run = await runCutover({ CLICKHOUSE_PASSWORD: value }, { timeoutMs: 60_000, slot: false });
      expect(run.exitCode, run.stdout + run.stderr).toBe(2);
      const line = run.stderr.split('\n').find((l) => l.startsWith('  - CLICKHOUSE_PASSWORD: '));
      expect(line, run.stderr).toBeDefined();
      expect(line!.slice('  - CLICKHOUSE_PASSWORD: '.length)).not.toContain(value);
      expect(run.stdout).not.toContain('Target: bundled sandbox');
      const v = verifyEvidence(join(run.evidenceDir, 'latest'));
      expect(v.problems).toEqual([]);
      expect(v.bundle!.verdict).toBe('incomplete');
      expect(['passed', 'failed', 'interrupted']).toContain(v.bundle!.run.endReason);
      for (const c of v.bundle!.sections.flatMap((s) => s.checks))
        expect(['passed', 'failed', 'skipped', 'inconclusive']).toContain(c.status);
    },
  );
});
