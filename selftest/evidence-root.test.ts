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
import { join, resolve, sep } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildBundle } from '../src/evidence/bundle.ts';
import { renderHtml } from '../src/evidence/html.ts';
import { SecretSet } from '../src/evidence/redact.ts';
import type { RunInfo } from '../src/evidence/run-info.ts';
import { runIdProblem } from '../src/evidence/safe-path.ts';
import { verifyEvidence } from '../src/evidence/verify.ts';
import { writeBundle } from '../src/evidence/write.ts';
import { runCutover } from './run-cutover.ts';

const ROOT = resolve(import.meta.dirname, '..');
/** What a bundle written one level too high would have left in the project root. */
const BUNDLE_FILES = ['evidence.json', 'summary.md', 'junit.xml', 'report.html', 'schema.json', 'evidence.json.sig'];

/** Every entry under `dir` (links not followed), with a file's text. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(e.parentPath, e.name);
    out.set(path, e.isFile() ? readFileSync(path, 'utf8') : e.isSymbolicLink() ? 'symlink' : 'dir');
  }
  return out;
}

/** An evidence root holding an earlier cutover run (its own directory, `latest/`, `latest-pre/`), next to a file that is not evidence. */
function rootWithEarlierRun(): { parent: string; root: string } {
  const parent = mkdtempSync(join(tmpdir(), 'evidence-root-'));
  const root = join(parent, 'evidence');
  const info: RunInfo = {
    runId: 'earlier-run',
    phase: 'pre',
    target: 'deployment',
    kind: 'cutover',
    ranBy: { user: 'u', host: 'h', ci: null },
    evidenceDir: root,
    gatewayUrl: 'https://gw',
    langfuseUrl: 'https://lf',
    tool: { name: 't', version: '0' },
    gitSha: null,
  };
  const unsigned = buildBundle(info, [], {
    startedAt: new Date(0),
    endedAt: new Date(1000),
    endReason: 'passed',
    runErrors: [],
  });
  writeBundle(unsigned, { root, secrets: new SecretSet(), views: { 'report.html': renderHtml } });
  writeFileSync(join(parent, 'neighbour.txt'), 'not evidence\n');
  return { parent, root };
}

/**
 * `CUTOVER_RUN_ID=..` once deleted the whole evidence directory (every earlier bundle and
 * `latest-pre`, the watch's baseline), wrote the new bundle into the directory above it, and
 * ended GO. Through the real CLI: the run id is refused at preflight (exit 2, nothing sent),
 * the refusal's evidence lands inside the root under a fresh id, and nothing earlier is gone.
 */
describe('the evidence root is a wall', () => {
  test.concurrent.each([
    { name: 'CUTOVER_RUN_ID=.. alone', env: { CUTOVER_RUN_ID: '..' }, names: ['CUTOVER_RUN_ID'] },
    // Several problems at once: the refusal writer still never turns the run id into a path.
    {
      name: 'CUTOVER_RUN_ID=.. with another problem',
      env: { CUTOVER_RUN_ID: '..', THRESHOLD_SMOKE_MS: '0' },
      names: ['THRESHOLD_SMOKE_MS'],
    },
    { name: 'CUTOVER_RUN_ID=.', env: { CUTOVER_RUN_ID: '.' }, names: ['CUTOVER_RUN_ID'] },
  ])('$name: refused, nothing outside or earlier deleted, nothing written outside the root', async (c) => {
    const { parent, root } = rootWithEarlierRun();
    const before = snapshot(parent);
    const atProjectRoot = BUNDLE_FILES.filter((f) => existsSync(join(ROOT, f)));
    const run = await runCutover({ ...c.env, CUTOVER_EVIDENCE_DIR: root }, { timeoutMs: 60_000, slot: false });
    const after = snapshot(parent);
    // Nothing earlier is deleted or changed; only latest/ (always the newest run) is rewritten.
    for (const [path, text] of before) {
      if (path.startsWith(join(root, 'latest') + sep)) continue;
      expect(after.get(path), `${path} after the run`).toBe(text);
    }
    // Nothing new outside the root, neither next to it nor in the project directory.
    for (const path of after.keys())
      if (!before.has(path))
        expect(path.startsWith(root + sep), `${path} was written outside the evidence root`).toBe(true);
    expect(BUNDLE_FILES.filter((f) => existsSync(join(ROOT, f)))).toEqual(atProjectRoot);
    expect(run.exitCode, run.stdout + run.stderr).toBe(2);
    for (const name of c.names) expect(run.stderr).toContain(`  - ${name}: `);
    // The refusal is on record inside the root, under an id that is a plain name.
    const v = verifyEvidence(join(root, 'latest'));
    expect(v.problems).toEqual([]);
    expect(v.bundle!.verdict).toBe('incomplete');
    expect(runIdProblem(v.bundle!.run.id)).toBeUndefined();
    expect(existsSync(join(root, v.bundle!.run.id, 'evidence.json'))).toBe(true);
    expect(verifyEvidence(join(root, 'latest-pre')).bundle!.run.id, 'the watch keeps its baseline').toBe('earlier-run');
    expect(existsSync(join(root, '.partial')) ? readdirSync(join(root, '.partial')) : []).toEqual([]);
  });

  test('a symlinked latest/ pointing outside the root is replaced by a directory; its target is untouched', async () => {
    const { parent, root } = rootWithEarlierRun();
    const outside = join(parent, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'evidence.json'), 'not evidence\n');
    // Swap latest/ for a link: a run that followed it would write its bundle into outside/.
    rmSync(join(root, 'latest'), { recursive: true });
    symlinkSync(outside, join(root, 'latest'));
    const run = await runCutover(
      { THRESHOLD_SMOKE_MS: '0', CUTOVER_EVIDENCE_DIR: root },
      { timeoutMs: 60_000, slot: false },
    );
    expect(run.exitCode, run.stdout + run.stderr).toBe(2);
    expect(readdirSync(outside)).toEqual(['evidence.json']);
    expect(readFileSync(join(outside, 'evidence.json'), 'utf8')).toBe('not evidence\n');
    expect(lstatSync(join(root, 'latest')).isDirectory()).toBe(true);
    expect(verifyEvidence(join(root, 'latest')).problems).toEqual([]);
    expect(run.stderr).toContain(
      `${join(realpathSync(root), 'latest')} -> ${outside} was a symbolic link; the link was removed (its target is untouched)`,
    );
  });
});
