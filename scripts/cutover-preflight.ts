import { join } from 'node:path';
import { newRunId, preflight, readEnvironment } from '../src/config/index.ts';
import { runIdProblem } from '../src/evidence/safe-path.ts';
import { prestartSandbox, sandboxOptions } from '../sandbox/process.ts';
import { sandboxSettingProblems } from '../sandbox/settings.ts';
import { ExitCode } from '../src/evidence/exit-codes.ts';
import { refuseConfig } from '../src/evidence/refusal.ts';
import { errorMessage } from '../src/evidence/error-text.ts';

/** What `scripts/cutover.mjs` hands to Vitest once the configuration has passed preflight. */
export interface CutoverPlan {
  project: 'cutover' | 'post-cutover';
  /** The remaining command-line arguments, for Vitest (e.g. a test-name filter with `-t`). */
  vitestArgs: string[];
  /** Reporters asked for with `--reporter`; the evidence reporter is always added to them. */
  reporters: string[];
}

/** The evidence reporter: attached to every cutover run, whatever `--reporter` asks for. */
export { ExitCode };

export const EVIDENCE_REPORTER = './reporters/evidence-reporter.ts';

/**
 * Vitest options a cutover run passes on. Everything else is refused: file filters,
 * `--project`, `--config`, `--root`, `--dir`, `--exclude`, `--shard`, `--changed` and the like
 * would change which checks run or how they are judged, and a verdict must cover the whole
 * runbook. `-t` stays (it is how one check is re-run while debugging): the checks it leaves out
 * are recorded as not run, so such a run can never end `go`.
 */
const PASSED_ON = new Set(['-t', '--testNamePattern', '--color', '--no-color', '--silent']);
const TAKES_VALUE = new Set(['-t', '--testNamePattern', '--reporter']);

/** Splits the user's arguments into what Vitest gets and the reporters; throws naming the first refused one. */
export function vetArguments(args: readonly string[]): { vitestArgs: string[]; reporters: string[] } {
  const vitestArgs: string[] = [];
  const reporters: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [name, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    if (name === '--reporter') {
      const value = inline ?? args[++i];
      if (!value) throw new Error('--reporter needs a value');
      reporters.push(value);
      continue;
    }
    if (!PASSED_ON.has(name)) {
      const what = name.startsWith('-') ? `option ${name}` : `file filter ${JSON.stringify(arg)}`;
      throw new Error(
        `refusing ${what}: a cutover verdict is judged against the whole runbook, so a run cannot pick its files, project, config or root. Run it without, or use -t "<check id>" to re-run one check (the verdict then says which checks did not run).`,
      );
    }
    vitestArgs.push(arg);
    if (TAKES_VALUE.has(name) && inline === undefined) {
      const value = args[++i];
      if (value === undefined) throw new Error(`${name} needs a value`);
      vitestArgs.push(value);
    }
  }
  return { vitestArgs, reporters };
}

/**
 * The part of `pnpm test:cutover` that runs before Vitest: reads `--phase pre|post`, fixes one
 * run id for the whole process tree (the reporter, the setup and the workers share it through
 * `process.env`), and validates the configuration. A bad configuration is written to stderr as
 * one message naming every variable, recorded as an `incomplete` evidence bundle, and the
 * process exits 2, having sent nothing.
 */
export function prepareCutover(argv: readonly string[]): CutoverPlan {
  const startedAt = new Date();
  const args = [...argv];
  const phaseAt = args.indexOf('--phase');
  if (phaseAt >= 0) {
    process.env.CUTOVER_PHASE = args[phaseAt + 1] ?? '';
    args.splice(phaseAt, 2);
  }
  const baselineAt = args.indexOf('--baseline');
  if (baselineAt >= 0) {
    // `--baseline <run-id>` pins the watch's baseline to that run's evidence (BASELINE_EVIDENCE).
    const id = args[baselineAt + 1] ?? '';
    const problem = runIdProblem(id);
    if (problem) {
      process.stderr.write(
        `test:cutover: --baseline needs a run id (the directory name under CUTOVER_EVIDENCE_DIR, 1-64 characters of A-Z a-z 0-9 . _ -); ${JSON.stringify(id.slice(0, 80))} ${problem}\n`,
      );
      process.exit(ExitCode.CONFIG_REFUSED);
    }
    process.env.BASELINE_EVIDENCE = join(readEnvironment().CUTOVER_EVIDENCE_DIR || 'evidence', id, 'evidence.json');
    args.splice(baselineAt, 2);
  }
  // Only the config gate's own setup may mark its run; a cutover run never inherits the mark.
  delete process.env.CUTOVER_RUN_KIND;
  let vetted: ReturnType<typeof vetArguments>;
  try {
    vetted = vetArguments(args);
  } catch (err) {
    process.stderr.write(`test:cutover: ${errorMessage(err)}\n`);
    process.exit(ExitCode.CONFIG_REFUSED);
  }
  const env = readEnvironment();
  process.env.CUTOVER_RUN_ID = env.CUTOVER_RUN_ID || newRunId();
  const problems = [
    ...preflight({ ...env, CUTOVER_RUN_ID: process.env.CUTOVER_RUN_ID }),
    ...sandboxSettingProblems(env),
  ];
  if (problems.length > 0) refuseConfig(problems, startedAt);
  // A rehearsal's sandbox starts now, in its own process, while Vitest starts in this one; the
  // global setup takes it over (sandbox/process.ts). The environment is read again: the run id
  // and phase set above are part of what the setup will ask for.
  const planned = readEnvironment();
  if (!planned.GATEWAY_URL?.trim()) prestartSandbox(sandboxOptions(planned));
  const project = (process.env.CUTOVER_PHASE ?? env.CUTOVER_PHASE) === 'post' ? 'post-cutover' : 'cutover';
  return { project, vitestArgs: vetted.vitestArgs, reporters: vetted.reporters };
}
