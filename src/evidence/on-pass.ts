import { join } from 'node:path';
import { SECRET_VARIABLES } from '../config/index.ts';
import type { EvidenceBundle, UnsignedBundle } from './model.ts';
import { bound, isWebUrl, LIMITS, stripControl } from './sanitize.ts';
import { runSecrets } from './secrets.ts';

/** What running a hook command (`CUTOVER_ON_PASS`, `CUTOVER_ON_ROLLBACK`) did; `ran: false` says why it was not run. Output excerpts are redacted. */
export type HookResult =
  | { readonly ran: false; readonly reason: string }
  | {
      readonly ran: true;
      readonly ok: boolean;
      readonly exitCode: number | null;
      readonly timedOut: boolean;
      readonly durationMs: number;
      readonly stdout: string;
      readonly stderr: string;
    };

/** Variable names never handed to the command, whatever their value. */
const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|_KEY$|^TEAM_KEY_|DATABASE_URL)/i;

/**
 * The environment the command gets: the caller's, minus every configured secret variable,
 * every secret-looking name, and every variable whose value contains a configured secret
 * (a key copied under another name). The command loads its own credentials (the runbook's
 * example uses `--env-file=.env`), so the suite never lends it ours.
 */
function onPassEnvironment(base: NodeJS.ProcessEnv, extra: Record<string, string>): Record<string, string> {
  const secrets = runSecrets();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) {
    if (v === undefined || SECRET_VARIABLES.includes(k) || SECRET_NAME.test(k)) continue;
    if (secrets.findIn(v).length > 0) continue;
    out[k] = v;
  }
  return { ...out, ...extra };
}

/** Most lines a newline-separated variable holds. */
const MAX_LINES = 100;
/**
 * Most characters of a newline-separated variable: Linux refuses to start a process with one
 * environment string over 128 KiB (MAX_ARG_STRLEN), and the command would then not run at all.
 */
const MAX_VARIABLE_CHARS = 32 * 1024;

/** Lines joined with `\n`, at most `MAX_LINES` of them and `MAX_VARIABLE_CHARS` in all: whole lines, never a cut one. */
function joinLines(lines: readonly string[]): string {
  const kept: string[] = [];
  let size = 0;
  for (const line of lines.slice(0, MAX_LINES)) {
    if (size + line.length + 1 > MAX_VARIABLE_CHARS) break;
    kept.push(line);
    size += line.length + 1;
  }
  return kept.join('\n');
}

/**
 * One field of a `CUTOVER_DEPLOY_HASHES` line (server-provided: Fly's app and group names,
 * release, image, digest): control characters stripped, bounded, and whitespace and `%`
 * percent-encoded, so that a field can neither start a line of its own nor forge a `key=value`
 * of the line it is on.
 */
function field(s: unknown): string {
  return bound(stripControl(s), LIMITS.name)
    .trim()
    .replace(/[\s%]/g, (c) => encodeURIComponent(c));
}

/**
 * Langfuse links of every check (trace links and the like), deduplicated, newline-separated.
 * Only http(s) URLs without whitespace or control characters, at most `LIMITS.url` long (see
 * `isWebUrl`): one line per link, and never a link cut short or one that runs a script.
 */
export function langfuseLinks(bundle: UnsignedBundle): string {
  const base = bundle.environment.langfuse.url;
  const urls = bundle.sections
    .flatMap((s) => s.checks.flatMap((c) => c.links))
    .filter((l) => /langfuse/i.test(l.label) || (base && l.url.startsWith(base)))
    .map((l) => l.url)
    .filter(isWebUrl);
  return joinLines([...new Set(urls)]);
}

/**
 * `app/group release=<v> image=<image> digest=<digest>` per deployed process group,
 * newline-separated: one line per group, each field sanitised (see `field`).
 */
export function deployHashes(bundle: UnsignedBundle): string {
  const lines: string[] = [];
  for (const [app, groups] of Object.entries(bundle.environment.fly ?? {})) {
    for (const [group, d] of Object.entries(groups))
      lines.push(
        `${field(app)}/${field(group)} release=${field(d.version ?? 'unknown')} image=${field(d.image ?? 'unknown')} digest=${field(d.digest ?? 'unknown')}`,
      );
  }
  return joinLines(lines);
}

/**
 * Runs the operator's `CUTOVER_ON_PASS` command (runbook §8, e.g.
 * `npx tsx --env-file=.env scripts/agent/complete-task.ts SPECIALAGENT001-INFRA-001 "Cutover complete"`)
 * after a `go`, `go-with-waivers` or `hold` verdict of a run against the deployment (never a
 * rehearsal's or the config gate's), through a shell (the command is written as a shell line, with
 * quotes), in the current directory. It receives `CUTOVER_EVIDENCE_PATH` (`<dir>/evidence.json`),
 * `CUTOVER_VERDICT`, `CUTOVER_LANGFUSE_LINKS` and `CUTOVER_DEPLOY_HASHES` (newline-separated),
 * `CUTOVER_RUN_ID` and `CUTOVER_PHASE`, and no secret (see `onPassEnvironment`). Bounded by
 * `timeoutMs` (default 120 s; the process is killed after it). Never throws: a failing
 * command is reported, and cannot change the verdict already written. Not after
 * `hold-with-findings`: the runbook's §8 command logs "Cutover complete", and a cutover whose
 * §6 expectations are missed is not complete yet.
 */
export async function runOnPass(
  bundle: EvidenceBundle | UnsignedBundle,
  dir: string,
  command: string,
  o: { timeoutMs?: number; cwd?: string } = {},
): Promise<HookResult> {
  if (!command.trim()) return { ran: false, reason: 'CUTOVER_ON_PASS is empty' };
  if (bundle.verdict !== 'go' && bundle.verdict !== 'go-with-waivers' && bundle.verdict !== 'hold') {
    return {
      ran: false,
      reason: `verdict is ${bundle.verdict}; CUTOVER_ON_PASS runs only after a cutover gate's go, go-with-waivers or hold`,
    };
  }
  return runHook(
    'CUTOVER_ON_PASS',
    command,
    {
      CUTOVER_EVIDENCE_PATH: join(dir, 'evidence.json'),
      CUTOVER_VERDICT: bundle.verdict,
      CUTOVER_LANGFUSE_LINKS: langfuseLinks(bundle),
      CUTOVER_DEPLOY_HASHES: deployHashes(bundle),
      CUTOVER_RUN_ID: bundle.run.id,
      CUTOVER_PHASE: bundle.run.phase,
    },
    o,
  );
}

/**
 * Runs an operator's hook command (`name` is its variable, used in the timeout message) through
 * a shell in `o.cwd`, with `extra` on top of the scrubbed environment (see
 * `onPassEnvironment`), stdin closed, in a process group of its own that is sent SIGTERM after
 * `o.timeoutMs` (default 120 s) and SIGKILL 5 s later. Never throws for a failing command: its exit code, timeout and the last 2,000
 * characters of its output, redacted, are the result.
 */
export async function runHook(
  name: string,
  command: string,
  extra: Record<string, string>,
  o: { timeoutMs?: number; cwd?: string } = {},
): Promise<HookResult & { ran: true }> {
  const secrets = runSecrets();
  const env = onPassEnvironment(process.env, extra);
  const timeoutMs = o.timeoutMs ?? 120_000;
  // Loaded only when a command is configured: execa costs ~15 MB in every run otherwise.
  const { execa } = await import('execa');
  const started = performance.now();
  // Its own process group, killed whole at the timeout: execa's own timeout signals only the
  // shell, and a child of it (`sleep`, a `curl` that hangs) kept the output pipes open, so the
  // run waited for that child however long it took.
  const sub = execa(command, {
    shell: true,
    env,
    extendEnv: false,
    cwd: o.cwd,
    detached: true,
    reject: false,
    stdin: 'ignore',
    maxBuffer: 1024 * 1024,
  });
  let timedOut = false;
  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      if (sub.pid !== undefined) process.kill(-sub.pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  const term = setTimeout(() => {
    timedOut = true;
    killGroup('SIGTERM');
  }, timeoutMs);
  const kill = setTimeout(() => killGroup('SIGKILL'), timeoutMs + 5_000);
  const res = await sub;
  clearTimeout(term);
  clearTimeout(kill);
  const tail = (s: unknown): string => secrets.redact(String(s ?? '')).slice(-2000);
  return {
    ran: true,
    ok: res.exitCode === 0 && !timedOut,
    exitCode: res.exitCode ?? null,
    timedOut,
    durationMs: Math.round(performance.now() - started),
    stdout: tail(res.stdout),
    stderr: tail(timedOut ? `${String(res.stderr ?? '')}\nkilled after ${timeoutMs} ms (${name} timeout)` : res.stderr),
  };
}

/** The run-log lines for a hook's outcome: `<name> succeeded in 40 ms`, `<name> FAILED (exit 3) …` with its output, or why it did not run. */
export function hookLog(name: string, r: HookResult): string {
  if (!r.ran) return `${name} not run: ${r.reason}\n`;
  const outcome = r.ok ? 'succeeded' : `FAILED (exit ${r.exitCode}${r.timedOut ? ', timed out' : ''})`;
  return `${name} ${outcome} in ${Math.round(r.durationMs)} ms${r.stdout ? `\n${r.stdout}` : ''}${r.stderr ? `\n${r.stderr}` : ''}\n`;
}
