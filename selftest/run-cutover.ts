import { mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import type { EvidenceBundle, CheckRecord } from '../src/evidence/model.ts';
import { WORKERS_PER_RUN } from './concurrency.ts';
import { withSlot } from './slots.ts';

const ROOT = resolve(import.meta.dirname, '..');

/** What one cutover run left behind, as a user's CI would see it. */
export interface CutoverRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  evidenceDir: string;
  /** `evidence/latest/evidence.json`, or undefined when the run wrote none. */
  bundle?: EvidenceBundle;
  /** The record of one check; throws a readable error when the run has no such check. */
  check(id: string): CheckRecord;
}

/**
 * The environment a cutover child gets: this process's, minus anything that would steer it
 * (targets, thresholds, a developer's `.env`, Vitest's own worker state), with its evidence
 * going to `evidenceDir`. Shared by every selftest that starts a cutover run.
 */
export function childEnv(evidenceDir: string): Record<string, string | undefined> {
  const base: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(GATEWAY_|LANGFUSE_|MODEL_|THRESHOLD_|CUTOVER_|SANDBOX_|VITEST|FLY_|OPENAI_)/.test(k)) continue;
    base[k] = v;
  }
  return { ...base, CUTOVER_ENV_FILE: '/dev/null', CUTOVER_EVIDENCE_DIR: evidenceDir, FORCE_COLOR: '0', NO_COLOR: '1' };
}

/**
 * The command line of `pnpm test:cutover` (`test:post-cutover` for the post phase), read from
 * package.json so that selftests and the bench run exactly what a user runs, with `node` as this
 * Node binary. pnpm itself is left out: it would only add a process between us and the run.
 */
export function cutoverCommand(phase: 'pre' | 'post' = 'pre'): { file: string; args: string[] } {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const script = pkg.scripts[phase === 'post' ? 'test:post-cutover' : 'test:cutover'];
  const [bin, ...args] = script?.split(/\s+/) ?? [];
  if (bin !== 'node') throw new Error(`package.json test:cutover must start with node, found: ${script}`);
  return { file: process.execPath, args };
}

/**
 * Runs `pnpm test:cutover` (or `pnpm test:post-cutover`) in a child process, as a user's CI does,
 * with a clean environment: no developer `.env`, no inherited target, evidence in a temp dir.
 * `env` adds variables (e.g. `SANDBOX_FAULTS`, `LANGFUSE_WAIT_MS`). Never throws on a non-zero
 * exit: judging the outcome is the selftest's job. Waits for a selftest slot first and runs
 * Vitest with `WORKERS_PER_RUN` worker threads, so concurrent selftests cannot starve each
 * other's timings (`selftest/concurrency.ts`).
 */
export async function runCutover(
  env: Record<string, string | undefined> = {},
  o: { timeoutMs?: number; args?: string[]; phase?: 'pre' | 'post'; slot?: boolean } = {},
): Promise<CutoverRun> {
  const evidenceDir = mkdtempSync(join(tmpdir(), 'cutover-evidence-'));
  const cmd = cutoverCommand(o.phase);
  // A run expected to be refused at preflight (`slot: false`) costs a fraction of a second and
  // measures nothing, so it does not queue behind whole runs for a slot.
  const start = o.slot === false ? <T>(fn: () => Promise<T>) => fn() : withSlot;
  const res = await start(() =>
    execa(cmd.file, [...cmd.args, ...(o.args ?? [])], {
      cwd: ROOT,
      env: { ...childEnv(evidenceDir), CUTOVER_MAX_WORKERS: String(WORKERS_PER_RUN), ...env },
      extendEnv: false,
      reject: false,
      timeout: o.timeoutMs ?? 300_000,
      all: false,
    }),
  );
  const file = join(evidenceDir, 'latest', 'evidence.json');
  const bundle = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as EvidenceBundle) : undefined;
  return {
    exitCode: res.exitCode ?? -1,
    stdout: String(res.stdout),
    stderr: String(res.stderr),
    evidenceDir,
    bundle,
    check(id) {
      const found = bundle?.sections.flatMap((s) => s.checks).find((c) => c.id === id);
      if (!found)
        throw new Error(
          `check ${id} is not in the evidence (exit ${res.exitCode}); stderr: ${String(res.stderr).slice(0, 800)} stdout tail: ${String(res.stdout).slice(-800)}`,
        );
      return found;
    },
  };
}

/** Every file the run wrote under its evidence directory, with its text. */
export function evidenceFiles(dir: string): [string, string][] {
  const out: [string, string][] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) {
      const path = join(e.parentPath, e.name);
      out.push([path, readFileSync(path, 'utf8')]);
    }
  }
  return out;
}
