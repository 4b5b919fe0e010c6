import { createConnection, type Socket } from 'node:net';
import { inject } from 'vitest';
import type { Mode } from './gateway-quiet-server.ts';
import type { CheckRecorder } from './recorder.ts';

declare module 'vitest' {
  interface ProvidedContext {
    /** The Unix socket of the run's gateway-quiet lock (`serveGatewayQuiet`). */
    gatewayQuietSocket?: string;
  }
}

/**
 * §5.1 sends limit+1 requests at once; the gateway is busy with them for a moment. A latency a
 * check measures in that moment is partly the suite's own load, not the gateway's: against the
 * real LiteLLM proxy a §4.1 cache hit took 163 ms (limit 100) while the burst ran beside it, and
 * passes alone (commit 5b2cf20). So the checks whose thresholds are times
 * (§3's < 2 s, §4's hits, §7's baseline) measure under a shared hold, and the burst sends under
 * an exclusive one: it waits for the measurements in progress, and new ones wait for it. Only
 * the sending is held; everything else (Langfuse waits included) still overlaps. The holds live
 * in the run's main process, served over a Unix socket, because the checks run in several
 * worker threads.
 */

/** Runs `fn` while no §5.1 burst is sending; records the wait, if there was one, on the timeline. */
export function measuringLatency<T>(c: CheckRecorder, fn: () => Promise<T>): Promise<T> {
  return hold(c, 'shared', 'waiting for the §5.1 burst to end (latency is measured on a quiet gateway)', fn);
}

/**
 * Runs `fn` with the gateway to itself: no burst, no other timed request. For §4.1's cache hits,
 * whose threshold (100 ms) is of the order of what a busy loopback gateway adds: in a
 * fresh-clone CI run (commit bb8a718) a hit took 104.9 ms while §4.2's semantic lookups (an
 * embedding each) ran beside it on a machine the selftests kept busy. A hit takes
 * milliseconds, so the others hardly wait.
 */
export function measuringAlone<T>(c: CheckRecorder, fn: () => Promise<T>): Promise<T> {
  return hold(c, 'exclusive', 'waiting for the gateway to be idle (a cache hit is timed against its threshold)', fn);
}

/** Runs `fn` (the burst) while no latency is being measured; records the wait on the timeline. */
export function burstingAlone<T>(c: CheckRecorder, fn: () => Promise<T>): Promise<T> {
  return hold(c, 'exclusive', 'waiting for latency measurements in progress to end', fn);
}

/** Below this, a grant counts as immediate (a Unix-socket round trip is well under a millisecond). */
const NOTABLE_WAIT_MS = 5;

async function hold<T>(c: CheckRecorder, mode: Mode, waitLabel: string, fn: () => Promise<T>): Promise<T> {
  const path = inject('gatewayQuietSocket');
  // Outside a cutover run's setup (no socket was provided) there is nothing to coordinate with.
  if (!path) return fn();
  const asked = performance.now();
  const socket = await acquire(path, mode);
  // A grant at once is a socket round trip; only a real wait is worth a bar on the timeline.
  const granted = performance.now();
  if (granted - asked >= NOTABLE_WAIT_MS) c.span('pause', waitLabel, asked, granted);
  try {
    return await fn();
  } finally {
    socket.end();
  }
}

/** Connects, asks for `mode` and resolves with the socket once granted; closing it releases. */
function acquire(path: string, mode: Mode): Promise<Socket> {
  return new Promise((granted, refused) => {
    const socket = createConnection(path);
    socket.once('error', (err) =>
      refused(new Error(`the run's gateway-quiet lock (${path}) did not answer: ${err.message}`)),
    );
    socket.once('data', () => granted(socket));
    socket.write(mode === 'shared' ? 'S' : 'X');
  });
}
