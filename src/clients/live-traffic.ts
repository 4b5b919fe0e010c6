import type { AgentCounts, TrafficSnapshot } from '../measure/watch.ts';
import { LangfuseTraceList } from './langfuse-traces.ts';
import { bucketsOf, counterDelta, histogramQuantile, scrapeMetrics, sumOf, type PromScrape } from './prometheus.ts';

/** LiteLLM's Prometheus names (notes/litellm.md §5); counters carry the `_total` suffix. */
export const METRICS = {
  requests: 'litellm_proxy_total_requests_metric_total',
  hits: 'litellm_cache_hits_metric_total',
  latency: 'litellm_request_total_latency_metric',
} as const;

/** The Langfuse tag that marks an agent's traffic, and the gateway key alias its key carries. */
export const agentTag = (agent: string): string => `agent:${agent}`;
/**
 * A chat completion answered by the gateway: a 200 on a chat route (LiteLLM labels the route;
 * a series without the label counts). LiteLLM has a `litellm_cache_misses_metric`, but 1.103
 * never increments it on a proxy miss (prometheus.py counts a miss only when the logging
 * payload says `cache_hit: false`, and a miss carries `None`), so misses are answered chat
 * requests that were not hits.
 */
const isAnsweredChat = (labels: Readonly<Record<string, string>>): boolean =>
  labels.status_code === '200' && (labels.route === undefined || /\/chat\/completions$/.test(labels.route));

/** Misses as answered chat requests minus cache hits, never below zero. */
function missesOf(d: PromScrape, hits: number, only: (labels: Readonly<Record<string, string>>) => boolean = () => true): number {
  return Math.max(0, sumOf(d, METRICS.requests, (l) => only(l) && isAnsweredChat(l)) - hits);
}

/** An agent's series are those whose `api_key_alias` is `agent:<name>` or the bare name. */
const isAgentAlias = (agent: string) => (labels: Readonly<Record<string, string>>): boolean => labels.api_key_alias === agentTag(agent) || labels.api_key_alias === agent;

/** A request status that counts as an error for the rollback rule: 5xx, and 4xx except 429. */
export function isErrorStatus(code: string | undefined): boolean {
  const n = Number(code);
  return Number.isFinite(n) && n >= 400 && n !== 429;
}

export interface LiveTrafficOptions {
  readonly gatewayUrl: string;
  /** The gateway's admin key: LiteLLM requires it on `/metrics/` by default. */
  readonly adminKey: string;
  readonly langfuse: { url: string; publicKey: string; secretKey: string };
  readonly agents: readonly string[];
  readonly timeoutMs: number;
  /** How far back each poll re-reads Langfuse: ingestion lags, so late traces of the window still count. */
  readonly lookbackMs: number;
  /** Page cap per poll for the latency read (100 traces a page). */
  readonly maxPages?: number;
}

/**
 * Builds the watch's sampler from the gateway's `/metrics/` and Langfuse. Each call scrapes the
 * gateway, takes counter deltas against the first scrape (so the cumulative numbers are "since
 * the watch started"), counts traces per agent tag since the start, and reads trace latencies
 * of the last `lookbackMs`, reporting only traces not seen before. Latencies come from Langfuse
 * because the gateway's histogram buckets (0.1 s, then 0.5 s) cannot show a doubling below half
 * a second; the histogram p95 of the window is kept alongside for cross-checking.
 */
export function liveTrafficSampler(o: LiveTrafficOptions): { sample: (atMs: number) => Promise<TrafficSnapshot>; startedAt: () => Date } {
  const traces = new LangfuseTraceList({ ...o.langfuse, timeoutMs: o.timeoutMs });
  let zero: PromScrape | undefined;
  let start = new Date();
  const seen = new Map<string, number>();
  const scrapes: { atMs: number; scrape: PromScrape }[] = [];

  return {
    startedAt: () => start,
    sample: async (atMs: number): Promise<TrafficSnapshot> => {
      const scrape = await scrapeMetrics(o.gatewayUrl, { adminKey: o.adminKey, timeoutMs: o.timeoutMs });
      if (!zero) {
        zero = scrape;
        start = new Date(Date.now() - atMs);
      }
      const d = counterDelta(zero, scrape);
      scrapes.push({ atMs, scrape });
      while (scrapes.length > 2 && scrapes[1]!.atMs <= atMs - o.lookbackMs) scrapes.shift();
      const windowDelta = counterDelta(scrapes[0]!.scrape, scrape);

      const counts = await Promise.all(o.agents.map((a) => traces.countTagged(agentTag(a), start).catch(() => null)));
      const agents: Record<string, AgentCounts> = {};
      o.agents.forEach((a, i) => {
        const hits = sumOf(d, METRICS.hits, isAgentAlias(a));
        agents[a] = {
          requests: sumOf(d, METRICS.requests, isAgentAlias(a)),
          hits,
          misses: missesOf(d, hits, isAgentAlias(a)),
          traces: counts[i] ?? null,
        };
      });

      const from = new Date(Math.max(start.getTime(), Date.now() - o.lookbackMs));
      const { traces: rows } = await traces.since(from, o.maxPages ?? 10);
      const latencies: { atMs: number; ms: number }[] = [];
      for (const t of rows) {
        if (seen.has(t.id) || t.latency === undefined || t.latency < 0) continue;
        const at = Date.parse(t.timestamp) - start.getTime();
        seen.set(t.id, at);
        latencies.push({ atMs: at, ms: t.latency * 1000 });
      }
      for (const [id, at] of seen) if (at < atMs - 2 * o.lookbackMs) seen.delete(id);

      const p95 = histogramQuantile(0.95, bucketsOf(windowDelta, METRICS.latency));
      const hits = sumOf(d, METRICS.hits);
      return {
        atMs,
        requests: sumOf(d, METRICS.requests),
        errors: sumOf(d, METRICS.requests, (l) => isErrorStatus(l.status_code)),
        throttled: sumOf(d, METRICS.requests, (l) => l.status_code === '429'),
        hits,
        misses: missesOf(d, hits),
        agents,
        latencies,
        histogramP95Ms: p95 === null ? null : p95 * 1000,
      };
    },
  };
}
