import { newRunId, preflight, readEnvironment } from '../src/config/index.ts';
import { fail, sandboxProblems } from '../vitest.global-setup.ts';

/** What `scripts/cutover.mjs` hands to Vitest once the configuration has passed preflight. */
export interface CutoverPlan {
  project: 'cutover' | 'post-cutover';
  /** The remaining command-line arguments, for Vitest (e.g. a test-name filter with `-t`). */
  vitestArgs: string[];
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
  const env = readEnvironment();
  process.env.CUTOVER_RUN_ID = env.CUTOVER_RUN_ID || newRunId();
  const problems = [...preflight({ ...env, CUTOVER_RUN_ID: process.env.CUTOVER_RUN_ID }), ...sandboxProblems(env)];
  if (problems.length > 0) fail(problems, startedAt);
  const project = (process.env.CUTOVER_PHASE ?? env.CUTOVER_PHASE) === 'post' ? 'post-cutover' : 'cutover';
  return { project, vitestArgs: args };
}
