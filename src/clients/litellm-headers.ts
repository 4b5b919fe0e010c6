/**
 * The `x-litellm-*` and rate-limit response headers, parsed. Absent headers stay undefined:
 * for LiteLLM, absence is meaningful (`x-litellm-cache-key` exists only on cache hits).
 */
export interface LitellmHeaders {
  readonly callId?: string;
  readonly version?: string;
  readonly modelGroup?: string;
  readonly modelId?: string;
  readonly modelApiBase?: string;
  readonly attemptedFallbacks?: number;
  readonly attemptedRetries?: number;
  /** Present only on cache hits (exact or semantic); the value is a cache key, treat it as opaque. */
  readonly cacheKey?: string;
  /** Sent by semantic caches; `0.0` also appears on misses and timeouts, so it is not a hit signal alone. */
  readonly semanticSimilarity?: number;
  /** Not trustworthy on hits: LiteLLM computes it before it knows the response came from cache. */
  readonly responseCost?: number;
  readonly responseDurationMs?: number;
  readonly overheadDurationMs?: number;
  /** The key's own limit: `x-ratelimit-api_key-*`, not the provider's plain `x-ratelimit-*`. */
  readonly keyLimitRequests?: number;
  readonly keyRemainingRequests?: number;
  readonly retryAfterS?: number;
  readonly rateLimitType?: string;
  readonly resetAt?: string;
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Parses LiteLLM's response headers from a lower-cased header map. */
export function parseLitellmHeaders(h: Readonly<Record<string, string>>): LitellmHeaders {
  return {
    callId: h['x-litellm-call-id'],
    version: h['x-litellm-version'],
    modelGroup: h['x-litellm-model-group'],
    modelId: h['x-litellm-model-id'],
    modelApiBase: h['x-litellm-model-api-base'],
    attemptedFallbacks: num(h['x-litellm-attempted-fallbacks']),
    attemptedRetries: num(h['x-litellm-attempted-retries']),
    cacheKey: h['x-litellm-cache-key'] || undefined,
    semanticSimilarity: num(h['x-litellm-semantic-similarity']),
    responseCost: num(h['x-litellm-response-cost']),
    responseDurationMs: num(h['x-litellm-response-duration-ms']),
    overheadDurationMs: num(h['x-litellm-overhead-duration-ms']),
    keyLimitRequests: num(h['x-ratelimit-api_key-limit-requests']),
    keyRemainingRequests: num(h['x-ratelimit-api_key-remaining-requests']),
    retryAfterS: num(h['retry-after']),
    rateLimitType: h['rate_limit_type'],
    resetAt: h['reset_at'],
  };
}
