import type { KeyObject } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { appendFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { digestOf } from './digest.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { EvidenceBundle, UnsignedBundle } from './model.ts';
import type { SecretSet } from './redact.ts';
import { assertRunId, ensureDir, evidenceRoot } from './safe-path.ts';
import { evidenceJsonSchema } from './schema.ts';
import { SIGNATURE_FILE, signBundle } from './signing.ts';
import { errorMessage } from './error-text.ts';

/** Refused to write an output because a configured secret survived redaction. The message names the secret, never its value. */
class SecretLeakError extends Error {
  override readonly name = 'SecretLeakError';
}

/**
 * Writes `text` to `path` atomically: a reader sees the old file or the new one, never half of
 * it. Never writes through a symlink: the temporary file is created exclusively (`wx` fails on
 * anything already there, a planted link included), and the rename replaces whatever entry
 * `path` was, a symlink itself rather than its target.
 */
export function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, text, { flag: 'wx' });
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** A view of the bundle, rendered from the signed, redacted structure. */
type View = (bundle: EvidenceBundle) => string;

/** Where a written bundle went, and which outputs were refused. */
export interface WriteResult {
  dir: string;
  bundle: EvidenceBundle;
  /** Files not written because they still held a secret; empty on a clean write. */
  refused: string[];
  /**
   * Symlinks found where the root keeps its own directories (`<run-id>`, `latest`,
   * `latest-<phase>`), as `path -> target`: each link was removed (its target untouched) and a
   * real directory written in its place. Empty on an ordinary write.
   */
  replaced: string[];
}

/** Where and how `writeBundle` writes: one object, so a call reads by name, not by position. */
export interface WriteOptions {
  /** The evidence root (`CUTOVER_EVIDENCE_DIR`). */
  readonly root: string;
  /** Every configured and learned secret: the bundle is redacted with them, then every file is scanned for them. */
  readonly secrets: SecretSet;
  /** Views besides evidence.json, summary.md and junit.xml (report.html), each rendered from the redacted bundle. */
  readonly views?: Record<string, View>;
  /** false: leave `latest-<phase>/` alone (see below). */
  readonly phaseLatest?: boolean;
  /** Signs `evidence.json` into `evidence.json.sig` when set (see `signingKeyFrom`). */
  readonly signingKey?: KeyObject;
}

/**
 * Writes the bundle to `<root>/<run-id>/` and refreshes `<root>/latest/` and
 * `<root>/latest-<phase>/` (the post-cutover watch reads its baseline from `latest-pre/`).
 * The bundle is redacted as a structure, signed (`digest`), validated by its schema, and each
 * rendered file is scanned for every configured secret before it is written: a hit refuses
 * that file (the others are still written, so nothing measured is lost) and is reported in
 * `refused`. `evidence.json` itself is never refused silently: if it leaks, this throws.
 * `views` adds renderers (the HTML report) without this module knowing them.
 * `phaseLatest: false` leaves `latest-<phase>/` alone (a refused run measured nothing and must
 * not displace the run the watch takes its baseline from).
 * `signingKey` (see `signingKeyFrom`) adds `evidence.json.sig`, the Ed25519 signature of the
 * bundle, to every directory written; without it a signature left there by an earlier run is
 * removed, so that `latest/` never pairs this bundle with another run's signature (a view
 * refused this time is removed for the same reason).
 * Every path stays inside the root: `root` is resolved once with realpath (it may be a symlink
 * the user made), the run id must be a plain name (`assertRunId`: never `.`, `..`, hidden or
 * with a separator), and a symlink where one of the directories should be is replaced, never
 * followed (`ensureDir`; listed in `replaced`). Throws `EvidencePathError` before writing
 * anything when the run id is refused.
 */
export function writeBundle(unsigned: UnsignedBundle, o: WriteOptions): WriteResult {
  const { root, secrets, views: extraViews = {} } = o;
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
      refused.push(`${name} (renderer failed: ${secrets.redact(errorMessage(err))})`);
      continue;
    }
    const leaked = secrets.findIn(text);
    if (leaked.length > 0) {
      if (name === 'evidence.json')
        throw new SecretLeakError(
          `refusing to write evidence.json: it still contains the value of ${leaked.join(', ')}`,
        );
      refused.push(`${name} (contains the value of ${leaked.join(', ')})`);
      continue;
    }
    files.push([name, text]);
  }
  if (o.signingKey) files.push([SIGNATURE_FILE, `${signBundle(bundle, o.signingKey)}\n`]);
  assertRunId(bundle.run.id);
  const realRoot = evidenceRoot(root);
  const stale = [...Object.keys(views), SIGNATURE_FILE].filter((name) => !files.some(([written]) => written === name));
  const replaced: string[] = [];
  for (const name of [bundle.run.id, 'latest', ...(o.phaseLatest === false ? [] : [`latest-${bundle.run.phase}`])]) {
    const target = ensureDir(realRoot, [name], replaced);
    for (const [file, text] of files) writeAtomic(join(target, file), text);
    for (const file of stale) rmSync(join(target, file), { force: true });
  }
  writeAtomic(join(realRoot, 'schema.json'), files[0]![1]);
  const summary = files.find(([n]) => n === 'summary.md');
  if (process.env.GITHUB_STEP_SUMMARY && summary) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${summary[1]}\n`);
  return { dir: join(root, bundle.run.id), bundle, refused, replaced };
}
