import type { KeyObject } from 'node:crypto';
import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { digestOf } from './digest.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { EvidenceBundle, UnsignedBundle } from './model.ts';
import type { SecretSet } from './redact.ts';
import { evidenceJsonSchema } from './schema.ts';
import { SIGNATURE_FILE, signBundle } from './signing.ts';

/** Refused to write an output because a configured secret survived redaction. The message names the secret, never its value. */
export class SecretLeakError extends Error {
  override readonly name = 'SecretLeakError';
}

/** Writes `text` to `path` atomically: a reader sees the old file or the new one, never half of it. */
export function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** A view of the bundle, rendered from the signed, redacted structure. */
export type View = (bundle: EvidenceBundle) => string;

/** Where a written bundle went, and which outputs were refused. */
export interface WriteResult {
  dir: string;
  bundle: EvidenceBundle;
  /** Files not written because they still held a secret; empty on a clean write. */
  refused: string[];
}

/**
 * Writes the bundle to `<root>/<run-id>/` and refreshes `<root>/latest/` and
 * `<root>/latest-<phase>/` (the post-cutover watch reads its baseline from `latest-pre/`).
 * The bundle is redacted as a structure, signed (`digest`), validated by its schema, and each
 * rendered file is scanned for every configured secret before it is written: a hit refuses
 * that file (the others are still written, so nothing measured is lost) and is reported in
 * `refused`. `evidence.json` itself is never refused silently: if it leaks, this throws.
 * `extraViews` adds renderers (the HTML report) without this module knowing them.
 * `phaseLatest: false` leaves `latest-<phase>/` alone (a refused run measured nothing and must
 * not displace the run the watch takes its baseline from).
 * `signingKey` (see `signingKeyFrom`) adds `evidence.json.sig`, the Ed25519 signature of the
 * bundle, to every directory written; without it a signature left there by an earlier run is
 * removed, so that `latest/` never pairs this bundle with another run's signature.
 */
export function writeBundle(root: string, unsigned: UnsignedBundle, secrets: SecretSet, extraViews: Record<string, View> = {}, o: { phaseLatest?: boolean; signingKey?: KeyObject } = {}): WriteResult {
  const redacted = UnsignedBundle.parse(secrets.redactDeep(unsigned));
  const bundle = EvidenceBundle.parse({ ...redacted, digest: digestOf(redacted) });
  const views: Record<string, View> = {
    'evidence.json': (b) => `${JSON.stringify(b, null, 2)}\n`,
    'summary.md': renderMarkdown,
    'junit.xml': renderJunit,
    ...extraViews,
  };
  const files: [string, string][] = [['schema.json', `${JSON.stringify(evidenceJsonSchema(), null, 2)}\n`]];
  const refused: string[] = [];
  for (const [name, render] of Object.entries(views)) {
    let text: string;
    try {
      text = render(bundle);
    } catch (err) {
      refused.push(`${name} (renderer failed: ${secrets.redact((err as Error).message)})`);
      continue;
    }
    const leaked = secrets.findIn(text);
    if (leaked.length > 0) {
      if (name === 'evidence.json') throw new SecretLeakError(`refusing to write evidence.json: it still contains the value of ${leaked.join(', ')}`);
      refused.push(`${name} (contains the value of ${leaked.join(', ')})`);
      continue;
    }
    files.push([name, text]);
  }
  if (o.signingKey) files.push([SIGNATURE_FILE, `${signBundle(bundle, o.signingKey)}\n`]);
  const dir = join(root, bundle.run.id);
  for (const target of [dir, join(root, 'latest'), ...(o.phaseLatest === false ? [] : [join(root, `latest-${bundle.run.phase}`)])]) {
    mkdirSync(target, { recursive: true });
    for (const [name, text] of files) writeAtomic(join(target, name), text);
    if (!o.signingKey) rmSync(join(target, SIGNATURE_FILE), { force: true });
  }
  writeAtomic(join(root, 'schema.json'), files[0]![1]);
  const summary = files.find(([n]) => n === 'summary.md');
  if (process.env.GITHUB_STEP_SUMMARY && summary) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${summary[1]}\n`);
  return { dir, bundle, refused };
}
