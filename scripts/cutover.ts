import { ConfigError, newRunId, preflight, readEnvironment } from '../src/config/index.ts';
import { faultProblems } from '../vitest.global-setup.ts';

/**
 * `pnpm test:cutover` / `pnpm test:post-cutover`: validates the configuration first (a bad one
 * costs half a second and sends nothing), then runs the runbook project in-process with
 * Vitest. Extra arguments go to Vitest (e.g. a test-name filter with `-t`).
 *   --phase pre|post   which runbook phase (default: CUTOVER_PHASE, else pre)
 */
async function main(argv: string[]): Promise<void> {
  const args = [...argv];
  const phaseAt = args.indexOf('--phase');
  if (phaseAt >= 0) {
    process.env.CUTOVER_PHASE = args[phaseAt + 1] ?? '';
    args.splice(phaseAt, 2);
  }
  const env = readEnvironment();
  // One run id for the whole process tree: the reporter, the setup and the workers share it.
  process.env.CUTOVER_RUN_ID = env.CUTOVER_RUN_ID || newRunId();
  const problems = [...preflight({ ...env, CUTOVER_RUN_ID: process.env.CUTOVER_RUN_ID }), ...faultProblems(env)];
  if (problems.length > 0) {
    process.stderr.write(`\n${new ConfigError(problems).message}\n`);
    process.exit(2);
  }
  const project = (process.env.CUTOVER_PHASE ?? env.CUTOVER_PHASE) === 'post' ? 'post-cutover' : 'cutover';
  const { parseCLI, startVitest } = await import('vitest/node');
  const { filter, options } = parseCLI(['vitest', 'run', ...args]);
  const vitest = await startVitest('test', filter, { ...options, project, watch: false });
  await vitest.close();
  process.exit(process.exitCode ?? 0);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`test:cutover: ${(err as Error).message}\n`);
  process.exit(1);
});
