import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { type CheckRecord, ROLLBACK_TRIGGER, SCHEMA_VERSION, type UnsignedBundle } from './model.ts';
import { onRollbackVariables, rollbackNotice, runOnRollback } from './on-rollback.ts';

const ADMIN = 'sk-admin-onrollback-test-0123456789';
const TEAM = 'team-key-onrollback-test-0123456789';
const LINE = 'ROLLBACK: error rate 10.0 % > 2.0 % over 40 requests (window 10 s)';

const breach = {
  rule: 'error-rate',
  value: 0.1,
  limit: 0.02,
  unit: 'ratio',
  samples: 40,
  minSamples: 30,
  windowMs: 10_000,
  atMs: 12_000,
  line: LINE,
} as const;

function watch(o: Partial<CheckRecord> = {}): CheckRecord {
  return {
    id: '7/watch',
    section: '7',
    title: '',
    status: 'failed',
    measurements: [],
    observations: { [ROLLBACK_TRIGGER]: breach },
    links: [],
    durationMs: 1,
    error: `${LINE} at 12 s of 30 s. Runbook §7, "LiteLLM unavailable": update agent configs to use the direct OpenAI key/endpoint (previous values stored in vault).`,
    ...o,
  };
}

const bundle = (
  verdict: UnsignedBundle['verdict'],
  checks: CheckRecord[] = [watch()],
  target: 'sandbox' | 'deployment' = 'deployment',
): UnsignedBundle => ({
  schemaVersion: SCHEMA_VERSION,
  run: {
    id: 'run-7',
    phase: 'post',
    startedAt: '',
    endedAt: '',
    target,
    kind: target === 'sandbox' ? 'rehearsal' : 'cutover',
    notRun: [],
    ranBy: { user: 'u', host: 'h', ci: null },
    tool: { name: 't', version: '0' },
    gitSha: null,
    endReason: 'failed',
  },
  environment: {
    gateway: { url: 'http://gw', version: null },
    langfuse: { url: 'http://lf', version: null },
    fly: {},
  },
  verdict,
  verdictReasons: [`7/watch: ${LINE}`],
  sections: [{ section: '7', checks }],
  runErrors: [],
});

describe('the runbook §7 breach the hook is told', () => {
  test('the ROLLBACK line, the row the check names, and the check', () => {
    expect(rollbackNotice(bundle('rollback'))).toEqual({ checkId: '7/watch', line: LINE, row: 'LiteLLM unavailable' });
  });

  test('a check that names no row: the §7 rule the trigger measured', () => {
    const latency = watch({
      error: 'ROLLBACK: p95 latency 900 ms > limit 400 ms',
      observations: {
        [ROLLBACK_TRIGGER]: { ...breach, rule: 'latency', unit: 'ms', value: 900, limit: 400, line: 'ROLLBACK: p95' },
      },
    });
    expect(rollbackNotice(bundle('rollback', [latency]))?.row).toBe('latency doubles');
  });

  test('no breach: a trigger under its limit, too few samples, a passed check, or none at all', () => {
    const under = watch({ observations: { [ROLLBACK_TRIGGER]: { ...breach, value: 0.01 } } });
    const few = watch({ observations: { [ROLLBACK_TRIGGER]: { ...breach, samples: 29 } } });
    const passed = watch({ status: 'passed' });
    const none = watch({ observations: {} });
    for (const c of [under, few, passed, none]) expect(rollbackNotice(bundle('rollback', [c]))).toBeUndefined();
  });

  test('a control character in the line cannot start a line of its own', () => {
    const forged = watch({
      observations: { [ROLLBACK_TRIGGER]: { ...breach, line: `${LINE}\nCUTOVER_VERDICT=hold` } },
    });
    expect(rollbackNotice(bundle('rollback', [forged]))?.line).not.toContain('\n');
  });

  test('the variables: line, row, evidence path, verdict, run id and phase', () => {
    const b = bundle('rollback');
    expect(onRollbackVariables(b, '/ev/run-7', rollbackNotice(b)!)).toEqual({
      CUTOVER_ROLLBACK_LINE: LINE,
      CUTOVER_RUNBOOK_ROW: 'LiteLLM unavailable',
      CUTOVER_ROLLBACK_CHECK: '7/watch',
      CUTOVER_EVIDENCE_PATH: '/ev/run-7/evidence.json',
      CUTOVER_VERDICT: 'rollback',
      CUTOVER_RUN_ID: 'run-7',
      CUTOVER_PHASE: 'post',
    });
  });
});

describe('CUTOVER_ON_ROLLBACK runner', () => {
  beforeAll(() => {
    // runSecrets() reads the environment once; register the secrets before the first call.
    process.env.GATEWAY_ADMIN_KEY = ADMIN;
    process.env.TEAM_KEY_support_bot = TEAM;
    process.env.PAGER_COPY = `prefix ${ADMIN}`;
  });

  test('hands the breach and the evidence path to the command, and no secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onrollback-'));
    const out = join(dir, 'env.json');
    const res = await runOnRollback(
      bundle('rollback'),
      dir,
      `node -e "require('fs').writeFileSync(process.argv[1], JSON.stringify(process.env))" "${out}"`,
    );
    expect(res).toMatchObject({ ran: true, ok: true, exitCode: 0 });
    const env = JSON.parse(readFileSync(out, 'utf8')) as Record<string, string>;
    expect(env).toMatchObject({
      CUTOVER_ROLLBACK_LINE: LINE,
      CUTOVER_RUNBOOK_ROW: 'LiteLLM unavailable',
      CUTOVER_EVIDENCE_PATH: join(dir, 'evidence.json'),
      CUTOVER_VERDICT: 'rollback',
      CUTOVER_RUN_ID: 'run-7',
      CUTOVER_PHASE: 'post',
    });
    expect(JSON.stringify(env)).not.toContain(ADMIN);
    expect(JSON.stringify(env)).not.toContain(TEAM);
    expect(env.PAGER_COPY).toBeUndefined();
    expect(env.PATH).toBeTruthy();
  });

  test('never after a rehearsal: the sandbox must not page anyone', async () => {
    expect(await runOnRollback(bundle('rehearsal-rollback', [watch()], 'sandbox'), '/tmp', 'exit 0')).toEqual({
      ran: false,
      reason: "verdict is rehearsal-rollback; a rehearsal's simulated traffic never pages anyone",
    });
  });

  test('not after any other verdict, nor a rollback without a recorded breach', async () => {
    for (const verdict of ['hold', 'hold-with-findings', 'incomplete', 'go', 'no-go'] as const) {
      expect(await runOnRollback(bundle(verdict), '/tmp', 'exit 0')).toEqual({
        ran: false,
        reason: `verdict is ${verdict}; CUTOVER_ON_ROLLBACK runs only after a rollback`,
      });
    }
    expect(await runOnRollback(bundle('rollback', []), '/tmp', 'exit 0')).toMatchObject({ ran: false });
    expect(await runOnRollback(bundle('rollback'), '/tmp', '  ')).toMatchObject({ ran: false });
  });

  test('a hanging command and its children are killed at the timeout, and a failing one reported, with output redacted', async () => {
    const slow = await runOnRollback(bundle('rollback'), '/tmp', 'sleep 10', { timeoutMs: 200 });
    expect(slow).toMatchObject({ ran: true, ok: false, timedOut: true });
    expect(slow.ran && slow.stderr).toMatch(/killed after 200 ms \(CUTOVER_ON_ROLLBACK timeout\)/);
    // The whole process group: a child the shell started (here one that ignores SIGTERM) cannot hold the run.
    const stuck = await runOnRollback(bundle('rollback'), '/tmp', `sh -c 'trap "" TERM; sleep 30' & sleep 30`, {
      timeoutMs: 200,
    });
    expect(stuck).toMatchObject({ ran: true, ok: false, timedOut: true });
    expect(stuck.ran && stuck.durationMs).toBeLessThan(8_000);
    const failing = await runOnRollback(bundle('rollback'), '/tmp', `echo "${ADMIN}" >&2; exit 4`);
    expect(failing).toMatchObject({ ran: true, ok: false, exitCode: 4 });
    expect(failing.ran && failing.stderr).not.toContain(ADMIN);
  });
});
