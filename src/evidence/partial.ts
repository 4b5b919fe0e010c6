import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CheckRecord } from './model.ts';
import type { SecretSet } from './redact.ts';
import {
  ensureDir,
  EvidencePathError,
  evidenceRoot,
  existingDir,
  existingEvidenceRoot,
  kindOf,
  runIdProblem,
} from './safe-path.ts';
import { runSecrets } from './secrets.ts';
import { writeAtomic } from './write.ts';

/**
 * In-flight check records, one file per check under `<evidenceDir>/.partial/<run-id>/`. A
 * check saves its record as it measures, so that a run killed mid-check (SIGINT during the
 * quota burst, a crashed worker) still leaves what was measured for the reporter to bundle.
 * Never throws (it is reached from every write to stdout, through `runSecrets`) and never
 * leaves `.partial/`: a run id that is no plain name (`.`, `..`, hidden, with a separator: see
 * `runIdProblem`), whatever the config schema accepted, is replaced by `refused-<hash of the
 * id>`, the same name in every process of the run, so that the reporter still finds and removes
 * what was saved. Joined as it was, `..` made this the evidence root itself.
 * Use `ensurePartialDir` to create it: a plain `mkdirSync` would follow a symlinked `.partial`.
 */
export function partialDir(evidenceDir: string, runId: string): string {
  return join(
    evidenceDir,
    '.partial',
    runIdProblem(runId) ? `refused-${createHash('sha256').update(runId).digest('hex').slice(0, 16)}` : runId,
  );
}

/**
 * The evidence root and run directory name a `partialDir` path was made from; undefined for
 * any other path, so that the functions below never act on a directory `partialDir` would not
 * return.
 */
function partsOf(dir: string): { root: string; name: string } | undefined {
  const name = basename(dir);
  const partials = dirname(dir);
  if (basename(partials) !== '.partial' || runIdProblem(name)) return undefined;
  return { root: dirname(partials), name };
}

/**
 * Creates the `partialDir` directory `dir` inside the real evidence root and returns its real
 * path, replacing a symlink at `.partial` or the run's directory rather than following it (see
 * `ensureDir`). Throws `EvidencePathError` for a path `partialDir` would not return, or a
 * regular file in the way. For any other file a run keeps with its partial records.
 */
export function ensurePartialDir(dir: string): string {
  const parts = partsOf(dir);
  if (!parts)
    throw new EvidencePathError(
      `refusing ${dir} as a partial-record directory: it is not <evidence dir>/.partial/<run id>`,
    );
  return ensureDir(evidenceRoot(parts.root), ['.partial', parts.name]);
}

/**
 * Saves one check's current record; best effort, since evidence of evidence must not fail a
 * check. The record is redacted as a structure and its text scanned for every configured
 * secret, like every other output: a record that still holds one (say, a secret used as an
 * observation's key) is not written. A symlink at `.partial` or the run's directory is
 * replaced, never followed (`ensurePartialDir`).
 */
export function savePartial(dir: string, record: CheckRecord, secrets: SecretSet = runSecrets()): void {
  try {
    const text = JSON.stringify(secrets.redactDeep(record));
    if (secrets.findIn(text).length > 0) return;
    const path = ensurePartialDir(dir);
    writeAtomic(join(path, `${record.id.replace(/[^A-Za-z0-9._-]/g, '_')}.json`), text);
  } catch {
    // A read-only or vanished evidence dir only loses the crash copy; the final record still travels in task.meta.
  }
}

/**
 * Every readable partial record of the run; malformed files are ignored. Reads only regular
 * files inside real directories of the root: a symlinked `.partial`, run directory or record
 * is skipped, so that no file from outside the root can be copied into the evidence.
 */
export function loadPartials(dir: string): CheckRecord[] {
  const parts = partsOf(dir);
  const root = parts && existingEvidenceRoot(parts.root);
  const path = parts && root !== undefined ? existingDir(root, ['.partial', parts.name]) : undefined;
  if (path === undefined) return [];
  let names: string[];
  try {
    names = readdirSync(path, { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.json'))
      .map((e) => e.name);
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    try {
      const parsed = CheckRecord.safeParse(JSON.parse(readRegularFile(join(path, n))));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
}

/**
 * Removes a run's partial records once its run has ended, whether or not its bundle could be
 * written (they are raw check records, not evidence), with any other file kept there. Deletes
 * only inside the root: a symlink at `.partial` or the run's directory is itself removed, never
 * its target, and a path `partialDir` would not return removes nothing. Throws when removal
 * fails, so that the caller can say the records were left.
 */
export function clearPartials(dir: string): void {
  const parts = partsOf(dir);
  const root = parts && existingEvidenceRoot(parts.root);
  if (!parts || root === undefined) return;
  const partials = join(root, '.partial');
  const kind = kindOf(partials);
  if (kind === 'symlink') unlinkSync(partials);
  if (kind !== 'directory') return;
  const run = join(partials, parts.name);
  if (kindOf(run) === 'symlink') unlinkSync(run);
  else rmSync(run, { recursive: true, force: true });
}

/** A file's text, refusing to follow a symlink even if one was swapped in after the directory was listed. */
function readRegularFile(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`${path} is not a regular file`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
