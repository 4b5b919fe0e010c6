import { lstatSync, mkdirSync, readlinkSync, realpathSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from './error-text.ts';

/**
 * Refused to write, read or delete a path under the evidence root: a run id that would name a
 * path (`..`, `a/b`), a regular file where the suite keeps a directory, or a directory that
 * still resolves outside the root. The message names the path and what to do about it.
 */
export class EvidencePathError extends Error {
  override readonly name = 'EvidencePathError';
}

/**
 * The run ids that may name a directory under the evidence root: 1-64 characters of
 * `A-Z a-z 0-9 . _ -` starting with a letter or digit (so never `.`, `..`, a hidden name or
 * something a shell reads as an option), and none of the names the root keeps for itself
 * (`latest`, `latest-<anything>`, `schema.json`; in any case, because macOS and Windows file
 * systems ignore it). The config schema should use the same pattern; the writers check again,
 * whatever the schema says.
 */
export const RUN_ID_PATTERN = /^(?!(?:latest(?:-.*)?|schema\.json)$)[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/i;

/**
 * Why `id` cannot name a run's evidence directory, in words for an error message; undefined
 * when it can. Checked one rule at a time so that the message says which rule it broke.
 */
export function runIdProblem(id: string | undefined): string | undefined {
  if (!id) return 'is empty';
  if (/[/\\]/.test(id)) return 'contains a path separator';
  if (id.startsWith('.')) return 'starts with a dot (".", ".." and hidden names are paths, not run ids)';
  if (id.length > 64) return 'is longer than 64 characters';
  if (!/^[A-Za-z0-9._-]+$/.test(id)) return 'may hold only A-Z a-z 0-9 . _ -';
  if (!/^[A-Za-z0-9]/.test(id)) return 'must start with a letter or digit';
  if (!RUN_ID_PATTERN.test(id))
    return 'is a name the evidence directory keeps for itself (latest, latest-*, schema.json)';
  return undefined;
}

/** Throws `EvidencePathError` when `id` cannot name a directory under the evidence root (see `runIdProblem`). */
export function assertRunId(id: string): void {
  const problem = runIdProblem(id);
  if (problem)
    throw new EvidencePathError(
      `refusing run id ${JSON.stringify(id.slice(0, 80))} as an evidence directory: it ${problem}`,
    );
}

/**
 * The evidence root as a real path, created when missing. The root is the one path taken as
 * given: it may be a symlink the user made on purpose (`evidence -> /mnt/audit`), so it is
 * resolved here, once per operation, and every path below is built from the result.
 */
export function evidenceRoot(root: string): string {
  try {
    mkdirSync(root, { recursive: true });
    return realpathSync(root);
  } catch (err) {
    throw new EvidencePathError(`the evidence directory ${root} cannot be used: ${errorMessage(err)}`);
  }
}

/** The evidence root as a real path, or undefined when it does not exist (readers and cleaners create nothing). */
export function existingEvidenceRoot(root: string): string | undefined {
  try {
    return realpathSync(root);
  } catch {
    return undefined;
  }
}

/**
 * Makes `<realRoot>/<segments…>` a real directory and returns its path. Each segment is one
 * plain name (never `.`, `..` or a separator) and is checked with lstat, so nothing is ever
 * written through a symlink:
 * - missing: created;
 * - a symlink (wherever it points, even inside the root: `latest -> <older run>` would overwrite
 *   that run): the link itself is removed, never its target, a directory is made in its place,
 *   and `<path> -> <target>` is appended to `replaced` so the caller can say so;
 * - a directory: used;
 * - anything else (a regular file): refused with `EvidencePathError`, since that is data this
 *   suite did not write and must not delete.
 * Finally the result's real path must be exactly the expected one; a swap between the checks
 * and the use would be refused rather than followed.
 */
export function ensureDir(realRoot: string, segments: readonly string[], replaced: string[] = []): string {
  let path = realRoot;
  for (const segment of segments) {
    assertSegment(segment);
    path = join(path, segment);
    const kind = kindOf(path);
    if (kind === 'symlink') {
      const target = linkTarget(path);
      unlinkSync(path);
      replaced.push(`${path} -> ${target}`);
    } else if (kind === 'other') {
      throw new EvidencePathError(
        `refusing to write evidence into ${path}: it exists and is not a directory; move it out of the evidence directory`,
      );
    }
    if (kind !== 'directory') mkdirSync(path);
  }
  assertInside(realRoot, segments, path);
  return path;
}

/**
 * `<realRoot>/<segments…>` when every segment is a real directory; undefined when one is
 * missing, a symlink or not a directory, so that a reader never follows a link out of the root.
 */
export function existingDir(realRoot: string, segments: readonly string[]): string | undefined {
  let path = realRoot;
  for (const segment of segments) {
    assertSegment(segment);
    path = join(path, segment);
    if (kindOf(path) !== 'directory') return undefined;
  }
  return path;
}

/** What is at `path` without following a link: missing, symlink, directory or other. */
export function kindOf(path: string): 'missing' | 'symlink' | 'directory' | 'other' {
  try {
    const st = lstatSync(path);
    return st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'directory' : 'other';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
}

function linkTarget(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '(unreadable)';
  }
}

function assertSegment(segment: string): void {
  if (!segment || segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) {
    throw new EvidencePathError(
      `refusing path segment ${JSON.stringify(segment.slice(0, 80))} under the evidence directory: it is not a plain name`,
    );
  }
}

function assertInside(realRoot: string, segments: readonly string[], path: string): void {
  const real = realpathSync(path);
  if (real !== join(realRoot, ...segments)) {
    throw new EvidencePathError(`refusing to write evidence into ${path}: it resolves to ${real}, outside ${realRoot}`);
  }
}
