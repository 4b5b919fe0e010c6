import { z } from 'zod';
import { UnexpectedResponseError } from './errors.ts';
import { jsonOf, send } from './http.ts';

/**
 * What LiteLLM says about its cache backend. `cache` is LiteLLM's `litellm.cache.type`
 * (`redis`, `redis-semantic`, `local` …) or `null` when no cache is configured; `undefined`
 * when neither route reported the field. It reflects the configured backend, not a PING.
 */
export interface LitellmCacheReport {
  readonly cache: string | null | undefined;
  /** The route the field came from. */
  readonly route: string;
  readonly status: string | undefined;
}

const Readiness = z.object({ status: z.string().optional(), cache: z.string().nullable().optional() }).passthrough();

/**
 * Reads the cache field of the gateway's readiness. Older LiteLLM answers the details on the
 * unauthenticated `/health/readiness`; current LiteLLM answers only `{"status":"healthy"}` there
 * and moved `db`/`cache` to `/health/readiness/details`, which needs a key, so that route is
 * asked (with the admin key) only when the first lacks the field. A non-200 readiness (503: DB
 * configured but not connected) throws `UnexpectedResponseError`.
 */
export async function litellmCacheReport(o: { url: string; adminKey: string; timeoutMs: number }): Promise<LitellmCacheReport> {
  const read = async (path: string, headers: Record<string, string>): Promise<z.infer<typeof Readiness>> => {
    const url = `${o.url}${path}`;
    const res = await send(url, { headers: { accept: 'application/json', ...headers }, timeoutMs: o.timeoutMs });
    const body = Readiness.safeParse(jsonOf(res, 'a readiness body'));
    if (res.status !== 200 || !body.success) throw new UnexpectedResponseError('GET', url, res.status, '200 {"status":"healthy",…}', res.text);
    return body.data;
  };
  const open = await read('/health/readiness', {});
  if ('cache' in open) return { cache: open.cache, route: '/health/readiness', status: open.status };
  const details = await read('/health/readiness/details', { authorization: `Bearer ${o.adminKey}` });
  return { cache: 'cache' in details ? details.cache : undefined, route: '/health/readiness/details', status: details.status ?? open.status };
}
