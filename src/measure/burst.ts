import { setMaxListeners } from 'node:events';
import { Pool, type Dispatcher } from 'undici';
import { causeText } from '../evidence/error-text.ts';

/** One request of a burst: what `undici`'s `request()` needs, minus the origin. */
export interface BurstRequest {
  readonly path: string;
  readonly method: Dispatcher.HttpMethod;
  readonly headers: Readonly<Record<string, string>>;
  /** Prepared before the burst: a Buffer is written as is, without per-request encoding. */
  readonly body?: string | Buffer;
}

export interface BurstOptions {
  /** `scheme://host:port` of the target. */
  readonly origin: string;
  readonly count: number;
  /** Requests in flight at once; each worker keeps one keep-alive connection busy. */
  readonly concurrency: number;
  /**
   * The request with index `i` (0-based). Called on the hot path, so return prepared objects
   * (the same one for identical requests, or one from an array built beforehand).
   */
  readonly request: (i: number) => BurstRequest;
  /** Budget for headers and again for each silence of the body, per request. */
  readonly timeoutMs: number;
  /**
   * Budget of the whole burst, warm-up included, from the call. At it every request still in
   * flight is aborted and none is started; the result says so (`deadline`). Per-request
   * timeouts only bound silences, so without this a server trickling a byte at a time holds a
   * burst open for ever. Default `burstBudgetMs` of the options.
   */
  readonly deadlineMs?: number;
  /** Keep the body text of responses with this status (e.g. non-200s to read error bodies); others are dumped unread. */
  readonly keepBody?: (status: number) => boolean;
  /** Bodies kept are cut at this size (default 64 KiB); the rest is discarded. */
  readonly maxBodyBytes?: number;
  /**
   * A cheap GET (e.g. `/health/liveliness`) sent `concurrency` times in parallel before the
   * clock starts, so the burst measures the exchanges and not the TCP/TLS handshakes.
   */
  readonly warmPath?: string;
  /**
   * Defaults to a keep-alive `Pool` of exactly `concurrency` connections, opened for this burst
   * and closed after it. A shared pool (`poolFor`) would dial extra sockets mid-burst: a
   * connection whose response was just read is still marked busy for a tick, and a pool with
   * room to grow opens a new one rather than wait, paying a handshake inside the measurement.
   */
  readonly dispatcher?: Dispatcher;
}

/** The outcome of one request. Times are ms since the burst's start (`performance.now()` based). */
export interface BurstResponse {
  readonly index: number;
  /** HTTP status, or 0 when the exchange failed in transport (see `error`). */
  readonly status: number;
  /** When `request()` was called for it. */
  readonly startMs: number;
  /** When status and headers had arrived (or the transport failed). */
  readonly headersMs: number;
  /** When the body was read or dumped. */
  readonly endMs: number;
  /** Lower-cased response headers as undici parsed them; empty on a transport failure. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Present when `keepBody` asked for it. */
  readonly body?: string;
  /** Transport failure (refused, reset, timeout, the burst deadline): method, path and cause, never headers. */
  readonly error?: string;
  /**
   * Set when the burst deadline cut this request: `in-flight` was aborted (its `status` is what
   * had arrived, 0 before the headers), `not-sent` was never started (status 0).
   */
  readonly cut?: 'in-flight' | 'not-sent';
}

/** The burst's overall deadline and what it cut. */
interface BurstDeadline {
  readonly ms: number;
  /** True when the deadline passed before every response was read. */
  readonly hit: boolean;
  readonly abortedInFlight: number;
  readonly notSent: number;
}

/** A finished burst. `responses` is in request order (index `i` at position `i`). */
export interface BurstResult {
  readonly responses: readonly BurstResponse[];
  /** First request start to last request start: how long it took to put every request on the wire. */
  readonly sendSpanMs: number;
  /**
   * First request start to the last response's headers: an upper bound for the spread of the
   * requests' arrival at the server, and so what must fit into a rate-limit window.
   */
  readonly arrivalSpanMs: number;
  /** First request start to the last body read. */
  readonly totalMs: number;
  /** Responses per status; transport failures under 0. */
  readonly statusCounts: Readonly<Record<number, number>>;
  /** Completed requests per second over `totalMs`. */
  readonly throughputRps: number;
  readonly deadline: BurstDeadline;
}

/**
 * The default deadline of a burst: what it takes when every request uses its whole budget
 * (headers within `timeoutMs`, the body in as long again) in `ceil(count / concurrency)`
 * rounds, plus one such budget for the warm-up. A burst of healthy answers ends long before.
 */
export function burstBudgetMs(o: {
  readonly count: number;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly warmPath?: string;
}): number {
  const rounds = Math.max(1, Math.ceil(o.count / Math.max(1, Math.min(o.concurrency, o.count))));
  return (rounds + (o.warmPath ? 1 : 0)) * 2 * o.timeoutMs;
}

/**
 * Sends `count` requests with at most `concurrency` in flight over keep-alive connections
 * and records each one's status, timing and headers. One engine serves the 101-request quota
 * check and the 10,001-request benchmark, so the hot path does no parsing, validation or
 * serialization: requests are prepared by the caller, bodies not asked for are dumped, and
 * headers are kept as undici delivered them. Never throws for a status or a transport failure
 * (status 0 with `error`): what a 429 or a reset means is the caller's decision. Workers take
 * the next index from a shared counter, so a slow response delays only its own worker. The
 * whole burst ends by `deadlineMs`: at it, requests in flight are aborted and the rest never
 * sent, each marked `cut` with an error naming the deadline, and `deadline.hit` is true.
 */
export async function burst(o: BurstOptions): Promise<BurstResult> {
  if (!Number.isInteger(o.count) || o.count < 0)
    throw new RangeError(`burst count must be a whole number ≥ 0, got ${o.count}`);
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1)
    throw new RangeError(`burst concurrency must be a whole number ≥ 1, got ${o.concurrency}`);
  const deadlineMs = o.deadlineMs ?? burstBudgetMs(o);
  if (!(deadlineMs > 0)) throw new RangeError(`burst deadline must be a positive number of ms, got ${deadlineMs}`);
  const workers = Math.min(o.concurrency, o.count);
  const own = o.dispatcher
    ? undefined
    : new Pool(o.origin, { connections: Math.max(1, workers), keepAliveTimeout: 30_000 });
  const deadline = new AbortController();
  // One signal shared by every request in flight, each adding its own abort listener.
  setMaxListeners(0, deadline.signal);
  const timer = setTimeout(() => deadline.abort(new BurstDeadlineError(deadlineMs)), deadlineMs);
  try {
    return await run(o, (o.dispatcher ?? own)!, workers, deadline.signal, deadlineMs);
  } finally {
    clearTimeout(timer);
    // An own pool may still hold aborted sockets: destroy rather than wait for them to drain.
    await own?.destroy().catch(() => undefined);
  }
}

/** Bodies not kept are read up to this (undici's default) and the connection dropped past it. */
const DUMP_LIMIT = 128 * 1024;

/** The reason every request cut by the burst deadline carries. */
class BurstDeadlineError extends Error {
  readonly code = 'BURST_DEADLINE';
  constructor(ms: number) {
    super(`aborted at the burst deadline (${ms} ms)`);
  }
}

async function run(
  o: BurstOptions,
  dispatcher: Dispatcher,
  workers: number,
  signal: AbortSignal,
  deadlineMs: number,
): Promise<BurstResult> {
  if (o.warmPath) await warm(dispatcher, o.origin, o.warmPath, workers, o.timeoutMs, signal);

  const maxBody = o.maxBodyBytes ?? 64 * 1024;
  const responses = new Array<BurstResponse>(o.count);
  let next = 0;
  let lastStart = 0;
  const t0 = performance.now();

  const one = async (i: number): Promise<void> => {
    const r = o.request(i);
    const where = `${r.method} ${o.origin}${r.path}`;
    const startMs = performance.now() - t0;
    lastStart = startMs;
    let res: Dispatcher.ResponseData;
    try {
      res = await dispatcher.request({
        origin: o.origin,
        path: r.path,
        method: r.method,
        headers: r.headers,
        body: r.body,
        headersTimeout: o.timeoutMs,
        bodyTimeout: o.timeoutMs,
        signal,
      });
    } catch (err) {
      const at = performance.now() - t0;
      responses[i] = {
        index: i,
        status: 0,
        startMs,
        headersMs: at,
        endMs: at,
        headers: {},
        error: `${where}: ${causeText(err)}`,
        ...(signal.aborted ? { cut: 'in-flight' as const } : {}),
      };
      return;
    }
    const headersMs = performance.now() - t0;
    let body: string | undefined;
    let error: string | undefined;
    let cut = false;
    try {
      if (o.keepBody?.(res.statusCode)) body = await readCapped(res.body, maxBody);
      else await res.body.dump({ limit: DUMP_LIMIT, signal });
    } catch (err) {
      cut = signal.aborted;
      error = `${where}: body cut short (${causeText(err)})`;
    }
    const kept = body !== undefined ? { body } : {};
    responses[i] = {
      index: i,
      status: res.statusCode,
      startMs,
      headersMs,
      endMs: performance.now() - t0,
      headers: res.headers,
      ...kept,
      ...(error ? { error } : {}),
      ...(cut ? { cut: 'in-flight' as const } : {}),
    };
  };

  const worker = async (): Promise<void> => {
    for (let i = next++; i < o.count && !signal.aborted; i = next++) await one(i);
  };
  await Promise.all(Array.from({ length: workers }, worker));

  const statusCounts: Record<number, number> = {};
  let lastHeaders = 0;
  let lastEnd = 0;
  let abortedInFlight = 0;
  let notSent = 0;
  const cutAt = performance.now() - t0;
  for (let i = 0; i < o.count; i++) {
    // Indices a worker never reached: the deadline passed first.
    responses[i] ??= {
      index: i,
      status: 0,
      startMs: cutAt,
      headersMs: cutAt,
      endMs: cutAt,
      headers: {},
      error: `${o.request(i).method} ${o.origin}${o.request(i).path}: not sent, the burst deadline (${deadlineMs} ms) had passed`,
      cut: 'not-sent',
    };
    const r = responses[i]!;
    if (r.cut === 'in-flight') abortedInFlight += 1;
    else if (r.cut === 'not-sent') notSent += 1;
    statusCounts[r.status] = (statusCounts[r.status] ?? 0) + 1;
    if (r.headersMs > lastHeaders) lastHeaders = r.headersMs;
    if (r.endMs > lastEnd) lastEnd = r.endMs;
  }
  return {
    responses,
    sendSpanMs: lastStart,
    arrivalSpanMs: lastHeaders,
    totalMs: lastEnd,
    statusCounts,
    throughputRps: lastEnd > 0 ? (o.count / lastEnd) * 1000 : 0,
    deadline: { ms: deadlineMs, hit: abortedInFlight + notSent > 0, abortedInFlight, notSent },
  };
}

/** Opens `n` connections at once: parallel requests make the pool dial a socket each. Each is bounded by twice `timeoutMs` and by the burst deadline. */
async function warm(
  dispatcher: Dispatcher,
  origin: string,
  path: string,
  n: number,
  timeoutMs: number,
  deadline: AbortSignal,
): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, async () => {
      // Not AbortSignal.any([deadline, AbortSignal.timeout(…)]): on Node 20 a timeout signal
      // nothing listens to directly can be garbage-collected before it fires, and the cutover
      // runs with a tiny young generation that collects often.
      const cut = new AbortController();
      const timer = setTimeout(() => cut.abort(new Error(`warm-up took over ${2 * timeoutMs} ms`)), 2 * timeoutMs);
      const onDeadline = (): void => cut.abort(deadline.reason);
      deadline.addEventListener('abort', onDeadline, { once: true });
      try {
        const res = await dispatcher.request({
          origin,
          path,
          method: 'GET',
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal: cut.signal,
        });
        await res.body.dump({ limit: DUMP_LIMIT, signal: cut.signal });
      } catch {
        // A failed warm-up only costs the burst a handshake; the burst itself reports failures.
      } finally {
        clearTimeout(timer);
        deadline.removeEventListener('abort', onDeadline);
      }
    }),
  );
  // undici marks a connection idle a tick after its response was read; start after that.
  await new Promise((r) => setImmediate(r));
}

async function readCapped(body: Dispatcher.ResponseData['body'], max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const b = chunk as Buffer;
    if (size + b.length > max) {
      chunks.push(b.subarray(0, max - size));
      body.destroy();
      break;
    }
    size += b.length;
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}
