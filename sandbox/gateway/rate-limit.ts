import type { Faults } from '../faults.ts';
import { ProxyError } from './errors.ts';

/** LiteLLM's `LITELLM_RATE_LIMIT_WINDOW_SIZE` default, in seconds. */
const WINDOW_SECONDS = 60;

interface Window {
  start: number;
  count: number;
}

/** The result of counting one request against a key's `rpm_limit`. */
export interface RateDecision {
  readonly limit: number;
  readonly remaining: number;
}

/**
 * Worker processes under fault `limiter-per-process`: requests are handed to them round-robin,
 * as uvicorn's workers share one listening socket, and each counts alone.
 */
const PER_PROCESS_WORKERS = 2;

/**
 * LiteLLM v3's per-key request limiter (`parallel_request_limiter_v3.py`): a fixed window
 * anchored at the first request (not the wall-clock minute, not sliding), counter incremented
 * on every request including rejected ones, over the limit when the counter exceeds it. The
 * check-and-increment is synchronous, so a burst of parallel requests is counted exactly as
 * Redis' Lua script would count it.
 *
 * Fault `limiter-per-process`: LiteLLM hands the limiter Redis only when the response cache is
 * an exact `RedisCache` (`proxy_server._init_cache`); with any other cache each worker process
 * keeps its own counters. Seen on the real 1.103.10 with a qdrant-semantic cache and 2 workers:
 * 101 requests on an rpm_limit 100 key, all answered (docs/fidelity.md).
 */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private nextWorker = 0;

  constructor(
    private readonly faults: Faults,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Counts a request for the hashed key `token`; throws LiteLLM's 429 when over `limit`.
   * Fault `rpm-off` never rejects; `rpm-off-by-one` rejects from request limit+2.
   */
  check(token: string, limit: number): RateDecision {
    const now = this.now();
    // limiter-per-process: requests go to the workers in turn, each with counters of its own.
    if (this.faults.has('limiter-per-process')) this.nextWorker = (this.nextWorker + 1) % PER_PROCESS_WORKERS;
    const slot = this.faults.has('limiter-per-process') ? `${this.nextWorker}:${token}` : token;
    let w = this.windows.get(slot);
    if (!w || now - w.start >= WINDOW_SECONDS * 1000) {
      w = { start: now, count: 0 };
      this.windows.set(slot, w);
    }
    w.count += 1;
    const allowed = this.faults.has('rpm-off') || w.count <= limit + (this.faults.has('rpm-off-by-one') ? 1 : 0);
    if (!allowed) {
      const resetAt = formatResetAt(new Date(w.start + WINDOW_SECONDS * 1000));
      const detail = `Rate limit exceeded for api_key: ${token}. Limit type: requests. Current limit: ${limit}, Remaining: 0. Limit resets at: ${resetAt}`;
      // An `HTTPException(429, detail=…)`; the proxy's handler renders it with type
      // `throttling_error` and `param: null` (observed on the real 1.103.10), and its `str()`
      // is Starlette's `"429: <detail>"`, which is what failure callbacks log.
      throw new ProxyError(
        429,
        detail,
        'throttling_error',
        { 'retry-after': String(WINDOW_SECONDS), rate_limit_type: 'requests', reset_at: resetAt },
        'RateLimitError',
        null,
        { origin: 'proxy', str: `429: ${detail}` },
      );
    }
    return { limit, remaining: Math.max(0, limit - w.count) };
  }
}

/**
 * `%Y-%m-%d %H:%M:%S UTC` built from server *local* time, as LiteLLM does (a known quirk: the
 * "UTC" label is only right on a UTC host, which containers usually are).
 */
function formatResetAt(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} UTC`;
}
