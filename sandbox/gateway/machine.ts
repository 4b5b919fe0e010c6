import type { ChatContext } from './chat.ts';
import { Metrics } from './metrics.ts';

/** What every process of the fleet shares (Redis, Postgres and the config in a real deployment): all of a context but its registry. */
export type SharedContext = Omit<ChatContext, 'metrics'>;

/** One gateway process (a uvicorn worker): its own Prometheus registry and start time. */
export interface GatewayProcess {
  /** The chat route's context: the fleet's shared state with this process's `metrics`. */
  readonly ctx: ChatContext;
  /** `process_start_time_seconds`, at the 1/100 s resolution of the collector's `/proc` ticks. */
  readonly startTimeSeconds: number;
}

/** Options of a `GatewayMachine`. */
export interface MachineOptions {
  /** The Fly machine id `fly-force-instance-id` names. */
  readonly id: string;
  readonly shared: SharedContext;
  /** When the machine's first worker started, Unix seconds. */
  readonly startTimeSeconds: number;
  /** uvicorn workers, each its own process with its own registry; default 1. */
  readonly workers?: number;
  /** Restarts the machine this long after its first scrape, once (fault `machine-restarted-mid-watch`); never when absent. */
  readonly restartAfterFirstScrapeMs?: number;
  /** Clock in Unix milliseconds, for the start time of a restart. */
  readonly now?: () => number;
}

/** uvicorn forks its workers one after another: each worker's start time is its own, this far apart. */
const WORKER_SPAWN_SECONDS = 0.27;

const centiseconds = (seconds: number): number => Math.round(seconds * 100) / 100;

/**
 * One Fly machine of the gateway process group. Without multiprocess mode every worker process
 * keeps its own registry, so which worker answers decides what a scrape shows: chat requests and
 * scrapes go to the workers in turn, each with its own turn, so that with two workers successive
 * scrapes of one machine always land on different workers, as the fault promises.
 */
export class GatewayMachine {
  readonly id: string;
  private processes: readonly GatewayProcess[];
  private nextRequest = 0;
  private nextScrape = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private scraped = false;
  private readonly shared: SharedContext;
  private readonly workers: number;
  private readonly restartAfterFirstScrapeMs: number | undefined;
  private readonly now: () => number;

  constructor(o: MachineOptions) {
    this.id = o.id;
    this.shared = o.shared;
    this.workers = o.workers ?? 1;
    this.restartAfterFirstScrapeMs = o.restartAfterFirstScrapeMs;
    this.now = o.now ?? Date.now;
    this.processes = this.spawn(o.startTimeSeconds);
  }

  /** The worker that serves the next chat request. */
  serving(): GatewayProcess {
    const p = this.processes;
    if (p.length === 1) return p[0] as GatewayProcess;
    const i = this.nextRequest % p.length;
    this.nextRequest = i + 1;
    return p[i] as GatewayProcess;
  }

  /** The worker that answers the next `/metrics/` scrape; the first scrape arms a configured restart. */
  scrape(): GatewayProcess {
    if (!this.scraped) {
      this.scraped = true;
      if (this.restartAfterFirstScrapeMs !== undefined) {
        this.restartTimer = setTimeout(() => this.restart(), this.restartAfterFirstScrapeMs);
        this.restartTimer.unref();
      }
    }
    const p = this.processes;
    const i = this.nextScrape % p.length;
    this.nextScrape = i + 1;
    return p[i] as GatewayProcess;
  }

  /**
   * Restarts every worker: empty registries under a new, later start time. Requests already in
   * flight finish on the old context, as they would die with the old process; later ones are
   * served by the new processes, so the machine never stops answering.
   */
  restart(): void {
    this.processes = this.spawn(this.now() / 1000);
  }

  /** Cancels a pending restart. */
  close(): void {
    clearTimeout(this.restartTimer);
  }

  private spawn(startTimeSeconds: number): GatewayProcess[] {
    // Every context is a spread of the same shared object plus `metrics`, so all of them share
    // one hidden class and the chat path's property reads stay monomorphic.
    return Array.from({ length: this.workers }, (_, i) => ({
      ctx: { ...this.shared, metrics: new Metrics() },
      startTimeSeconds: centiseconds(startTimeSeconds + i * WORKER_SPAWN_SECONDS),
    }));
  }
}
