import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sandbox, SandboxOptions } from './index.ts';
import { profileSeed } from './profile.ts';

/** What the sandbox child says over its IPC channel. */
export type SandboxMessage =
  | ({ kind: 'ready' } & Pick<Sandbox, 'env' | 'faults' | 'profile' | 'cacheType'>)
  | { kind: 'failed'; message: string };

/** A sandbox running in its own process: what `pnpm sandbox` would print, and how to stop it. */
export type SandboxProcess = Pick<Sandbox, 'env' | 'faults' | 'profile' | 'cacheType' | 'stop'>;

/** The sandbox a run's environment asks for: faults, cache type, profile, seed, live traffic. */
export function sandboxOptions(env: Readonly<Record<string, string | undefined>>): SandboxOptions {
  return {
    faults: env.SANDBOX_FAULTS ?? '',
    cacheType: env.SANDBOX_CACHE_TYPE,
    profile: env.SANDBOX_PROFILE,
    // The evidence records the profile from SANDBOX_PROFILE; the seed defaults to the run id it records too.
    seed: profileSeed(env),
    liveTraffic: env.CUTOVER_PHASE === 'post',
  };
}

/** Longest wait for the child's `ready`: a cold first start compiles the sandbox's sources. */
const READY_TIMEOUT_MS = 60_000;

/**
 * Starts the sandbox in a child process (`serve.ts`, through tsx) and resolves once it listens.
 * A child rather than the caller's own event loop, so that it can start while the caller does
 * something else: `pnpm test:cutover` starts it before Vitest (`prestartSandbox`), and the ~1 s
 * the sandbox's modules take to load (timed in the global setup, commit 27af9b3)
 * overlap Vitest's own start on the second core. Its stderr goes through the caller's
 * `process.stderr`, where the run's output guard redacts it; it dies with its parent (the IPC
 * channel closing stops it).
 */
export function startSandboxProcess(options: SandboxOptions): Promise<SandboxProcess> {
  // import.meta.url, not import.meta.dirname: the CLI loads this module through tsx's CommonJS hook.
  const here = fileURLToPath(new URL('.', import.meta.url));
  const child = fork(resolve(here, 'serve.ts'), [JSON.stringify(options)], {
    // `tsx` resolves from the project root, the child's working directory; a small young
    // generation, as `pnpm test:cutover` gives its own process, keeps the child's memory down.
    execArgv: ['--import', 'tsx', '--max-semi-space-size=1'],
    cwd: resolve(here, '..'),
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: process.env,
  });
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      // Held again while stopping: the caller waits for the exit, so the event loop must too.
      child.ref();
      (child.channel as { ref?: () => void } | undefined)?.ref?.();
      child.once('exit', () => done());
      // A child already closing its channel cannot read `stop`: then a signal ends it.
      if (child.connected) child.send({ kind: 'stop' }, (err) => err && child.kill('SIGTERM'));
      else child.kill('SIGTERM');
      // A child that does not stop within the teardown's patience is ended.
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    });
    return stopped;
  };
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      void stop();
      fail(new Error(`the sandbox did not start within ${READY_TIMEOUT_MS / 1000} s`));
    }, READY_TIMEOUT_MS);
    child.on('message', (m: SandboxMessage) => {
      clearTimeout(timer);
      if (m.kind === 'ready') {
        const { env, faults, profile, cacheType } = m;
        // Ready: from now on the child's channel only carries `stop`.
        child.unref();
        (child.channel as { unref?: () => void } | undefined)?.unref?.();
        ok({ env, faults, profile, cacheType, stop });
      } else {
        void stop();
        fail(new Error(`the sandbox did not start: ${m.message}`));
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      fail(new Error(`the sandbox process could not start: ${err.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`the sandbox process exited (${signal ?? `code ${code}`}) before it was ready`));
    });
  });
}

/** Where `prestartSandbox` leaves its sandbox for the global setup: one process, two module loaders. */
const PRESTARTED = Symbol.for('gateway-cutover.prestarted-sandbox');

interface Prestarted {
  readonly key: string;
  readonly sandbox: Promise<SandboxProcess>;
}

/**
 * Starts the run's sandbox now and leaves it for `takeSandbox`, which the global setup calls
 * once Vitest has started. The same process loads this module twice (the CLI through tsx, the
 * setup through Vite), so the hand-over is a global under a registered symbol, not a module
 * variable. A start that fails is reported by `takeSandbox`, not as an unhandled rejection.
 */
export function prestartSandbox(options: SandboxOptions): void {
  const sandbox = startSandboxProcess(options);
  sandbox.catch(() => undefined);
  (globalThis as Record<symbol, Prestarted>)[PRESTARTED] = { key: JSON.stringify(options), sandbox };
}

/**
 * The sandbox for `options`: the prestarted one when it was started with the same options
 * (taken once), else a new one. A prestarted sandbox with other options is stopped.
 */
export async function takeSandbox(options: SandboxOptions): Promise<SandboxProcess> {
  const slot = globalThis as Record<symbol, Prestarted | undefined>;
  const pre = slot[PRESTARTED];
  slot[PRESTARTED] = undefined;
  if (pre?.key === JSON.stringify(options)) return pre.sandbox;
  if (pre)
    void pre.sandbox.then(
      (s) => s.stop(),
      () => undefined,
    );
  return startSandboxProcess(options);
}
