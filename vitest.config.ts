import { defineConfig } from 'vitest/config';
import { FILES_AT_ONCE, TESTS_PER_FILE } from './selftest/concurrency.ts';
import { readEnvironment } from './src/config/environment.ts';
import { defaultWorkers } from './src/config/workers.ts';

// Three projects, one config. `cutover` is the product: the runbook as tests, against the
// sandbox or a real deployment. `unit` tests our own modules against real local servers.
// `selftest` runs the cutover project from outside against a faulty sandbox and judges the
// evidence, the way a user's CI would.
export default defineConfig({
  test: {
    reporters: ['default', './reporters/evidence-reporter.ts'],
    // Keep Vite's transform of every suite and sandbox module on disk (node_modules/
    // .experimental-vitest-cache, keyed by file content): a cutover run then starts from cached
    // code instead of compiling ~150 files again, which matters most to the selftests, which
    // start dozens of runs. It is on by default from Vitest 5.
    experimental: { fsModuleCache: true },
    projects: [
      {
        test: {
          name: 'cutover',
          include: ['tests/**/*.test.ts'],
          // The post-cutover watch runs only in its own phase (pnpm test:post-cutover).
          exclude: ['tests/monitor/**'],
          // Runbook checks spend their time waiting on the network, not computing: run the
          // sections in worker threads of one process, sharing loaded modules, instead of forked
          // processes re-importing the same clients for each file. How many: src/config/workers.ts
          // (three where the checks wait on real ingestion, two for a default rehearsal).
          pool: 'threads',
          maxWorkers: Number(process.env.CUTOVER_MAX_WORKERS ?? defaultWorkers(readEnvironment())),
          isolate: false,
          globalSetup: ['./vitest.global-setup.ts'],
          // Runbook checks are slow on a real stack (Langfuse ingestion takes seconds); each
          // check bounds its own waits, this is only the outer safety net.
          testTimeout: 180_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'post-cutover',
          include: ['tests/monitor/**/*.test.ts'],
          globalSetup: ['./vitest.global-setup.ts'],
          // The watch itself runs for MONITOR_DURATION (30 min on a real stack) and bounds itself.
          testTimeout: 3 * 60 * 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // The offline agent-config gate: CI runs it on agent-config changes, no live stack.
          name: 'config-gate',
          include: ['tests/agents/**/*.test.ts'],
          globalSetup: ['./vitest.config-gate-setup.ts'],
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'sandbox/**/*.test.ts', 'reporters/**/*.test.ts', 'scripts/**/*.test.ts'],
          testTimeout: 30_000,
          // Unit tests first, on both cores; then the selftests (group 1), whose cutover runs
          // must not share the CPU with them or the runbook's latency thresholds turn flaky.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          // The pre-cutover runbook against the real LiteLLM proxy (pnpm test:conformance): needs
          // python3 and redis-server; the first run creates .venv-litellm/ from the hash-pinned lock.
          name: 'conformance',
          include: ['conformance/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 600_000,
          // One real proxy at a time: each costs ~400 MB and a CPU-heavy start (commit dd38828).
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'selftest',
          include: ['selftest/**/*.test.ts'],
          // A row may wait in the slot queue behind many others before its own run starts.
          testTimeout: 20 * 60_000,
          // How many cutover runs go at once, and why these numbers: selftest/concurrency.ts. The
          // global setup serves the machine-wide slots that bound them.
          globalSetup: ['./selftest/global-setup.ts'],
          maxConcurrency: TESTS_PER_FILE,
          maxWorkers: FILES_AT_ONCE,
          sequence: { groupOrder: 1 },
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
