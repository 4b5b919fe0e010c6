/** One response as far as spend is concerned: whether the cache served it, and its `usage`. */
export interface SpendSample {
  /** Served from cache: its `usage` repeats the call that filled the cache and was not billed again. */
  readonly cached: boolean;
  readonly usage?: { readonly prompt_tokens: number; readonly completion_tokens: number } | undefined;
}

/** What a section sent and what the provider billed, from the responses' `usage`. */
export interface Spend {
  readonly requests: number;
  /** Responses that were not cache hits, i.e. that reached the model provider. */
  readonly providerCalls: number;
  /** Tokens of the provider calls: what the run was billed for. */
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Tokens of answers served from cache, which cost nothing. */
  readonly cachedTokens: number;
}

/**
 * Adds up the tokens of a section's responses. Hits count as requests but not as billed tokens.
 * Responses without `usage` (errors) count as requests only, so the sum is a lower bound; a
 * semantic cache's embedding calls are not visible in `usage` and are not included.
 */
export function tallySpend(samples: readonly SpendSample[]): Spend {
  let providerCalls = 0;
  let promptTokens = 0;
  let completionTokens = 0;
  let cachedTokens = 0;
  for (const s of samples) {
    const tokens = (s.usage?.prompt_tokens ?? 0) + (s.usage?.completion_tokens ?? 0);
    if (s.cached) cachedTokens += tokens;
    else {
      providerCalls += 1;
      promptTokens += s.usage?.prompt_tokens ?? 0;
      completionTokens += s.usage?.completion_tokens ?? 0;
    }
  }
  return { requests: samples.length, providerCalls, promptTokens, completionTokens, cachedTokens };
}
