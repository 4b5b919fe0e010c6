// @ts-check
// `pnpm test:cutover` / `pnpm test:post-cutover`: validates the configuration first (a bad one
// costs a fraction of a second and sends nothing), then runs the runbook project in-process
// with Vitest. Extra arguments go to Vitest (e.g. a test-name filter with `-t`).
//   --phase pre|post   which runbook phase (default: CUTOVER_PHASE, else pre)
//
// Why plain JavaScript: under `tsx scripts/cutover.ts` every module Vitest and Vite load passed
// through tsx's loader, which doubled the CPU time and memory of a run (10.6 vs ~6 CPU-seconds,
// 620 vs ~330 MB with one worker; commit 439c411). Here only the TypeScript preflight is loaded through tsx's
// CommonJS hook, which is removed again before Vitest loads natively and compiles the suite
// itself, as it does in `vitest run`. (tsx's scoped `require` API would do the same, but it keys
// its transform cache by a fresh namespace per process, so it compiled every file every time.)
//
// package.json starts it with `--max-semi-space-size=1`: V8's young generation otherwise grows to
// 16 MB per semi-space in the main thread and in each worker thread, and a run's peak memory went
// from ~450 to ~350 MB without costing CPU (commit 439c411) (the flag must be on the command line: set at run
// time it reaches the workers but not the main heap).
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';

const unregister = register();
/** @type {typeof import('./cutover-preflight.ts')} */
const { prepareCutover, EVIDENCE_REPORTER, ExitCode } = createRequire(import.meta.url)('./cutover-preflight.ts');
unregister();

try {
  const { project, vitestArgs, reporters } = prepareCutover(process.argv.slice(2));
  const { parseCLI, startVitest } = await import('vitest/node');
  const { filter, options } = parseCLI(['vitest', 'run', ...vitestArgs]);
  // `runner` loads vitest.config.ts through Vite's module runner instead of bundling it with
  // Rolldown on every start, which cost a second of CPU and ~100 MB per run (commit 439c411).
  // `--reporter` adds to the output; it never replaces the evidence reporter, which writes the
  // bundle, sets the verdict's exit code and guards stdout against secrets.
  const withReporters = reporters.length > 0 ? { reporters: [...reporters, EVIDENCE_REPORTER] } : {};
  const vitest = await startVitest('test', filter, {
    ...options,
    ...withReporters,
    project,
    watch: false,
    configLoader: 'runner',
  });
  await vitest.close();
  process.exit(process.exitCode ?? ExitCode.OK);
} catch (err) {
  process.stderr.write(`test:cutover: ${/** @type {Error} */ (err).message}\n`);
  process.exit(ExitCode.NOT_PASSED);
}
