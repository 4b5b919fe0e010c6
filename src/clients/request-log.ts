import { AsyncLocalStorage } from 'node:async_hooks';

/** One HTTP exchange as a check's timeline records it, on this thread's `performance.now()` clock. */
export interface SentRequest {
  readonly method: string;
  /** The path only: the origin is the same few services, and the query may carry a key or a filter too long to chart. */
  readonly path: string;
  /** The answer's status; `null` when no answer came (unreachable, timed out, body refused). */
  readonly status: number | null;
  readonly startMs: number;
  readonly endMs: number;
}

type Listener = (r: SentRequest) => void;

/**
 * Who hears about the requests sent in the current async context. Async context rather than a
 * parameter: every client sends through `send()`, and the checks of one section run at the same
 * time in one worker, so "the current check" is a property of the call chain, not of the thread.
 */
const listeners = new AsyncLocalStorage<Listener | undefined>();

/** Runs `fn` with every request sent inside it (however deep) reported to `listener`; `undefined` silences them. */
export function logRequestsTo<T>(listener: Listener | undefined, fn: () => T): T {
  return listeners.run(listener, fn);
}

/** Called by the transport once per exchange, answered or not. */
export function logRequest(r: SentRequest): void {
  listeners.getStore()?.(r);
}
