import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EvidenceBundle } from '../src/evidence/model.ts';
import { childEnv, cutoverCommand } from '../selftest/run-cutover.ts';
import { measureTree, type TreeUsage } from './maxrss.ts';

const ROOT = resolve(import.meta.dirname, '..');

/** One measured rehearsal: its process tree's time and memory, and what it concluded. */
export interface Rehearsal extends TreeUsage {
  verdict: string;
  /** `evidence/latest/evidence.json`, or undefined when the run wrote none. */
  bundle?: EvidenceBundle;
}

/**
 * Runs `pnpm test:cutover` against the bundled sandbox as package.json starts it (node with
 * scripts/cutover.mjs; pnpm itself would only add a native process), with the clean environment
 * the selftests use plus `env` (e.g. `SANDBOX_PROFILE`, `SANDBOX_SEED`), evidence in a temp dir.
 */
export async function rehearse(env: Record<string, string> = {}): Promise<Rehearsal> {
  const evidenceDir = mkdtempSync(join(tmpdir(), 'bench-rehearsal-'));
  try {
    const cmd = cutoverCommand();
    const usage = await measureTree(cmd.file, cmd.args, { cwd: ROOT, env: { ...childEnv(evidenceDir), ...env } });
    const file = join(evidenceDir, 'latest', 'evidence.json');
    const bundle = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as EvidenceBundle) : undefined;
    return { ...usage, verdict: bundle?.verdict ?? 'none', ...(bundle ? { bundle } : {}) };
  } finally {
    rmSync(evidenceDir, { recursive: true, force: true });
  }
}
