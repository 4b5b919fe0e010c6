/**
 * Every selftest concurrency setting, in one place, for one reason.
 *
 * A selftest row is a whole cutover run (`pnpm test:cutover`) in a child process. It spends most
 * of its wall time waiting on the sandbox's simulated latencies (cache settle, Langfuse
 * ingestion, the 20 s post-cutover watch) and the rest on the CPU, and what it judges are the
 * runbook's own latency thresholds. On the 2-core machines the suite runs on, the number of those
 * runs at once is the one setting that matters: too few leave the CPU idle while runs wait, too
 * many stretch the sandbox's latencies until a healthy row turns red, the post-cutover
 * latency-doubling rule first (commits 25ca963, 3f0ab46).
 *
 * So one machine-wide semaphore (`selftest/slots.ts`) holds that number across every Vitest
 * worker, file and run, and everything in front of it only queues: more files start at
 * once than there are slots, and every test of a file waits at once, so a slot does not idle
 * because the file holding the queue had few rows left. No file runs alone. A run the preflight
 * refuses (`runCutover(…, { slot: false })`) measures nothing and takes no slot. The unit project
 * runs before the selftests (`sequence.groupOrder` in vitest.config.ts), so the slots' CPU is not
 * shared with the unit tests either.
 */
import type { MatrixRow } from './rows/row.ts';

/**
 * Cutover runs at once (`SELFTEST_SLOTS`, default 4): three left the CPU idle 40 % of the time,
 * five tripped the latency-doubling rule on a healthy row (commit 3f0ab46). Read when the slots
 * are served, not when this module loads (vitest.config.ts imports it for every project); a value
 * that is not a whole number of at least 1 is refused rather than silently replaced.
 */
export function slotCount(): number {
  const raw = process.env.SELFTEST_SLOTS?.trim();
  if (!raw) return 4;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`SELFTEST_SLOTS must be a whole number of at least 1, found: ${raw}`);
  return n;
}

/**
 * Vitest worker threads inside one cutover run (`CUTOVER_MAX_WORKERS` of the child): a second
 * thread shortens one run but takes CPU the other slots need; the whole selftest took longer and
 * flaked (commit c8a001e).
 */
export const WORKERS_PER_RUN = 1;

/**
 * Selftest files at once (`maxWorkers` of the selftest project), twice the default slots. A file's process
 * mostly waits on its children; with Vitest's default of one worker on 2 cores the files ran one
 * after another and left slots idle whenever a file with few rows was running (commit 439c411).
 */
export const FILES_AT_ONCE = 8;

/**
 * Tests of one file waiting at once (`maxConcurrency` of the selftest project). They only queue
 * for a slot, so this must not be below the slot count (or the matrix alone could not fill the
 * slots), and it need not match the cores.
 */
export const TESTS_PER_FILE = 8;

/**
 * The order matrix rows ask for slots, which is the order they get them. Long rows (a 20 s
 * ingestion lag, the post-cutover watch) first, so the matrix does not end waiting on one long row
 * started last; post-cutover rows last, because their latency-doubling rule is the check most
 * sensitive to a crowded CPU, and the CPU is most crowded while every selftest file is starting.
 */
export function slotOrder(rows: readonly MatrixRow[]): MatrixRow[] {
  const post = rows.filter((r) => r.phase === 'post');
  const pre = rows.filter((r) => r.phase !== 'post');
  return [...pre.filter((r) => r.long), ...pre.filter((r) => !r.long), ...post];
}
