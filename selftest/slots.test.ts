import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { serveSlots, withSlot, type SlotServer } from './slots.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the machine-wide slots are served while the selftests run', async () => {
  // The global setup serves them, or another run on this machine does.
  const socket = connect('\0gateway-cutover-selftest-slots');
  await expect(once(socket, 'connect')).resolves.toBeDefined();
  socket.destroy();
});

// A private semaphore with two slots: the machine-wide one is in use by the other selftests.
const saved = { socket: process.env.SELFTEST_SLOTS_SOCKET, n: process.env.SELFTEST_SLOTS };
const name = `gateway-cutover-slots-test-${randomBytes(6).toString('hex')}`;
let server: SlotServer | undefined;
beforeAll(async () => {
  process.env.SELFTEST_SLOTS_SOCKET = name;
  server = await serveSlots(2);
});
afterAll(async () => {
  await server?.close();
  for (const [key, value] of [
    ['SELFTEST_SLOTS_SOCKET', saved.socket],
    ['SELFTEST_SLOTS', saved.n],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

test('never more than the slot count at once, and slots are given in the order they were asked for', async () => {
  let running = 0;
  let most = 0;
  const started: number[] = [];
  await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      withSlot(async () => {
        started.push(i);
        most = Math.max(most, ++running);
        await sleep(80);
        running--;
      }),
    ),
  );
  expect(most).toBe(2);
  expect(started).toEqual([0, 1, 2, 3, 4, 5]);
});

test('a run that throws frees its slot and the error reaches the caller', async () => {
  await expect(withSlot(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  // Both slots are free again: two runs start at once.
  let running = 0;
  let most = 0;
  await Promise.all(
    [0, 1].map(() =>
      withSlot(async () => {
        most = Math.max(most, ++running);
        await sleep(50);
        running--;
      }),
    ),
  );
  expect(most).toBe(2);
});

test('slots are shared with other processes, and a holder killed mid-run gives its slot back', async () => {
  // Another process takes both slots, as two cutover runs of another selftest worker would.
  const holder = spawn(
    process.execPath,
    [
      '-e',
      `
    const net = require('node:net');
    let held = 0;
    for (let i = 0; i < 2; i++) {
      const s = net.connect('\\0' + process.argv[1]);
      s.write('W');
      s.once('data', () => { if (++held === 2) console.log('held'); });
    }
  `,
      name,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const [line] = (await once(holder.stdout, 'data')) as [Buffer];
    expect(line.toString().trim()).toBe('held');
    let ran = false;
    const waiting = withSlot(async () => {
      ran = true;
    });
    await sleep(300);
    expect(ran, 'a run started while another process held every slot').toBe(false);
    // SIGKILL: the holder runs no cleanup, as when a worker crashes; its connections close anyway.
    holder.kill('SIGKILL');
    await Promise.race([
      waiting,
      sleep(5_000).then(() => {
        throw new Error('the killed holder kept its slot for 5 s');
      }),
    ]);
    expect(ran).toBe(true);
  } finally {
    holder.kill('SIGKILL');
  }
});

test('when the serving process goes away, a holder keeps its slot with the next server and a waiter still waits for it', async () => {
  // One slot, held; a second run waits. Then the server stops, as when its process exits: a
  // client serves the slots next (SELFTEST_SLOTS of them), and the holder announces its slot.
  process.env.SELFTEST_SLOTS = '1';
  process.env.SELFTEST_SLOTS_SOCKET = `gateway-cutover-slots-test-${randomBytes(6).toString('hex')}`;
  const first = await serveSlots(1);
  try {
    let release!: () => void;
    let holderRan = false;
    const holding = withSlot(() => {
      holderRan = true;
      return new Promise<void>((r) => {
        release = r;
      });
    });
    let waiterRan = false;
    const waiting = withSlot(async () => {
      waiterRan = true;
    });
    await sleep(100);
    expect(holderRan).toBe(true);
    await first?.close();
    await sleep(800);
    expect(waiterRan, 'the next server granted a slot its holder still held').toBe(false);
    release();
    await holding;
    await Promise.race([
      waiting,
      sleep(5_000).then(() => {
        throw new Error('the waiter never got the released slot');
      }),
    ]);
    expect(waiterRan).toBe(true);
  } finally {
    process.env.SELFTEST_SLOTS_SOCKET = name;
  }
});
