import type { Faults } from './faults.ts';

/**
 * Shared shapes of the sandbox components. Every component is an HTTP server on an ephemeral
 * loopback port (`127.0.0.1:0`), started by a `startX(options)` function and stopped by
 * `close()`. Components never import each other; they talk over HTTP like the real stack.
 */
export interface Listening {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Stops accepting, destroys open keep-alive sockets and resolves when the port is free. */
  close(): Promise<void>;
}

/**
 * Counts every HTTP request any component received. The bad-config selftests read it to prove
 * that a rejected configuration sent nothing at all.
 */
export interface RequestCounter {
  total: number;
  byComponent: Record<string, number>;
}

/** What every component is started with. */
export interface ComponentContext {
  /** Active faults; components consult only the ones that concern them. */
  readonly faults: Faults;
  readonly counter: RequestCounter;
}

/** Records one received request on the shared counter. */
export function countRequest(counter: RequestCounter, component: string): void {
  counter.total += 1;
  counter.byComponent[component] = (counter.byComponent[component] ?? 0) + 1;
}
