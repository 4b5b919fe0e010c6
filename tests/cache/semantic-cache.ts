// Runbook §4.2 — Semantic cache.
// "Issue semantically similar prompts: 'What is the return policy?' / 'How do I get a refund?'
// Expect second response to be served from semantic cache (check Langfuse trace metadata)."
//
// The gateway has one response cache, of one type (LiteLLM's cache_params.type): only a
// semantic type can serve a paraphrase, so with an exact cache the check fails whatever the
// requests show (they are still sent, so the evidence shows the miss).
// Isolation: older LiteLLM semantic caches ignore `cache.namespace` (1.103 scopes entries by
// namespace and key), and whether an embedding model ignores a nonce cannot be known, so the
// pairs are sent verbatim. A clean miss on the first prompt is checked instead of assumed: a
// pair whose first prompt an earlier run cached is skipped. The control gets fresh random
// words, so that no earlier run can have cached it.
import type { ChatResult } from '../../src/clients/gateway.ts';
import {
  cacheNamespace,
  cacheSignal,
  generationCacheFacts,
  isCacheLoggedGeneration,
  loadParaphrases,
  recordCacheRequest,
  recordGatewayCache,
  settleCacheWrite,
  uniqueControl,
} from '../../src/harness/cache-probe.ts';
import { measuringLatency } from '../../src/harness/gateway-quiet.ts';
import type { CheckBody } from '../../src/harness/check.ts';
import { SEMANTIC_CACHE } from '../../src/harness/plan.ts';
import { stackFor } from '../../src/harness/stack.ts';
import { awaitTraces } from '../../src/harness/trace.ts';
import { tallySpend, type SpendSample } from '../../src/measure/spend.ts';

export const semanticCache: CheckBody = async (c, config) => {
  const { gateway, langfuse, admin } = stackFor(config);
  await recordGatewayCache(c, admin, 'paraphrase');
  const { pairs, controls } = loadParaphrases(SEMANTIC_CACHE.fixture);
  const namespace = cacheNamespace(config.runId);
  const sent: SpendSample[] = [];
  const ask = async (content: string) => {
    // Timed (a hit's latency is recorded): never while §5.1's burst is sending (src/harness/gateway-quiet.ts).
    const res = await measuringLatency(c, () =>
      gateway.chat(
        {
          model: config.models.default,
          messages: [{ role: 'user', content }],
          max_tokens: SEMANTIC_CACHE.maxTokens,
          cache: { namespace },
        },
        { apiKey: config.gateway.adminKey, checkId: c.id },
      ),
    );
    sent.push({ cached: cacheSignal(res).hit, usage: res.completion?.usage });
    c.observe('sent', {
      ...tallySpend(sent),
      maxTokens: SEMANTIC_CACHE.maxTokens,
      note: 'each semantic lookup also makes one embedding call, not in usage',
    });
    if (res.status !== 200) c.fail(`"${content}" answered HTTP ${res.status}: ${res.error?.message ?? ''}`);
    return res;
  };
  const control = uniqueControl(controls[Math.floor(Math.random() * controls.length)]!);
  await gateway.warm();

  // The first prompt must be a miss; one an earlier run cached moves us to the next pair.
  const alreadyCached: { prompt: string; similarity: number | null }[] = [];
  let chosen: { pair: readonly [string, string]; first: ChatResult } | undefined;
  for (const pair of pairs) {
    const first = await ask(pair[0]);
    const s = cacheSignal(first);
    if (!s.hit) {
      chosen = { pair, first };
      break;
    }
    alreadyCached.push({ prompt: pair[0], similarity: s.similarity });
  }
  c.observe('alreadyCachedPrompts', alreadyCached);
  if (!chosen) {
    const res = await ask(control);
    const s = recordCacheRequest(c, 'control', res);
    if (s.hit)
      c.fail(
        `the unrelated control prompt "${control}" was a hit (similarity ${s.similarity ?? 'absent'}), and so was the first prompt of every pair: a cache that answers everything is broken`,
      );
    // A cache type that can never serve a paraphrase outranks an undecided measurement.
    c.settle();
    // `return`: TypeScript narrows `chosen` only through a `never` it can see.
    return c.inconclusive(
      `no paraphrase pair gave a clean miss: the first prompt of all ${pairs.length} pairs was already a hit (an earlier run's entries in this namespace, or in any namespace on older LiteLLM semantic caches, answer them until their TTL expires); wait for the TTL or add pairs to fixtures/paraphrases.json`,
    );
  }

  const [prompt, paraphrase] = chosen.pair;
  c.observe('pair', { prompt, paraphrase });
  recordCacheRequest(c, 'prompt_1', chosen.first);
  await settleCacheWrite(c, config.cache.writeSettleMs);
  const second = await ask(paraphrase);
  const hit = recordCacheRequest(c, 'prompt_2', second);
  c.expect(
    hit.hit,
    `"${paraphrase}" was not served from the semantic cache after "${prompt}": no x-litellm-cache-key header (x-litellm-semantic-similarity: ${hit.similarity ?? 'absent'})`,
  );
  c.expect(
    hit.similarity !== null,
    `"${paraphrase}": no x-litellm-semantic-similarity header; a semantic cache reports the similarity of its match`,
  );
  c.measure('semantic_similarity', hit.similarity, 'cosine');

  // Control, sent right after: a cache that answers everything is broken.
  const ctl = await ask(control);
  const ctlSignal = recordCacheRequest(c, 'control', ctl);
  c.expect(
    !ctlSignal.hit,
    `the unrelated control prompt "${control}" was a hit (similarity ${ctlSignal.similarity ?? 'absent'}): a cache that answers everything is broken`,
  );

  const traced = (res: ChatResult, label: string) => ({
    traceId: res.traceId,
    want: { describe: 'a generation with metadata.cache_hit', match: isCacheLoggedGeneration, label },
  });
  const [first, paraphrased, controlled] = await awaitTraces(c, langfuse, config, [
    traced(chosen.first, 'prompt_1'),
    traced(second, 'prompt_2'),
    traced(ctl, 'control'),
  ]);
  const facts = {
    prompt_1: generationCacheFacts(first.observation),
    prompt_2: generationCacheFacts(paraphrased.observation),
    control: generationCacheFacts(controlled.observation),
  };
  // The similarity is the gateway's header; LiteLLM 1.103's Langfuse (SDK v2) logging does not
  // carry `semantic-similarity` into generation metadata (seen on the real proxy), so Langfuse's
  // record of a semantic hit is cache_hit true on a prompt an exact cache could not have matched.
  c.observe('langfuse', facts);
  c.expect(
    facts.prompt_1.cacheHit === false,
    `Langfuse generation of "${prompt}" has metadata.cache_hit = ${String(facts.prompt_1.cacheHit)}, expected false`,
  );
  c.expect(
    facts.prompt_2.cacheHit === true,
    `Langfuse generation of "${paraphrase}" has metadata.cache_hit = ${String(facts.prompt_2.cacheHit)}, expected true`,
  );
  c.expect(
    facts.control.cacheHit === false,
    `Langfuse generation of the control prompt has metadata.cache_hit = ${String(facts.control.cacheHit)}, expected false`,
  );
};
