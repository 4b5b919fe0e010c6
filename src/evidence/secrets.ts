import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readEnvironment, SECRET_VARIABLES, secretValues } from '../config/index.ts';
import { ensurePartialDir, partialDir } from './partial.ts';
import { SecretSet, secretDigest, type SecretDigest } from './redact.ts';

/**
 * Where the processes of one run tell each other about learned credentials: one JSON line per
 * credential, `{name, sha256, length, prefix}`, never the value. It sits with the run's partial
 * records, so it is removed with them once the bundle is written. Not `.json`: `loadPartials`
 * reads those as check records.
 */
const LEARNED_FILE = 'learned-secrets.jsonl';

/** The one set of this process: grown in place, so a caller holding it (a check, for its whole run) sees keys learned later. */
const set = new SecretSet();
let signatureSeen: string | undefined;

/** The run's partial directory, from `process.env` only (the global setup exports the run id there): this runs on every write to stdout. */
function learnedDir(): string | undefined {
  const runId = process.env.CUTOVER_RUN_ID;
  return runId ? partialDir(process.env.CUTOVER_EVIDENCE_DIR || 'evidence', runId) : undefined;
}

function learnedFile(): string | undefined {
  const dir = learnedDir();
  return dir && join(dir, LEARNED_FILE);
}

/** Size and mtime of the learned-credentials file, or '-' when there is none. */
function learnedFileStamp(file: string | undefined): string {
  if (!file) return '-';
  try {
    const s = lstatSync(file);
    return `${s.size}@${s.mtimeMs}`;
  } catch {
    return '-';
  }
}

/** Adds the digests other processes of the run shared; kept after the file is gone, since the set only grows. */
function readLearnedDigests(file: string | undefined): void {
  if (!file) return;
  let text: string;
  try {
    const fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    try {
      if (!fstatSync(fd).isFile()) return;
      text = readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return;
  }
  for (const line of text.split('\n')) {
    try {
      const d = JSON.parse(line) as Partial<SecretDigest & { name: string }>;
      if (
        typeof d.name === 'string' &&
        typeof d.sha256 === 'string' &&
        typeof d.length === 'number' &&
        typeof d.prefix === 'string'
      ) {
        set.addDigest(d.name, { sha256: d.sha256, length: d.length, prefix: d.prefix });
      }
    } catch {
      // A torn last line (another thread is appending) is read again on the next call.
    }
  }
}

/** A cheap fingerprint of the secret-bearing variables in `process.env` and of learned credentials, to notice when setup or a check adds some. */
function signature(file: string | undefined): string {
  let sig = `learned=${learnedFileStamp(file)};`;
  for (const name of SECRET_VARIABLES) sig += `${name}=${process.env[name]?.length ?? -1};`;
  for (const name of Object.keys(process.env)) if (name.startsWith('TEAM_KEY_')) sig += `${name};`;
  return sig;
}

/**
 * Registers a credential the run learned (a key minted with `/key/generate`), so that
 * `runSecrets()` redacts it from then on: in this process by value, in every encoding, and in
 * the run's other processes (the reporter in the main process, other worker threads) by digest,
 * verbatim. The digest goes to a file under the run's partial directory (`CUTOVER_RUN_ID` and
 * `CUTOVER_EVIDENCE_DIR` locate it; without a run id only this process learns it). Never
 * throws: failing to share the digest must not fail the check that minted the key.
 */
export function registerRunSecret(name: string, value: string): void {
  const v = value.trim();
  if (!v) return;
  set.add(name, v);
  const d = { name, ...secretDigest(v) };
  const dir = learnedDir();
  if (!dir) return;
  try {
    // Never through a symlink: a planted one would send the digest (and this write) elsewhere.
    const path = join(ensurePartialDir(dir), LEARNED_FILE);
    const fd = openSync(
      path,
      constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0),
      0o600,
    );
    try {
      writeSync(fd, `${JSON.stringify(d)}\n`);
    } finally {
      closeSync(fd);
    }
  } catch {
    // The other processes then know the key only by its `sk-` shape: redacted in evidence, not flagged on stdout.
  }
}

/**
 * The secrets of this run, read from the same environment the config comes from (`.env` under
 * the process environment), plus the credentials the run learned (`registerRunSecret`). Re-read
 * when the secret variables or the learned credentials change, because the global setup adds
 * the sandbox's freshly generated keys after the reporter has started and checks mint keys as
 * they go; otherwise cached, so it is cheap enough to call on every write to stdout. Always the
 * same object, which only grows: a secret once seen is redacted for the rest of the process.
 */
export function runSecrets(): SecretSet {
  const file = learnedFile();
  const sig = signature(file);
  if (signatureSeen !== sig) {
    readLearnedDigests(file);
    set.addAll(secretValues(readEnvironment()));
    signatureSeen = sig;
  }
  return set;
}
