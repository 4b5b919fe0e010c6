import type { ResponseCache } from './response-cache.ts';

/**
 * `GET /health/readiness`, the public probe (`proxy/health_endpoints/_health_endpoints.py`
 * `health_readiness`): only `status` and `db`, safe for unauthenticated load balancers. The
 * details moved to the authenticated `/health/readiness/details`; the old public payload comes
 * back only with `general_settings.allow_public_health_readiness_details`, which the sandbox
 * does not set. No database is configured, hence `"Not connected"`.
 */
export function readiness(): Record<string, unknown> {
  return { status: 'healthy', db: 'Not connected' };
}

/** What `/health/readiness/details` reports besides the cache. */
export interface ReadinessFacts {
  readonly version: string;
  readonly successCallbacks: readonly string[];
}

/**
 * `GET /health/readiness/details` (`_get_health_readiness_details`), for an authenticated admin.
 * `cache` is the cache type, `null` with no cache, and for a `redis-semantic` cache (only that
 * class: Qdrant is the plain string) `{type, index_info}` with the index's `FT.INFO`.
 * `show_no_redis_warning` is false only when the response cache is an exact `redis` one: that is
 * the only case in which `proxy_server._init_cache` gives the proxy a Redis for cross-worker
 * state, and with no database the worker census that could silence it is unavailable.
 */
export function readinessDetails(cache: ResponseCache | null, f: ReadinessFacts): Record<string, unknown> {
  return {
    status: 'healthy',
    db: 'Not connected',
    cache:
      cache === null
        ? null
        : cache.type === 'redis-semantic'
          ? { type: cache.type, index_info: cache.indexInfo() }
          : cache.type,
    litellm_version: f.version,
    success_callbacks: f.successCallbacks,
    use_aiohttp_transport: true,
    // `verbose_logger` inherits the root logger's level unless LITELLM_LOG sets one.
    log_level: 'WARNING',
    is_detailed_debug: false,
    show_no_redis_warning: cache?.type !== 'redis',
    // Env-credential (UI_USERNAME/UI_PASSWORD or master key) login is on unless disabled.
    show_env_credential_login_warning: true,
  };
}
