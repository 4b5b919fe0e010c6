import { mkdirSync, openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DIR = join(tmpdir(), 'gateway-cutover-selftest-slots');

/**
 * How many cutover runs may execute at once on this machine (`SELFTEST_SLOTS`, default 3). A run
 * spends about half its time waiting (cache settle, Langfuse polls, the 20 s watch), so on 2
 * cores three keep the CPU busy without letting CPU-heavy phases pile up on each other.
 */
export function slotCount(): number {
  const n = Number(process.env.SELFTEST_SLOTS ?? 3);
  return Number.isInteger(n) && n > 0 ? n : 3;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `fn` while holding one of a machine-wide set of slots. Vitest runs selftest files in
 * several worker processes and tests within a file concurrently, so a per-file limit cannot
 * bound the number of whole cutover runs at once; on a 2-core machine too many at once starve
 * each other and trip the runbook's own latency thresholds. Slots are lock files created with
 * O_EXCL; a slot whose owner process died is reclaimed.
 */
export async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(DIR, { recursive: true });
  for (;;) {
    for (let i = 0; i < slotCount(); i++) {
      const path = join(DIR, `${i}.lock`);
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        try {
          return await fn();
        } finally {
          rmSync(path, { force: true });
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = Number(readFileSafe(path));
        if (owner && !alive(owner)) rmSync(path, { force: true });
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
