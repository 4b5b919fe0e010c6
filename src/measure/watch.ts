import { quantile } from './stats.ts';
import { errorMessage } from '../evidence/error-text.ts';
import { duration, pct } from './format.ts';

/** Per-agent counters, cumulative since the watch started. `traces` is `null` when Langfuse could not be read. */
export interface AgentCounts {
  readonly requests: number;
  readonly hits: number;
  readonly misses: number;
  readonly traces: number | null;
}

/** The two places live traffic is counted: the gateway's Prometheus metrics, and Langfuse. */
export type TrafficSource = 'metrics' | 'langfuse';

/** One source's counters, cumulative since the watch started. */
export interface SourceCounts {
  readonly requests: number;
  readonly errors: number;
  readonly throttled: number;
  readonly hits: number;
  readonly misses: number;
}

/**
 * What one poll saw, cumulative since the watch started (counter deltas against the first
 * scrape), plus the latencies of requests first seen in this poll. `atMs` is time since start.
 */
export interface TrafficSnapshot {
  readonly atMs: number;
  /** The source the top-level counters (and so the rules) read at this poll; `metrics` when unset. */
  readonly source?: TrafficSource;
  readonly requests: number;
  /** Failed requests (5xx and 4xx other than 429). */
  readonly errors: number;
  /** 429s: the §5 quota doing its job, reported but not counted as errors. */
  readonly throttled: number;
  readonly hits: number;
  readonly misses: number;
  readonly agents: Readonly<Record<string, AgentCounts>>;
  /** Exact per-request latencies newly seen in this poll, each stamped with when the request started (ms since watch start). */
  readonly latencies: readonly { readonly atMs: number; readonly ms: number }[];
  /** The gateway's own p95 over the window from its latency histogram (coarse; recorded for cross-checking). */
  readonly histogramP95Ms?: number | null;
  /** Each source's counters at this poll, `null` for one that did not answer; unset when only one source exists. */
  readonly bySource?: Readonly<Record<TrafficSource, SourceCounts | null>>;
}

/** A snapshot's counters from `source`: its own per-source record, else its top-level counters when they are that source's. */
function countsAt(s: TrafficSnapshot, source: TrafficSource): SourceCounts | null {
  if (s.bySource) return s.bySource[source];
  return (s.source ?? 'metrics') === source ? s : null;
}

const ZERO: SourceCounts = { requests: 0, errors: 0, throttled: 0, hits: 0, misses: 0 };

/**
 * The latest snapshot's counters and those of the last snapshot at or before `atMs` from the
 * same source. Windows never mix sources: the sampler may switch to Langfuse when the metrics
 * fail, and the two count differently. A source with no earlier reading counts from zero, which
 * is where both start.
 */
function sameSource(history: readonly TrafficSnapshot[], atMs: number): { last: SourceCounts; base: SourceCounts } {
  const latest = history.at(-1)!;
  const source = latest.source ?? 'metrics';
  let base: SourceCounts = ZERO;
  for (const s of history) {
    if (s.atMs > atMs) break;
    base = countsAt(s, source) ?? base;
  }
  return { last: countsAt(latest, source) ?? latest, base };
}

/**
 * The thresholds of runbook §7 ("error rate exceeds 2 % or latency doubles"), as config.
 * `latency` is `null` without a baseline: "doubles" has nothing to double, so the latency rule
 * cannot fire, while the error-rate rule, which needs no baseline, still guards.
 */
export interface WatchRules {
  readonly errorRate: number;
  readonly errorWindowMs: number;
  readonly minSamples: number;
  readonly latency: { readonly limitMs: number; readonly baselineP95Ms: number } | null;
}

/** One point of the time series the evidence keeps for plotting. */
export interface WatchPoint {
  readonly atMs: number;
  readonly requests: number;
  readonly windowRequests: number;
  readonly windowErrorRate: number | null;
  readonly windowP95Ms: number | null;
  readonly windowLatencySamples: number;
  /** p95 of the requests that started since the previous poll: shows a spike the window smooths. */
  readonly intervalP95Ms: number | null;
  readonly histogramP95Ms: number | null;
  readonly hitRate: number | null;
  readonly throttled: number;
  /** Which source the rules read at this poll. */
  readonly source: TrafficSource;
}

/**
 * The rule that fired, with the one line an on-call engineer acts on: in one window, `value`
 * (the error rate as a ratio, or the p95 in ms) exceeded `limit` over `samples` requests, never
 * fewer than the rules' `minSamples`.
 */
export interface Breach {
  readonly rule: 'error-rate' | 'latency';
  readonly atMs: number;
  readonly value: number;
  readonly limit: number;
  readonly samples: number;
  readonly line: string;
}

/** How the watch ended; `aborted` is set when it could not keep watching (the data source failed). */
export interface WatchResult {
  readonly startedAt: Date;
  readonly elapsedMs: number;
  readonly points: readonly WatchPoint[];
  readonly last: TrafficSnapshot;
  /** The snapshot half-way through the observed period: hit rates are judged from there on, after the cache warmed. */
  readonly steadyFrom: TrafficSnapshot;
  readonly breach?: Breach;
  readonly aborted?: string;
  /** Windows a rule judged: ones that held at least `minSamples` requests (error rule) / latency samples (latency rule, never without a baseline). */
  readonly decidedErrorWindows: number;
  readonly decidedLatencyWindows: number;
  readonly maxWindowErrorRate: number | null;
  /** Highest p95 of a window with at least `minSamples` latency samples, recorded with or without a baseline. */
  readonly maxWindowP95Ms: number | null;
}

const clock = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

/**
 * The window's view: counters are the difference between the latest snapshot and the last one
 * taken at or before `now - window` (the start, early on), so the window slides with the polls.
 * Latencies are the exact samples whose request started inside the window.
 */
export function windowOf(
  history: readonly TrafficSnapshot[],
  latencies: readonly { atMs: number; ms: number }[],
  windowMs: number,
): { requests: number; errors: number; p95Ms: number | null; latencySamples: number } {
  const now = history.at(-1)!.atMs;
  const from = now - windowMs;
  // The first snapshot is the zero point: a window reaching back to it starts from it.
  const { last, base } = sameSource(history, Math.max(from, history[0]!.atMs));
  const inWindow = latencies.filter((l) => l.atMs > from && l.atMs <= now).map((l) => l.ms);
  return {
    requests: last.requests - base.requests,
    errors: last.errors - base.errors,
    p95Ms: quantile(inWindow, 0.95),
    latencySamples: inWindow.length,
  };
}

/**
 * Judges the latest window against the rules. A rule decides only with at least `minSamples`
 * in the window; with fewer it abstains (the caller turns "never decided" into inconclusive).
 * The latency rule abstains without a baseline (`rules.latency` null). Returns the breach with
 * its one-line message, e.g. `ROLLBACK: error rate 3.1 % > 2 % over 412 requests (window 5 min)`.
 */
export function judgeWindow(w: ReturnType<typeof windowOf>, rules: WatchRules, atMs: number): Breach | undefined {
  if (w.requests >= rules.minSamples) {
    const rate = w.errors / w.requests;
    if (rate > rules.errorRate) {
      return {
        rule: 'error-rate',
        atMs,
        value: rate,
        limit: rules.errorRate,
        samples: w.requests,
        line: `ROLLBACK: error rate ${pct(rate)} > ${pct(rules.errorRate)} over ${w.requests} requests (window ${duration(rules.errorWindowMs)})`,
      };
    }
  }
  const latency = rules.latency;
  if (latency && w.latencySamples >= rules.minSamples && w.p95Ms !== null && w.p95Ms > latency.limitMs) {
    return {
      rule: 'latency',
      atMs,
      value: w.p95Ms,
      limit: latency.limitMs,
      samples: w.latencySamples,
      line: `ROLLBACK: p95 latency ${Math.round(w.p95Ms)} ms > limit ${Math.round(latency.limitMs)} ms (baseline p95 ${Math.round(latency.baselineP95Ms)} ms) over ${w.latencySamples} requests (window ${duration(rules.errorWindowMs)})`,
    };
  }
  return undefined;
}

/**
 * Hit rate between two snapshots, both read from `to`'s source; `null` when no cacheable request
 * was seen (no data is not 0 %).
 */
export function hitRate(
  fromSnap: { hits: number; misses: number } | TrafficSnapshot,
  toSnap: { hits: number; misses: number } | TrafficSnapshot,
): number | null {
  const source = 'atMs' in toSnap ? (toSnap.source ?? 'metrics') : undefined;
  const to = source && 'atMs' in toSnap ? (countsAt(toSnap, source) ?? toSnap) : toSnap;
  const from = source && 'atMs' in fromSnap ? (countsAt(fromSnap, source) ?? ZERO) : fromSnap;
  const hits = to.hits - from.hits;
  const total = hits + (to.misses - from.misses);
  return total > 0 ? hits / total : null;
}

export interface WatchOptions {
  readonly durationMs: number;
  readonly intervalMs: number;
  readonly rules: WatchRules;
  /** Takes one snapshot; its first call (at time 0) is the zero point every later delta is taken against. */
  readonly sample: (atMs: number) => Promise<TrafficSnapshot>;
  /** Called once per interval with the progress line. */
  readonly progress?: (line: string, point: WatchPoint) => void;
  /** Consecutive failed polls after which the watch gives up (default 3). */
  readonly maxFailedPolls?: number;
}

/**
 * The post-cutover watch of runbook §7: polls every `intervalMs` for `durationMs` and stops at
 * the first breached rule (the rollback decision cannot wait for the end). Every wait is a
 * bounded sleep and every poll is bounded by the sampler's own timeouts. A poll that throws is
 * a gap; `maxFailedPolls` gaps in a row end the watch with `aborted` (not a pass). Never throws
 * for a failing sampler after the first call; the first call's error propagates (nothing could
 * be watched at all).
 */
export async function runWatch(o: WatchOptions): Promise<WatchResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const elapsed = (): number => performance.now() - t0;
  const history: TrafficSnapshot[] = [await o.sample(0)];
  const latencies: { atMs: number; ms: number }[] = [...history[0]!.latencies];
  const points: WatchPoint[] = [];
  let breach: Breach | undefined;
  let aborted: string | undefined;
  let failures = 0;
  let decidedErrorWindows = 0;
  let decidedLatencyWindows = 0;
  let maxWindowErrorRate: number | null = null;
  let maxWindowP95Ms: number | null = null;

  while (elapsed() < o.durationMs) {
    const next = Math.min(o.intervalMs * (points.length + failures + 1), o.durationMs);
    await new Promise((r) => setTimeout(r, Math.max(0, next - elapsed())));
    let snap: TrafficSnapshot;
    try {
      snap = await o.sample(elapsed());
      failures = 0;
    } catch (err) {
      failures += 1;
      if (failures >= (o.maxFailedPolls ?? 3)) {
        aborted = `${failures} polls in a row failed; last: ${errorMessage(err)}`;
        break;
      }
      continue;
    }
    history.push(snap);
    latencies.push(...snap.latencies);
    // Keep only what a window can still reach: a 30-minute watch must not grow without bound.
    const horizon = snap.atMs - o.rules.errorWindowMs;
    while (latencies.length > 0 && latencies[0]!.atMs <= horizon) latencies.shift();
    const w = windowOf(
      history,
      latencies.sort((a, b) => a.atMs - b.atMs),
      o.rules.errorWindowMs,
    );
    if (w.requests >= o.rules.minSamples) {
      decidedErrorWindows += 1;
      maxWindowErrorRate = Math.max(maxWindowErrorRate ?? 0, w.errors / w.requests);
    }
    if (w.latencySamples >= o.rules.minSamples && w.p95Ms !== null) {
      if (o.rules.latency) decidedLatencyWindows += 1;
      maxWindowP95Ms = Math.max(maxWindowP95Ms ?? 0, w.p95Ms);
    }
    const point: WatchPoint = {
      atMs: Math.round(snap.atMs),
      requests: snap.requests,
      windowRequests: w.requests,
      windowErrorRate: w.requests > 0 ? w.errors / w.requests : null,
      windowP95Ms: w.p95Ms,
      windowLatencySamples: w.latencySamples,
      intervalP95Ms: quantile(
        latencies.filter((l) => l.atMs > (history.at(-2)?.atMs ?? 0) && l.atMs <= snap.atMs).map((l) => l.ms),
        0.95,
      ),
      histogramP95Ms: snap.histogramP95Ms ?? null,
      hitRate: hitRate(history[0]!, snap),
      throttled: snap.throttled,
      source: snap.source ?? 'metrics',
    };
    points.push(point);
    o.progress?.(progressLine(point, o.durationMs, o.rules), point);
    breach = judgeWindow(w, o.rules, snap.atMs);
    if (breach) break;
  }
  const last = history.at(-1)!;
  const steadyFrom = [...history].reverse().find((s) => s.atMs <= last.atMs / 2) ?? history[0]!;
  return {
    startedAt,
    elapsedMs: elapsed(),
    points,
    last,
    steadyFrom,
    breach,
    aborted,
    decidedErrorWindows,
    decidedLatencyWindows,
    maxWindowErrorRate,
    maxWindowP95Ms,
  };
}

/**
 * `watch 00:06/00:20 · 123 requests (45 in window) · errors 0.0 % · p95 182 ms (last 190) / limit 330 ms · hit rate 41.0 %`;
 * without a baseline the latency part reads `latency: no baseline (p95 182 ms, last 190)`.
 */
export function progressLine(p: WatchPoint, durationMs: number, rules: WatchRules): string {
  const err =
    p.windowErrorRate === null
      ? 'errors n/a'
      : `errors ${pct(p.windowErrorRate)}${p.windowRequests < rules.minSamples ? ' (too few samples)' : ''}`;
  const last = p.intervalP95Ms === null ? 'n/a' : Math.round(p.intervalP95Ms);
  const latency = rules.latency
    ? `${p.windowP95Ms === null ? 'p95 n/a' : `p95 ${Math.round(p.windowP95Ms)} ms (last ${last})`} / limit ${Math.round(rules.latency.limitMs)} ms`
    : `latency: no baseline${p.windowP95Ms === null ? '' : ` (p95 ${Math.round(p.windowP95Ms)} ms, last ${last})`}`;
  const from = p.source === 'langfuse' ? ' · counted from Langfuse' : '';
  return `watch ${clock(p.atMs)}/${clock(durationMs)} · ${p.requests} requests (${p.windowRequests} in window) · ${err} · ${latency} · hit rate ${p.hitRate === null ? 'n/a' : pct(p.hitRate)}${from}`;
}
