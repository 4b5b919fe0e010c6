// @ts-check
// `pnpm test:cutover` / `pnpm test:post-cutover`: validates the configuration first (a bad one
// costs a fraction of a second and sends nothing), then runs the runbook project in-process
// with Vitest. Extra arguments go to Vitest (e.g. a test-name filter with `-t`).
//   --phase pre|post   which runbook phase (default: CUTOVER_PHASE, else pre)
//   --ui [--ui-port N] `pnpm test:cutover:ui`: the same run, watched live in the Vitest UI on
//                      http://127.0.0.1:N/__vitest__/ (default 51204), which stays open for
//                      re-runs until Ctrl+C; every run, re-runs included, writes its evidence.
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

/** The evidence reporter of a UI session: a fresh one, with a fresh run id, for every run. */
const UI_EVIDENCE_REPORTER = './scripts/ui-evidence-reporter.ts';

/**
 * Takes `--ui` and `--ui-port N` out of the arguments. The UI binds to 127.0.0.1 only, always:
 * it can start runs against the configured target, so it must never be reachable from elsewhere.
 * @param {string[]} args
 */
function uiMode(args) {
  const rest = [...args];
  const at = rest.indexOf('--ui');
  if (at < 0) return { ui: undefined, rest };
  rest.splice(at, 1);
  const portAt = rest.indexOf('--ui-port');
  const port = portAt < 0 ? 51204 : Number(rest.splice(portAt, 2)[1]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    process.stderr.write('test:cutover: --ui-port needs a port number (1-65535)\n');
    process.exit(ExitCode.CONFIG_REFUSED);
  }
  return { ui: { port, host: '127.0.0.1' }, rest };
}

try {
  const { ui, rest } = uiMode(process.argv.slice(2));
  const { project, vitestArgs, reporters } = prepareCutover(rest);
  const { parseCLI, startVitest } = await import('vitest/node');
  // `run` would turn watch mode off again, and with it the UI (see below).
  const { filter, options } = parseCLI(['vitest', ...(ui ? [] : ['run']), ...vitestArgs]);
  if (ui) {
    // Printed first: the page shows the sections going green or red while the first run goes on.
    process.stdout.write(`Vitest UI: http://${ui.host}:${ui.port}/__vitest__/ (Ctrl+C to stop)\n`);
    // Vitest serves the UI's live connection only in watch mode, so the session stays open after
    // the first run, for re-runs from the UI, until Ctrl+C.
    await startVitest(
      'test',
      filter,
      {
        ...options,
        reporters: ['default', ...reporters, UI_EVIDENCE_REPORTER],
        project,
        watch: true,
        ui: true,
        open: false,
        api: { ...ui, strictPort: true },
        configLoader: 'runner',
      },
      {
        // The file watcher would otherwise walk the LiteLLM virtualenv (tens of thousands of files)
        // before the first run could start; evidence written under the root is no reason to re-run.
        server: { watch: { ignored: ['**/.venv-litellm/**', '**/evidence/**'] } },
      },
    );
  } else {
    await runOnce(project, filter, options, reporters);
  }
} catch (err) {
  process.stderr.write(`test:cutover: ${/** @type {Error} */ (err).message}\n`);
  process.exit(ExitCode.NOT_PASSED);
}

/**
 * The ordinary run: once, then exit with the verdict's code.
 * @param {'cutover' | 'post-cutover'} project
 * @param {string[]} filter
 * @param {import('vitest/node').CliOptions} options
 * @param {string[]} reporters
 */
async function runOnce(project, filter, options, reporters) {
  const { startVitest } = await import('vitest/node');
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
}
