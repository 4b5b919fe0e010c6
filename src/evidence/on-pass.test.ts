import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { injected, INJECTIONS } from './html-fixtures.ts';
import { SCHEMA_VERSION, type UnsignedBundle } from './model.ts';
import { deployHashes, langfuseLinks, runOnPass } from './on-pass.ts';
import { LIMITS } from './sanitize.ts';

const ADMIN = 'sk-admin-onpass-test-0123456789';
const TEAM = 'team-key-onpass-test-0123456789';

const bundle = (verdict: UnsignedBundle['verdict']): UnsignedBundle => ({
  schemaVersion: SCHEMA_VERSION,
  run: {
    id: 'run-1',
    phase: 'pre',
    startedAt: '',
    endedAt: '',
    target: 'sandbox',
    kind: 'rehearsal',
    notRun: [],
    ranBy: { user: 'u', host: 'h', ci: null },
    tool: { name: 't', version: '0' },
    gitSha: null,
    endReason: 'passed',
  },
  environment: {
    gateway: { url: 'http://gw', version: null },
    langfuse: { url: 'http://lf', version: null },
    fly: { 'hotdash-llm-gateway': { gateway: { version: 42, image: 'registry.fly.io/gw:v42', digest: 'sha256:abc' } } },
  },
  verdict,
  verdictReasons: [],
  sections: [
    {
      section: '3',
      checks: [
        {
          id: '3/smoke',
          section: '3',
          title: '',
          status: 'passed',
          measurements: [],
          observations: {},
          links: [
            { label: 'Langfuse trace', url: 'http://lf/trace/1' },
            { label: 'Langfuse trace', url: 'http://lf/trace/1' },
          ],
          durationMs: 1,
        },
      ],
    },
  ],
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
    const res = await runOnPass(
      bundle('go'),
      dir,
      `node -e "require('fs').writeFileSync(process.argv[1], JSON.stringify(process.env))" "${out}"`,
    );
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
      expect(await runOnPass(bundle(verdict), '/tmp', 'exit 0')).toEqual({
        ran: false,
        reason: expect.stringContaining(`verdict is ${verdict}`),
      });
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

describe('CUTOVER_DEPLOY_HASHES and CUTOVER_LANGFUSE_LINKS from hostile server strings', () => {
  const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

  test('one line per process group, four fields each, control characters stripped, bounded', () => {
    const lines = deployHashes(injected).split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).not.toMatch(CONTROL);
      // `app/group release=… image=… digest=…`: no field can add a word, a key or a line.
      expect(line.split(' ').map((w) => w.split('=')[0])).toEqual([
        expect.stringMatching(/^hotdash-llm-gateway\//),
        'release',
        'image',
        'digest',
      ]);
      expect(line.length).toBeLessThan(4 * (3 * LIMITS.name + 40));
    }
    expect(lines[0]).toBe(
      'hotdash-llm-gateway/gateway release=121.81.9%20#%20Cutover%20pre-check:%20**GO**%20(auditor-approved) image=registry.fly.io/gw```%20js%20`code`%20``%20\\`%20end digest=sha256:cde6f8%20hotdash-llm-gateway/gateway%20release=99%20image=evil%20digest=sha256:forged',
    );
    expect(lines[2]).toMatch(
      /^hotdash-llm-gateway\/uiabc\[31mred\[0m%20degnp.exe%20f\ufffdg\ufffdhi release=A{200}…%20\(10243%20chars\) image=unknown digest=sha256:abc%20/,
    );
  });

  test('only http(s) links without whitespace or control characters, whole, one per line', () => {
    expect(langfuseLinks(injected).split('\n')).toEqual([
      'https://langfuse.hotrodan.com/project/p/traces/9f07ee03f9aa81cb022719498b0e4602',
      'https://langfuse.hotrodan.com/d?q=a&lt;b>(c)[d]`e`|f',
    ]);
  });

  test('a variable stays far below the 128 KiB Linux allows one environment string', () => {
    const many = structuredClone(injected);
    many.sections[0]!.checks[0]!.links = Array.from({ length: 500 }, (_, i) => ({
      label: 'Langfuse trace',
      url: `https://langfuse.hotrodan.com/t/${i}/${'x'.repeat(2000)}`,
    }));
    many.environment.fly = {
      app: Object.fromEntries(
        Array.from({ length: 500 }, (_, i) => [
          `g${i}`,
          { version: INJECTIONS.long, image: INJECTIONS.long, digest: INJECTIONS.long },
        ]),
      ),
    };
    for (const v of [langfuseLinks(many), deployHashes(many)]) {
      expect(v.length).toBeLessThanOrEqual(32 * 1024);
      expect(v.split('\n').length).toBeGreaterThan(10);
      expect(v.split('\n').length).toBeLessThanOrEqual(100);
    }
  });

  test('the command sees the sanitised lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onpass-'));
    const out = join(dir, 'env.json');
    const b = {
      ...bundle('go'),
      environment: {
        ...bundle('go').environment,
        fly: { app: { web: { version: 1, image: 'img', digest: INJECTIONS.digest } } },
      },
    };
    const res = await runOnPass(
      b,
      dir,
      `node -e "require('fs').writeFileSync(process.argv[1], JSON.stringify(process.env))" "${out}"`,
    );
    expect(res).toMatchObject({ ran: true, ok: true });
    const env = JSON.parse(readFileSync(out, 'utf8')) as Record<string, string>;
    expect(env.CUTOVER_DEPLOY_HASHES).toBe(
      'app/web release=1 image=img digest=sha256:cde6f8%20hotdash-llm-gateway/gateway%20release=99%20image=evil%20digest=sha256:forged',
    );
  });
});
