import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { sendJson } from '../http.ts';
import { authorizeRead, type ApiKeys } from './auth.ts';
import { sendInvalidQuery, sendNotFound } from './errors.ts';
import { isoWithOffset, pagination, paginate, queryObject, stringList } from './query.ts';
import { readIo, readMetadata } from './serialization.ts';
import type { ObservationRecord, Store } from './store.ts';

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

// `reduceUsageOrCostDetails`: the sum of the keys starting with the prefix, null when none do.
function sumPrefixed(details: Record<string, number>, prefix: string): number | null {
  const keys = Object.keys(details).filter((k) => k.startsWith(prefix));
  return keys.length === 0 ? null : keys.reduce((s, k) => s + (details[k] ?? 0), 0);
}

/**
 * Renders a stored observation as v3's `APIObservation` (`transformDbToApiObservation`):
 * latency and time to first token in seconds, `calculatedTotalCost = Number(costDetails.total
 * ?? 0)` (0, never null), token counts from the `input*`/`output*` usage keys (0 when absent),
 * metadata and input/output JSON-parsed back from their stored strings.
 */
export function toApiObservation(o: ObservationRecord, projectId: string): Record<string, unknown> {
  const promptTokens = sumPrefixed(o.usageDetails, 'input') ?? 0;
  const completionTokens = sumPrefixed(o.usageDetails, 'output') ?? 0;
  const totalTokens = o.usageDetails.total ?? 0;
  return {
    id: o.id,
    projectId,
    traceId: o.traceId,
    parentObservationId: o.parentObservationId,
    name: o.name,
    type: o.type,
    environment: o.environment,
    startTime: iso(o.startTime),
    endTime: iso(o.endTime),
    version: o.version,
    createdAt: iso(o.createdAt),
    updatedAt: iso(o.updatedAt),
    input: readIo(o.input),
    output: readIo(o.output),
    metadata: readMetadata(o.metadata),
    level: o.level,
    statusMessage: o.statusMessage,
    model: o.model,
    modelParameters: o.modelParameters ?? {},
    completionStartTime: iso(o.completionStartTime),
    promptId: null,
    promptName: o.promptName,
    promptVersion: o.promptVersion,
    usageDetails: o.usageDetails,
    costDetails: o.costDetails,
    usage: { unit: 'TOKENS', input: promptTokens, output: completionTokens, total: totalTokens },
    unit: 'TOKENS',
    promptTokens,
    completionTokens,
    totalTokens,
    usagePricingTierName: null,
    usagePricingTierId: null,
    modelId: o.modelId,
    inputPrice: o.inputPrice,
    outputPrice: o.outputPrice,
    totalPrice: o.totalPrice,
    calculatedInputCost: sumPrefixed(o.costDetails, 'input'),
    calculatedOutputCost: sumPrefixed(o.costDetails, 'output'),
    calculatedTotalCost: Number(o.costDetails.total ?? 0),
    latency: o.endTime === null ? null : (o.endTime - o.startTime) / 1000,
    timeToFirstToken: o.completionStartTime === null ? null : (o.completionStartTime - o.startTime) / 1000,
  };
}

const listQuery = z.object({
  ...pagination,
  type: z
    .enum(['GENERATION', 'SPAN', 'EVENT', 'AGENT', 'TOOL', 'CHAIN', 'RETRIEVER', 'EVALUATOR', 'EMBEDDING', 'GUARDRAIL'])
    .optional(),
  name: z.string().optional(),
  userId: z.string().optional(),
  level: z.enum(['DEBUG', 'DEFAULT', 'WARNING', 'ERROR']).optional(),
  traceId: z.string().optional(),
  version: z.string().optional(),
  parentObservationId: z.string().optional(),
  environment: stringList.optional(),
  fromStartTime: isoWithOffset.optional(),
  toStartTime: isoWithOffset.optional(),
});

/** What the observation routes read. */
export interface ReadContext {
  readonly store: Store;
  readonly keys: ApiKeys;
  readonly projectId: string;
}

/**
 * `GET /api/public/observations` (v1): filters as in v3 (`userId` joins the trace,
 * `fromStartTime` inclusive, `toStartTime` exclusive), newest start time first.
 */
export function handleObservationList(req: IncomingMessage, res: ServerResponse, url: URL, c: ReadContext): void {
  if (!authorizeRead(req, res, c.keys)) return;
  const q = listQuery.safeParse(queryObject(url));
  if (!q.success) return sendInvalidQuery(res, q.error.issues);
  const f = q.data;
  c.store.processDue();
  const from = f.fromStartTime ? Date.parse(f.fromStartTime) : undefined;
  const to = f.toStartTime ? Date.parse(f.toStartTime) : undefined;
  const matches = [...c.store.observations.values()]
    .filter(
      (o) =>
        (f.type === undefined || o.type === f.type) &&
        (f.name === undefined || o.name === f.name) &&
        (f.level === undefined || o.level === f.level) &&
        (f.traceId === undefined || o.traceId === f.traceId) &&
        (f.version === undefined || o.version === f.version) &&
        (f.parentObservationId === undefined || o.parentObservationId === f.parentObservationId) &&
        (f.environment === undefined || f.environment.includes(o.environment)) &&
        (from === undefined || o.startTime >= from) &&
        (to === undefined || o.startTime < to) &&
        (f.userId === undefined || (o.traceId !== null && c.store.traces.get(o.traceId)?.userId === f.userId)),
    )
    .sort((a, b) => b.startTime - a.startTime);
  const page = paginate(matches, f.page, f.limit);
  sendJson(res, 200, { data: page.data.map((o) => toApiObservation(o, c.projectId)), meta: page.meta });
}

/** `GET /api/public/observations/{id}`: 404 `LangfuseNotFoundError` until the observation is processed. */
export function handleObservationGet(req: IncomingMessage, res: ServerResponse, id: string, c: ReadContext): void {
  if (!authorizeRead(req, res, c.keys)) return;
  c.store.processDue();
  const o = c.store.observations.get(id);
  if (!o) return sendNotFound(res, `Observation not found within authorized project`);
  sendJson(res, 200, toApiObservation(o, c.projectId));
}
