import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

/** A sandbox in its own process, and the environment it printed. */
export interface SandboxProcess {
  env: Record<string, string>;
  child: ChildProcess;
  /** Milliseconds from spawn to the printed environment (includes Node and tsx start-up). */
  readyMs: number;
  /** Milliseconds the sandbox itself reported for starting its servers. */
  startedInMs: number;
  stop(): void;
}

/**
 * Starts `pnpm sandbox` as a child process, so that server work does not share the
 * benchmark's event loop, and resolves when it has printed its `.env` lines.
 */
export async function startSandboxProcess(faults = '', cacheType = ''): Promise<SandboxProcess> {
  const t0 = performance.now();
  const child = spawn(resolve(ROOT, 'node_modules/.bin/tsx'), ['sandbox/cli.ts'], {
    cwd: ROOT,
    env: { ...process.env, SANDBOX_FAULTS: faults, SANDBOX_CACHE_TYPE: cacheType },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const env: Record<string, string> = {};
  let startedInMs = Number.NaN;
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('the sandbox did not print its environment within 30 s')), 30_000);
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n')) {
        const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
        if (m) env[m[1]!] = m[2]!;
        const s = /started in (\d+) ms/.exec(line);
        if (s) startedInMs = Number(s[1]);
      }
      if (env.GATEWAY_URL && env.GATEWAY_ADMIN_KEY && buf.includes('MONITOR_MIN_SAMPLES=')) {
        clearTimeout(timer);
        ok();
      }
    });
    child.once('exit', (code) => fail(new Error(`the sandbox exited with ${code}`)));
  });
  return { env, child, readyMs: performance.now() - t0, startedInMs, stop: () => void child.kill('SIGTERM') };
}
