import { pyFloat } from './python-repr.ts';

/** What the `x-litellm-*` headers of one answered chat request are built from. */
export interface ResponseFacts {
  readonly callId: string;
  readonly version: string;
  readonly modelGroup: string;
  readonly modelId: string;
  /** The deployment's `litellm_params.model` (`openai/gpt-4o-mini`), on misses and hits alike. */
  readonly modelName: string;
  readonly apiBase: string;
  readonly durationMs: number;
  readonly overheadMs: number;
  /** The call's cost; a hit repeats the price of the call that filled the entry. */
  readonly cost: number;
  readonly inputCost: number;
  readonly outputCost: number;
  readonly attemptedFallbacks: 0 | 1;
  /** Only on cache hits: LiteLLM sets `cache_key` in hidden params on the hit branch alone. */
  readonly cacheKey?: string;
  /** Only when a semantic cache was consulted (`metadata["semantic-similarity"]`); `0.0` on its misses. */
  readonly semanticSimilarity?: number;
  /** The provider's response headers, sent back as `llm_provider-<name>` (misses only: a hit made no call). */
  readonly providerHeaders?: Readonly<Record<string, string>>;
}

/**
 * The custom headers LiteLLM's `get_custom_headers` (`proxy/proxy_server.py`) puts on every chat
 * response, values written as Python's `str()` writes them (`7.8e-06`, `0.0`). Values that
 * would be empty are left out, as LiteLLM drops `""`, `None` and `"None"`. No discounts or
 * margins are configured, so those cost parts are `0.0`; the key's spend is not persisted
 * (no database), so it is this call's cost.
 */
export function litellmHeaders(f: ResponseFacts): Record<string, string> {
  const h: Record<string, string> = {};
  for (const [name, value] of Object.entries(f.providerHeaders ?? {})) h[`llm_provider-${name}`] = value;
  Object.assign(h, {
    'x-litellm-call-id': f.callId,
    'x-litellm-model-id': f.modelId,
    'x-litellm-model-name': f.modelName,
    'x-litellm-model-api-base': f.apiBase,
    'x-litellm-version': f.version,
    'x-litellm-response-cost': pyFloat(f.cost),
    'x-litellm-response-cost-original': pyFloat(f.cost),
    'x-litellm-response-cost-discount-amount': '0.0',
    'x-litellm-response-cost-margin-amount': '0.0',
    'x-litellm-response-cost-margin-percent': '0.0',
    'x-litellm-response-cost-input': pyFloat(f.inputCost),
    'x-litellm-response-cost-output': pyFloat(f.outputCost),
    'x-litellm-response-cost-tool-usage': '0.0',
    'x-litellm-key-spend': pyFloat(f.cost),
    'x-litellm-response-duration-ms': pyFloat(f.durationMs),
    'x-litellm-overhead-duration-ms': pyFloat(f.overheadMs),
    'x-litellm-callback-duration-ms': '0.0',
    'x-litellm-model-group': f.modelGroup,
    'x-litellm-attempted-retries': '0',
    'x-litellm-attempted-fallbacks': String(f.attemptedFallbacks),
  });
  if (f.cacheKey) h['x-litellm-cache-key'] = f.cacheKey;
  if (f.semanticSimilarity !== undefined) h['x-litellm-semantic-similarity'] = pyFloat(f.semanticSimilarity);
  return h;
}
