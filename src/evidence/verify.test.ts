import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { buildBundle } from './bundle.ts';
import { VIEW_RENDERERS } from './consistency.ts';
import { digestOf } from './digest.ts';
import { renderHtml } from './html.ts';
import { failedHostile, healthy } from './html-fixtures.ts';
import { EvidenceBundle, type CheckRecord, type UnsignedBundle } from './model.ts';
import { SecretSet } from './redact.ts';
import type { RunInfo } from './run-info.ts';
import { SIGNATURE_FILE } from './signing.ts';
import { verifyEvidence } from './verify.ts';
import { writeBundle } from './write.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const signer = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');

/** Writes `b` as the reporter does (with the HTML view), optionally signed; returns the bundle's directory. */
function written(b: UnsignedBundle, signingKey?: KeyObject): string {
  return writeBundle(b, {
    root: mkdtempSync(join(tmpdir(), 'ev-verify-')),
    secrets: new SecretSet(),
    views: { 'report.html': renderHtml },
    signingKey,
  }).dir;
}
const unsignedOf = ({ digest: _d, ...rest }: EvidenceBundle): UnsignedBundle => rest;

/**
 * Edits the bundle as a forger who knows the format would: the digest recomputed and, unless
 * `views: false`, every view rendered again from the edited JSON, so only consistency and the
 * signature are left to catch it.
 */
function forge(dir: string, edit: (b: EvidenceBundle) => void, o: { views?: boolean } = {}): void {
  const file = join(dir, 'evidence.json');
  const b = JSON.parse(readFileSync(file, 'utf8')) as EvidenceBundle;
  edit(b);
  b.digest = digestOf(b);
  writeFileSync(file, `${JSON.stringify(b, null, 2)}\n`);
  if (o.views === false) return;
  for (const [name, render] of Object.entries(VIEW_RENDERERS))
    writeFileSync(join(dir, name), render(EvidenceBundle.parse(b)));
}

const checkIn = (b: EvidenceBundle, id: string): CheckRecord =>
  b.sections.flatMap((s) => s.checks).find((c) => c.id === id)!;

describe('verifyEvidence on written bundles', () => {
  test('a genuine bundle verifies, unsigned and signed, and says what it knows of the signature', () => {
    const plain = written(unsignedOf(healthy));
    expect(verifyEvidence(plain)).toMatchObject({ ok: true, problems: [], signature: 'absent' });
    const signed = written(unsignedOf(failedHostile), signer.privateKey);
    expect(verifyEvidence(signed)).toMatchObject({ ok: true, problems: [], signature: 'present' });
    expect(verifyEvidence(signed, { publicKey: signer.publicKey })).toMatchObject({
      ok: true,
      problems: [],
      signature: 'verified',
    });
    expect(verifyEvidence(join(signed, 'evidence.json'), { publicKey: signer.publicKey })).toMatchObject({
      ok: true,
      signature: 'verified',
    });
  });

  test('a check flipped to passed while its measurement failed is caught, digest and views redone', () => {
    const dir = written(unsignedOf(failedHostile));
    forge(dir, (b) => {
      const c = checkIn(b, '4.1/exact-cache');
      c.status = 'passed';
      delete c.error;
    });
    const v = verifyEvidence(dir);
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual(['4.1/exact-cache is passed, but its measurement request_2_ms failed its threshold']);
  });

  test("a measurement's pass flipped is caught", () => {
    const dir = written(unsignedOf(failedHostile));
    forge(dir, (b) => {
      checkIn(b, '4.1/exact-cache').measurements[1]!.pass = true;
    });
    expect(verifyEvidence(dir).problems).toEqual([
      '4.1/exact-cache: measurement request_2_ms records pass true, but 180.5 < 100 is false',
    ]);
  });

  test.each(Object.keys(VIEW_RENDERERS))('an edited %s is caught while evidence.json is untouched', (name) => {
    const dir = written(unsignedOf(failedHostile), signer.privateKey);
    const file = join(dir, name);
    // What a forger would change in each: the verdict in the readable views, an outcome in JUnit.
    const text = readFileSync(file, 'utf8');
    const edited =
      name === 'junit.xml'
        ? text.replace('pass="false"', 'pass="true"')
        : text.replace(/no-go/gi, (m) => (m === 'NO-GO' ? 'GO' : 'go'));
    expect(edited).not.toBe(text);
    writeFileSync(file, edited);
    const v = verifyEvidence(dir, { publicKey: signer.publicKey });
    expect(v.problems).toHaveLength(1);
    expect(v.problems[0]).toMatch(
      new RegExp(`^${name.replace('.', '\\.')} differs from what evidence.json renders to \\(first at line \\d+\\)`),
    );
    expect(v.signature).toBe('verified');
  });

  test('a deleted view is reported missing', () => {
    const dir = written(unsignedOf(healthy));
    rmSync(join(dir, 'report.html'));
    expect(verifyEvidence(dir).problems).toEqual(['report.html is missing']);
  });

  test('a consistent forgery passes every internal check, and only the signature catches it', () => {
    const dir = written(unsignedOf(healthy), signer.privateKey);
    forge(dir, (b) => {
      checkIn(b, '4.1/exact-cache').measurements[1]!.value = 12.5;
      b.run.gitSha = 'ffffffffffffffffffffffffffffffffffffffff';
    });
    expect(verifyEvidence(dir)).toMatchObject({ ok: true, signature: 'present' });
    const v = verifyEvidence(dir, { publicKey: signer.publicKey });
    expect(v).toMatchObject({ ok: false, signature: 'invalid' });
    expect(v.problems).toEqual([
      `signature invalid: ${SIGNATURE_FILE} does not match this content under the given public key; the bundle was changed after signing, or signed with another key`,
    ]);
  });

  test('with a public key, a missing signature is INVALID (unsigned)', () => {
    const dir = written(unsignedOf(healthy));
    const v = verifyEvidence(dir, { publicKey: signer.publicKey });
    expect(v).toMatchObject({ ok: false, signature: 'unsigned' });
    expect(v.problems).toEqual([`unsigned: ${join(dir, SIGNATURE_FILE)} does not exist, and a public key was given`]);
  });

  test('the wrong public key makes a genuine signature INVALID', () => {
    const dir = written(unsignedOf(healthy), signer.privateKey);
    expect(verifyEvidence(dir, { publicKey: stranger.publicKey })).toMatchObject({ ok: false, signature: 'invalid' });
  });

  test('a re-signed forgery is INVALID under the real public key', () => {
    const dir = written(unsignedOf(healthy), signer.privateKey);
    forge(dir, (b) => {
      b.run.gitSha = null;
    });
    const forged = JSON.parse(readFileSync(join(dir, 'evidence.json'), 'utf8')) as EvidenceBundle;
    const resigned = writeBundle(unsignedOf(forged), {
      root: mkdtempSync(join(tmpdir(), 'ev-verify-')),
      secrets: new SecretSet(),
      signingKey: stranger.privateKey,
    });
    writeFileSync(join(dir, SIGNATURE_FILE), readFileSync(join(resigned.dir, SIGNATURE_FILE)));
    expect(verifyEvidence(dir, { publicKey: stranger.publicKey })).toMatchObject({ ok: true, signature: 'verified' });
    expect(verifyEvidence(dir, { publicKey: signer.publicKey })).toMatchObject({ ok: false, signature: 'invalid' });
  });
});

describe('pnpm evidence:verify', () => {
  const info: RunInfo = {
    runId: 'run-verify',
    phase: 'pre',
    target: 'deployment',
    kind: 'cutover',
    ranBy: { user: 'u', host: 'h', ci: null },
    evidenceDir: 'unused',
    gatewayUrl: 'https://gw.example.com',
    langfuseUrl: 'https://lf.example.com',
    tool: { name: 'gateway-cutover', version: '0' },
    gitSha: null,
  };
  /** A genuine NO-GO bundle, as the reporter builds it: its verdict comes from the verdict rule. */
  const noGo = (): UnsignedBundle =>
    buildBundle(
      info,
      [
        checkIn(failedHostile, '3/smoke'),
        checkIn(failedHostile, '4.1/exact-cache'),
        {
          ...checkIn(healthy, '5.1/rpm-limit'),
          status: 'failed',
          error: 'the 101st request got HTTP 200',
          measurements: [],
        },
      ],
      { startedAt: new Date(0), endedAt: new Date(60_000), endReason: 'failed', runErrors: [] },
    );
  const pubFile = (): string => {
    const f = join(mkdtempSync(join(tmpdir(), 'ev-pub-')), 'cutover.pub');
    writeFileSync(f, signer.publicKey.export({ type: 'spki', format: 'pem' }));
    return f;
  };
  const cli = (...args: string[]) =>
    execa('node_modules/.bin/tsx', ['scripts/evidence-verify.ts', ...args], { cwd: ROOT, reject: false });

  test('a genuine bundle is OK, with a line on its signature', async () => {
    const dir = written(noGo(), signer.privateKey);
    const unchecked = await cli(dir);
    expect(unchecked.exitCode, unchecked.stdout + unchecked.stderr).toBe(0);
    expect(unchecked.stdout).toMatch(
      /^OK: .* is intact \(verdict no-go, sha256:[0-9a-f]{64}\)\nsignature: evidence\.json\.sig present, not checked \(give --public-key to check it\)$/,
    );
    const checked = await cli(dir, '--public-key', pubFile());
    expect(checked.exitCode, checked.stdout).toBe(0);
    expect(checked.stdout).toMatch(/\nsignature: evidence\.json\.sig verified with the given public key$/);
    const inline = await cli(dir, '--public-key', readFileSync(pubFile(), 'utf8'));
    expect(inline.exitCode, inline.stdout).toBe(0);
  });

  test("the auditor's forgery: NO-GO edited to go, every check passed, digest and views redone: INVALID", async () => {
    const dir = written(noGo());
    forge(dir, (b) => {
      b.verdict = 'go';
      b.verdictReasons = [];
      for (const c of b.sections.flatMap((s) => s.checks)) {
        c.status = 'passed';
        delete c.error;
        for (const m of c.measurements) if (m.threshold) m.pass = true;
      }
    });
    const res = await cli(dir);
    expect(res.exitCode).toBe(1);
    expect(res.stdout).toMatch(/^INVALID: /);
    expect(res.stdout).toContain(
      '  - 4.1/exact-cache: measurement request_2_ms records pass true, but 180.5 < 100 is false\n',
    );
    expect(res.stdout).toMatch(/ {2}- verdict is go, but its checks decide (?!go\b)/);
    expect(res.stdout).toMatch(/signature: none \(no evidence\.json\.sig\)/);
  });

  test('only the verdict flipped to go, digest and views redone: the verdict rule catches it', async () => {
    const dir = written(noGo());
    forge(dir, (b) => {
      b.verdict = 'go';
    });
    const res = await cli(dir);
    expect(res.exitCode).toBe(1);
    expect(res.stdout).toMatch(/^INVALID: .*\n {2}- verdict is go, but its checks decide no-go\n/);
  });

  test('with --public-key: an unsigned bundle and a wrong key are INVALID; a bad key argument is a usage error', async () => {
    const unsigned = await cli(written(noGo()), '--public-key', pubFile());
    expect(unsigned.exitCode).toBe(1);
    expect(unsigned.stdout).toMatch(/ {2}- unsigned: .*evidence\.json\.sig does not exist/);
    const strangerPem = stranger.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const wrong = await cli(written(noGo(), signer.privateKey), '--public-key', strangerPem);
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stdout).toMatch(
      / {2}- signature invalid: .*\nsignature: evidence\.json\.sig does NOT verify with the given public key$/,
    );
    const bad = await cli(written(noGo()), '--public-key', join(tmpdir(), 'no-such-key.pub'));
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^--public-key: .*no-such-key\.pub does not exist/);
  });
});
