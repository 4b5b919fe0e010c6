import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCutover } from './run-cutover.ts';

/**
 * A verdict is exactly as strong as what ran. Each case is something a new user, or someone
 * trying to break the gate, did; none may end in a green cutover verdict, replace the watch's
 * baseline or run CUTOVER_ON_PASS.
 */
describe.concurrent('verdict integrity', () => {
  test.each([
    [['tests/agents'], /refusing file filter "tests\/agents": a cutover verdict is judged against the whole runbook/],
    [['tests/agents', 'tests/smoke'], /refusing file filter "tests\/agents"/],
    [['--project', 'unit'], /refusing option --project/],
    [['--config', 'vitest.config.ts'], /refusing option --config/],
  ])('%j is refused before anything runs', async (args, why) => {
    const run = await runCutover({}, { args, slot: false });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(why);
    expect(run.bundle).toBeUndefined();
  });

  test.each([
    [
      '2/fly-machine,1/tsl',
      /CUTOVER_SKIP.*"2\/fly-machine,1\/tsl" is not a check id \(waivers are separated by ";", each "<id>: <reason>"\)/,
    ],
    ['2/fly-machines', /CUTOVER_SKIP.*2\/fly-machines needs a reason/],
    [
      '3/smoke: flaky today',
      /CUTOVER_SKIP.*3\/smoke cannot be waived: it is the proof that the gateway answers at all/,
    ],
    ['7/rollback-readiness: later', /CUTOVER_SKIP.*7\/rollback-readiness cannot be waived/],
  ])('CUTOVER_SKIP=%j is refused at preflight, named', async (skip, why) => {
    const run = await runCutover({ CUTOVER_SKIP: skip }, { slot: false });
    expect(run.exitCode).toBe(2);
    expect(run.stderr.replace(/\n/g, ' ')).toMatch(why);
    // The refusal is on record, and never a go.
    expect(run.bundle?.verdict).toBe('incomplete');
  });

  test('a waiver with a reason: go-with-waivers, each waiver listed, never "every check passed"; a rehearsal runs no hook and sets no baseline', async () => {
    const marker = join(process.env.TMPDIR ?? '/tmp', `on-pass-${process.pid}-${Date.now()}`);
    const run = await runCutover({
      CUTOVER_SKIP: '2/minio: checked in the MinIO console, TICKET-7',
      CUTOVER_ON_PASS: `touch ${marker}`,
    });
    expect(run.bundle?.verdict, run.stdout.slice(-600)).toBe('rehearsal-go-with-waivers');
    expect(run.exitCode).toBe(0);
    expect(run.bundle!.verdictReasons).toEqual(['2/minio waived: checked in the MinIO console, TICKET-7']);
    const summary = readFileSync(join(run.evidenceDir, 'latest', 'summary.md'), 'utf8');
    expect(summary.split('\n')[0]).toBe('# Cutover pre-check: **REHEARSAL-GO-WITH-WAIVERS** (sandbox rehearsal)');
    expect(summary).toContain('- 2/minio waived: checked in the MinIO console, TICKET-7');
    expect(summary).not.toMatch(/every check passed/i);
    expect(run.stdout).toMatch(/CUTOVER_ON_PASS not run: verdict is rehearsal-go-with-waivers/);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(run.evidenceDir, 'latest-pre'))).toBe(false);
    expect(run.stdout).toMatch(/^Evidence digest: sha256:[0-9a-f]{64}$/m);
    expect(run.bundle!.run).toMatchObject({
      kind: 'rehearsal',
      notRun: [],
      ranBy: { user: expect.any(String), host: expect.any(String) },
    });
  });

  test('-t runs one check: the verdict is incomplete and names what did not run', async () => {
    const run = await runCutover({}, { args: ['-t', '6/agent-config'] });
    expect(run.bundle?.verdict).toBe('incomplete');
    expect(run.exitCode).toBe(1);
    expect(run.check('6/agent-config').status).toBe('passed');
    expect(run.bundle!.verdictReasons.join('\n')).toMatch(/3\/smoke skipped: /);
  });

  test('--reporter=dot adds output; the evidence reporter still writes the bundle and sets the exit code', async () => {
    const run = await runCutover({ SANDBOX_FAULTS: 'minio-not-ready' }, { args: ['--reporter=dot'] });
    expect(run.bundle?.verdict).toBe('rehearsal-no-go');
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/^Verdict: REHEARSAL-NO-GO/m);
  });
});
