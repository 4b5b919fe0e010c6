import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkConsistency, VIEW_RENDERERS, type VerdictRule } from './consistency.ts';
import { digestOf } from './digest.ts';
import { EvidenceBundle } from './model.ts';
import { SIGNATURE_FILE, verifySignature } from './signing.ts';
import { errorMessage } from './error-text.ts';

/**
 * What is known of the bundle's signature (`evidence.json.sig`):
 * - with a public key: `verified`, `invalid` (a problem: another key, or content changed after
 *   signing) or `unsigned` (a problem: the file is missing);
 * - without one: `present` (not checked) or `absent`.
 */
export type SignatureState = 'verified' | 'invalid' | 'unsigned' | 'present' | 'absent';

/** Outcome of verifying a written bundle: what is wrong, in words an auditor can act on. */
export interface VerifyResult {
  ok: boolean;
  file: string;
  problems: string[];
  bundle?: EvidenceBundle;
  /** Undefined only when `evidence.json` could not be read as JSON. */
  signature?: SignatureState;
}

/** What `verifyEvidence` checks beyond schema, digest and the bundle's internal consistency. */
export interface VerifyOptions {
  /** The signer's Ed25519 public key; when given, a missing or wrong signature is a problem. */
  publicKey?: KeyObject;
  /** The verdict rule (see `checkConsistency`); without it the verdict is not re-decided. */
  decide?: VerdictRule;
}

/**
 * Verifies `evidence.json` in `path` (a bundle directory or the file itself): it must parse,
 * match the schema, carry a digest equal to the sha256 of its canonical content, be
 * consistent with itself (`checkConsistency`, with `o.decide` as the verdict rule) and with the
 * views beside it (`summary.md`, `report.html`, `junit.xml`), and, with `o.publicKey`, carry a
 * valid signature in `evidence.json.sig`. The digest alone proves nothing against a forger, who
 * can recompute it; the signature does, for whoever holds the right public key.
 */
export function verifyEvidence(path: string, o: VerifyOptions = {}): VerifyResult {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'evidence.json') : path;
  if (!existsSync(file)) return { ok: false, file, problems: [`${file} does not exist`] };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { ok: false, file, problems: [`${file} is not valid JSON: ${errorMessage(err)}`] };
  }
  const signature = signatureOf(json as Record<string, unknown>, dirname(file), o.publicKey);
  const parsed = EvidenceBundle.safeParse(json);
  if (!parsed.success) {
    const problems = [
      ...parsed.error.issues.map((i) => `schema: ${i.path.join('.') || '(root)'}: ${i.message}`),
      ...signature.problems,
    ];
    return { ok: false, file, problems, signature: signature.state };
  }
  const expected = digestOf(json as Record<string, unknown>);
  const problems =
    parsed.data.digest === expected
      ? []
      : [
          `digest mismatch: the file says ${parsed.data.digest} but its content hashes to ${expected}; it was changed after it was written`,
        ];
  problems.push(
    ...checkConsistency(parsed.data, { decide: o.decide, views: viewsBeside(file) }),
    ...signature.problems,
  );
  return { ok: problems.length === 0, file, problems, bundle: parsed.data, signature: signature.state };
}

/** The signature's state and the problem it makes, checked over the JSON as read (every field written, not just those the schema keeps). */
function signatureOf(
  json: Record<string, unknown>,
  dir: string,
  publicKey: KeyObject | undefined,
): { state: SignatureState; problems: string[] } {
  const sigFile = join(dir, SIGNATURE_FILE);
  const present = existsSync(sigFile);
  if (!publicKey) return { state: present ? 'present' : 'absent', problems: [] };
  if (!present)
    return { state: 'unsigned', problems: [`unsigned: ${sigFile} does not exist, and a public key was given`] };
  if (verifySignature(json, readFileSync(sigFile, 'utf8'), publicKey)) return { state: 'verified', problems: [] };
  return {
    state: 'invalid',
    problems: [
      `signature invalid: ${SIGNATURE_FILE} does not match this content under the given public key; the bundle was changed after signing, or signed with another key`,
    ],
  };
}

function viewsBeside(file: string): Record<string, string | undefined> {
  const dir = dirname(file);
  return Object.fromEntries(
    Object.keys(VIEW_RENDERERS).map((name) => {
      const p = join(dir, name);
      return [name, existsSync(p) ? readFileSync(p, 'utf8') : undefined];
    }),
  );
}
