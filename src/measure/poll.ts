/** Outcome of a bounded poll: the accepted value, or why the deadline passed without one. */
export type PollResult<T> =
  | { readonly ok: true; readonly value: T; readonly attempts: number; readonly elapsedMs: number }
  | {
      readonly ok: false;
      readonly attempts: number;
      readonly elapsedMs: number;
      readonly last?: T;
      readonly lastError?: unknown;
    };

export interface PollOptions {
  /** Total budget, including the duration of the attempts themselves. */
  deadlineMs: number;
  intervalMs: number;
  /** Errors for which waiting cannot help (a 401, say): stop polling and rethrow at once. */
  isFatal?: (err: unknown) => boolean;
}

/**
 * Calls `attempt` until `accept` holds for its value or the deadline passes. Errors count as
 * "not yet" unless `isFatal` says otherwise, because eventually-consistent systems (Langfuse
 * ingestion) answer 404 or 5xx for a while. Never waits past the deadline: the last pause is
 * cut short so the poll ends on time.
 */
export async function pollUntil<T>(
  attempt: () => Promise<T>,
  accept: (value: T) => boolean,
  o: PollOptions,
): Promise<PollResult<T>> {
  const started = performance.now();
  let attempts = 0;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    attempts += 1;
    try {
      last = await attempt();
      lastError = undefined;
      if (accept(last)) return { ok: true, value: last, attempts, elapsedMs: performance.now() - started };
    } catch (err) {
      if (o.isFatal?.(err)) throw err;
      lastError = err;
    }
    const remaining = o.deadlineMs - (performance.now() - started);
    if (remaining <= 0) return { ok: false, attempts, elapsedMs: performance.now() - started, last, lastError };
    await new Promise((r) => setTimeout(r, Math.min(o.intervalMs, remaining)));
  }
}
