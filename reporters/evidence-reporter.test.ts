import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import type { CheckRecord } from '../src/evidence/model.ts';
import { partialDir, savePartial } from '../src/evidence/partial.ts';
import { SecretSet } from '../src/evidence/redact.ts';
import { verifyEvidence } from '../src/evidence/verify.ts';
import EvidenceReporter from './evidence-reporter.ts';

/** The reporter's final write, reached without a Vitest run (it is what onTestRunEnd and the signal handler call). */
type Writer = {
  write(runErrors: string[], reason: 'passed' | 'failed' | 'interrupted', extra: string[]): { dir: string } | undefined;
};
const writeOf = (r: EvidenceReporter): Writer['write'] => (r as unknown as Writer).write.bind(r);

const record: CheckRecord = {
  id: '5.1/rpm-limit',
  section: '5.1',
  title: 'rpm limit',
  status: 'inconclusive',
  durationMs: 5,
  links: [],
  observations: { sent: 12 },
  measurements: [],
};

const saved = { ...process.env };
const savedExitCode = process.exitCode;
let parent: string;
let root: string;
beforeEach(() => {
  parent = mkdtempSync(join(tmpdir(), 'reporter-'));
  root = join(parent, 'evidence');
  mkdirSync(root);
  for (const k of Object.keys(process.env))
    if (/^(GATEWAY_|LANGFUSE_|CUTOVER_|SANDBOX_)/.test(k)) delete process.env[k];
  Object.assign(process.env, { CUTOVER_ENV_FILE: '/dev/null', CUTOVER_EVIDENCE_DIR: root, CUTOVER_RUN_ID: 'run-r1' });
  // The reporter prints where the evidence went and the verdict; kept out of the test log.
  vi.spyOn(process.stdout, 'write').mockReturnValue(true);
  vi.spyOn(process.stderr, 'write').mockReturnValue(true);
});
afterEach(() => {
  vi.restoreAllMocks();
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  process.exitCode = savedExitCode;
});

test('an interrupted run bundles the partial records, then removes them', () => {
  savePartial(partialDir(root, 'run-r1'), record, new SecretSet());
  const res = writeOf(new EvidenceReporter())([], 'interrupted', ['the run was interrupted by SIGINT']);
  expect(res?.dir).toBe(join(root, 'run-r1'));
  const v = verifyEvidence(join(root, 'latest'));
  expect(v.bundle!.sections.flatMap((s) => s.checks).map((c) => c.id)).toEqual(['5.1/rpm-limit']);
  expect(existsSync(join(root, '.partial', 'run-r1'))).toBe(false);
});

test('the partial records are removed even when the final write is refused', () => {
  savePartial(partialDir(root, 'run-r1'), record, new SecretSet());
  writeFileSync(join(root, 'latest'), 'a file where latest/ should be\n');
  expect(writeOf(new EvidenceReporter())([], 'interrupted', [])).toBeUndefined();
  expect(process.exitCode).toBe(1);
  expect(existsSync(join(root, '.partial', 'run-r1'))).toBe(false);
  expect(readFileSync(join(root, 'latest'), 'utf8')).toBe('a file where latest/ should be\n');
});

test.each(['..', '.', '.hidden', 'a/b', '/etc'])(
  'run id %j: evidence under a fresh id inside the root, never go, nothing deleted',
  (id) => {
    process.env.CUTOVER_RUN_ID = id;
    writeFileSync(join(root, 'earlier.txt'), 'an earlier bundle\n');
    // The checks saved under the raw id (partialDir keeps it inside .partial); the reporter bundles and removes it.
    savePartial(partialDir(root, id), record, new SecretSet());
    const res = writeOf(new EvidenceReporter())([], 'interrupted', []);
    expect(res).toBeDefined();
    expect(readdirSync(parent)).toEqual(['evidence']);
    expect(readdirSync(join(root, '.partial'))).toEqual([]);
    expect(readFileSync(join(root, 'earlier.txt'), 'utf8')).toBe('an earlier bundle\n');
    const v = verifyEvidence(join(root, 'latest'));
    expect(v.problems).toEqual([]);
    expect(res!.dir).toBe(join(root, v.bundle!.run.id));
    expect(v.bundle!.verdict).not.toMatch(/^go/);
    expect(v.bundle!.sections.flatMap((s) => s.checks).map((c) => c.id)).toEqual(['5.1/rpm-limit']);
    expect(v.bundle!.runErrors.join('\n')).toContain(
      `CUTOVER_RUN_ID ${JSON.stringify(id)} cannot name the evidence directory`,
    );
    expect(existsSync(join(root, 'latest-pre'))).toBe(false);
  },
);

test('prints the critical path before the verdict, which stays the last line', () => {
  const reporter = new EvidenceReporter();
  const timedRecord: CheckRecord = {
    ...record,
    timeline: {
      startedAt: new Date().toISOString(),
      spans: [{ kind: 'burst', label: '101 × POST /v1/chat/completions', startMs: 0, endMs: 3 }],
    },
  };
  savePartial(partialDir(root, 'run-r1'), timedRecord, new SecretSet());
  expect(writeOf(reporter)([], 'interrupted', [])).toBeDefined();
  const printed = vi
    .mocked(process.stdout.write)
    .mock.calls.map((c) => String(c[0]))
    .join('')
    .trimEnd()
    .split('\n');
  expect(printed.at(-1)).toMatch(/^Verdict: /);
  expect(printed.at(-2)).toMatch(
    /^Critical path \d+ ms of \d+ ms wall: setup \d+ ms → 5\.1\/rpm-limit 5 ms \(burst 3 ms, other 2 ms\) → report \d+ ms$/,
  );
  expect(printed.at(-3)).toMatch(/^Evidence digest: sha256:/);
});

test('no timeline recorded, no critical-path line', () => {
  savePartial(partialDir(root, 'run-r1'), record, new SecretSet());
  writeOf(new EvidenceReporter())([], 'interrupted', []);
  const printed = vi
    .mocked(process.stdout.write)
    .mock.calls.map((c) => String(c[0]))
    .join('');
  expect(printed).toMatch(/^Evidence digest: sha256:[0-9a-f]{64}\nVerdict: /m);
  expect(printed).not.toContain('Critical path');
});
