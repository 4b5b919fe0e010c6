import { createHash } from 'node:crypto';

/**
 * OpenAI chat-completion parameters: what the proxy forwards upstream and what enters LiteLLM's cache key
 * (`model_param_helper.py`). Anything else in the body (our `cache` controls, `metadata`,
 * LiteLLM-only fields) is left out, `metadata` explicitly so by `_get_exclude_kwargs`.
 */
export const OPENAI_CHAT_PARAMS: ReadonlySet<string> = new Set([
  'model',
  'messages',
  'frequency_penalty',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'max_tokens',
  'max_completion_tokens',
  'n',
  'presence_penalty',
  'response_format',
  'seed',
  'stop',
  'stream',
  'stream_options',
  'temperature',
  'top_p',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'user',
  'functions',
  'function_call',
  'reasoning_effort',
  'modalities',
  'audio',
  'prediction',
  'service_tier',
  'store',
  'web_search_options',
]);

/** A cached chat response and what logging a hit on it needs. */
export interface CacheEntry {
  /** The serialized response body, sent as is on a hit (same `id` and `created`). */
  readonly bodyText: string;
  /** The body's `id`, which Langfuse's generation id is derived from. */
  readonly responseId: string;
  readonly deploymentId: string;
  readonly attemptedFallbacks: 0 | 1;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** The provider's `usage` object, logged as `usage_object` on hits too. */
  readonly usage: unknown;
  /** The response's `system_fingerprint`: all a hit logs as model parameters. */
  readonly systemFingerprint: string | undefined;
  /** The cost of the call that filled the entry; the header repeats it on hits. */
  readonly cost: number;
  readonly output: unknown;
  /** Epoch ms of the write, for `s-maxage`. */
  readonly storedAt: number;
}

/** The per-request `cache` object (LiteLLM's `DynamicCacheControl`). */
export interface CacheControls {
  readonly namespace?: string;
  readonly ttl?: number;
  readonly sMaxAge?: number;
  readonly noCache: boolean;
  readonly noStore: boolean;
}

/** Reads the body's `cache` object; unknown or mistyped fields are ignored like LiteLLM does. */
export function cacheControls(raw: unknown): CacheControls {
  const c = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  return {
    namespace: typeof c.namespace === 'string' && c.namespace !== '' ? c.namespace : undefined,
    ttl: num(c.ttl),
    sMaxAge: num(c['s-maxage'] ?? c['s-max-age']),
    noCache: c['no-cache'] === true,
    noStore: c['no-store'] === true,
  };
}

/**
 * What a semantic cache adds to the key: LiteLLM's `_get_semantic_cache_tenant_scope`, the
 * `"user_api_key: <hash>"`, `"user_api_key_team_id: <id>"` and `"user_api_key_org_id: <id>"`
 * pairs the proxy put in the request metadata (absent ones left out).
 */
export interface TenantScope {
  /** The caller's logged key: the hashed virtual key, or `litellm_proxy_master_key` for the master key. */
  readonly apiKey: string;
  readonly teamId?: string;
  readonly orgId?: string;
}

/** The prompt-carrying parameters a semantic key leaves out (`_SEMANTIC_CACHE_SCOPE_EXCLUDED_PARAMS`). */
const SEMANTIC_EXCLUDED = new Set(['messages', 'prompt', 'input']);

/**
 * LiteLLM's `Cache.get_cache_key` (`caching/caching.py`): sha256 over `param: value` pairs of the
 * OpenAI parameters present, with `model` replaced by the model-group name; then
 * `<namespace>:` in front when the request names one. Values are JSON-encoded and sorted here
 * where Python uses `str()` in request order, which changes the digest but not which requests
 * collide.
 *
 * With `semantic` (a `redis-semantic`/`qdrant-semantic` cache) this is 1.103.10's *scope key*:
 * the prompt (`messages`) is left out so paraphrases share a bucket, and the tenant is appended
 * so another key, team or org never shares it. Everything else still counts: a different
 * `max_tokens`, `temperature` or `user`, or another `cache.namespace`, is another bucket.
 */
export function cacheKey(
  body: Readonly<Record<string, unknown>>,
  modelGroup: string,
  namespace: string | undefined,
  semantic?: TenantScope,
): string {
  const parts: string[] = [];
  for (const param of Object.keys(body).sort()) {
    if (!OPENAI_CHAT_PARAMS.has(param) || body[param] === undefined) continue;
    if (semantic && SEMANTIC_EXCLUDED.has(param)) continue;
    parts.push(`${param}: ${param === 'model' ? modelGroup : JSON.stringify(body[param])}`);
  }
  if (semantic) {
    parts.push(`user_api_key: ${semantic.apiKey}`);
    if (semantic.teamId !== undefined) parts.push(`user_api_key_team_id: ${semantic.teamId}`);
    if (semantic.orgId !== undefined) parts.push(`user_api_key_org_id: ${semantic.orgId}`);
  }
  const digest = createHash('sha256').update(parts.join('')).digest('hex');
  return namespace ? `${namespace}:${digest}` : digest;
}

/**
 * The exact-match store behind cache type `redis` (LiteLLM's `RedisCache`, kept in memory).
 * Entries expire after their TTL; expired entries are dropped when read, and swept on writes so
 * a long watch session does not grow without bound.
 */
export class ExactCache {
  private readonly entries = new Map<string, { entry: CacheEntry; expiresAt: number }>();
  private writesSinceSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** The live entry under `key`, or undefined; `sMaxAge` rejects entries older than that many seconds. */
  get(key: string, sMaxAge?: number): CacheEntry | undefined {
    const slot = this.entries.get(key);
    if (!slot) return undefined;
    const now = this.now();
    if (slot.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    if (sMaxAge !== undefined && now - slot.entry.storedAt > sMaxAge * 1000) return undefined;
    return slot.entry;
  }

  /** Stores `entry` for `ttlSeconds`. */
  set(key: string, entry: CacheEntry, ttlSeconds: number): void {
    this.entries.set(key, { entry, expiresAt: this.now() + ttlSeconds * 1000 });
    if (++this.writesSinceSweep >= 1000) {
      this.writesSinceSweep = 0;
      const now = this.now();
      for (const [k, slot] of this.entries) if (slot.expiresAt <= now) this.entries.delete(k);
    }
  }
}
