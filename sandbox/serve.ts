// The sandbox as a child process of a cutover run (`process.ts` starts it): its own event loop and
// heap, apart from Vitest's. Started with an IPC channel; takes its options as one JSON argument,
// answers `ready` with the environment that points the suite at it (over IPC, never stdout: it
// holds the sandbox's keys), and stops when told to or when the parent goes away.
import { startSandbox, type SandboxOptions } from './index.ts';
import type { SandboxMessage } from './process.ts';

const send = (m: SandboxMessage): void => void process.send?.(m);

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as SandboxOptions;
  const sandbox = await startSandbox(options);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= sandbox.stop().finally(() => process.disconnect?.());
    return stopping;
  };
  // Ctrl+C reaches the whole process group: the parent decides what an interrupt means (it writes
  // the interrupted run's evidence, then stops this sandbox or exits). A parent that exits or is
  // killed closes the channel: the sandbox must not outlive it.
  process.on('SIGINT', () => undefined);
  process.on('disconnect', () => void stop().then(() => process.exit(0)));
  process.on('message', (m: { kind?: string }) => {
    if (m?.kind === 'stop') void stop();
  });
  send({
    kind: 'ready',
    env: sandbox.env,
    faults: sandbox.faults,
    profile: sandbox.profile,
    cacheType: sandbox.cacheType,
  });
}

main().catch((err: unknown) => {
  send({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
  process.exitCode = 1;
  process.disconnect?.();
});
