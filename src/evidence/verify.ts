import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { digestOf } from './digest.ts';
import { EvidenceBundle } from './model.ts';

/** Outcome of verifying a written bundle: what is wrong, in words an auditor can act on. */
export interface VerifyResult {
  ok: boolean;
  file: string;
  problems: string[];
  bundle?: EvidenceBundle;
}

/**
 * Verifies `evidence.json` in `path` (a bundle directory or the file itself): it must parse,
 * match the schema, and carry a digest equal to the sha256 of its canonical content. Any edit
 * after writing (a flipped verdict, a removed failure) changes the digest.
 */
export function verifyEvidence(path: string): VerifyResult {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'evidence.json') : path;
  if (!existsSync(file)) return { ok: false, file, problems: [`${file} does not exist`] };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { ok: false, file, problems: [`${file} is not valid JSON: ${(err as Error).message}`] };
  }
  const parsed = EvidenceBundle.safeParse(json);
  if (!parsed.success) {
    return { ok: false, file, problems: parsed.error.issues.map((i) => `schema: ${i.path.join('.') || '(root)'}: ${i.message}`) };
  }
  const expected = digestOf(json as Record<string, unknown>);
  const problems = parsed.data.digest === expected ? [] : [`digest mismatch: the file says ${parsed.data.digest} but its content hashes to ${expected}; it was changed after it was written`];
  return { ok: problems.length === 0, file, problems, bundle: parsed.data };
}
