import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** One installable LiteLLM release line: its hash-pinned lock and the virtualenv it goes into. */
export interface LitellmLine {
  /** `requirements*.lock` beside this file (its `.in` says how to regenerate it). */
  readonly lock: string;
  /** Project-local, git-ignored virtualenv. */
  readonly venv: string;
}

/** The reference: the release the sandbox is proven against (`pnpm test:conformance`). */
export const REFERENCE_LINE: LitellmLine = {
  lock: join(import.meta.dirname, 'requirements.lock'),
  venv: process.env.CUTOVER_LITELLM_VENV ?? join(ROOT, '.venv-litellm'),
};

/** An older line production may still run; the differential probe reports it (`pnpm fidelity --older`). */
export const OLDER_LINE: LitellmLine = {
  lock: join(import.meta.dirname, 'requirements-1.84.lock'),
  venv: join(ROOT, '.venv-litellm-1.84'),
};

/** The `litellm` console script of a line's virtualenv. */
export const litellmBin = (line: LitellmLine = REFERENCE_LINE): string => join(line.venv, 'bin', 'litellm');

/** The version a line's lock pins, e.g. `1.103.10`. */
export function pinnedLitellmVersion(line: LitellmLine = REFERENCE_LINE): string {
  const m = /^litellm==(\S+)/m.exec(readFileSync(line.lock, 'utf8'));
  if (!m?.[1]) throw new Error(`${line.lock} pins no litellm version`);
  return m[1];
}

/**
 * Creates a line's virtualenv and installs its lock, unless it already holds exactly this lock
 * (a stamp with the lock's sha256). Installs with `--require-hashes --only-binary=:all:`: every
 * artefact is checked against the lock and nothing is built from source. pip's own cache is
 * used, so CI with a warm `~/.cache/pip` downloads nothing. Throws with pip's last lines when the
 * install fails, because a half-made venv must not be mistaken for the reference.
 */
export function ensureVenv(log: (line: string) => void = () => undefined, line: LitellmLine = REFERENCE_LINE): void {
  const stamp = join(line.venv, '.cutover-lock-sha256');
  const digest = createHash('sha256').update(readFileSync(line.lock)).digest('hex');
  if (existsSync(litellmBin(line)) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === digest) return;
  const python = process.env.CUTOVER_PYTHON ?? 'python3';
  log(`creating ${line.venv} (litellm ${pinnedLitellmVersion(line)}, hash-pinned; about a minute the first time)`);
  rmSync(line.venv, { recursive: true, force: true });
  const run = (file: string, args: string[]): void => {
    const r = spawnSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) {
      const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
      throw new Error(`${file} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}):\n${tail}`);
    }
  };
  run(python, ['-m', 'venv', line.venv]);
  // --no-deps: the lock is the whole closure, so pip installs exactly it and resolves nothing
  // (its resolver otherwise treats an extra such as pyjwt[crypto] as a second, unpinned requirement).
  run(join(line.venv, 'bin', 'pip'), [
    'install',
    '--quiet',
    '--disable-pip-version-check',
    '--require-hashes',
    '--only-binary=:all:',
    '--no-deps',
    '-r',
    line.lock,
  ]);
  writeFileSync(stamp, `${digest}\n`);
}
