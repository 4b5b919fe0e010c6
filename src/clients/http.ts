import { Pool, type Dispatcher } from 'undici';
import { EndpointUnreachableError, UnexpectedResponseError } from './errors.ts';
import { logRequest } from './request-log.ts';

/** How long one HTTP exchange took, from `performance.now()` before the request was written. */
export interface Timing {
  /** Until status and headers arrived (time to first byte, near enough). */
  readonly headersMs: number;
  /** Until the last body byte arrived. */
  readonly totalMs: number;
}

/** A raw response: status, lower-cased headers, the body as text, and timing. */
export interface RawResponse {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  readonly timing: Timing;
}

export interface HttpOptions {
  method?: Dispatcher.HttpMethod;
  headers?: Record<string, string>;
  body?: string;
  /**
   * Budget for headers, and again for the body's silences; the whole exchange is also cut at
   * twice this, so a server trickling a byte at a time cannot hold the call open.
   */
  timeoutMs: number;
  /**
   * The read stops past this many body bytes and the call throws `BodyTooLargeError` (a hostile
   * server may stream forever). Default `DEFAULT_MAX_BODY_BYTES`; a caller that expects more
   * (a large trace, Prometheus metrics) names its own cap.
   */
  maxBodyBytes?: number;
}

/** The body cap of a `send` that names none: 4 MiB, far above any JSON answer the suite reads. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * The body was longer than the call's cap (`maxBodyBytes`), declared so in `content-length` or
 * found so while reading; the read stopped there and the connection was dropped. `limit` is the
 * cap, `received` the bytes read before stopping (0 when `content-length` alone refused it).
 * Retrying cannot help: the same resource will be just as large.
 */
export class BodyTooLargeError extends UnexpectedResponseError {
  readonly limit: number;
  readonly received: number;
  constructor(
    method: string,
    url: string,
    status: number,
    limit: number,
    received: number,
    declared: number | undefined,
    head: string,
  ) {
    const why =
      declared !== undefined
        ? `content-length ${declared} was refused unread`
        : `the read stopped after ${received} bytes`;
    super(method, url, status, `a body under ${limit} bytes (the ${bytesText(limit)} cap of this read; ${why})`, head);
    this.limit = limit;
    this.received = received;
  }
}

/** `4 MiB`, `512 KiB`, `300 B`: a byte count as an engineer reads it in a message. */
export function bytesText(n: number): string {
  if (n >= 1024 * 1024) return `${Number((n / (1024 * 1024)).toFixed(1))} MiB`;
  if (n >= 1024) return `${Number((n / 1024).toFixed(1))} KiB`;
  return `${n} B`;
}

/** Only the start of a body is kept for an error's excerpt, never the megabytes behind it. */
const EXCERPT_BYTES = 4096;

const pools = new Map<string, Pool>();

/**
 * A keep-alive pool per origin, shared by every client in the process, so that repeated calls
 * (the three cache requests, the quota burst) reuse warm connections and time only the exchange.
 */
function poolFor(origin: string): Pool {
  let pool = pools.get(origin);
  if (!pool) {
    pool = new Pool(origin, { connections: 256, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000 });
    pools.set(origin, pool);
  }
  return pool;
}

/** Closes every pool; call at the end of a process that used `send`. */
export async function closePools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.close().catch(() => undefined)));
}

/**
 * Sends one request over the origin's pool and reads the whole body, up to `maxBodyBytes`.
 * Transport failures become `EndpointUnreachableError`; a body over the cap `BodyTooLargeError`
 * (refused from `content-length` before reading when the server declares it); a body cut short
 * or not complete within twice `timeoutMs` `UnexpectedResponseError`. Any status is returned as
 * is: deciding what a 429 or 500 means is the caller's job.
 */
export async function send(url: string, o: HttpOptions): Promise<RawResponse> {
  const method = o.method ?? 'GET';
  const u = new URL(url);
  const limit = o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new RangeError(`maxBodyBytes must be a whole number of bytes ≥ 1, got ${limit}`);
  // headersTimeout and bodyTimeout only bound silences; this bounds the whole exchange.
  const wholeBudgetMs = o.timeoutMs * 2;
  const signal = AbortSignal.timeout(wholeBudgetMs);
  const started = performance.now();
  let status: number | null = null;
  try {
    const res = await exchange(url, u, method, o, limit, signal, started);
    status = res.status;
    return res;
  } finally {
    logRequest({ method, path: u.pathname, status, startMs: started, endMs: performance.now() });
  }
}

/** `send` without the logging: one exchange over the origin's pool, the body read up to `limit`. */
async function exchange(
  url: string,
  u: URL,
  method: string,
  o: HttpOptions,
  limit: number,
  signal: AbortSignal,
  started: number,
): Promise<RawResponse> {
  const wholeBudgetMs = o.timeoutMs * 2;
  let res: Dispatcher.ResponseData;
  try {
    res = await poolFor(u.origin).request({
      path: `${u.pathname}${u.search}`,
      method,
      headers: o.headers,
      body: o.body,
      headersTimeout: o.timeoutMs,
      bodyTimeout: o.timeoutMs,
      signal,
    });
  } catch (err) {
    throw new EndpointUnreachableError(method, url, timeoutCause(err, o.timeoutMs, signal.aborted) ?? err);
  }
  const headersMs = performance.now() - started;
  const declared = Number(res.headers['content-length']);
  if (Number.isSafeInteger(declared) && declared > limit) {
    res.body.destroy();
    throw new BodyTooLargeError(method, url, res.statusCode, limit, 0, declared, '');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      const b = chunk as Buffer;
      if (size + b.length > limit) {
        res.body.destroy();
        throw new BodyTooLargeError(
          method,
          url,
          res.statusCode,
          limit,
          size + b.length,
          undefined,
          headOf([...chunks, b]),
        );
      }
      size += b.length;
      chunks.push(b);
    }
  } catch (err) {
    if (err instanceof UnexpectedResponseError) throw err;
    const expected = signal.aborted
      ? `a complete body within ${wholeBudgetMs} ms (2 × the ${o.timeoutMs} ms timeout; ${size} bytes had arrived: the server stalls or trickles its answer)`
      : (err as { code?: string }).code === 'UND_ERR_BODY_TIMEOUT'
        ? `a complete body (no byte for ${o.timeoutMs} ms after ${size} bytes; ${TIMEOUT_SOURCE})`
        : 'a complete body (the response was cut short)';
    throw new UnexpectedResponseError(method, url, res.statusCode, expected, headOf(chunks));
  }
  const totalMs = performance.now() - started;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers))
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return {
    method,
    url,
    status: res.statusCode,
    headers,
    text: Buffer.concat(chunks).toString('utf8'),
    timing: { headersMs, totalMs },
  };
}

/** Where a call's budget comes from, so a timeout message names the variable to raise. */
const TIMEOUT_SOURCE = "the call's timeout: HTTP_TIMEOUT_MS unless the check sets its own";

/**
 * A timeout said as the budget that ran out, instead of undici's bare code: an engineer reading
 * `UND_ERR_HEADERS_TIMEOUT` cannot tell which setting to change or whether the server is down.
 */
function timeoutCause(
  err: unknown,
  timeoutMs: number,
  wholeBudgetSpent: boolean,
): { code: string; message: string } | undefined {
  const code = (err as { code?: string } | undefined)?.code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT')
    return { code, message: `no response headers within ${timeoutMs} ms (${TIMEOUT_SOURCE})` };
  if (wholeBudgetSpent)
    return { code: 'TimeoutError', message: `no answer within ${timeoutMs * 2} ms (2 × ${TIMEOUT_SOURCE})` };
  return undefined;
}

function headOf(chunks: readonly Buffer[]): string {
  const out: Buffer[] = [];
  let n = 0;
  for (const c of chunks) {
    if (n >= EXCERPT_BYTES) break;
    out.push(c.subarray(0, EXCERPT_BYTES - n));
    n += out.at(-1)!.length;
  }
  return Buffer.concat(out).toString('utf8');
}

/** Parses a response body as JSON, or throws `UnexpectedResponseError` naming what was expected. */
export function jsonOf(res: RawResponse, expected: string): unknown {
  try {
    return JSON.parse(res.text) as unknown;
  } catch {
    throw new UnexpectedResponseError(res.method, res.url, res.status, `${expected} as JSON`, res.text);
  }
}
