import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { delay } from '../http.ts';

/** An ephemeral loopback port that was free a moment ago (the OS hands out a new one each time). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A child server process and how to stop it. */
export interface ChildServer {
  readonly child: ChildProcess;
  /** The last lines the process wrote (stdout and stderr), for error messages. */
  tail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns `file args` and resolves once `ready()` is true, polling every 200 ms up to
 * `timeoutMs`. Rejects with the process's last output lines when it exits first or the
 * deadline passes, and kills it then: a server that never became ready is never left behind.
 */
export async function spawnServer(o: {
  name: string;
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  ready: () => Promise<boolean>;
  timeoutMs: number;
}): Promise<ChildServer> {
  const child = spawn(o.file, o.args, { env: o.env, cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: string | undefined;
  const gone = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `exited (${signal ?? `code ${code}`})`;
      resolve();
    });
    child.once('error', (err) => {
      exited = `could not start: ${err.message}`;
      resolve();
    });
  });
  const tail = (): string => lines.slice(-25).join('\n');
  const stop = async (graceMs = 5000): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  };
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    if (exited) throw new Error(`${o.name} ${exited} before it was ready:\n${tail()}`);
    if (await o.ready().catch(() => false)) return { child, tail, stop };
    if (Date.now() > deadline) {
      await stop(1000);
      throw new Error(`${o.name} was not ready after ${o.timeoutMs} ms:\n${tail()}`);
    }
    await delay(200);
  }
}
