import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildBundle } from './bundle.ts';
import { renderHtml } from './html.ts';
import type { CheckRecord } from './model.ts';
import { SecretSet } from './redact.ts';
import type { RunInfo } from './run-info.ts';
import { verifyEvidence } from './verify.ts';
import { writeBundle } from './write.ts';

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
const SECRET = 'sk-master-Zq81xYw2aa';
const check = (over: Partial<CheckRecord> = {}): CheckRecord => ({
  id: '3/smoke',
  section: '3',
  title: 'smoke',
  status: 'passed',
  durationMs: 5,
  links: [],
  observations: {},
  measurements: [{ name: 'total_ms', value: 120, unit: 'ms', threshold: { op: '<', value: 2000 }, pass: true }],
  ...over,
});
const bundle = (checks: CheckRecord[]) =>
  buildBundle(info, checks, { startedAt: new Date(0), endedAt: new Date(1000), endReason: 'passed', runErrors: [] });

describe('writeBundle and verifyEvidence', () => {
  test('writes every file, signed, and an untouched bundle verifies', () => {
    const root = mkdtempSync(join(tmpdir(), 'ev-'));
    const res = writeBundle(bundle([check()]), {
      root,
      secrets: new SecretSet(),
      views: { 'report.html': renderHtml },
    });
    for (const f of ['evidence.json', 'summary.md', 'junit.xml', 'schema.json']) {
      expect(existsSync(join(res.dir, f))).toBe(true);
      expect(existsSync(join(root, 'latest', f))).toBe(true);
      expect(existsSync(join(root, 'latest-pre', f))).toBe(true);
    }
    expect(verifyEvidence(res.dir)).toMatchObject({ ok: true, problems: [] });
    // One check of the whole catalogue ran: the rest are recorded as not run, never a go.
    expect(readFileSync(join(res.dir, 'summary.md'), 'utf8').split('\n')[0]).toMatch(/INCOMPLETE/);
    expect(res.bundle.run.notRun).toContain('7/rollback-readiness');
    expect(readFileSync(join(res.dir, 'junit.xml'), 'utf8')).toMatch(
      /<property name="total_ms" value="120" unit="ms" threshold="&lt; 2000" pass="true"\/>/,
    );
  });

  test('an edit after writing breaks the digest, and the message says so', () => {
    const root = mkdtempSync(join(tmpdir(), 'ev-'));
    const res = writeBundle(bundle([check({ status: 'failed', error: 'total_ms too slow' })]), {
      root,
      secrets: new SecretSet(),
    });
    const file = join(res.dir, 'evidence.json');
    const edited = JSON.parse(readFileSync(file, 'utf8'));
    edited.verdict = 'go';
    writeFileSync(file, JSON.stringify(edited, null, 2));
    const v = verifyEvidence(res.dir);
    expect(v.ok).toBe(false);
    expect(v.problems.join()).toMatch(/digest mismatch.*changed after it was written/);
  });

  test('a bundle that breaks the schema is reported field by field', () => {
    const root = mkdtempSync(join(tmpdir(), 'ev-'));
    const res = writeBundle(bundle([check()]), { root, secrets: new SecretSet() });
    const file = join(res.dir, 'evidence.json');
    const edited = JSON.parse(readFileSync(file, 'utf8'));
    edited.verdict = 'maybe';
    delete edited.digest;
    writeFileSync(file, JSON.stringify(edited));
    expect(verifyEvidence(file).problems.join('\n')).toMatch(/schema: verdict[\s\S]*schema: digest/);
  });

  test('secrets are redacted from the structure, so no output contains them', () => {
    const root = mkdtempSync(join(tmpdir(), 'ev-'));
    const secrets = new SecretSet().add('GATEWAY_ADMIN_KEY', SECRET);
    const res = writeBundle(
      bundle([check({ status: 'failed', error: `401 for key ${SECRET}`, observations: { echoed: SECRET } })]),
      { root, secrets, views: { 'report.html': renderHtml } },
    );
    expect(res.refused).toEqual([]);
    for (const f of ['evidence.json', 'summary.md', 'junit.xml'])
      expect(readFileSync(join(res.dir, f), 'utf8')).not.toContain(SECRET);
    expect(verifyEvidence(res.dir).ok).toBe(true);
  });

  test('a view that still leaks after redaction is refused; the others are written', () => {
    const root = mkdtempSync(join(tmpdir(), 'ev-'));
    const secrets = new SecretSet().add('GATEWAY_ADMIN_KEY', SECRET);
    const res = writeBundle(bundle([check()]), { root, secrets, views: { 'report.html': () => `<p>${SECRET}</p>` } });
    expect(res.refused).toEqual(['report.html (contains the value of GATEWAY_ADMIN_KEY)']);
    expect(existsSync(join(res.dir, 'report.html'))).toBe(false);
    expect(existsSync(join(res.dir, 'evidence.json'))).toBe(true);
  });

  test('a view refused this time is removed from latest/, so latest never pairs this bundle with an older view', () => {
    const root = mkdtempSync(join(tmpdir(), 'ev-'));
    writeBundle(bundle([check()]), {
      root,
      secrets: new SecretSet(),
      views: { 'report.html': () => '<p>older run</p>' },
    });
    const secrets = new SecretSet().add('GATEWAY_ADMIN_KEY', SECRET);
    writeBundle(bundle([check()]), { root, secrets, views: { 'report.html': () => `<p>${SECRET}</p>` } });
    expect(existsSync(join(root, 'latest', 'report.html'))).toBe(false);
  });
});
