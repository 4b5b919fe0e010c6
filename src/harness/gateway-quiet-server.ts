import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A hold on the gateway-quiet lock: many measurements at once, or the §5.1 burst alone (`gateway-quiet.ts`). */
export type Mode = 'shared' | 'exclusive';

/**
 * The lock's server, in the run's main process (the global setup starts it): grants in arrival
 * order, any number of shared holds at once, an exclusive one alone. A shared request behind a
 * waiting exclusive one waits too, so a stream of measurements cannot starve the burst.
 */
export async function serveGatewayQuiet(): Promise<{ path: string; close: () => Promise<void> }> {
  const path = join(tmpdir(), `gateway-cutover-quiet-${process.pid}-${randomBytes(4).toString('hex')}.sock`);
  const holders = new Map<Socket, Mode>();
  const queue: { socket: Socket; mode: Mode }[] = [];
  const grant = (): void => {
    while (queue.length > 0) {
      const next = queue[0]!;
      const exclusiveHeld = [...holders.values()].includes('exclusive');
      if (next.mode === 'exclusive' ? holders.size > 0 : exclusiveHeld) return;
      queue.shift();
      holders.set(next.socket, next.mode);
      next.socket.write('G');
    }
  };
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('data', (d) => {
      queue.push({ socket, mode: d.toString('utf8', 0, 1) === 'X' ? 'exclusive' : 'shared' });
      grant();
    });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      sockets.delete(socket);
      holders.delete(socket);
      const at = queue.findIndex((q) => q.socket === socket);
      if (at >= 0) queue.splice(at, 1);
      grant();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(path, ok);
  });
  return {
    path,
    close: async () => {
      // A check cut short (Ctrl+C) may still hold its connection: the run is over, so is its hold.
      for (const s of sockets) s.destroy();
      await new Promise((done) => server.close(done));
      rmSync(path, { force: true });
    },
  };
}
