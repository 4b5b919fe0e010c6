import { z } from 'zod';
import type { ObservationType } from './store.ts';

// Per-event validation, modelled on v3's `createIngestionEventSchema` (zod). An event that
// fails lands in the 207 response's `errors` instead of failing the batch.

const datetime = z.iso.datetime({ offset: true });
const optionalString = z.string().nullish();
const level = z.enum(['DEBUG', 'DEFAULT', 'WARNING', 'ERROR']);

const usage = z.union([
  z
    .object({
      promptTokens: z.number().int().nonnegative().nullish(),
      completionTokens: z.number().int().nonnegative().nullish(),
      totalTokens: z.number().int().nonnegative().nullish(),
    })
    .refine((u) => u.promptTokens != null || u.completionTokens != null || u.totalTokens != null),
  z.object({
    input: z.number().int().nonnegative().nullish(),
    output: z.number().int().nonnegative().nullish(),
    total: z.number().int().nonnegative().nullish(),
    unit: z.string().nullish(),
    inputCost: z.number().nullish(),
    outputCost: z.number().nullish(),
    totalCost: z.number().nullish(),
  }),
]);

const usageDetails = z.union([
  z.record(z.string(), z.number().int().nonnegative().nullish()),
  z.looseObject({ prompt_tokens: z.number().int().nonnegative() }),
  z.looseObject({ input_tokens: z.number().int().nonnegative() }),
]);

const traceBody = z.object({
  id: optionalString,
  timestamp: datetime.nullish(),
  name: z.string().max(1000).nullish(),
  externalId: optionalString,
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  sessionId: optionalString,
  userId: optionalString,
  environment: optionalString,
  metadata: z.unknown().optional(),
  release: optionalString,
  version: optionalString,
  public: z.boolean().nullish(),
  tags: z.array(z.string()).nullish(),
});

const observationFields = {
  traceId: optionalString,
  name: optionalString,
  startTime: datetime.nullish(),
  endTime: datetime.nullish(),
  completionStartTime: datetime.nullish(),
  model: optionalString,
  modelParameters: z.record(z.string(), z.unknown()).nullish(),
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  metadata: z.unknown().optional(),
  level: level.nullish(),
  statusMessage: optionalString,
  parentObservationId: optionalString,
  version: optionalString,
  environment: optionalString,
  usage: usage.nullish(),
  usageDetails: usageDetails.nullish(),
  costDetails: z.record(z.string(), z.number().nullish()).nullish(),
  promptName: optionalString,
  promptVersion: z.number().int().nullish(),
};

const promptPair = (b: { promptName?: string | null | undefined; promptVersion?: number | null | undefined }) =>
  (b.promptName == null) === (b.promptVersion == null);

const observationBody = z.object({ id: z.string(), ...observationFields }).refine(promptPair, {
  message: 'promptName and promptVersion must be set together',
});

const legacyObservationBody = z
  .object({ id: optionalString, type: z.enum(['SPAN', 'GENERATION', 'EVENT']), ...observationFields })
  .refine(promptPair, { message: 'promptName and promptVersion must be set together' });

const scoreBody = z.object({
  id: optionalString,
  traceId: z.string(),
  observationId: optionalString,
  name: z.string().min(1),
  value: z.union([z.number(), z.string(), z.boolean()]),
  dataType: z.enum(['NUMERIC', 'CATEGORICAL', 'BOOLEAN']).nullish(),
  comment: optionalString,
  configId: optionalString,
  environment: optionalString,
  metadata: z.unknown().optional(),
});

/** Event types whose body is a typed observation (the type is implied by the event type). */
const OBSERVATION_EVENT_TYPES = {
  'span-create': 'SPAN',
  'span-update': 'SPAN',
  'generation-create': 'GENERATION',
  'generation-update': 'GENERATION',
  'event-create': 'EVENT',
  'agent-create': 'AGENT',
  'tool-create': 'TOOL',
  'chain-create': 'CHAIN',
  'retriever-create': 'RETRIEVER',
  'evaluator-create': 'EVALUATOR',
  'embedding-create': 'EMBEDDING',
  'guardrail-create': 'GUARDRAIL',
} as const;

/** Every event type the public ingestion route knows, including the internal-only one. */
const EVENT_TYPES = [
  'trace-create',
  'score-create',
  'sdk-log',
  'observation-create',
  'observation-update',
  'dataset-run-item-create',
  ...(Object.keys(OBSERVATION_EVENT_TYPES) as (keyof typeof OBSERVATION_EVENT_TYPES)[]),
] as const;

const envelope = z.object({
  id: z.string(),
  timestamp: datetime,
  type: z.enum(EVENT_TYPES),
  body: z.unknown(),
  metadata: z.unknown().optional(),
});

/** A validated trace body. */
export type TraceBody = z.infer<typeof traceBody>;
/** A validated observation body, from a typed or a legacy observation event. */
export type ObservationBody = z.infer<typeof observationBody> | z.infer<typeof legacyObservationBody>;
/** A validated score body. */
export type ScoreBody = z.infer<typeof scoreBody>;

/** A validated event, discriminated by what it writes. `timestamp` is the envelope's, in epoch ms. */
export type ParsedEvent = { id: string; timestamp: number } & (
  | { kind: 'trace'; body: TraceBody }
  | { kind: 'observation'; type: ObservationType; update: boolean; body: ObservationBody }
  | { kind: 'score'; body: ScoreBody }
  | { kind: 'sdk-log' }
);

/** The outcome of validating one raw event; a failure carries the event id (or "unknown") and zod's issue text. */
export type ParseResult = { ok: true; event: ParsedEvent } | { ok: false; id: string; error: string };

function issuesText(error: z.ZodError): string {
  return JSON.stringify(error.issues, null, 2);
}

/**
 * Validates one raw batch entry: first the envelope, then the body against its type's schema.
 * `dataset-run-item-create` is internal-only in v3 and rejected on the public route.
 */
export function parseEvent(raw: unknown): ParseResult {
  const rawId =
    typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string'
      ? (raw as { id: string }).id
      : 'unknown';
  const env = envelope.safeParse(raw);
  if (!env.success) return { ok: false, id: rawId, error: issuesText(env.error) };
  const { id, type, body } = env.data;
  const timestamp = Date.parse(env.data.timestamp);
  if (type === 'dataset-run-item-create') {
    return { ok: false, id, error: 'dataset-run-item-create events are not accepted on the public ingestion API' };
  }
  if (type === 'sdk-log') return { ok: true, event: { id, timestamp, kind: 'sdk-log' } };
  if (type === 'trace-create') {
    const parsed = traceBody.safeParse(body);
    return parsed.success
      ? { ok: true, event: { id, timestamp, kind: 'trace', body: parsed.data } }
      : { ok: false, id, error: issuesText(parsed.error) };
  }
  if (type === 'score-create') {
    const parsed = scoreBody.safeParse(body);
    return parsed.success
      ? { ok: true, event: { id, timestamp, kind: 'score', body: parsed.data } }
      : { ok: false, id, error: issuesText(parsed.error) };
  }
  if (type === 'observation-create' || type === 'observation-update') {
    const parsed = legacyObservationBody.safeParse(body);
    return parsed.success
      ? {
          ok: true,
          event: {
            id,
            timestamp,
            kind: 'observation',
            type: parsed.data.type,
            update: type === 'observation-update',
            body: parsed.data,
          },
        }
      : { ok: false, id, error: issuesText(parsed.error) };
  }
  const parsed = observationBody.safeParse(body);
  return parsed.success
    ? {
        ok: true,
        event: {
          id,
          timestamp,
          kind: 'observation',
          type: OBSERVATION_EVENT_TYPES[type],
          update: type.endsWith('-update'),
          body: parsed.data,
        },
      }
    : { ok: false, id, error: issuesText(parsed.error) };
}
