import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { readJson, sendJson } from '../http.ts';
import { authenticate, type ApiKeys } from './auth.ts';
import {
  parseEvent,
  type ObservationBody,
  type ParsedEvent,
  type ScoreBody,
  type TraceBody,
} from './ingestion-schema.ts';
import { normalizeEnvironment, storeIo, storeMetadata } from './serialization.ts';
import type { ObservationRecord, ObservationType, Store } from './store.ts';
import { deriveUsage, fromUsage, fromUsageDetails } from './usage.ts';

/** How the ingestion route behaves; the faults it honours are resolved by the caller. */
export interface IngestionOptions {
  readonly store: Store;
  readonly keys: ApiKeys;
  /**
   * Delay between acceptance and readability (the queue delay plus the ClickHouse flush), drawn
   * once per batch: a batch's events become readable together, as one worker pass stores them.
   */
  readonly delayMs: () => number;
  /** `trace-dropped`: trace and observation events are acknowledged but never stored. */
  readonly dropTraces: boolean;
  /** `langfuse-v4-events-only`: only score, log and dataset-run-item events pass the filter. */
  readonly eventsOnly: boolean;
  /** Every event as it arrived, valid or not, for the differential probe (`receivedEvents()`). */
  readonly received: RawEventLog;
}

/** The raw ingestion events a Langfuse stand-in received, oldest first, bounded. */
export class RawEventLog {
  private readonly events: unknown[] = [];
  constructor(private readonly limit = 10_000) {}
  push(events: readonly unknown[]): void {
    this.events.push(...events);
    if (this.events.length > this.limit) this.events.splice(0, this.events.length - this.limit);
  }
  all(): readonly unknown[] {
    return [...this.events];
  }
}

type IngestionError = { id: string; status: number; message: string; error: string };

const batchSchema = z.object({ batch: z.array(z.unknown()), metadata: z.unknown().optional() });

// Verbatim from v4's `filterBatchForEventsOnly` (web/src/pages/api/public/ingestion.ts).
const EVENTS_ONLY_ALLOWED = new Set(['score-create', 'sdk-log', 'dataset-run-item-create']);
function eventsOnlyRejection(event: unknown): IngestionError | undefined {
  const obj = typeof event === 'object' && event !== null ? (event as { id?: unknown; type?: unknown }) : null;
  const type = obj && typeof obj.type === 'string' ? obj.type : null;
  if (type && EVENTS_ONLY_ALLOWED.has(type)) return undefined;
  return {
    id: obj && typeof obj.id === 'string' ? obj.id : 'unknown',
    status: 400,
    message: 'Event type not accepted',
    error: `Event type "${type ?? 'unknown'}" is not accepted by /api/public/ingestion when LANGFUSE_MIGRATION_V4_WRITE_MODE is events_only. This endpoint only accepts score, log, and dataset-run-item events.`,
  };
}

// `sortBatch` in processEventBatch.ts: creates before updates, each by envelope timestamp.
function sortBatch(events: ParsedEvent[]): ParsedEvent[] {
  const isUpdate = (e: ParsedEvent) => e.kind === 'observation' && e.update;
  const byTime = (a: ParsedEvent, b: ParsedEvent) => a.timestamp - b.timestamp;
  return [...events.filter((e) => !isUpdate(e)).sort(byTime), ...events.filter(isUpdate).sort(byTime)];
}

const ms = (iso: string | null | undefined): number | null => (iso ? Date.parse(iso) : null);

/** Merges a trace-create into the stored trace: later non-null fields win, tags union, metadata keys merge. */
function applyTrace(store: Store, body: TraceBody, eventTime: number, now: number): void {
  const id = body.id ?? randomUUID();
  const prev = store.traces.get(id);
  store.traces.set(id, {
    id,
    timestamp: ms(body.timestamp) ?? prev?.timestamp ?? eventTime,
    name: body.name ?? prev?.name ?? null,
    userId: body.userId ?? prev?.userId ?? null,
    sessionId: body.sessionId ?? prev?.sessionId ?? null,
    release: body.release ?? prev?.release ?? null,
    version: body.version ?? prev?.version ?? null,
    environment: body.environment != null ? normalizeEnvironment(body.environment) : (prev?.environment ?? 'default'),
    public: body.public ?? prev?.public ?? false,
    bookmarked: prev?.bookmarked ?? false,
    tags: [...new Set([...(prev?.tags ?? []), ...(body.tags ?? [])])].sort(),
    input: storeIo(body.input) ?? prev?.input ?? null,
    output: storeIo(body.output) ?? prev?.output ?? null,
    metadata: { ...prev?.metadata, ...storeMetadata(body.metadata) },
    createdAt: prev?.createdAt ?? now,
    updatedAt: now,
  });
}

/** Merges an observation event; usage and cost are re-derived from everything provided so far. */
function applyObservation(
  store: Store,
  type: ObservationType,
  body: ObservationBody,
  eventTime: number,
  now: number,
): void {
  const id = body.id ?? randomUUID();
  const prev = store.observations.get(id);
  const fromLegacy = body.usage ? fromUsage(body.usage) : { usageDetails: {}, costDetails: {} };
  const providedUsageDetails = {
    ...prev?.providedUsageDetails,
    ...(body.usageDetails ? fromUsageDetails(body.usageDetails) : fromLegacy.usageDetails),
  };
  const costDetails = Object.fromEntries(
    Object.entries(body.costDetails ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number'),
  );
  const providedCostDetails = {
    ...prev?.providedCostDetails,
    ...(Object.keys(costDetails).length > 0 ? costDetails : fromLegacy.costDetails),
  };
  const model = body.model ?? prev?.model ?? null;
  const derived = deriveUsage(model, { usageDetails: providedUsageDetails, costDetails: providedCostDetails });
  const record: ObservationRecord = {
    id,
    traceId: body.traceId ?? prev?.traceId ?? null,
    parentObservationId: body.parentObservationId ?? prev?.parentObservationId ?? null,
    type: prev && type === 'SPAN' && prev.type !== 'SPAN' ? prev.type : type,
    name: body.name ?? prev?.name ?? null,
    startTime: ms(body.startTime) ?? prev?.startTime ?? eventTime,
    endTime: ms(body.endTime) ?? prev?.endTime ?? null,
    completionStartTime: ms(body.completionStartTime) ?? prev?.completionStartTime ?? null,
    model,
    modelParameters: body.modelParameters ?? prev?.modelParameters ?? null,
    input: storeIo(body.input) ?? prev?.input ?? null,
    output: storeIo(body.output) ?? prev?.output ?? null,
    metadata: { ...prev?.metadata, ...storeMetadata(body.metadata) },
    level: body.level ?? prev?.level ?? 'DEFAULT',
    statusMessage: body.statusMessage ?? prev?.statusMessage ?? null,
    version: body.version ?? prev?.version ?? null,
    environment: body.environment != null ? normalizeEnvironment(body.environment) : (prev?.environment ?? 'default'),
    promptName: body.promptName ?? prev?.promptName ?? null,
    promptVersion: body.promptVersion ?? prev?.promptVersion ?? null,
    providedUsageDetails,
    providedCostDetails,
    usageDetails: derived.usageDetails,
    costDetails: derived.costDetails,
    modelId: derived.price?.id ?? null,
    inputPrice: derived.price?.prices.input ?? null,
    outputPrice: derived.price?.prices.output ?? null,
    totalPrice: derived.price?.prices.total ?? null,
    createdAt: prev?.createdAt ?? now,
    updatedAt: now,
  };
  store.observations.set(id, record);
}

/** Stores a score; v3 infers the data type from the value when it is not given. */
function applyScore(store: Store, body: ScoreBody, eventTime: number, now: number): void {
  const id = body.id ?? randomUUID();
  const dataType = body.dataType ?? (typeof body.value === 'string' ? 'CATEGORICAL' : 'NUMERIC');
  const numeric =
    typeof body.value === 'number' ? body.value : typeof body.value === 'boolean' ? Number(body.value) : null;
  const stringValue =
    dataType === 'BOOLEAN' ? (numeric === 1 ? 'True' : 'False') : typeof body.value === 'string' ? body.value : null;
  store.scores.set(id, {
    id,
    traceId: body.traceId,
    observationId: body.observationId ?? null,
    name: body.name,
    value: dataType === 'CATEGORICAL' ? (numeric ?? 0) : numeric,
    stringValue,
    dataType,
    comment: body.comment ?? null,
    metadata: storeMetadata(body.metadata),
    configId: body.configId ?? null,
    environment: normalizeEnvironment(body.environment ?? 'default'),
    timestamp: store.scores.get(id)?.timestamp ?? eventTime,
    createdAt: store.scores.get(id)?.createdAt ?? now,
    updatedAt: now,
  });
}

/**
 * `POST /api/public/ingestion`: authenticates, validates each event on its own and answers
 * 207 `{successes, errors}` at once; storage happens `delayMs()` later, as the real worker does.
 * A body without `batch` is the only whole-request 400. A Bearer (scores-only) key may send
 * score and log events; other events come back as per-event 401s.
 */
export async function handleIngestion(req: IncomingMessage, res: ServerResponse, o: IngestionOptions): Promise<void> {
  const access = authenticate(req, res, o.keys);
  if (access === undefined) return;
  const parsedBody = batchSchema.safeParse(await readJson(req));
  if (!parsedBody.success) {
    sendJson(res, 400, { message: 'Invalid request data', errors: parsedBody.error.issues.map((i) => i.message) });
    return;
  }
  o.received.push(parsedBody.data.batch);
  const errors: IngestionError[] = [];
  const accepted: ParsedEvent[] = [];
  for (const raw of parsedBody.data.batch) {
    const rejection = o.eventsOnly ? eventsOnlyRejection(raw) : undefined;
    if (rejection) {
      errors.push(rejection);
      continue;
    }
    const result = parseEvent(raw);
    if (!result.ok) {
      errors.push({ id: result.id, status: 400, message: 'Invalid request data', error: result.error });
    } else if (access === 'scores' && result.event.kind !== 'score' && result.event.kind !== 'sdk-log') {
      errors.push({ id: result.event.id, status: 401, message: 'Authentication error', error: 'Access Scope Denied' });
    } else {
      accepted.push(result.event);
    }
  }
  const dueAt = Date.now() + o.delayMs();
  for (const event of sortBatch(accepted)) {
    if (event.kind === 'sdk-log') continue;
    if (o.dropTraces && event.kind !== 'score') continue;
    o.store.enqueue(dueAt, (now) => {
      if (event.kind === 'trace') applyTrace(o.store, event.body, event.timestamp, now);
      else if (event.kind === 'observation') applyObservation(o.store, event.type, event.body, event.timestamp, now);
      else applyScore(o.store, event.body, event.timestamp, now);
    });
  }
  sendJson(res, 207, { successes: accepted.map((e) => ({ id: e.id, status: 201 })), errors });
}
