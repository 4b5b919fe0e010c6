import { isChatGeneration } from './langfuse-generation.ts';
import { LangfuseGenerationList, type GenerationRow } from './langfuse-generations.ts';
import { LangfuseTraceList, type TraceRow } from './langfuse-traces.ts';

/** What one request came to, as Langfuse recorded it. */
export type RequestOutcome = 'ok' | 'error' | 'throttled';

/** One request of live traffic, as Langfuse has it: its trace joined to its chat generations. */
export interface LangfuseRequest {
  /** When the request started, ms since the watch started. */
  readonly atMs: number;
  readonly agent: string | null;
  readonly outcome: RequestOutcome;
  readonly cacheHit: boolean;
  /** The trace's latency in ms, when Langfuse computed it. */
  readonly latencyMs: number | null;
}

/** Traffic counters from Langfuse, cumulative since the watch started. */
export interface LangfuseCounts {
  readonly requests: number;
  readonly errors: number;
  readonly throttled: number;
  readonly hits: number;
  readonly misses: number;
  readonly agents: Readonly<
    Record<string, { readonly requests: number; readonly hits: number; readonly misses: number }>
  >;
  /** A list hit its page cap: the counts are a lower bound. */
  readonly truncated: boolean;
}

/**
 * A throttle as LiteLLM logs it: the proxy's limiter raises `HTTPException(429)`, whose string is
 * Starlette's `429: <detail>`; a provider's own limit is `litellm.RateLimitError: …`.
 */
const THROTTLE = /^429\b|RateLimitError/;

/**
 * What a trace's chat generations say the request came to. LiteLLM logs a failure twice (its
 * async and sync failure handlers both call the logger) and a context-window fallback logs the
 * rejected attempt as ERROR before the generation that served, so one DEFAULT chat generation
 * makes the request a success whatever else the trace holds. `null` while no chat generation
 * has been ingested yet.
 */
export function outcomeOf(gens: readonly GenerationRow[]): { outcome: RequestOutcome; cacheHit: boolean } | null {
  const chat = gens.filter((g) =>
    isChatGeneration({ type: g.type, model: g.model ?? null, name: g.name ?? null, metadata: g.metadata }),
  );
  if (chat.length === 0) return null;
  const served = chat.find((g) => g.level !== 'ERROR');
  if (served)
    return {
      outcome: 'ok',
      cacheHit: (served.metadata as { cache_hit?: unknown } | null | undefined)?.cache_hit === true,
    };
  return { outcome: chat.some((g) => THROTTLE.test(g.statusMessage ?? '')) ? 'throttled' : 'error', cacheHit: false };
}

/**
 * Live traffic read from Langfuse, the runbook's own source ("monitor Langfuse for live traffic
 * (per-agent dashboards)"). Each poll re-reads the traces and chat generations of the last
 * `lookbackMs` (ingestion lags, so late ones still count) and keeps every request it has seen
 * by trace id, re-judging it while it is inside the lookback: a fallback's served generation can
 * arrive after its rejected attempt. Counters are over every request seen since the watch
 * started; the agent is the trace's `agent:<name>` tag.
 */
export class LangfuseTraffic {
  private readonly traces: LangfuseTraceList;
  private readonly generations: LangfuseGenerationList;
  private readonly requests = new Map<string, LangfuseRequest>();
  private truncated = false;

  constructor(
    private readonly o: {
      url: string;
      publicKey: string;
      secretKey: string;
      timeoutMs: number;
      agents: readonly string[];
      lookbackMs: number;
      maxPages: number;
    },
  ) {
    this.traces = new LangfuseTraceList(o);
    this.generations = new LangfuseGenerationList(o);
  }

  /** Reads the lookback and returns the requests first seen in this poll (for their latencies). */
  async poll(start: Date): Promise<LangfuseRequest[]> {
    const from = new Date(Math.max(start.getTime(), Date.now() - this.o.lookbackMs));
    const [t, g] = await Promise.all([
      this.traces.since(from, this.o.maxPages),
      this.generations.since(from, this.o.maxPages),
    ]);
    if (t.truncated || g.truncated) this.truncated = true;
    const byTrace = new Map<string, GenerationRow[]>();
    for (const gen of g.generations) {
      if (!gen.traceId) continue;
      const list = byTrace.get(gen.traceId);
      if (list) list.push(gen);
      else byTrace.set(gen.traceId, [gen]);
    }
    const fresh: LangfuseRequest[] = [];
    for (const trace of t.traces) {
      const judged = outcomeOf(byTrace.get(trace.id) ?? []);
      if (!judged) continue;
      const isNew = !this.requests.has(trace.id);
      const r: LangfuseRequest = {
        atMs: Date.parse(trace.timestamp) - start.getTime(),
        agent: this.agentOf(trace),
        ...judged,
        latencyMs: latencyOf(trace),
      };
      this.requests.set(trace.id, r);
      if (isNew) fresh.push(r);
    }
    return fresh;
  }

  private agentOf(trace: TraceRow): string | null {
    for (const a of this.o.agents) if (trace.tags?.includes(`agent:${a}`)) return a;
    return null;
  }

  counts(): LangfuseCounts {
    let requests = 0;
    let errors = 0;
    let throttled = 0;
    let hits = 0;
    let misses = 0;
    const agents: Record<string, { requests: number; hits: number; misses: number }> = Object.fromEntries(
      this.o.agents.map((a) => [a, { requests: 0, hits: 0, misses: 0 }]),
    );
    for (const r of this.requests.values()) {
      requests += 1;
      if (r.outcome === 'error') errors += 1;
      if (r.outcome === 'throttled') throttled += 1;
      const hit = r.outcome === 'ok' && r.cacheHit ? 1 : 0;
      const miss = r.outcome === 'ok' && !r.cacheHit ? 1 : 0;
      hits += hit;
      misses += miss;
      const a = r.agent === null ? undefined : agents[r.agent];
      if (a) {
        a.requests += 1;
        a.hits += hit;
        a.misses += miss;
      }
    }
    return { requests, errors, throttled, hits, misses, agents, truncated: this.truncated };
  }

  /** Requests that started at or before `atMs`: what a metrics snapshot at that time is compared with. */
  countStartedBy(atMs: number): { requests: number; errors: number } {
    let requests = 0;
    let errors = 0;
    for (const r of this.requests.values()) {
      if (r.atMs > atMs) continue;
      requests += 1;
      if (r.outcome === 'error') errors += 1;
    }
    return { requests, errors };
  }
}

const latencyOf = (t: TraceRow): number | null => (t.latency === undefined || t.latency < 0 ? null : t.latency * 1000);
