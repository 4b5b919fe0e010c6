import {
  MetricsAuthError,
  MetricsUnavailableError,
  scrapeMetrics,
  seriesKey,
  type PromSample,
  type PromScrape,
} from './prometheus.ts';

/** The header Fly's proxy routes on: a request carrying it goes to that machine (notes/litellm.md, Fly). */
const FORCE_INSTANCE_HEADER = 'fly-force-instance-id';
/** prometheus_client's process collector: one value per process, so it tells processes apart. */
const START_TIME = 'process_start_time_seconds';
const REQUESTS = 'litellm_proxy_total_requests_metric_total';

/** What the evidence keeps of one machine's scrapes. */
export interface MachineSeries {
  /** The Fly machine id, or `null` for scrapes through the public URL (whichever machine Fly picked). */
  readonly id: string | null;
  readonly scrapes: number;
  /** Scrapes that failed; the machine's last counters stood in for them (counters only grow, so the next scrape catches up). */
  readonly gaps: number;
  /** Counter resets seen: a new, later process start, or (without a start time) a counter that went down. */
  readonly restarts: number;
  /** Distinct `process_start_time_seconds` values seen, in order of first sight. */
  readonly processStarts: readonly number[];
  /** Requests served by this machine since the watch's first scrape of it. */
  readonly requests: number;
  /** That count at each poll that reached the machine: `[ms since the watch started, requests]`. */
  readonly series: readonly (readonly [number, number])[];
  /** Why this machine's counters cannot be summed (several workers with counters of their own), when seen. */
  readonly perWorker?: string;
  readonly lastError?: string;
}

/** One poll of the fleet: the summed increase since the first scrape, and whether it can be trusted. */
export interface FleetSample {
  /** Every series' increase since the watch's first scrape, summed over machines (resets counted as Prometheus' `increase()` does). */
  readonly increase: PromScrape;
  /** Why these counters must not decide anything (per-worker counters), else undefined. */
  readonly unreliable?: string;
}

interface MachineState {
  readonly id: string | null;
  prev?: PromScrape;
  prevStart?: number;
  readonly acc: Map<string, PromSample>;
  scrapes: number;
  gaps: number;
  restarts: number;
  drops: number;
  readonly starts: number[];
  readonly points: [number, number][];
  perWorker?: string;
  lastError?: string;
}

const startOf = (s: PromScrape): number | undefined => {
  for (const x of s.values()) if (x.name === START_TIME) return x.value;
  return undefined;
};
const requestsOf = (s: PromScrape): number => {
  let n = 0;
  for (const x of s.values()) if (x.name === REQUESTS) n += x.value;
  return n;
};

/**
 * Adds one machine's scrape to its running increase. A counter that went down, or every counter
 * after a new process start, was reset: its whole new value is increase (Prometheus'
 * `increase()`). Gauges (the start time itself) are not summed.
 */
function accumulate(m: MachineState, cur: PromScrape, restarted: boolean): void {
  const prev = m.prev;
  if (prev) {
    for (const [key, s] of cur) {
      if (s.name === START_TIME) continue;
      const before = restarted ? 0 : (prev.get(key)?.value ?? 0);
      const inc = s.value >= before ? s.value - before : s.value;
      const a = m.acc.get(key);
      m.acc.set(key, { ...s, value: (a?.value ?? 0) + inc });
    }
  }
  m.prev = cur;
}

/**
 * Why successive scrapes of one machine disagree beyond what traffic explains, or undefined.
 * With `process_start_time_seconds` it is certain: a restart brings a new, later start time and
 * the old one never answers again, while per-worker counters (several uvicorn workers without
 * Prometheus multiprocess mode) answer with an earlier or an already-seen start time. Without
 * it, a second counter drop is taken as the same sign: one restart is plausible, counters
 * that keep falling back are not.
 */
function perWorkerSign(m: MachineState, start: number | undefined, dropped: boolean): string | undefined {
  const who = m.id === null ? 'the gateway (through the public URL)' : `machine ${m.id}`;
  if (start !== undefined && m.prevStart !== undefined && start !== m.prevStart) {
    if (m.starts.includes(start) || start < m.prevStart) {
      return `${who} answered /metrics/ from ${new Set([...m.starts, start]).size} processes in turn (process_start_time_seconds went back to an earlier process): several workers keep counters of their own (no Prometheus multiprocess mode, PROMETHEUS_MULTIPROC_DIR), so its counters cannot be added up`;
    }
  }
  if (start === undefined && dropped && m.drops >= 2) {
    return `${who}'s request counter went down ${m.drops} times in one watch: more than restarts explain, most likely several workers with counters of their own (no Prometheus multiprocess mode)`;
  }
  return undefined;
}

/**
 * Scrapes the gateway's Prometheus metrics machine by machine. Through the public URL, Fly's
 * proxy picks any machine (and uvicorn any worker), so consecutive scrapes would mix counters of
 * different processes and every switch would read as a restart. With the gateway's machine ids
 * (from the Fly API), each scrape carries `fly-force-instance-id`, each machine's counters are
 * followed on their own with their resets, and the fleet's increase is their sum. Without ids
 * (no Fly access, or not on Fly) it scrapes the public URL as one "machine" and says so.
 *
 * Two machines answering with the same process (same start time and counters) mean the header
 * was not honoured, e.g. a gateway that is not behind Fly's proxy: the duplicate is dropped, never
 * counted twice. `MetricsAuthError` and `MetricsUnavailableError` propagate at once: they are
 * properties of the deployment, not of one poll. Any other failure of a machine is a gap; a
 * poll where every machine failed throws.
 */
export class FleetMetrics {
  private readonly machines: MachineState[];
  private duplicateNote?: string;

  constructor(
    private readonly o: {
      gatewayUrl: string;
      adminKey: string;
      timeoutMs: number;
      machineIds: readonly string[] | null;
    },
  ) {
    const ids: (string | null)[] = o.machineIds && o.machineIds.length > 0 ? [...o.machineIds] : [null];
    this.machines = ids.map((id) => ({
      id,
      acc: new Map(),
      scrapes: 0,
      gaps: 0,
      restarts: 0,
      drops: 0,
      starts: [],
      points: [],
    }));
  }

  /** `per-machine` when each Fly machine is scraped on its own, else `public-url`. */
  get mode(): 'per-machine' | 'public-url' {
    return this.machines[0]?.id === null ? 'public-url' : 'per-machine';
  }

  /** A note for the evidence when the per-machine routing was found not honoured. */
  get routingNote(): string | undefined {
    return this.duplicateNote;
  }

  /** Scrapes every machine once; `atMs` (ms since the watch started) stamps each machine's series. */
  async sample(atMs = 0): Promise<FleetSample> {
    const results = await Promise.allSettled(
      this.machines.map((m) =>
        scrapeMetrics(this.o.gatewayUrl, {
          adminKey: this.o.adminKey,
          timeoutMs: this.o.timeoutMs,
          headers: m.id === null ? {} : { [FORCE_INSTANCE_HEADER]: m.id },
        }),
      ),
    );
    const fatal = results.find(
      (r): r is PromiseRejectedResult =>
        r.status === 'rejected' &&
        (r.reason instanceof MetricsAuthError || r.reason instanceof MetricsUnavailableError),
    );
    if (fatal) throw fatal.reason;
    if (results.every((r) => r.status === 'rejected')) {
      const why = (results[0] as PromiseRejectedResult).reason;
      throw why instanceof Error ? why : new Error(String(why));
    }
    const seen = new Map<string, string>();
    results.forEach((r, i) => {
      const m = this.machines[i]!;
      if (r.status === 'rejected') {
        m.gaps += 1;
        m.lastError = r.reason instanceof Error ? r.reason.message : String(r.reason);
        return;
      }
      const cur = r.value;
      const start = startOf(cur);
      const identity = start === undefined ? undefined : `${start}|${requestsOf(cur)}`;
      if (identity !== undefined && m.id !== null) {
        const twin = seen.get(identity);
        if (twin !== undefined) {
          this.duplicateNote = `machines ${twin} and ${m.id} answered /metrics/ from the same process: ${FORCE_INSTANCE_HEADER} was not honoured (is GATEWAY_URL behind Fly's proxy?), so that process is counted once`;
          m.gaps += 1;
          m.lastError = `same process as machine ${twin}`;
          return;
        }
        seen.set(identity, m.id);
      }
      m.scrapes += 1;
      const dropped = m.prev !== undefined && requestsOf(cur) < requestsOf(m.prev);
      if (dropped) m.drops += 1;
      const sign = m.perWorker ? undefined : perWorkerSign(m, start, dropped);
      if (sign) m.perWorker = sign;
      const restarted =
        start !== undefined && m.prevStart !== undefined && start > m.prevStart && !m.starts.includes(start);
      if (restarted || (start === undefined && dropped)) m.restarts += 1;
      if (start !== undefined && !m.starts.includes(start)) m.starts.push(start);
      accumulate(m, cur, restarted);
      m.points.push([Math.round(atMs), requestsOf(m.acc)]);
      if (start !== undefined) m.prevStart = start;
    });
    const increase = new Map<string, PromSample>();
    for (const m of this.machines) {
      for (const s of m.acc.values()) {
        const key = seriesKey(s.name, s.labels);
        increase.set(key, { ...s, value: (increase.get(key)?.value ?? 0) + s.value });
      }
    }
    const unreliable = this.machines.map((m) => m.perWorker).filter((x) => x !== undefined);
    return { increase, ...(unreliable.length > 0 ? { unreliable: unreliable.join('; ') } : {}) };
  }

  /** Each machine's scrape record, for the evidence. */
  series(): MachineSeries[] {
    return this.machines.map((m) => ({
      id: m.id,
      scrapes: m.scrapes,
      gaps: m.gaps,
      restarts: m.restarts,
      processStarts: [...m.starts],
      requests: requestsOf(m.acc),
      series: m.points.map((p) => [p[0], p[1]] as const),
      ...(m.perWorker ? { perWorker: m.perWorker } : {}),
      ...(m.lastError ? { lastError: m.lastError } : {}),
    }));
  }
}
