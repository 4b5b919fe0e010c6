import { ProxyError } from './errors.ts';
import { pyDumps } from './python-json.ts';
import type { ResponseCache } from './response-cache.ts';

/**
 * `_extract_cache_params()` for the exact cache: `HealthCheckCacheParams` over `vars(RedisCache)`,
 * masked. `RedisCache` keeps its host and port only inside `redis_kwargs`, so the top-level
 * `host` and `port` are the masker's `"None"` (observed on the real 1.103.10). The sandbox has no
 * Redis; these name the one the runbook's stack would have.
 */
const REDIS_HEALTH_CHECK_PARAMS = {
  host: 'None',
  port: 'None',
  redis_kwargs: { host: '127.0.0.1', port: 6379, socket_timeout: 5 },
  namespace: 'None',
  redis_version: '7.0.15',
};

/**
 * `GET /cache/ping` (`proxy/caching_routes.py` `cache_ping`), the admin's check that the cache
 * is configured and reachable; the caller has passed auth already. Answered through
 * `CachePingResponse`, so the fields a branch does not set are `null`, and
 * `litellm_cache_params` is a JSON *string* (`safe_dumps`). Only type `redis` is pinged (and
 * written one test entry, `model="test-model"`, which no chat request can ever read, so the
 * sandbox leaves it out); other types report their type alone. No cache at all is a 503
 * `ProxyException` whose message is itself a JSON document.
 */
export function cachePing(cache: ResponseCache | null): Record<string, unknown> {
  if (!cache) {
    const message = pyDumps({
      message: 'Cache not initialized. litellm.cache is None',
      litellm_cache_params: '{}',
      health_check_cache_params: '{}',
    });
    throw new ProxyError(503, message, 'cache_ping_error', {}, 'ProxyException', 'cache_ping');
  }
  const litellmCacheParams = pyDumps(cache.params());
  if (cache.type === 'redis') {
    return {
      status: 'healthy',
      cache_type: 'redis',
      ping_response: true,
      set_cache_response: 'success',
      litellm_cache_params: litellmCacheParams,
      health_check_cache_params: REDIS_HEALTH_CHECK_PARAMS,
    };
  }
  return {
    status: 'healthy',
    cache_type: cache.type,
    ping_response: null,
    set_cache_response: null,
    litellm_cache_params: litellmCacheParams,
    health_check_cache_params: null,
  };
}
