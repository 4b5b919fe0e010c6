import { createConnection, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { serveGatewayQuiet } from './gateway-quiet-server.ts';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** Asks for a hold; `granted` resolves when the server grants it. */
function ask(path: string, mode: 'S' | 'X'): { socket: Socket; granted: Promise<void>; isGranted: () => boolean } {
  const socket = createConnection(path);
  let done = false;
  const granted = new Promise<void>((ok) =>
    socket.once('data', () => {
      done = true;
      ok();
    }),
  );
  socket.write(mode);
  return { socket, granted, isGranted: () => done };
}

const settle = () => new Promise((r) => setTimeout(r, 50));

describe('the gateway-quiet lock', () => {
  it('grants measurements together, the burst alone, and a measurement asked after the burst after it', async () => {
    const server = await serveGatewayQuiet();
    close = server.close;
    const a = ask(server.path, 'S');
    const b = ask(server.path, 'S');
    await Promise.all([a.granted, b.granted]);
    const burst = ask(server.path, 'X');
    await settle();
    const late = ask(server.path, 'S');
    await settle();
    expect(burst.isGranted()).toBe(false);
    // Behind a waiting burst, a new measurement waits too: the burst cannot be starved.
    expect(late.isGranted()).toBe(false);
    a.socket.end();
    await settle();
    expect(burst.isGranted()).toBe(false);
    b.socket.destroy();
    await burst.granted;
    await settle();
    expect(late.isGranted()).toBe(false);
    burst.socket.end();
    await late.granted;
    late.socket.end();
  });

  it('releases the hold of a client that vanished while waiting or holding', async () => {
    const server = await serveGatewayQuiet();
    close = server.close;
    const holder = ask(server.path, 'X');
    await holder.granted;
    const waiter = ask(server.path, 'X');
    await settle();
    waiter.socket.destroy();
    const next = ask(server.path, 'S');
    holder.socket.destroy();
    await next.granted;
    next.socket.end();
  });
});
