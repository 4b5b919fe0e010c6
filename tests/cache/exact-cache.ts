// Runbook §4.1 — Exact cache.
// "Send identical request 3 times (admin key). Measure latency. Expect request #1 > request
// #2/#3 (<100 ms) with cache hit recorded in Langfuse (cache.hit == true)."
import {
  cacheNamespace,
  cacheSignal,
  exactCachePrompt,
  generationCacheFacts,
  isCacheLoggedGeneration,
  recordCacheRequest,
  recordGatewayCache,
  semanticHitTime,
  settleCacheWrite,
} from '../../src/harness/cache-probe.ts';
import { measuringAlone, measuringLatency } from '../../src/harness/gateway-quiet.ts';
import type { CheckBody } from '../../src/harness/check.ts';
import { EXACT_CACHE } from '../../src/harness/plan.ts';
import { stackFor } from '../../src/harness/stack.ts';
import { awaitTraces } from '../../src/harness/trace.ts';
import { tallySpend, type SpendSample } from '../../src/measure/spend.ts';

export const exactCache: CheckBody = async (c, config) => {
  const { gateway, langfuse, admin } = stackFor(config);
  // The gateway has one response cache of one type; with no cache nothing can hit.
  const cache = await recordGatewayCache(c, admin, 'repeat');
  // A per-run namespace and a run nonce in the prompt: a cache warmed by an earlier run cannot fake a hit.
  const request = {
    model: config.models.default,
    messages: [{ role: 'user' as const, content: exactCachePrompt(config.runId) }],
    max_tokens: EXACT_CACHE.maxTokens,
    cache: { namespace: cacheNamespace(config.runId) },
  };
  c.observe('cacheNamespace', request.cache.namespace);
  c.observe('cacheWriteSettleMs', config.cache.writeSettleMs);
  const sent: SpendSample[] = [];
  // Request 1 (the miss) is timed beside the other checks' requests, never beside §5.1's burst;
  // the hits, timed against 100 ms, have the gateway to themselves (src/harness/gateway-quiet.ts).
  const send = async (expectHit: boolean) => {
    const hold = expectHit ? measuringAlone : measuringLatency;
    const res = await hold(c, () => gateway.chat(request, { apiKey: config.gateway.adminKey, checkId: c.id }));
    sent.push({ cached: cacheSignal(res).hit, usage: res.completion?.usage });
    c.observe('sent', { ...tallySpend(sent), maxTokens: request.max_tokens });
    return res;
  };

  await gateway.warm();
  const first = await send(false);
  const miss = recordCacheRequest(c, 'request_1', first);
  if (first.status !== 200) c.fail(`request 1 answered HTTP ${first.status}: ${first.error?.message ?? ''}`);
  if (miss.hit) {
    const semantic =
      miss.similarity !== null
        ? ` (x-litellm-semantic-similarity ${miss.similarity}: a semantic cache answered it; older LiteLLM builds match semantic entries across namespaces)`
        : '';
    c.fail(
      `cache not isolated: namespace ignored? request 1 carried this run's cache.namespace and nonce, yet it was already a hit (x-litellm-cache-key present)${semantic}; the check cannot tell a fresh hit from a stale one`,
    );
  }

  // LiteLLM writes the cache asynchronously; an immediate repeat can miss.
  await settleCacheWrite(c, config.cache.writeSettleMs);
  const second = await send(true);
  const third = await send(true);
  const hits = [second, third].map((res, i) =>
    recordCacheRequest(c, `request_${i + 2}`, res, config.thresholds.cacheHitMs),
  );
  for (const [i, res] of [second, third].entries()) {
    const n = i + 2;
    if (res.status !== 200) {
      c.expect(false, `request ${n} answered HTTP ${res.status}: ${res.error?.message ?? ''}`);
      continue;
    }
    const sameAnswer = res.completion?.id === first.completion?.id;
    c.expect(
      hits[i]!.hit,
      `request ${n} was not a cache hit: no x-litellm-cache-key header${sameAnswer ? " (yet its body repeats request 1's id: served from cache without the header)" : ''}`,
    );
  }
  const slowestHit = Math.max(second.timing.totalMs, third.timing.totalMs);
  c.measure('request_1_over_slowest_hit_ms', first.timing.totalMs - slowestHit, 'ms', { op: '>', value: 0 });
  // A semantic cache embeds the prompt on every lookup, identical repeats included.
  const slowHits = [second, third].filter((r, i) => hits[i]!.hit && r.timing.totalMs >= config.thresholds.cacheHitMs);
  if (cache.kind === 'semantic' && slowHits.length > 0)
    c.expect(
      false,
      semanticHitTime(cache.type, Math.max(...slowHits.map((r) => r.timing.totalMs)), config.thresholds.cacheHitMs),
    );

  // Each request has its own trace id, and each hit creates its own trace.
  const found = await awaitTraces(
    c,
    langfuse,
    config,
    [first, second, third].map((r, i) => ({
      traceId: r.traceId,
      want: {
        describe: 'a generation with metadata.cache_hit',
        match: isCacheLoggedGeneration,
        label: `request_${i + 1}`,
      },
    })),
  );
  const facts = found.map((f) => generationCacheFacts(f.observation));
  facts.forEach((f, i) => c.observe(`request_${i + 1}_langfuse`, f));
  c.expect(
    facts[0]!.cacheHit === false,
    `Langfuse generation of request 1 has metadata.cache_hit = ${String(facts[0]!.cacheHit)}, expected false`,
  );
  for (const n of [2, 3]) {
    const f = facts[n - 1]!;
    c.expect(
      f.cacheHit === true,
      `Langfuse generation of request ${n} has metadata.cache_hit = ${String(f.cacheHit)}, expected true`,
    );
    // In micro-dollars: a single small completion costs around 1e-5 USD.
    c.measure(`request_${n}_langfuse_cost_microusd`, f.cost === null ? null : f.cost * 1e6, 'µUSD', {
      op: '==',
      value: 0,
    });
  }
  c.observe(
    'langfuseCostUsd',
    facts.reduce((sum, f) => sum + (f.cost ?? 0), 0),
  );
};
