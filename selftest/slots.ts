import { mkdirSync, openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';


/**
 * How many cutover runs may execute at once on this machine (`SELFTEST_SLOTS`, default 4). A
 * selftest run (one worker thread) spends ~6 CPU-seconds in ~12 s of wall time, most of it
 * waiting on the sandbox's simulated latencies (cache settle, Langfuse ingestion, the 20 s
 * watch). On 2 cores three left the CPU 40 % idle; five kept it busy but stretched the
 * sandbox's latencies enough to trip the post-cutover latency-doubling rule on a healthy row.
 */
/** Where the lock files live: machine-wide by default (`SELFTEST_SLOTS_DIR` overrides, for tests). */
function slotDir(): string {
  return process.env.SELFTEST_SLOTS_DIR || join(tmpdir(), 'gateway-cutover-selftest-slots');
}

export function slotCount(): number {
  const n = Number(process.env.SELFTEST_SLOTS ?? 4);
  return Number.isInteger(n) && n > 0 ? n : 4;
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
 *
 * Within one process, callers get slots in the order they asked (only the head of the queue
 * polls): when every waiter polled, a row could lose the race for minutes and the matrix ended
 * waiting on it alone.
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

/** The last acquisition asked for in this process; the next one starts after it. */
let queue: Promise<unknown> = Promise.resolve();

/** Takes a free slot (polling every 50 ms) and returns the function that frees it. */
async function acquire(): Promise<() => void> {
  const dir = slotDir();
  mkdirSync(dir, { recursive: true });
  for (;;) {
    for (let i = 0; i < slotCount(); i++) {
      const path = join(dir, `${i}.lock`);
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return () => rmSync(path, { force: true });
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
