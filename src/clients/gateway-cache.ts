import type { CachePing, GatewayAdmin } from './gateway-admin.ts';
import { errorMessage } from '../evidence/error-text.ts';

const ROUTE = '/cache/ping';

/**
 * The gateway's one response cache, as `GET /cache/ping` reports it. LiteLLM builds exactly one
 * cache from `cache_params.type` (`caching/caching.py` `Cache.__init__`, an if/elif over the
 * types): there is no exact layer in front of a semantic one, so the type decides what any
 * request can get from the cache.
 * - `exact` (`redis`, `local`, `s3`, `disk`, …): only an identical request hits; a paraphrase never does.
 * - `semantic` (`redis-semantic`, `qdrant-semantic`, `valkey-semantic`): every lookup, identical
 *   repeats included, first embeds the prompt, then searches the vector index.
 * - `none`: no cache is configured (`litellm.cache is None`); nothing is served from cache.
 * - `unknown`: the route could not be read, or named no type; `reason` says why.
 *
 * `healthy` is false when LiteLLM answered 503 `Service Unhealthy` but still named the type;
 * `redisPing` is LiteLLM's PING result, reported for the `redis` type only. Plain data, so a
 * check records it as it is (the `gatewayCache` observation).
 */
export type GatewayCache =
  | {
      readonly kind: 'exact' | 'semantic';
      readonly type: string;
      readonly healthy: boolean;
      readonly redisPing: boolean | null;
      readonly detail: string | null;
      readonly route: typeof ROUTE;
    }
  | { readonly kind: 'none'; readonly type: null; readonly detail: string; readonly route: typeof ROUTE }
  | { readonly kind: 'unknown'; readonly type: null; readonly reason: string; readonly route: typeof ROUTE };

/**
 * `cache_type` as LiteLLM's enum value (`redis-semantic`). LiteLLM prints `str(cache.type)`,
 * which under Python 3.11 is `LiteLLMCacheType.REDIS_SEMANTIC` when the cache was built from the
 * enum rather than from the config's string.
 */
function normalType(raw: string): string {
  const member = /^LiteLLMCacheType\.([A-Z_]+)$/.exec(raw.trim());
  return member ? member[1]!.toLowerCase().replace(/_/g, '-') : raw.trim();
}

/** LiteLLM's semantic cache types all end in `-semantic`; every other type matches exactly. */
function kindOf(type: string): 'exact' | 'semantic' {
  return type.endsWith('-semantic') ? 'semantic' : 'exact';
}

function fromPing(ping: CachePing): GatewayCache {
  if (ping.ok) {
    const type = normalType(ping.cacheType);
    const healthy = ping.status === 'healthy';
    return {
      kind: kindOf(type),
      type,
      healthy,
      redisPing: ping.redisPing,
      detail: healthy ? null : `GET ${ROUTE} status ${ping.status}`,
      route: ROUTE,
    };
  }
  const detail = `GET ${ROUTE} answered 503: ${ping.message}`;
  if (/not initiali[sz]ed/i.test(ping.message)) return { kind: 'none', type: null, detail, route: ROUTE };
  const named = typeof ping.params.type === 'string' ? normalType(ping.params.type) : undefined;
  if (!named) return { kind: 'unknown', type: null, reason: `${detail}, naming no cache type`, route: ROUTE };
  return { kind: kindOf(named), type: named, healthy: false, redisPing: null, detail, route: ROUTE };
}

/**
 * Reads the type of the gateway's response cache with the admin key. Never throws: a gateway
 * that cannot be asked (unreachable, 401, a body of the wrong shape, no such route) gives
 * `unknown` with the error's message (method and URL, no secrets), so a check can record why
 * and go on with its own measurements.
 */
export async function readGatewayCache(admin: Pick<GatewayAdmin, 'cachePing'>): Promise<GatewayCache> {
  try {
    return fromPing(await admin.cachePing());
  } catch (err) {
    return { kind: 'unknown', type: null, reason: errorMessage(err), route: ROUTE };
  }
}

/**
 * Why this cache can never serve `request` (an identical `repeat`, or a `paraphrase`), or
 * undefined when it can or when the type is unknown. A reason means no measurement can pass:
 * the configuration must change, a rerun will not help.
 */
export function cacheCannotServe(cache: GatewayCache, request: 'repeat' | 'paraphrase'): string | undefined {
  if (cache.kind === 'none')
    return `the gateway has no response cache (${cache.detail}): nothing can be served from cache; set litellm_settings.cache: true with cache_params`;
  if (cache.kind === 'exact' && request === 'paraphrase') {
    return `the gateway's one response cache is the exact \`${cache.type}\` type: LiteLLM builds one cache from cache_params.type, so a paraphrase can never hit; configure redis-semantic or qdrant-semantic`;
  }
  return undefined;
}
