import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { buildBundle } from './bundle.ts';
import { renderHtml } from './html.ts';
import type { CheckRecord } from './model.ts';
import { clearPartials, ensurePartialDir, loadPartials, partialDir, savePartial } from './partial.ts';
import { SecretSet } from './redact.ts';
import { writeRefusal } from './refusal.ts';
import { readRunInfo, type RunInfo } from './run-info.ts';
import { ensureDir, EvidencePathError, RUN_ID_PATTERN, runIdProblem } from './safe-path.ts';
import { verifyEvidence } from './verify.ts';
import { writeBundle } from './write.ts';

const SECRET = 'sk-master-Zq81xYw2aa';
const record = (over: Partial<CheckRecord> = {}): CheckRecord => ({
  id: '5.1/rpm-limit',
  section: '5.1',
  title: 'rpm limit',
  status: 'inconclusive',
  durationMs: 5,
  links: [],
  observations: {},
  measurements: [],
  ...over,
});

/** Every file under `dir` (links not followed) with its text, to prove an operation left it alone. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(e.parentPath, e.name);
    out[path] = e.isFile() ? readFileSync(path, 'utf8') : e.isSymbolicLink() ? 'symlink' : 'dir';
  }
  return out;
}

/** An evidence root next to a directory the suite must never touch, holding a valid-looking record and bundle file. */
function rootWithNeighbour(): { parent: string; root: string; outside: string } {
  const parent = mkdtempSync(join(tmpdir(), 'ev-root-'));
  const root = join(parent, 'evidence');
  const outside = join(parent, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(outside, '5.1_rpm-limit.json'), JSON.stringify(record({ title: 'planted outside the root' })));
  writeFileSync(join(outside, 'evidence.json'), 'not yours\n');
  writeFileSync(join(outside, 'keep.txt'), 'keep me\n');
  return { parent, root, outside };
}

const info: RunInfo = {
  runId: 'run-1',
  phase: 'pre',
  target: 'sandbox',
  kind: 'rehearsal',
  ranBy: { user: 'u', host: 'h', ci: null },
  evidenceDir: 'unused',
  gatewayUrl: 'http://gw',
  langfuseUrl: 'http://lf',
  tool: { name: 't', version: '0' },
  gitSha: null,
};
const check: CheckRecord = {
  id: '3/smoke',
  section: '3',
  title: 'smoke',
  status: 'passed',
  durationMs: 5,
  links: [],
  observations: {},
  measurements: [],
};
const withId = (runId: string) =>
  buildBundle({ ...info, runId }, [check], {
    startedAt: new Date(0),
    endedAt: new Date(1000),
    endReason: 'passed',
    runErrors: [],
  });
const bundle = () => withId('run-1');

const PATH_LIKE = ['..', '.', '.hidden', 'a/b', 'a\\b', '/etc', '../../etc'];

describe('a run id is never a path', () => {
  test.each([
    ['..', /starts with a dot/],
    ['.', /starts with a dot/],
    ['.hidden', /starts with a dot/],
    ['a/b', /path separator/],
    ['a\\b', /path separator/],
    ['/etc/cron.d', /path separator/],
    ['', /is empty/],
    ['x'.repeat(65), /longer than 64/],
    ['run id', /only A-Z a-z 0-9/],
    ['run\0id', /only A-Z a-z 0-9/],
    ['-rf', /start with a letter or digit/],
    ['_x', /start with a letter or digit/],
    ['latest', /keeps for itself/],
    ['Latest-post', /keeps for itself/],
    ['schema.json', /keeps for itself/],
  ])('%j is refused: %s', (id, why) => {
    expect(runIdProblem(id)).toMatch(why);
    expect(RUN_ID_PATTERN.test(id)).toBe(false);
  });

  test.each(['20261203T014500Z-a1b2c3', 'run-1', 'r', 'release_1.2', 'latest2', 'x'.repeat(64)])(
    '%j is a plain name',
    (id) => {
      expect(runIdProblem(id)).toBeUndefined();
      expect(RUN_ID_PATTERN.test(id)).toBe(true);
    },
  );

  test.each(PATH_LIKE)(
    'partialDir never joins %j: the same refused-<hash> name under .partial in every process',
    (id) => {
      expect(partialDir('evidence', id)).toMatch(/^evidence\/\.partial\/refused-[0-9a-f]{16}$/);
      expect(partialDir('evidence', id)).toBe(partialDir('evidence', id));
      expect(new Set(PATH_LIKE.map((other) => partialDir('evidence', other))).size).toBe(PATH_LIKE.length);
    },
  );

  test.each(PATH_LIKE)('records saved under run id %j stay under .partial and are cleared', (id) => {
    const { parent, root } = rootWithNeighbour();
    const before = snapshot(join(parent, 'outside'));
    const dir = partialDir(root, id);
    savePartial(dir, record(), new SecretSet());
    expect(loadPartials(dir)).toHaveLength(1);
    expect(readdirSync(join(root, '.partial'))).toEqual([basename(dir)]);
    clearPartials(dir);
    expect(readdirSync(root)).toEqual(['.partial']);
    expect(readdirSync(join(root, '.partial'))).toEqual([]);
    expect(snapshot(join(parent, 'outside'))).toEqual(before);
  });

  test('ensurePartialDir refuses a path partialDir would not return', () => {
    const { root } = rootWithNeighbour();
    for (const bad of [root, join(root, '.partial', '..'), join(root, 'latest')])
      expect(() => ensurePartialDir(bad)).toThrow(EvidencePathError);
  });

  test.each(['..', '.', 'a/..', 'a\\b', ''])('ensureDir refuses the segment %j', (segment) => {
    const { root } = rootWithNeighbour();
    expect(() => ensureDir(realpathSync(root), ['.partial', segment])).toThrow(/not a plain name/);
  });

  test('clearPartials on a path that collapsed out of .partial deletes nothing', () => {
    const { parent, root } = rootWithNeighbour();
    writeFileSync(join(root, 'earlier.txt'), 'earlier run\n');
    const before = snapshot(parent);
    // The old code joined `.partial` with the run id `..` and removed the result: the root itself.
    for (const collapsed of [join(root, '.partial', '..'), join(root, '.partial', '.'), root, parent])
      clearPartials(collapsed);
    expect(snapshot(parent)).toEqual(before);
  });
});

describe('partial records stay inside the root', () => {
  test('a record is saved, loaded and cleared under .partial/<run-id>/', () => {
    const { root } = rootWithNeighbour();
    const dir = partialDir(root, 'run-1');
    savePartial(dir, record(), new SecretSet());
    expect(loadPartials(dir).map((r) => r.id)).toEqual(['5.1/rpm-limit']);
    clearPartials(dir);
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(join(root, '.partial'))).toBe(true);
  });

  test.each(['.partial', '.partial/run-1'])(
    'a symlinked %s pointing outside is replaced on save, ignored on load, unlinked on clear',
    (name) => {
      const { root, outside } = rootWithNeighbour();
      if (name.includes('/')) mkdirSync(join(root, '.partial'));
      symlinkSync(outside, join(root, name));
      const before = snapshot(outside);
      const dir = partialDir(root, 'run-1');
      // Load first: the planted record outside must not be read through the link.
      expect(loadPartials(dir)).toEqual([]);
      clearPartials(dir);
      expect(existsSync(join(root, name))).toBe(false);
      expect(snapshot(outside)).toEqual(before);
      symlinkSync(outside, join(root, name));
      savePartial(dir, record(), new SecretSet());
      expect(snapshot(outside)).toEqual(before);
      expect(lstatSync(join(root, name)).isDirectory()).toBe(true);
      expect(loadPartials(dir).map((r) => r.title)).toEqual(['rpm limit']);
    },
  );

  test('a symlinked record file is not read', () => {
    const { root, outside } = rootWithNeighbour();
    const dir = partialDir(root, 'run-1');
    mkdirSync(dir, { recursive: true });
    symlinkSync(join(outside, '5.1_rpm-limit.json'), join(dir, '5.1_rpm-limit.json'));
    expect(loadPartials(dir)).toEqual([]);
    clearPartials(dir);
    expect(existsSync(join(outside, '5.1_rpm-limit.json'))).toBe(true);
  });

  test('a root that is itself a symlink holds the partial records in its target', () => {
    const { parent, outside } = rootWithNeighbour();
    const link = join(parent, 'linked-evidence');
    symlinkSync(outside, link);
    const dir = partialDir(link, 'run-2');
    savePartial(dir, record(), new SecretSet());
    expect(existsSync(join(outside, '.partial', 'run-2', '5.1_rpm-limit.json'))).toBe(true);
    clearPartials(dir);
    expect(existsSync(join(outside, '.partial', 'run-2'))).toBe(false);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  test('a configured secret is redacted from a partial record, and a record still holding one is not written', () => {
    const { root } = rootWithNeighbour();
    const secrets = new SecretSet().add('GATEWAY_ADMIN_KEY', SECRET);
    const dir = partialDir(root, 'run-1');
    savePartial(dir, record({ error: `401 for ${SECRET}` }), secrets);
    const file = join(dir, '5.1_rpm-limit.json');
    expect(readFileSync(file, 'utf8')).not.toContain(SECRET);
    expect(readFileSync(file, 'utf8')).toContain('[REDACTED:GATEWAY_ADMIN_KEY]');
    // The text is scanned after the structure is redacted, so a redaction that misses something
    // (here: one that misses everything) still writes nothing holding a secret.
    const missesAll = Object.assign(new SecretSet().add('GATEWAY_ADMIN_KEY', SECRET), {
      redactDeep: <T>(v: T): T => v,
    });
    savePartial(dir, record({ id: '3/smoke', observations: { echoed: SECRET } }), missesAll);
    expect(readdirSync(dir)).toEqual(['5.1_rpm-limit.json']);
  });
});

describe('run ids from the environment', () => {
  const saved = { ...process.env };
  let parent: string;
  let root: string;
  beforeEach(() => {
    ({ parent, root } = rootWithNeighbour());
    for (const k of Object.keys(process.env))
      if (/^(GATEWAY_|LANGFUSE_|CUTOVER_|SANDBOX_)/.test(k)) delete process.env[k];
    Object.assign(process.env, { CUTOVER_ENV_FILE: '/dev/null', CUTOVER_EVIDENCE_DIR: root });
  });
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  test.each(PATH_LIKE)('readRunInfo replaces %j with a fresh id and says so', (id) => {
    process.env.CUTOVER_RUN_ID = id;
    const got = readRunInfo();
    expect(runIdProblem(got.runId)).toBeUndefined();
    expect(got.runIdRefused?.raw).toBe(id);
    expect(got.runIdRefused?.error).toContain(
      `CUTOVER_RUN_ID ${JSON.stringify(id)} cannot name the evidence directory`,
    );
    expect(got.runIdRefused?.error).toContain(`this run's evidence is under ${got.runId} instead`);
  });

  test('a plain run id is kept as it is', () => {
    process.env.CUTOVER_RUN_ID = 'run-7';
    expect(readRunInfo()).toMatchObject({ runId: 'run-7' });
    expect(readRunInfo().runIdRefused).toBeUndefined();
  });

  test.each(PATH_LIKE)(
    'a refusal with run id %j that preflight let through is written inside the root, earlier evidence intact',
    (id) => {
      process.env.CUTOVER_RUN_ID = id;
      writeFileSync(join(root, 'earlier.txt'), 'an earlier bundle\n');
      const outsideBefore = snapshot(join(parent, 'outside'));
      const written = writeRefusal([{ variable: 'THRESHOLD_SMOKE_MS', problem: 'must be greater than 0' }], new Date());
      expect(written).toBeDefined();
      expect(readdirSync(parent).sort()).toEqual(['evidence', 'outside']);
      expect(snapshot(join(parent, 'outside'))).toEqual(outsideBefore);
      expect(readFileSync(join(root, 'earlier.txt'), 'utf8')).toBe('an earlier bundle\n');
      const v = verifyEvidence(join(root, 'latest'));
      expect(v.problems).toEqual([]);
      expect(join(root, v.bundle!.run.id)).toBe(written);
      expect(v.bundle!.runErrors.join('\n')).toContain(
        `CUTOVER_RUN_ID ${JSON.stringify(id)} cannot name the evidence directory`,
      );
    },
  );
});

describe('writeBundle keeps every path inside the evidence root', () => {
  test.each([
    '..',
    '.',
    '.hidden',
    'a/b',
    'a\\b',
    '/tmp/elsewhere',
    '../../etc',
    '',
    'latest',
    'LATEST-pre',
    'schema.json',
  ])('run id %j is refused before anything is written', (runId) => {
    const { parent, root } = rootWithNeighbour();
    writeBundle(bundle(), { root, secrets: new SecretSet() });
    const before = snapshot(parent);
    expect(() => writeBundle(withId(runId), { root, secrets: new SecretSet() })).toThrow(EvidencePathError);
    expect(() => writeBundle(withId(runId), { root, secrets: new SecretSet() })).toThrow(
      /refusing run id .* as an evidence directory/,
    );
    // The earlier bundle, latest-pre (the watch's baseline) and the neighbour are untouched.
    expect(snapshot(parent)).toEqual(before);
  });

  test.each(['latest', 'latest-pre', 'run-1'])(
    'a symlinked %s pointing outside is replaced, never written through',
    (name) => {
      const { parent, root, outside } = rootWithNeighbour();
      symlinkSync(outside, join(root, name));
      const before = snapshot(outside);
      const res = writeBundle(bundle(), { root, secrets: new SecretSet(), views: { 'report.html': renderHtml } });
      expect(snapshot(outside)).toEqual(before);
      expect(lstatSync(join(root, name)).isDirectory()).toBe(true);
      expect(verifyEvidence(join(root, name)).problems).toEqual([]);
      expect(res.replaced).toEqual([`${join(realpathSync(root), name)} -> ${outside}`]);
      expect(readdirSync(parent).sort()).toEqual(['evidence', 'outside']);
    },
  );

  test('a symlink inside the root pointing at an earlier run is replaced too: latest never overwrites that run', () => {
    const { root } = rootWithNeighbour();
    const earlier = writeBundle(withId('run-0'), { root, secrets: new SecretSet() });
    const earlierJson = readFileSync(join(earlier.dir, 'evidence.json'), 'utf8');
    rmSync(join(root, 'latest'), { recursive: true });
    symlinkSync(join(root, 'run-0'), join(root, 'latest'));
    writeBundle(bundle(), { root, secrets: new SecretSet() });
    expect(readFileSync(join(earlier.dir, 'evidence.json'), 'utf8')).toBe(earlierJson);
    expect(verifyEvidence(join(root, 'latest')).bundle!.run.id).toBe('run-1');
  });

  test('a symlinked file inside latest/ is replaced by the new file; its target keeps its text', () => {
    const { root, outside } = rootWithNeighbour();
    mkdirSync(join(root, 'latest'));
    symlinkSync(join(outside, 'evidence.json'), join(root, 'latest', 'evidence.json'));
    symlinkSync(join(outside, 'keep.txt'), join(root, 'latest', 'report.html'));
    const secrets = new SecretSet().add('GATEWAY_ADMIN_KEY', SECRET);
    // report.html is refused this time, so the stale one in latest/ is removed: the link, not its target.
    const res = writeBundle(bundle(), { root, secrets, views: { 'report.html': () => SECRET } });
    expect(res.refused).toHaveLength(1);
    expect(readFileSync(join(outside, 'evidence.json'), 'utf8')).toBe('not yours\n');
    expect(readFileSync(join(outside, 'keep.txt'), 'utf8')).toBe('keep me\n');
    expect(lstatSync(join(root, 'latest', 'evidence.json')).isFile()).toBe(true);
    expect(existsSync(join(root, 'latest', 'report.html'))).toBe(false);
  });

  test('a regular file where latest/ should be is refused by name, and kept', () => {
    const { root } = rootWithNeighbour();
    writeFileSync(join(root, 'latest'), 'a note someone left\n');
    expect(() => writeBundle(bundle(), { root, secrets: new SecretSet() })).toThrow(
      new RegExp(
        `refusing to write evidence into ${join(realpathSync(root), 'latest')}: it exists and is not a directory`,
      ),
    );
    expect(readFileSync(join(root, 'latest'), 'utf8')).toBe('a note someone left\n');
  });

  test('a root that is itself a symlink (evidence -> /mnt/audit) is followed on purpose', () => {
    const { parent, outside } = rootWithNeighbour();
    const audit = join(outside, 'audit');
    mkdirSync(audit);
    const link = join(parent, 'linked-evidence');
    symlinkSync(audit, link);
    const res = writeBundle(bundle(), { root: link, secrets: new SecretSet(), views: { 'report.html': renderHtml } });
    expect(res.dir).toBe(join(link, 'run-1'));
    expect(res.replaced).toEqual([]);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readdirSync(audit).sort()).toEqual(['latest', 'latest-pre', 'run-1', 'schema.json']);
    expect(verifyEvidence(join(audit, 'latest-pre')).problems).toEqual([]);
  });
});
