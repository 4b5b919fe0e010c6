import type { LangfuseObservation } from './langfuse.ts';
import { groupOfModel } from './model-group.ts';

/**
 * The model group a Langfuse generation logged by LiteLLM belongs to: from its `model` (the
 * deployment's provider model string, e.g. `gpt-4o-2024-08-06`) matched against `groups`,
 * else from LiteLLM's raw `metadata.model_group` (v2 logging path). Undefined when neither says.
 */
export function generationGroup(o: Pick<LangfuseObservation, 'model' | 'metadata'>, groups: readonly string[]): string | undefined {
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
