import type { Faults } from '../faults.ts';
import { type CacheControls, type CacheEntry, ExactCache, type TenantScope, cacheKey } from './cache.ts';
import { IDENTICAL_ONLY_THRESHOLD, SIMILARITY_THRESHOLD, SemanticIndex, promptText } from './semantic-cache.ts';

/** The `cache_params.type` values the sandbox gateway can run (`LiteLLMCacheType` in `types/caching.py`). */
const CACHE_TYPES = ['redis', 'redis-semantic', 'qdrant-semantic'] as const;
export type CacheType = (typeof CACHE_TYPES)[number];

/**
 * The healthy sandbox's cache type. The runbook's stack has a Redis and no Qdrant, and its §4.1
 * (identical repeat < 100 ms) and §4.2 (paraphrase hit) can only both hold with one semantic
 * cache whose embeddings are fast.
 */
const DEFAULT_CACHE_TYPE: CacheType = 'redis-semantic';

/** `cache_params.ttl` of the sandbox; a request's `cache.ttl` overrides it. */
const CACHE_TTL_SECONDS = 600;

/**
 * Reads a cache type as `SANDBOX_CACHE_TYPE` or `startSandbox({ cacheType })` gives it; empty or
 * absent is undefined (the default). An unknown name throws, because a mistyped type would
 * silently rehearse the default cache.
 */
export function parseCacheType(value: string | undefined): CacheType | undefined {
  const v = value?.trim() ?? '';
  if (v === '') return undefined;
  if (!(CACHE_TYPES as readonly string[]).includes(v))
    throw new Error(`unknown sandbox cache type: ${v}; one of ${CACHE_TYPES.join(', ')}`);
  return v as CacheType;
}

/**
 * The cache the proxy runs with: none under fault `cache-off` (`cache: false`, so `litellm.cache`
 * is `None`), an exact `redis` cache under `cache-exact-only`, else the configured type.
 */
export function effectiveCacheType(faults: Faults, configured: CacheType | undefined): CacheType | null {
  if (faults.has('cache-off')) return null;
  if (faults.has('cache-exact-only')) return 'redis';
  return configured ?? DEFAULT_CACHE_TYPE;
}

/** What a cache lookup or write needs to know about one chat request. */
export interface CacheRequest {
  /** The request body: the OpenAI parameters that make up the key, `cache` controls aside. */
  readonly body: Readonly<Record<string, unknown>>;
  readonly messages: readonly unknown[];
  readonly modelGroup: string;
  readonly controls: CacheControls;
  /** Who asked: part of a semantic cache's scope key only. */
  readonly tenant: TenantScope;
  /**
   * Told of every embedding the cache made for this request (the lookup's, and the write's after
   * a miss). Each is a billed router call of its own that LiteLLM's callbacks log, into the
   * request's trace since the cache forwards the request's metadata (`caching/_embedding_router.py`).
   */
  readonly onEmbedding?: (call: EmbeddingCall) => void;
}

/** A prompt's embedding as the provider returned it. */
interface Embedding {
  readonly vector: Float64Array;
  /** `usage.prompt_tokens` of the embedding call. */
  readonly promptTokens: number;
  /** The provider's response headers. */
  readonly headers: Readonly<Record<string, string>>;
}

/** One embedding call the cache made, for logging. */
export interface EmbeddingCall {
  readonly startTime: Date;
  readonly endTime: Date;
  readonly promptTokens: number;
  readonly headers: Readonly<Record<string, string>>;
}

/** A lookup's outcome. */
export interface CacheLookup {
  /** The cache key: `x-litellm-cache-key` on a hit (a semantic cache's scope key). */
  readonly key: string;
  /** The cached response on a hit. */
  readonly entry?: CacheEntry;
  /**
   * `metadata["semantic-similarity"]`, which becomes `x-litellm-semantic-similarity` (and only
   * that: 1.103.10's Langfuse logger does not log it): set by semantic lookups only, `0` when
   * nothing was found.
   */
  readonly similarity?: number;
}

/** Embeds a prompt through the provider (the router's `aembedding`), or throws. */
export type Embed = (text: string) => Promise<Embedding>;

/** The stable `CacheMode` enum member as `SensitiveDataMasker.mask_dict` renders it (it walks the member's `__dict__`). */
const MASKED_DEFAULT_ON = {
  _value_: 'default_on',
  _name_: 'default_on',
  __objclass__: "<enum 'CacheMode'>",
  _sort_order_: 0,
};
/** `DEFAULT_CACHING_SUPPORTED_CALL_TYPES` (`types/caching.py`). */
const SUPPORTED_CALL_TYPES = [
  'completion',
  'acompletion',
  'embedding',
  'aembedding',
  'atranscription',
  'transcription',
  'atext_completion',
  'text_completion',
  'arerank',
  'rerank',
  'responses',
  'aresponses',
  'anthropic_messages',
  'aanthropic_messages',
];

/**
 * The proxy's one response cache, LiteLLM's `Cache` (`caching/caching.py`): `Cache.__init__`
 * builds exactly one backend from `cache_params.type`, so there is no exact layer in front of a
 * semantic one.
 *
 * - `redis`: exact match on `cacheKey`; a paraphrase can never hit.
 * - `redis-semantic` / `qdrant-semantic`: every lookup, an identical repeat included, first
 *   embeds the prompt through the provider (a real, billed round trip), then searches the
 *   vector index filtered on the request's scope key; an identical repeat is a hit with
 *   similarity ~1. A write embeds the prompt again (`async_set_cache`).
 *
 * The two semantic types differ where their backends do: a `redis-semantic` search returns
 * nothing below the threshold (redisvl's `distance_threshold`), so a miss always reports
 * similarity 0 and an embedding failure is a miss with 0; a Qdrant search returns the best
 * point whatever its score, so a miss reports that score, and an embedding failure escapes
 * the backend and leaves no similarity at all. Qdrant points carry no TTL and never expire.
 */
export class ResponseCache {
  /** `cache_params.similarity_threshold`; meaningful for the semantic types only. */
  readonly threshold: number;
  private readonly exact: ExactCache;
  private readonly index: SemanticIndex;
  private readonly embed: Embed;

  constructor(
    readonly type: CacheType,
    o: { readonly faults: Faults; readonly embed: Embed; readonly now?: () => number },
  ) {
    this.threshold = o.faults.has('semantic-too-loose')
      ? 0
      : o.faults.has('semantic-off')
        ? IDENTICAL_ONLY_THRESHOLD
        : SIMILARITY_THRESHOLD;
    this.exact = new ExactCache(o.now);
    this.index = new SemanticIndex(o.now);
    this.embed = o.embed;
  }

  get semantic(): boolean {
    return this.type !== 'redis';
  }

  /** `Cache.get_cache_key`: the exact key, or for a semantic type the scope key. */
  key(r: CacheRequest): string {
    return cacheKey(r.body, r.modelGroup, r.controls.namespace, this.semantic ? r.tenant : undefined);
  }

  /** `Cache.async_get_cache`: the entry to serve, if any, and what the lookup reports. */
  async lookup(r: CacheRequest): Promise<CacheLookup> {
    const key = this.key(r);
    if (!this.semantic) return { key, entry: this.exact.get(key, r.controls.sMaxAge) };
    let vector: Float64Array;
    try {
      vector = await this.embedFor(r, promptText(r.messages));
    } catch {
      return this.type === 'redis-semantic' ? { key, similarity: 0 } : { key };
    }
    const near = this.index.nearest(key, vector);
    if (!near) return { key, similarity: 0 };
    if (near.similarity < this.threshold)
      return { key, similarity: this.type === 'redis-semantic' ? 0 : near.similarity };
    // `Cache._get_cache_logic`: an entry older than the request's `s-maxage` is a miss; the
    // backend has already reported the similarity by then.
    const sMaxAge = r.controls.sMaxAge;
    if (sMaxAge !== undefined && Date.now() - near.entry.storedAt > sMaxAge * 1000)
      return { key, similarity: near.similarity };
    return { key, entry: near.entry, similarity: near.similarity };
  }

  /**
   * `Cache.async_add_cache` under `key` (the lookup's): an exact set, or a fresh embedding of the
   * prompt and a new point. A failed embedding loses the write, as LiteLLM only logs it.
   */
  async store(r: CacheRequest, key: string, entry: CacheEntry): Promise<void> {
    const ttl = r.controls.ttl ?? CACHE_TTL_SECONDS;
    if (!this.semantic) {
      this.exact.set(key, entry, ttl);
      return;
    }
    const vector = await this.embedFor(r, promptText(r.messages)).catch(() => undefined);
    if (vector) this.index.add(key, vector, entry, this.type === 'qdrant-semantic' ? undefined : ttl);
  }

  /** One embedding call on behalf of `r`, reported to it when it succeeded. */
  private async embedFor(r: CacheRequest, text: string): Promise<Float64Array> {
    const startTime = new Date();
    const e = await this.embed(text);
    r.onEmbedding?.({ startTime, endTime: new Date(), promptTokens: e.promptTokens, headers: e.headers });
    return e.vector;
  }

  /**
   * `vars(litellm.cache)` after `SensitiveDataMasker.mask_dict`, as `/cache/ping` reports it:
   * `None` values become the string `"None"` and the default `mode` enum member becomes a dict
   * of its `__dict__` (both what the masker does to non-JSON values).
   */
  params(): Record<string, unknown> {
    return {
      supported_call_types: SUPPORTED_CALL_TYPES,
      type: this.type,
      namespace: 'None',
      redis_flush_size: 'None',
      ttl: CACHE_TTL_SECONDS,
      mode: MASKED_DEFAULT_ON,
      semantic_cache_scope: 'key',
    };
  }

  /**
   * `RedisSemanticCache._index_info()`: redisvl's `FT.INFO` of the index, as
   * `/health/readiness/details` shows it (a representative subset of its fields).
   */
  indexInfo(): Record<string, unknown> {
    const name = 'litellm_semantic_cache_index';
    return {
      index_name: name,
      index_options: [],
      index_definition: ['key_type', 'HASH', 'prefixes', [name], 'default_score', '1'],
      attributes: [
        ['identifier', 'prompt', 'attribute', 'prompt', 'type', 'TEXT', 'WEIGHT', '1'],
        ['identifier', 'response', 'attribute', 'response', 'type', 'TEXT', 'WEIGHT', '1'],
        ['identifier', 'inserted_at', 'attribute', 'inserted_at', 'type', 'NUMERIC'],
        ['identifier', 'updated_at', 'attribute', 'updated_at', 'type', 'NUMERIC'],
        [
          'identifier',
          'prompt_vector',
          'attribute',
          'prompt_vector',
          'type',
          'VECTOR',
          'algorithm',
          'FLAT',
          'data_type',
          'FLOAT32',
          'dim',
          1536,
          'distance_metric',
          'COSINE',
        ],
        ['identifier', 'litellm_cache_key', 'attribute', 'litellm_cache_key', 'type', 'TAG', 'SEPARATOR', ','],
      ],
      num_docs: String(this.index.size),
      hash_indexing_failures: '0',
      indexing: '0',
      percent_indexed: '1',
    };
  }
}
