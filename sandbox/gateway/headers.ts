/** What the `x-litellm-*` headers of one answered chat request are built from. */
export interface ResponseFacts {
  readonly callId: string;
  readonly version: string;
  readonly modelGroup: string;
  readonly modelId: string;
  readonly apiBase: string;
  readonly durationMs: number;
  readonly overheadMs: number;
  readonly cost: number;
  readonly attemptedFallbacks: 0 | 1;
  /** Only on cache hits: LiteLLM sets `cache_key` in hidden params on the hit branch alone. */
  readonly cacheKey?: string;
  /** Only when the semantic cache was consulted; `0.0` on its misses. */
  readonly semanticSimilarity?: number;
}

/** Python's `str(float)` for the similarity, so a miss reads `0.0` as LiteLLM sends it. */
function pyFloat(n: number): string {
  return Number.isInteger(n) ? n.toFixed(1) : String(n);
}

/**
 * The custom headers LiteLLM's `get_custom_headers` puts on every chat response. Values that
 * would be empty are left out, as LiteLLM drops `""`, `None` and `"None"`.
 */
export function litellmHeaders(f: ResponseFacts): Record<string, string> {
  const h: Record<string, string> = {
    'x-litellm-call-id': f.callId,
    'x-litellm-model-id': f.modelId,
    'x-litellm-model-group': f.modelGroup,
    'x-litellm-model-api-base': f.apiBase,
    'x-litellm-version': f.version,
    'x-litellm-response-cost': String(f.cost),
    'x-litellm-response-duration-ms': f.durationMs.toFixed(3),
    'x-litellm-overhead-duration-ms': f.overheadMs.toFixed(3),
    'x-litellm-attempted-retries': '0',
    'x-litellm-attempted-fallbacks': String(f.attemptedFallbacks),
  };
  if (f.cacheKey) h['x-litellm-cache-key'] = f.cacheKey;
  if (f.semanticSimilarity !== undefined) h['x-litellm-semantic-similarity'] = pyFloat(f.semanticSimilarity);
  return h;
}
