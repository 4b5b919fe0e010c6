import type { CacheEntry } from './cache.ts';

/** `cache_params.similarity_threshold` of the sandbox's `redis-semantic` cache. */
export const SIMILARITY_THRESHOLD = 0.8;

interface SemanticSlot {
  readonly vector: Float64Array;
  readonly key: string;
  readonly entry: CacheEntry;
  readonly expiresAt: number;
}

/** A semantic match: the entry, the cache key it was stored under, and the cosine similarity. */
export interface SemanticHit {
  readonly entry: CacheEntry;
  readonly key: string;
  readonly similarity: number;
}

/**
 * The semantic cache's vector index. Entries are scoped by model group only: a request's
 * `cache.namespace` does not isolate them (the real `redis-semantic` index ignores the
 * namespace), so suites that rely on namespaces alone see cross-run hits here too.
 */
export class SemanticCache {
  private readonly byGroup = new Map<string, SemanticSlot[]>();

  constructor(
    private readonly threshold: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The most similar live entry of `group` if its cosine is >= the threshold, else the best
   * similarity seen (0 with an empty index), which LiteLLM reports as a miss.
   */
  lookup(group: string, vector: Float64Array): SemanticHit | { readonly similarity: number } {
    const slots = this.byGroup.get(group);
    if (!slots) return { similarity: 0 };
    const now = this.now();
    let best: SemanticSlot | undefined;
    let bestSim = 0;
    for (let i = slots.length - 1; i >= 0; i--) {
      const s = slots[i] as SemanticSlot;
      if (s.expiresAt <= now) {
        slots.splice(i, 1);
        continue;
      }
      let dot = 0;
      for (let j = 0; j < vector.length; j++) dot += (vector[j] ?? 0) * (s.vector[j] ?? 0);
      if (best === undefined || dot > bestSim) {
        best = s;
        bestSim = dot;
      }
    }
    if (best && bestSim >= this.threshold) return { entry: best.entry, key: best.key, similarity: bestSim };
    return { similarity: Math.max(0, bestSim) };
  }

  /** Adds an entry; vectors must be L2-normalised (the dot product is the cosine). */
  set(group: string, vector: Float64Array, key: string, entry: CacheEntry, ttlSeconds: number): void {
    let slots = this.byGroup.get(group);
    if (!slots) this.byGroup.set(group, (slots = []));
    slots.push({ vector, key, entry, expiresAt: this.now() + ttlSeconds * 1000 });
  }
}
