import { Pool, type Dispatcher } from 'undici';
import { EndpointUnreachableError, UnexpectedResponseError } from './errors.ts';

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
  /** Budget for headers, and again for the body; the call fails after it rather than hang. */
  timeoutMs: number;
  /** Bodies above this are refused (a hostile server may stream forever). Default 4 MiB. */
  maxBodyBytes?: number;
}

const pools = new Map<string, Pool>();

/**
 * A keep-alive pool per origin, shared by every client in the process, so that repeated calls
 * (the three cache requests, the quota burst) reuse warm connections and time only the exchange.
 */
export function poolFor(origin: string): Pool {
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
 * Sends one request over the origin's pool and reads the whole body. Transport failures become
 * `EndpointUnreachableError`; an oversized or cut-short body becomes `UnexpectedResponseError`.
 * Any status is returned as is: deciding what a 429 or 500 means is the caller's job.
 */
export async function send(url: string, o: HttpOptions): Promise<RawResponse> {
  const method = o.method ?? 'GET';
  const u = new URL(url);
  const limit = o.maxBodyBytes ?? 4 * 1024 * 1024;
  const started = performance.now();
  let res: Dispatcher.ResponseData;
  try {
    res = await poolFor(u.origin).request({
      path: `${u.pathname}${u.search}`,
      method,
      headers: o.headers,
      body: o.body,
      headersTimeout: o.timeoutMs,
      bodyTimeout: o.timeoutMs,
      signal: AbortSignal.timeout(o.timeoutMs * 2),
    });
  } catch (err) {
    throw new EndpointUnreachableError(method, url, err);
  }
  const headersMs = performance.now() - started;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > limit) {
        res.body.destroy();
        throw new UnexpectedResponseError(method, url, res.statusCode, `a body under ${limit} bytes`, Buffer.concat(chunks).toString('utf8'));
      }
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof UnexpectedResponseError) throw err;
    throw new UnexpectedResponseError(method, url, res.statusCode, 'a complete body (the response was cut short)', Buffer.concat(chunks).toString('utf8'));
  }
  const totalMs = performance.now() - started;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return { method, url, status: res.statusCode, headers, text: Buffer.concat(chunks).toString('utf8'), timing: { headersMs, totalMs } };
}

/** Parses a response body as JSON, or throws `UnexpectedResponseError` naming what was expected. */
export function jsonOf(res: RawResponse, expected: string): unknown {
  try {
    return JSON.parse(res.text) as unknown;
  } catch {
    throw new UnexpectedResponseError(res.method, res.url, res.status, `${expected} as JSON`, res.text);
  }
}
