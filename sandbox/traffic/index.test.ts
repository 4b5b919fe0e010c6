import { describe, expect, it } from 'vitest';
import type { FaultName } from '../faults.ts';
import { MASTER, type TestStack, startStack } from '../gateway/testing.ts';
import { startTraffic } from './index.ts';

const RUN_MS = 3000;

/**
 * Runs 3 s of traffic at 30 req/s (90 requests, 30 per agent) against a fresh stack and returns
 * what the gateway saw. The simulator schedules by the clock, so the counts hold on a loaded box too.
 */
async function run(faults: FaultName[]) {
  const s: TestStack = await startStack(faults, { latencyMs: 20 });
  try {
    const traffic = await startTraffic({
      faults: new Set(faults),
      gatewayUrl: s.gateway.url,
      masterKey: MASTER,
      ratePerSecond: 30,
    });
    await new Promise((r) => setTimeout(r, RUN_MS));
    await traffic.stop();
    // `/metrics/` is behind the master key, as on LiteLLM 1.103.10 (`require_auth_for_metrics_endpoint`).
    const text = await (
      await fetch(`${s.gateway.url}/metrics/`, { headers: { authorization: `Bearer ${MASTER}` } })
    ).text();
    const sum = (metric: string, alias?: string): number =>
      [...text.matchAll(new RegExp(`^${metric}\\{([^}]*)\\} (\\S+)$`, 'gm'))]
        .filter((m) => alias === undefined || (m[1] ?? '').includes(`api_key_alias="${alias}"`))
        .reduce((n, m) => n + Number(m[2]), 0);
    await s.gateway.flushLangfuse();
    const traces = s.events.filter((e) => e.type === 'trace-create').map((e) => e.body);
    return { sent: traffic.sent(), sum, traces, keys: s.gateway.keyCount() };
  } finally {
    await s.close();
  }
}

describe('live-traffic simulator', () => {
  it('sends tagged requests for every agent with fresh trace ids and a ~50 % hit rate', async () => {
    const r = await run([]);
    expect(r.sent).toBeGreaterThanOrEqual(75);
    expect(r.keys).toBe(3);
    for (const agent of ['support-bot', 'order-tracker', 'returns-assistant']) {
      expect(r.sum('litellm_proxy_total_requests_metric_total', `agent:${agent}`)).toBeGreaterThanOrEqual(25);
      expect(r.traces.filter((t) => t.tags.includes(`agent:${agent}`)).length).toBeGreaterThanOrEqual(25);
    }
    // Every logged call upserts its trace (the semantic cache's embeddings too), so a request's
    // trace id shows up more than once; each chat completion still has a trace of its own.
    const chatTraces = r.traces.filter((t) => t.name === 'litellm-acompletion');
    expect(new Set(chatTraces.map((t) => t.id)).size).toBe(chatTraces.length);
    // LiteLLM never counts misses (a miss is logged with cache_hit None), so the hit rate is
    // hits over all requests, as a watch on the real proxy must compute it.
    const hits = r.sum('litellm_cache_hits_metric_total');
    const total = r.sum('litellm_proxy_total_requests_metric_total');
    expect(r.sum('litellm_cache_misses_metric_total')).toBe(0);
    expect(total).toBe(r.sent);
    expect(hits / total).toBeGreaterThan(0.4);
    expect(hits / total).toBeLessThan(0.6);
    expect(r.sum('litellm_proxy_failed_requests_metric_total')).toBe(0);
  });

  it('low-hit-rate: repeats nothing, so nothing hits the cache', async () => {
    const r = await run(['low-hit-rate']);
    expect(r.sent).toBeGreaterThanOrEqual(75);
    expect(r.sum('litellm_cache_hits_metric_total')).toBe(0);
  });

  it('agent-missing: the last agent sends nothing while the others keep going', async () => {
    const r = await run(['agent-missing']);
    expect(r.sum('litellm_proxy_total_requests_metric_total', 'agent:returns-assistant')).toBe(0);
    expect(r.traces.filter((t) => t.tags.includes('agent:returns-assistant'))).toEqual([]);
    expect(r.sum('litellm_proxy_total_requests_metric_total', 'agent:support-bot')).toBeGreaterThanOrEqual(25);
    expect(r.keys).toBe(3);
  });
});
