import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { startSandbox } from '../sandbox/index.ts';
import { verifyEvidence } from '../src/evidence/verify.ts';
import { childEnv, cutoverCommand, evidenceFiles, runCutover } from './run-cutover.ts';

const ROOT = resolve(import.meta.dirname, '..');

describe('evidence integrity', () => {
  test('a bundle edited after writing fails pnpm evidence:verify, naming the digest', async () => {
    const run = await runCutover({ CUTOVER_SKIP: '' });
    expect(run.bundle).toBeDefined();
    const dir = join(run.evidenceDir, 'latest');
    const ok = await execa('node_modules/.bin/tsx', ['scripts/evidence-verify.ts', dir], { cwd: ROOT, reject: false });
    expect(ok.exitCode, ok.stdout).toBe(0);
    const file = join(dir, 'evidence.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"status": "passed"', '"status": "failed"'));
    const bad = await execa('node_modules/.bin/tsx', ['scripts/evidence-verify.ts', dir], { cwd: ROOT, reject: false });
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toMatch(/INVALID[\s\S]*digest mismatch/);
  });

  test('a secret a server echoes back never reaches stdout, stderr or any evidence file', async () => {
    // A real-target run against a sandbox that echoes credentials in its 401 bodies, configured
    // with distinctive wrong keys so that the echo happens.
    const sandbox = await startSandbox({ faults: ['echo-secret'] });
    try {
      const planted = {
        GATEWAY_ADMIN_KEY: 'sk-planted-gateway-7f3a9c2e1d',
        LANGFUSE_SECRET_KEY: 'sk-lf-planted-5b8d0e4f2a',
      };
      const run = await runCutover({ ...sandbox.env, ...planted, LANGFUSE_WAIT_MS: '2000' });
      expect(run.bundle, run.stderr).toBeDefined();
      expect(run.check('3/smoke').status).toBe('failed');
      expect(run.check('3/smoke').error).toMatch(/401/);
      const texts: [string, string][] = [
        ['stdout', run.stdout],
        ['stderr', run.stderr],
        ...evidenceFiles(run.evidenceDir),
      ];
      for (const value of Object.values(planted))
        for (const [name, text] of texts) expect(text.includes(value), `${name} contains a planted secret`).toBe(false);
    } finally {
      await sandbox.stop();
    }
  });

  test('SIGINT in the middle of the quota check leaves a valid bundle marked incomplete, holding what was measured', async () => {
    const evidenceDir = mkdtempSync(join(tmpdir(), 'cutover-sigint-'));
    const env = childEnv(evidenceDir);
    // No forced SIGKILL after 5 s (execa's default): on a loaded machine writing the bundle may
    // take longer, and a SIGKILL would test the kill, not the interruption.
    const cmd = cutoverCommand();
    const child = execa(cmd.file, cmd.args, {
      cwd: ROOT,
      env,
      extendEnv: false,
      reject: false,
      forceKillAfterDelay: false,
      timeout: 180_000,
    });
    // Wait until the quota check has recorded something (its partial file exists), then interrupt.
    const partial = join(evidenceDir, '.partial');
    const quotaStarted = (): boolean =>
      existsSync(partial) && readdirSync(partial).some((r) => existsSync(join(partial, r, '5.1_rpm-limit.json')));
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && !quotaStarted()) await new Promise((r) => setTimeout(r, 10));
    expect(quotaStarted(), 'the quota check never started').toBe(true);
    child.kill('SIGINT');
    const res = await child;
    const v = verifyEvidence(join(evidenceDir, 'latest'));
    expect(v.problems, `${res.stdout}\n${res.stderr}`).toEqual([]);
    expect(v.bundle!.verdict).toBe('incomplete');
    expect(v.bundle!.run.endReason).toBe('interrupted');
    const quota = v.bundle!.sections.flatMap((s) => s.checks).find((c) => c.id === '5.1/rpm-limit');
    expect(quota, 'the interrupted quota check is kept').toBeDefined();
    expect(quota!.status).not.toBe('passed');
    expect(res.exitCode).not.toBe(0);
  });
});
