import { setTimeout as sleep } from 'node:timers/promises';
import { connect, createServer, type Socket } from 'node:net';
import { slotCount } from './concurrency.ts';

/**
 * The machine-wide semaphore's name: a Linux abstract socket, so binding it is atomic, it leaves
 * no file behind, and it disappears with the process that serves it. Machine-wide because two
 * selftest runs at once (two checkouts, `pnpm test` beside `pnpm selftest:matrix`) share the same
 * two cores. `SELFTEST_SLOTS_SOCKET` names a private one (the slot tests use it), without the
 * leading NUL byte, which no environment variable can hold.
 */
function socketName(): string {
  return `\0${process.env.SELFTEST_SLOTS_SOCKET || 'gateway-cutover-selftest-slots'}`;
}

/** What a client says first: it waits for a slot, or it already holds one (after a handover). */
const WAIT = 'W';
const HOLD = 'H';

/** A running semaphore, and how to stop serving it. */
export interface SlotServer {
  /** Stops serving: every connection drops, and its clients move to the next server. */
  close(): Promise<void>;
}

/**
 * Serves `count` slots, or returns undefined when another process already serves them. A slot
 * is an open connection: the server writes one byte to grant it and takes it back when the
 * connection closes, however that happens (released, thrown, the holder's process
 * crashed or was killed), so no holder can leak a slot and no process id is ever looked at.
 * Waiters are granted in the order they asked. The server does not keep its process alive.
 */
export async function serveSlots(count: number): Promise<SlotServer | undefined> {
  const waiting: Socket[] = [];
  const holding = new Set<Socket>();
  const grant = (): void => {
    while (holding.size < count && waiting.length > 0) {
      const next = waiting.shift() as Socket;
      holding.add(next);
      next.write('1');
    }
  };
  const server = createServer((socket) => {
    // A holder that dies resets its connection; the error is expected and 'close' follows.
    socket.on('error', () => {});
    socket.once('data', (hello) => {
      if (hello.toString('latin1', 0, 1) === HOLD) holding.add(socket);
      else waiting.push(socket);
      grant();
    });
    socket.once('close', () => {
      if (!holding.delete(socket) && waiting.includes(socket)) waiting.splice(waiting.indexOf(socket), 1);
      grant();
    });
  });
  const bound = await new Promise<boolean>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(false) : reject(err)));
    server.listen(socketName(), () => resolve(true));
  });
  if (!bound) return undefined;
  server.unref();
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of [...waiting, ...holding]) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Runs `fn` while holding one of the machine-wide selftest slots (`selftest/concurrency.ts`), so
 * the number of cutover runs at once is bounded across every Vitest worker, file and run on this
 * machine. The Vitest main process serves the slots (`selftest/global-setup.ts`); a process that
 * finds nobody serving (`pnpm selftest:matrix`, a script) serves them itself. When the serving
 * process exits, its clients move to the next server, which one of them starts: holders first,
 * announcing the slot they hold, then waiters, who queue again.
 *
 * Within one process, callers get slots in the order they asked: each waits for the one before
 * it to be granted before it joins the server's queue.
 */
export async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
  const acquired = queue.then(acquire);
  queue = acquired.then(
    () => undefined,
    () => undefined,
  );
  const release = await acquired;
  try {
    return await fn();
  } finally {
    release();
  }
}

/** The last acquisition asked for in this process; the next one joins the queue after it. */
let queue: Promise<unknown> = Promise.resolve();

/** Waits for a slot and returns the function that gives it back. */
async function acquire(): Promise<() => void> {
  for (;;) {
    const socket = await reach(WAIT);
    const granted = await new Promise<boolean>((resolve) => {
      socket.once('data', () => resolve(true));
      socket.once('close', () => resolve(false));
    });
    if (granted) return hold(socket);
    // The server went away before granting: give the holders time to announce themselves to the
    // next server first, or it would grant their slots a second time.
    await sleep(200);
  }
}

/** Keeps a granted slot across server handovers until the returned function is called. */
function hold(first: Socket): () => void {
  let released = false;
  let current = first;
  const follow = (socket: Socket): void => {
    socket.once('close', () => {
      if (released) return;
      reach(HOLD).then(
        (next) => {
          if (released) next.destroy();
          else {
            current = next;
            follow(next);
          }
        },
        // No next server could be reached: the run goes on, uncounted, rather than fail.
        () => undefined,
      );
    });
  };
  follow(first);
  return () => {
    released = true;
    current.destroy();
  };
}

/** A connection to the serving process, which says `hello`; serves the slots itself if nobody does. */
async function reach(hello: string): Promise<Socket> {
  const name = socketName();
  for (;;) {
    try {
      const socket = await new Promise<Socket>((resolve, reject) => {
        const s = connect(name);
        s.once('connect', () => resolve(s));
        s.once('error', reject);
      });
      // After the connection is made, an error only ends it; 'close' says so to the caller.
      socket.on('error', () => {});
      socket.write(hello);
      return socket;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ECONNREFUSED' && code !== 'ENOENT')
        throw new Error(`cannot reach the selftest slots (${JSON.stringify(name)}): ${(err as Error).message}`, {
          cause: err,
        });
      // Nobody serves: serve here. Another process may win the race to bind; then connect to it.
      await serveSlots(slotCount());
    }
  }
}
