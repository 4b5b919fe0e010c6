import type { StoredMetadata } from './serialization.ts';

// The sandbox's stand-in for ClickHouse plus the ingestion queue. Real v3 uploads each event
// to S3 and enqueues a job that the worker processes after a delay (5 s for the API path),
// merging every event seen so far for that entity. Here each accepted event becomes a pending
// job due `delayMs` later; reads first apply the jobs that are due, in order. There are no
// timers, so nothing keeps the process alive and a closed sandbox leaves nothing behind.

/** A stored trace, fields as in ClickHouse `traces` (times in epoch ms). */
export interface TraceRecord {
  id: string;
  timestamp: number;
  name: string | null;
  userId: string | null;
  sessionId: string | null;
  release: string | null;
  version: string | null;
  environment: string;
  public: boolean;
  bookmarked: boolean;
  tags: string[];
  input: string | null;
  output: string | null;
  metadata: StoredMetadata;
  createdAt: number;
  updatedAt: number;
}

/** Observation types accepted by v3 (`ObservationType`). */
export type ObservationType =
  | 'SPAN'
  | 'GENERATION'
  | 'EVENT'
  | 'AGENT'
  | 'TOOL'
  | 'CHAIN'
  | 'RETRIEVER'
  | 'EVALUATOR'
  | 'EMBEDDING'
  | 'GUARDRAIL';

/** Observation severity (`ObservationLevel`). */
type ObservationLevel = 'DEBUG' | 'DEFAULT' | 'WARNING' | 'ERROR';

/**
 * A stored observation. `providedUsageDetails`/`providedCostDetails` are what clients sent,
 * merged over all events; `usageDetails`/`costDetails` are what the worker derived from them.
 */
export interface ObservationRecord {
  id: string;
  traceId: string | null;
  parentObservationId: string | null;
  type: ObservationType;
  name: string | null;
  startTime: number;
  endTime: number | null;
  completionStartTime: number | null;
  model: string | null;
  modelParameters: Record<string, unknown> | null;
  input: string | null;
  output: string | null;
  metadata: StoredMetadata;
  level: ObservationLevel;
  statusMessage: string | null;
  version: string | null;
  environment: string;
  promptName: string | null;
  promptVersion: number | null;
  providedUsageDetails: Record<string, number>;
  providedCostDetails: Record<string, number>;
  usageDetails: Record<string, number>;
  costDetails: Record<string, number>;
  modelId: string | null;
  inputPrice: number | null;
  outputPrice: number | null;
  totalPrice: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A stored score (v1 read shape is derived from it). */
export interface ScoreRecord {
  id: string;
  traceId: string;
  observationId: string | null;
  name: string;
  value: number | null;
  stringValue: string | null;
  dataType: 'NUMERIC' | 'CATEGORICAL' | 'BOOLEAN';
  comment: string | null;
  metadata: StoredMetadata;
  configId: string | null;
  environment: string;
  timestamp: number;
  createdAt: number;
  updatedAt: number;
}

/** An accepted event waiting for the simulated worker. */
interface PendingJob {
  readonly dueAt: number;
  readonly apply: (now: number) => void;
}

/** The in-memory Langfuse data: what has been processed, and what is still queued. */
export class Store {
  readonly traces = new Map<string, TraceRecord>();
  readonly observations = new Map<string, ObservationRecord>();
  readonly scores = new Map<string, ScoreRecord>();
  private pending: PendingJob[] = [];

  /** Queues `apply` to run at the first read at or after `dueAt` (epoch ms). */
  enqueue(dueAt: number, apply: (now: number) => void): void {
    this.pending.push({ dueAt, apply });
  }

  /** Applies every job that is due, in the order accepted; reads call this first. */
  processDue(now = Date.now()): void {
    const due = this.pending.filter((j) => j.dueAt <= now);
    if (due.length === 0) return;
    this.pending = this.pending.filter((j) => j.dueAt > now);
    for (const job of due) job.apply(now);
  }

  /** Processed observations of one trace, oldest first. */
  observationsOf(traceId: string): ObservationRecord[] {
    return [...this.observations.values()]
      .filter((o) => o.traceId === traceId)
      .sort((a, b) => a.startTime - b.startTime);
  }

  /** Processed scores of one trace. */
  scoresOf(traceId: string): ScoreRecord[] {
    return [...this.scores.values()].filter((s) => s.traceId === traceId);
  }
}
