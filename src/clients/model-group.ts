/**
 * Which of `groups` a provider model string names, e.g. Langfuse's generation `model`
 * `openai/gpt-4o-2024-08-06` → `gpt-4o`. The provider prefix is dropped; a group matches when
 * the name equals it or continues it after a `-` (a dated or tagged version). The longest
 * matching group wins, because `gpt-4o-mini-2024-07-18` also starts with `gpt-4o-`. Returns
 * undefined for an empty model or when no group matches (a deployment named unlike its group).
 */
export function groupOfModel(model: string | null | undefined, groups: readonly string[]): string | undefined {
  if (!model) return undefined;
  const name = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  return [...groups]
    .sort((a, b) => b.length - a.length)
    .find((g) => {
      const group = g.slice(g.lastIndexOf('/') + 1).toLowerCase();
      return name === group || name.startsWith(`${group}-`);
    });
}

/**
 * The model group that served a chat request, from LiteLLM's response headers:
 * `x-litellm-model-group` when sent (after a fallback it names the fallback group), else the
 * group of `x-litellm-model-id` as `/v1/model/info` resolves it (`lookup`), else, when only
 * `x-litellm-attempted-fallbacks` ≥ 1 is there, `fallbackGroup` (the one group the request's
 * group falls back to). Undefined when the headers do not say.
 */
export async function servedGroup(
  h: { readonly modelGroup?: string; readonly modelId?: string; readonly attemptedFallbacks?: number },
  o: {
    readonly requested: string;
    readonly fallbackGroup: string;
    readonly lookup: (modelId: string) => Promise<string | undefined>;
  },
): Promise<string | undefined> {
  if (h.modelGroup) return h.modelGroup;
  if (h.modelId) {
    const g = await o.lookup(h.modelId);
    if (g) return g;
  }
  if (h.attemptedFallbacks !== undefined) return h.attemptedFallbacks > 0 ? o.fallbackGroup : o.requested;
  return undefined;
}
