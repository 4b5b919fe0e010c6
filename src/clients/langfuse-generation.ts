import type { LangfuseObservation } from './langfuse.ts';
import { groupOfModel } from './model-group.ts';

/**
 * The model group a Langfuse generation logged by LiteLLM belongs to: from its `model` (the
 * deployment's provider model string, e.g. `gpt-4o-2024-08-06`) matched against `groups`,
 * else from LiteLLM's raw `metadata.model_group` (v2 logging path). Undefined when neither says.
 */
export function generationGroup(
  o: Pick<LangfuseObservation, 'model' | 'metadata'>,
  groups: readonly string[],
): string | undefined {
  const fromModel = groupOfModel(o.model, groups);
  if (fromModel) return fromModel;
  const g = (o.metadata as { model_group?: unknown } | null | undefined)?.model_group;
  return typeof g === 'string' ? g : undefined;
}

/**
 * The cost Langfuse attributes to a generation, in USD: `calculatedTotalCost`, else
 * `costDetails.total`; null when neither is present. Langfuse reports 0 (not null) for a
 * generation logged without cost whose model it cannot price, so callers test `> 0`.
 */
export function generationCost(o: Pick<LangfuseObservation, 'calculatedTotalCost' | 'costDetails'>): number | null {
  return o.calculatedTotalCost ?? o.costDetails?.total ?? null;
}

/**
 * True for a generation LiteLLM logged for an embedding call. A semantic cache embeds every
 * lookup and every write through the router with the request's metadata, so on LiteLLM 1.103
 * these land in the request's own trace (seen on the real proxy: a hit's trace holds the chat
 * generation and one `openai/text-embedding-3-small` generation, a miss's two), carrying the
 * request's `generation_name` too. They are told apart by the embedding model, LiteLLM's default
 * embedding generation name, or the `semantic-cache-embedding` flag the cache sets.
 */
function isEmbeddingGeneration(o: Pick<LangfuseObservation, 'type' | 'model' | 'name' | 'metadata'>): boolean {
  if (o.type !== 'GENERATION') return false;
  const md = (o.metadata ?? {}) as Record<string, unknown>;
  const requester = (md.requester_metadata ?? {}) as Record<string, unknown>;
  return (
    /embed/i.test(o.model ?? '') ||
    o.name === 'litellm-aembedding' ||
    md['semantic-cache-embedding'] === true ||
    requester['semantic-cache-embedding'] === true
  );
}

/** A generation for a chat completion: what a runbook check's request produced, not a cache's embedding call. */
export function isChatGeneration(o: Pick<LangfuseObservation, 'type' | 'model' | 'name' | 'metadata'>): boolean {
  return o.type === 'GENERATION' && !isEmbeddingGeneration(o);
}
