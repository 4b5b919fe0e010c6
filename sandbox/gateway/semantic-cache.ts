import type { CacheEntry } from './cache.ts';

/** `cache_params.similarity_threshold` of the sandbox's semantic cache. */
export const SIMILARITY_THRESHOLD = 0.8;
/**
 * Fault `semantic-off`'s threshold: only a prompt that embeds to the very same vector (an
 * identical prompt) reaches it; a paraphrase, even one differing only in a nonce, does not.
 */
export const IDENTICAL_ONLY_THRESHOLD = 0.99999;

interface SemanticSlot {
  readonly vector: Float64Array;
  readonly entry: CacheEntry;
  /** Epoch ms; `Infinity` for a point that never expires (Qdrant's). */
  readonly expiresAt: number;
}

/** The nearest entry in a scope and its cosine similarity. */
export interface Nearest {
  readonly entry: CacheEntry;
  readonly similarity: number;
}

/**
 * LiteLLM's `get_str_from_messages` (`litellm_core_utils/prompt_templates/common_utils.py`): the
 * text a semantic cache embeds is every message's content concatenated, system prompt
 * included, with no separator; content parts contribute their `text`.
 */
export function promptText(messages: readonly unknown[]): string {
  let text = '';
  for (const m of messages) {
    const content = (m as { content?: unknown } | null)?.content;
    if (typeof content === 'string') text += content;
    else if (Array.isArray(content))
      for (const part of content)
        text += typeof (part as { text?: unknown })?.text === 'string' ? (part as { text: string }).text : '';
  }
  return text;
}

/**
 * The vector index behind a semantic cache: the Qdrant collection of `qdrant_semantic_cache.py`
 * or the RediSearch index of `redis_semantic_cache.py`. Every point carries the request's scope
 * key (`litellm_cache_key`) and a search is filtered on it, so entries of another key, team,
 * namespace or parameter set are never candidates. The threshold is the cache's business, not
 * the index's: `nearest` returns the best candidate whatever its score.
 */
export class SemanticIndex {
  private readonly byScope = new Map<string, SemanticSlot[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Points currently stored, expired ones not yet swept included. */
  get size(): number {
    let n = 0;
    for (const slots of this.byScope.values()) n += slots.length;
    return n;
  }

  /** The most similar live entry stored under `scopeKey` (`limit: 1` with the key filter), or undefined. */
  nearest(scopeKey: string, vector: Float64Array): Nearest | undefined {
    const slots = this.byScope.get(scopeKey);
    if (!slots) return undefined;
    const now = this.now();
    let best: Nearest | undefined;
    for (let i = slots.length - 1; i >= 0; i--) {
      const s = slots[i] as SemanticSlot;
      if (s.expiresAt <= now) {
        slots.splice(i, 1);
        continue;
      }
      // Vectors are L2-normalised by the embedding model, so the dot product is the cosine.
      let dot = 0;
      for (let j = 0; j < vector.length; j++) dot += (vector[j] ?? 0) * (s.vector[j] ?? 0);
      if (best === undefined || dot > best.similarity) best = { entry: s.entry, similarity: dot };
    }
    if (slots.length === 0) this.byScope.delete(scopeKey);
    return best;
  }

  /** Adds a point; `ttlSeconds` undefined keeps it forever. */
  add(scopeKey: string, vector: Float64Array, entry: CacheEntry, ttlSeconds: number | undefined): void {
    let slots = this.byScope.get(scopeKey);
    if (!slots) {
      slots = [];
      this.byScope.set(scopeKey, slots);
    }
    slots.push({ vector, entry, expiresAt: ttlSeconds === undefined ? Infinity : this.now() + ttlSeconds * 1000 });
  }
}
