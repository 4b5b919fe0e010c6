import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
/** The hash-pinned lock of the reference proxy (`requirements.in` says how to regenerate it). */
export const LOCK_FILE = join(import.meta.dirname, 'requirements.lock');
/** Project-local virtualenv (git-ignored); `CUTOVER_LITELLM_VENV` moves it. */
export const VENV_DIR = process.env.CUTOVER_LITELLM_VENV ?? join(ROOT, '.venv-litellm');
const STAMP = join(VENV_DIR, '.cutover-lock-sha256');

/** The `litellm` console script of the virtualenv. */
export const litellmBin = (): string => join(VENV_DIR, 'bin', 'litellm');

/** The version pinned in the lock, e.g. `1.103.10`. */
export function pinnedLitellmVersion(): string {
  const m = /^litellm==(\S+)/m.exec(readFileSync(LOCK_FILE, 'utf8'));
  if (!m?.[1]) throw new Error(`${LOCK_FILE} pins no litellm version`);
  return m[1];
}

/**
 * Creates the virtualenv and installs the lock into it, unless it already holds exactly this
 * lock (a stamp with the lock's sha256). Installs with `--require-hashes --only-binary=:all:`:
 * every artefact is checked against the lock and nothing is built from source. pip's own cache
 * is used, so CI with a warm `~/.cache/pip` downloads nothing. Throws with pip's last lines when
 * the install fails, because a half-made venv must not be mistaken for the reference.
 */
export function ensureVenv(log: (line: string) => void = () => undefined): void {
  const digest = createHash('sha256').update(readFileSync(LOCK_FILE)).digest('hex');
  if (existsSync(litellmBin()) && existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === digest) return;
  const python = process.env.CUTOVER_PYTHON ?? 'python3';
  log(`creating ${VENV_DIR} (litellm ${pinnedLitellmVersion()}, hash-pinned; about a minute the first time)`);
  rmSync(VENV_DIR, { recursive: true, force: true });
  const run = (file: string, args: string[]): void => {
    const r = spawnSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) {
      const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
      throw new Error(`${file} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}):\n${tail}`);
    }
  };
  run(python, ['-m', 'venv', VENV_DIR]);
  run(join(VENV_DIR, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '--require-hashes', '--only-binary=:all:', '-r', LOCK_FILE]);
  writeFileSync(STAMP, `${digest}\n`);
}
