import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import type { RunKind } from './model.ts';
import { runIdProblem } from './safe-path.ts';
import { newRunId, readEnvironment, targetOf } from '../config/index.ts';

/** What the reporter knows about the run outside the checks: ids, phase, target and tool identity. */
export interface RunInfo {
  /** Always a plain directory name (`runIdProblem`): a refused `CUTOVER_RUN_ID` is replaced by a fresh id. */
  runId: string;
  /**
   * Set when `CUTOVER_RUN_ID` could not name the run's evidence directory. `raw` is the value
   * the run's other processes used (their partial records are under `partialDir(evidenceDir,
   * raw)`); `error` is a run-error sentence naming it (JSON-quoted, at most 80 characters), why,
   * and the id used instead. The caller records `error`, so such a run can never end `go`.
   */
  runIdRefused?: { raw: string; error: string };
  phase: 'pre' | 'post';
  target: 'sandbox' | 'deployment';
  kind: RunKind;
  ranBy: { user: string; host: string; ci: string | null };
  /** `SANDBOX_FAULTS` as a list; undefined for a deployment. */
  sandboxFaults?: string[];
  /** `SANDBOX_PROFILE`, `default` when unset; undefined for a deployment. */
  sandboxProfile?: string;
  evidenceDir: string;
  gatewayUrl: string;
  langfuseUrl: string;
  tool: { name: string; version: string };
  gitSha: string | null;
}

/**
 * Reads the run's identity from the environment the global setup exported. Tolerant by design:
 * the reporter must still write evidence when the config was broken or setup crashed.
 */
export function readRunInfo(): RunInfo {
  const env = readEnvironment();
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    name: string;
    version: string;
  };
  return {
    ...runIdOf(env.CUTOVER_RUN_ID),
    phase: env.CUTOVER_PHASE === 'post' ? 'post' : 'pre',
    target: targetOf(env),
    kind:
      env.CUTOVER_RUN_KIND === 'config-gate' ? 'config-gate' : targetOf(env) === 'sandbox' ? 'rehearsal' : 'cutover',
    ranBy: ranBy(),
    ...(targetOf(env) === 'sandbox'
      ? { sandboxFaults: faultList(env.SANDBOX_FAULTS), sandboxProfile: profileName(env.SANDBOX_PROFILE) }
      : {}),
    evidenceDir: env.CUTOVER_EVIDENCE_DIR || 'evidence',
    gatewayUrl: recordedUrl(env.GATEWAY_URL),
    langfuseUrl: recordedUrl(env.LANGFUSE_URL),
    tool: { name: pkg.name, version: pkg.version },
    gitSha: gitSha(),
  };
}

/**
 * The run id the evidence is written under. Preflight refuses a run id that is a path, but the
 * reporter and the refusal write from the raw value whatever the schema said, so a value that
 * is `.`, `..`, hidden, holds a separator or is otherwise no plain name is replaced by a fresh
 * id here and reported in `runIdRefused`. An unset id stays `unknown-run`, as before.
 */
function runIdOf(raw: string | undefined): Pick<RunInfo, 'runId' | 'runIdRefused'> {
  if (!raw) return { runId: 'unknown-run' };
  const problem = runIdProblem(raw);
  if (!problem) return { runId: raw };
  const runId = newRunId();
  return {
    runId,
    runIdRefused: {
      raw,
      error: `CUTOVER_RUN_ID ${JSON.stringify(raw.slice(0, 80))} cannot name the evidence directory: it ${problem}; this run's evidence is under ${runId} instead`,
    },
  };
}

/**
 * A target URL as the evidence records it. Preflight refuses credentials inside a URL, but the
 * evidence of that very refusal is written from the raw value: the user part is dropped, and a
 * value that is not a URL at all is not echoed.
 */
function recordedUrl(value: string | undefined): string {
  if (!value?.trim()) return '(not configured)';
  try {
    const url = new URL(value.trim());
    url.username = '';
    url.password = '';
    return url.href.replace(/\/$/, '');
  } catch {
    return '(not a valid URL)';
  }
}

/** `SANDBOX_FAULTS` (comma-separated names) as a list. */
export function faultList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
}

/**
 * `SANDBOX_PROFILE` as the evidence records it: unset or empty is the sandbox's `default`
 * profile (restated here: src/ never imports the sandbox). An unknown name is recorded as given;
 * the global setup has refused it, so only a refusal's bundle carries one.
 */
export function profileName(value: string | undefined): string {
  return value?.trim() || 'default';
}

function gitSha(): string | null {
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() ||
      null
    );
  } catch {
    return null;
  }
}

/**
 * Who ran the run: the OS user and host, and the CI job's URL when the run is a CI job
 * (GitHub Actions' server/repository/run id, else GitLab's `CI_JOB_URL`, else `BUILD_URL`).
 */
function ranBy(): RunInfo['ranBy'] {
  let user = process.env.USER || process.env.USERNAME || 'unknown';
  try {
    user = userInfo().username || user;
  } catch {
    // No passwd entry (a container's arbitrary uid): keep the environment's name.
  }
  const gh =
    process.env.GITHUB_SERVER_URL && process.env.GITHUB_REPOSITORY && process.env.GITHUB_RUN_ID
      ? `${process.env.GITHUB_SERVER_URL}/${process.env.GITHUB_REPOSITORY}/actions/runs/${process.env.GITHUB_RUN_ID}`
      : undefined;
  return { user, host: hostname(), ci: gh ?? process.env.CI_JOB_URL ?? process.env.BUILD_URL ?? null };
}
