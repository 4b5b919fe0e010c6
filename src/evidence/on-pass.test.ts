import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { SCHEMA_VERSION, type UnsignedBundle } from './model.ts';
import { runOnPass } from './on-pass.ts';

const ADMIN = 'sk-admin-onpass-test-0123456789';
const TEAM = 'team-key-onpass-test-0123456789';

const bundle = (verdict: UnsignedBundle['verdict']): UnsignedBundle => ({
  schemaVersion: SCHEMA_VERSION,
  run: { id: 'run-1', phase: 'pre', startedAt: '', endedAt: '', target: 'sandbox', kind: 'rehearsal', notRun: [], ranBy: { user: 'u', host: 'h', ci: null }, tool: { name: 't', version: '0' }, gitSha: null, endReason: 'passed' },
  environment: {
    gateway: { url: 'http://gw', version: null },
    langfuse: { url: 'http://lf', version: null },
    fly: { 'hotdash-llm-gateway': { gateway: { version: 42, image: 'registry.fly.io/gw:v42', digest: 'sha256:abc' } } },
  },
  verdict,
  verdictReasons: [],
  sections: [{ section: '3', checks: [{ id: '3/smoke', section: '3', title: '', status: 'passed', measurements: [], observations: {}, links: [{ label: 'Langfuse trace', url: 'http://lf/trace/1' }, { label: 'Langfuse trace', url: 'http://lf/trace/1' }], durationMs: 1 }] }],
  runErrors: [],
});

describe('CUTOVER_ON_PASS runner', () => {
  beforeAll(() => {
    // runSecrets() reads the environment once; register the secrets before the first call.
    process.env.GATEWAY_ADMIN_KEY = ADMIN;
    process.env.TEAM_KEY_support_bot = TEAM;
    process.env.COPIED_ELSEWHERE = `prefix ${ADMIN}`;
  });

  test('hands the evidence to the command, and no secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onpass-'));
    const out = join(dir, 'env.json');
    const res = await runOnPass(bundle('go'), dir, `node -e "require('fs').writeFileSync(process.argv[1], JSON.stringify(process.env))" "${out}"`);
    expect(res).toMatchObject({ ran: true, ok: true, exitCode: 0 });
    const env = JSON.parse(readFileSync(out, 'utf8')) as Record<string, string>;
    expect(env).toMatchObject({
      CUTOVER_EVIDENCE_PATH: join(dir, 'evidence.json'),
      CUTOVER_VERDICT: 'go',
      CUTOVER_LANGFUSE_LINKS: 'http://lf/trace/1',
      CUTOVER_DEPLOY_HASHES: 'hotdash-llm-gateway/gateway release=42 image=registry.fly.io/gw:v42 digest=sha256:abc',
    });
    expect(JSON.stringify(env)).not.toContain(ADMIN);
    expect(JSON.stringify(env)).not.toContain(TEAM);
    expect(env.PATH).toBeTruthy();
  });

  test('does not run after no-go, rollback, incomplete, or hold-with-findings (the cutover is not complete)', async () => {
    for (const verdict of ['no-go', 'rollback', 'incomplete', 'hold-with-findings'] as const) {
      expect(await runOnPass(bundle(verdict), '/tmp', 'exit 0')).toEqual({ ran: false, reason: expect.stringContaining(`verdict is ${verdict}`) });
    }
  });

  test('a hanging command is killed at the timeout and a failing one reported, with output redacted', async () => {
    const slow = await runOnPass(bundle('hold'), '/tmp', 'sleep 10', { timeoutMs: 200 });
    expect(slow).toMatchObject({ ran: true, ok: false, timedOut: true });
    const failing = await runOnPass(bundle('go'), '/tmp', `echo "${ADMIN}" >&2; exit 3`);
    expect(failing).toMatchObject({ ran: true, ok: false, exitCode: 3 });
    expect(failing.ran && failing.stderr).not.toContain(ADMIN);
  });
});
