import { type ExecResult, failed, KILLED, ok, type Vm } from '../vm.ts';

const INTERVAL_MS = 5_000;

/** The built-in alias of the MinIO image's mc; the only one the stand-in knows. */
const LOCAL = 'http://localhost:9000';

/**
 * Waits `ms` or until `signal` aborts. Unlike `delay` it clears its timer on abort, so a killed
 * `mc ready` loop does not keep the process alive after the exec has returned.
 */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * `mc ready local`: polls the anonymous cluster health route every 5 s and returns 0 once it
 * is 200. Like the real mc it never gives up on an unhealthy cluster, so callers must bound it
 * (`timeout N mc ready local`, or the exec timeout). Other subcommands, aliases and flags exit
 * 1 rather than answering as if they had been understood.
 */
export async function mc(args: string[], vm: Vm, signal: AbortSignal): Promise<ExecResult> {
  const flag = args.find((a) => a.startsWith('-'));
  if (flag) return failed(1, `mc: <ERROR> flag provided but not defined: ${flag} (the sandbox's mc knows no flags)\n`);
  const [command, alias] = args;
  if (command !== 'ready')
    return failed(1, `mc: <ERROR> '${command ?? ''}' is not a recognized command. Get help using '--help' flag.\n`);
  if (!alias)
    return failed(
      1,
      'NAME:\n  mc ready - checks if the cluster is ready or not\n\nUSAGE:\n  mc ready [FLAGS] TARGET\n',
    );
  if (alias !== 'local')
    return failed(
      1,
      `mc: <ERROR> Unable to initialize new alias from the provided credentials. No such alias \`${alias}\` found.\n`,
    );
  const url = new URL(LOCAL);
  let stdout = '';
  for (;;) {
    const target = vm.resolve(url.hostname, Number(url.port));
    let healthy = false;
    let err: string | undefined;
    if (typeof target === 'string') err = `dial tcp ${url.host}: connect: connection refused`;
    else {
      try {
        const res = await fetch(`${target.url}/minio/health/cluster`, { signal });
        healthy = res.status === 200;
        await res.arrayBuffer();
      } catch (e) {
        if (signal.aborted) return failed(KILLED, '', stdout);
        err = (e as Error).message;
      }
    }
    stdout += healthy
      ? `The cluster '${alias}' is ready\n`
      : err
        ? `The cluster '${alias}' is unreachable: ${err}\n`
        : `The cluster '${alias}' is not ready\n`;
    if (healthy) return ok(stdout);
    await sleep(INTERVAL_MS, signal);
    if (signal.aborted) return failed(KILLED, '', stdout);
  }
}
