import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { withSlot } from './slots.ts';

// A private slot directory with two slots: the machine-wide one is in use by the other selftests.
const saved = { dir: process.env.SELFTEST_SLOTS_DIR, n: process.env.SELFTEST_SLOTS };
beforeAll(() => {
  process.env.SELFTEST_SLOTS_DIR = mkdtempSync(join(tmpdir(), 'slots-test-'));
  process.env.SELFTEST_SLOTS = '2';
});
afterAll(() => {
  process.env.SELFTEST_SLOTS_DIR = saved.dir;
  process.env.SELFTEST_SLOTS = saved.n;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('never more than SELFTEST_SLOTS at once, and slots are given in the order they were asked for', async () => {
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
  await expect(withSlot(async () => Promise.reject(Object.assign(new Error('boom'), { code: 'EEXIST' })))).rejects.toThrow('boom');
  // Both slots are free again: two runs start at once.
  let running = 0;
  let most = 0;
  await Promise.all([0, 1].map(() => withSlot(async () => { most = Math.max(most, ++running); await sleep(50); running--; })));
  expect(most).toBe(2);
});
