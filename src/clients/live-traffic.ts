import type { AgentCounts, SourceCounts, TrafficSnapshot, TrafficSource } from '../measure/watch.ts';
import { FleetMetrics, type MachineSeries } from './fleet-metrics.ts';
import { LangfuseTraffic } from './langfuse-traffic.ts';
import { LangfuseTraceList } from './langfuse-traces.ts';
import {
  bucketsOf,
  counterDelta,
  histogramQuantile,
  MetricsAuthError,
  MetricsUnavailableError,
  sumOf,
  type PromScrape,
} from './prometheus.ts';
import { errorMessage } from '../evidence/error-text.ts';

/** LiteLLM's Prometheus names (notes/litellm.md §5); counters carry the `_total` suffix. */
const METRICS = {
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
function missesOf(
  d: PromScrape,
  hits: number,
  only: (labels: Readonly<Record<string, string>>) => boolean = () => true,
): number {
  return Math.max(0, sumOf(d, METRICS.requests, (l) => only(l) && isAnsweredChat(l)) - hits);
}

/** An agent's series are those whose `api_key_alias` is `agent:<name>` or the bare name. */
const isAgentAlias =
  (agent: string) =>
  (labels: Readonly<Record<string, string>>): boolean =>
    labels.api_key_alias === agentTag(agent) || labels.api_key_alias === agent;

/** A request status that counts as an error for the rollback rule: 5xx, and 4xx except 429. */
function isErrorStatus(code: string | undefined): boolean {
  const n = Number(code);
  return Number.isFinite(n) && n >= 400 && n !== 429;
}

export interface LiveTrafficOptions {
  readonly gatewayUrl: string;
  /** The gateway's admin key: LiteLLM requires it on `/metrics/` by default. */
  readonly adminKey: string;
  /** The gateway's Fly machine ids, each scraped on its own; `null` scrapes the public URL (and says so). */
  readonly machineIds: readonly string[] | null;
  readonly langfuse: { url: string; publicKey: string; secretKey: string };
  readonly agents: readonly string[];
  readonly timeoutMs: number;
  /** How far back each poll re-reads Langfuse: ingestion lags, so late traces of the window still count. */
  readonly lookbackMs: number;
  /** Page cap per poll of each Langfuse list (100 a page). */
  readonly maxPages?: number;
}

/**
 * How far the two sources may disagree before the evidence says so: requests within 10 % (and
 * never fewer than 5, for in-flight requests at either end), errors within 1 % of the requests
 * (and never fewer than 5: auth failures and other non-LLM errors reach the metrics, not Langfuse).
 */
const CROSS_CHECK = { requestsRatio: 0.1, errorsRatio: 0.01, minAbsolute: 5 } as const;

/** What the evidence keeps about where the watch's numbers came from. */
export interface TrafficSources {
  readonly metrics: {
    readonly mode: 'per-machine' | 'public-url';
    /** Why the metrics could not be used (missing, refused, per-worker), when they could not. */
    readonly unusable?: string;
    /** Polls whose scrape failed (unreachable, timed out), and the last such error. */
    readonly failedPolls: number;
    readonly lastError?: string;
    readonly routingNote?: string;
    readonly machines: readonly MachineSeries[];
  };
  readonly langfuse: {
    readonly lastError?: string;
    readonly truncated: boolean;
    readonly polls: number;
    readonly failedPolls: number;
  };
  /** The polls whose rules read each source. */
  readonly decidedBy: { readonly metrics: number; readonly langfuse: number };
  /** Both sources compared at one poll far enough back for Langfuse's ingestion to have caught up. */
  readonly crossCheck?: {
    readonly atMs: number;
    readonly metrics: { readonly requests: number; readonly errors: number };
    readonly langfuse: { readonly requests: number; readonly errors: number };
    /** What exceeded `CROSS_CHECK`, when something did. */
    readonly disagreement?: string;
  };
}

/**
 * Builds the watch's sampler from two sources: the gateway's Prometheus metrics, scraped machine
 * by machine (`FleetMetrics`), and Langfuse (`LangfuseTraffic`). The rules read the metrics while
 * they are usable and Langfuse otherwise: a gateway whose metrics are refused, missing, gated or
 * kept per worker is watched through Langfuse, never read as zero traffic. A poll fails only
 * when neither source answered. Latencies always come from Langfuse, because the gateway's
 * histogram buckets (0.1 s, then 0.5 s) cannot show a doubling below half a second; the
 * histogram p95 of the window is kept alongside for cross-checking.
 */
export function liveTrafficSampler(o: LiveTrafficOptions): {
  sample: (atMs: number) => Promise<TrafficSnapshot>;
  startedAt: () => Date;
  sources: () => TrafficSources;
} {
  const fleet = new FleetMetrics({
    gatewayUrl: o.gatewayUrl,
    adminKey: o.adminKey,
    timeoutMs: o.timeoutMs,
    machineIds: o.machineIds,
  });
  const lf = new LangfuseTraffic({
    ...o.langfuse,
    timeoutMs: o.timeoutMs,
    agents: o.agents,
    lookbackMs: o.lookbackMs,
    maxPages: o.maxPages ?? 10,
  });
  const traces = new LangfuseTraceList({ ...o.langfuse, timeoutMs: o.timeoutMs });
  let start: Date | undefined;
  let unusable: string | undefined;
  let lastLangfuseError: string | undefined;
  let lastMetricsError: string | undefined;
  let metricsFailed = 0;
  let lfPolls = 0;
  let lfFailed = 0;
  const decidedBy = { metrics: 0, langfuse: 0 };
  const metricsAt: { atMs: number; requests: number; errors: number }[] = [];
  const windows: { atMs: number; increase: PromScrape }[] = [];

  const readMetrics = async (
    atMs: number,
  ): Promise<(SourceCounts & { agents: Record<string, Omit<AgentCounts, 'traces'>>; p95: number | null }) | null> => {
    if (unusable) return null;
    let sample: Awaited<ReturnType<typeof fleet.sample>>;
    try {
      sample = await fleet.sample(atMs);
    } catch (err) {
      // Refused or missing metrics are a property of the deployment: stop asking, say why.
      if (err instanceof MetricsAuthError || err instanceof MetricsUnavailableError) unusable = errorMessage(err);
      throw err;
    }
    if (sample.unreliable) {
      unusable = sample.unreliable;
      return null;
    }
    const d = sample.increase;
    windows.push({ atMs, increase: d });
    while (windows.length > 2 && windows[1]!.atMs <= atMs - o.lookbackMs) windows.shift();
    const windowDelta = counterDelta(windows[0]!.increase, d);
    const p95 = histogramQuantile(0.95, bucketsOf(windowDelta, METRICS.latency));
    const hits = sumOf(d, METRICS.hits);
    const agents: Record<string, Omit<AgentCounts, 'traces'>> = {};
    for (const a of o.agents) {
      const h = sumOf(d, METRICS.hits, isAgentAlias(a));
      agents[a] = {
        requests: sumOf(d, METRICS.requests, isAgentAlias(a)),
        hits: h,
        misses: missesOf(d, h, isAgentAlias(a)),
      };
    }
    const counts = {
      requests: sumOf(d, METRICS.requests),
      errors: sumOf(d, METRICS.requests, (l) => isErrorStatus(l.status_code)),
      throttled: sumOf(d, METRICS.requests, (l) => l.status_code === '429'),
      hits,
      misses: missesOf(d, hits),
      agents,
      p95: p95 === null ? null : p95 * 1000,
    };
    metricsAt.push({ atMs, requests: counts.requests, errors: counts.errors });
    return counts;
  };

  const sample = async (atMs: number): Promise<TrafficSnapshot> => {
    start ??= new Date(Date.now() - atMs);
    const since = start;
    const [m, fresh, tagged] = await Promise.allSettled([
      readMetrics(atMs),
      lf.poll(since),
      Promise.all(o.agents.map((a) => traces.countTagged(agentTag(a), since).catch(() => null))),
    ]);
    lfPolls += 1;
    if (m.status === 'rejected' && !unusable) {
      metricsFailed += 1;
      lastMetricsError = errorMessage(m.reason);
    }
    if (fresh.status === 'rejected') {
      lfFailed += 1;
      lastLangfuseError = errorMessage(fresh.reason);
    }
    const metrics = m.status === 'fulfilled' ? m.value : null;
    const langfuse = fresh.status === 'fulfilled' ? lf.counts() : null;
    if (!metrics && !langfuse) {
      const why = [
        unusable ? `metrics: ${unusable}` : m.status === 'rejected' ? `metrics: ${errorMessage(m.reason)}` : undefined,
        `Langfuse: ${lastLangfuseError ?? 'no answer'}`,
      ];
      throw new Error(`neither traffic source answered (${why.filter(Boolean).join('; ')})`);
    }
    const source: TrafficSource = metrics ? 'metrics' : 'langfuse';
    decidedBy[source] += 1;
    const chosen = (metrics ?? langfuse)!;
    const counts = tagged.status === 'fulfilled' ? tagged.value : o.agents.map(() => null);
    const agents: Record<string, AgentCounts> = {};
    o.agents.forEach((a, i) => {
      const c = chosen.agents[a] ?? { requests: 0, hits: 0, misses: 0 };
      agents[a] = { ...c, traces: langfuse ? (counts[i] ?? null) : null };
    });
    const pick = (c: SourceCounts | null): SourceCounts | null =>
      c ? { requests: c.requests, errors: c.errors, throttled: c.throttled, hits: c.hits, misses: c.misses } : null;
    return {
      atMs,
      source,
      requests: chosen.requests,
      errors: chosen.errors,
      throttled: chosen.throttled,
      hits: chosen.hits,
      misses: chosen.misses,
      agents,
      latencies:
        fresh.status === 'fulfilled'
          ? fresh.value.filter((r) => r.latencyMs !== null).map((r) => ({ atMs: r.atMs, ms: r.latencyMs! }))
          : [],
      histogramP95Ms: metrics?.p95 ?? null,
      bySource: { metrics: pick(metrics), langfuse: pick(langfuse) },
    };
  };

  const crossCheck = (): TrafficSources['crossCheck'] => {
    const last = metricsAt.at(-1);
    if (!last || lfPolls === lfFailed) return undefined;
    // Compare where Langfuse has caught up: at least 15 s (a real ingestion lag) before the
    // last poll, or half-way through a shorter watch.
    const lag = Math.min(15_000, last.atMs / 2);
    const at = [...metricsAt].reverse().find((p) => p.atMs <= last.atMs - lag);
    if (!at || at.requests === 0) return undefined;
    const l = lf.countStartedBy(at.atMs);
    const reqTol = Math.max(CROSS_CHECK.minAbsolute, at.requests * CROSS_CHECK.requestsRatio);
    const errTol = Math.max(CROSS_CHECK.minAbsolute, at.requests * CROSS_CHECK.errorsRatio);
    const off = [
      Math.abs(at.requests - l.requests) > reqTol
        ? `requests: metrics ${at.requests}, Langfuse ${l.requests} (tolerance ±${Math.round(reqTol)})`
        : undefined,
      Math.abs(at.errors - l.errors) > errTol
        ? `errors: metrics ${at.errors}, Langfuse ${l.errors} (tolerance ±${Math.round(errTol)})`
        : undefined,
    ].filter((x) => x !== undefined);
    return {
      atMs: Math.round(at.atMs),
      metrics: { requests: at.requests, errors: at.errors },
      langfuse: l,
      ...(off.length > 0
        ? {
            disagreement: `the gateway's metrics and Langfuse disagree on the traffic up to ${Math.round(at.atMs / 1000)} s into the watch: ${off.join('; ')}`,
          }
        : {}),
    };
  };

  return {
    startedAt: () => start ?? new Date(),
    sample,
    sources: () => {
      const cc = crossCheck();
      return {
        metrics: {
          mode: fleet.mode,
          ...(unusable ? { unusable } : {}),
          failedPolls: metricsFailed,
          ...(lastMetricsError ? { lastError: lastMetricsError } : {}),
          ...(fleet.routingNote ? { routingNote: fleet.routingNote } : {}),
          machines: fleet.series(),
        },
        langfuse: {
          ...(lastLangfuseError ? { lastError: lastLangfuseError } : {}),
          truncated: lf.counts().truncated,
          polls: lfPolls,
          failedPolls: lfFailed,
        },
        decidedBy: { ...decidedBy },
        ...(cc ? { crossCheck: cc } : {}),
      };
    },
  };
}
