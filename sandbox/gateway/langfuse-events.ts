import { randomUUID } from 'node:crypto';
import type { Faults } from '../faults.ts';
import { type CallMetadata, type RequestContext, standardMetadata } from './standard-logging.ts';

/** One logged call: a chat completion, an embedding the cache made for it, or a failure. */
export interface CallRecord {
  readonly request: RequestContext;
  /** `call_type`: names the trace (`litellm-<call type>`) and an unnamed generation. */
  readonly callType: 'acompletion' | 'aembedding';
  readonly startTime: Date;
  readonly endTime: Date;
  /** The generation's `model` (`reconstruct_model_name`); undefined when the request named none. */
  readonly model: string | undefined;
  /** The call's `optional_params`, non-scalars already `str()`ed. */
  readonly modelParameters: Readonly<Record<string, unknown>>;
  readonly metadata: CallMetadata;
  readonly outcome:
    | {
        readonly kind: 'success';
        /** The response's `id`, which the generation id is derived from; embeddings have none. */
        readonly responseId?: string;
        /** The assistant message (chat); undefined for an embedding, which logs no output. */
        readonly output?: unknown;
        readonly promptTokens: number;
        readonly completionTokens: number;
        readonly totalTokens: number;
        /** `usage.total_cost`: the logged response cost. */
        readonly cost: number;
      }
    | {
        readonly kind: 'failure';
        /** The logged `error_str`: `str(exception)`, secrets redacted. */
        readonly error: string;
      };
}

/** One event of a Langfuse ingestion batch. */
export interface IngestionEvent {
  id: string;
  timestamp: string;
  type: 'trace-create' | 'generation-create';
  body: Record<string, unknown>;
}

/** Metadata keys `_log_langfuse_v2` never logs as trace or generation parameters (`_DENIED_STEERING_KEYS`). */
const DENIED_STEERING_KEYS = new Set(['headers', 'endpoint', 'caching_groups', 'previous_models']);
/** SDK v2 `trace()` keyword arguments whose wire names differ; other keys go out as given. */
const TRACE_WIRE_NAMES: Readonly<Record<string, string>> = { user_id: 'userId', session_id: 'sessionId' };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** `litellm.utils.get_logging_id`: `time-%H-%M-%S-%f_<response id>`, microseconds included. */
function loggingId(start: Date, responseId: string): string {
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000) % 1_000_000;
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `time-${p(start.getHours())}-${p(start.getMinutes())}-${p(start.getSeconds())}-${p(micros, 6)}_${responseId}`;
}

/**
 * `StandardLoggingPayloadSetup._get_request_tags`: the request's `metadata.tags`, then
 * `User-Agent: <product>` and `User-Agent: <full agent>` from the proxy request's headers. A
 * call the cache made has no proxy request of its own, hence no user-agent tags.
 */
function requestTags(r: CallRecord): string[] {
  const md = r.request.requesterMetadata;
  const tags =
    r.request.authenticated && Array.isArray(md.tags) ? md.tags.filter((t): t is string => typeof t === 'string') : [];
  const ua = r.request.userAgent;
  if (r.callType === 'acompletion' && ua) {
    if (ua.includes('/')) tags.push(`User-Agent: ${ua.split('/')[0]}`);
    tags.push(`User-Agent: ${ua}`);
  }
  return tags;
}

/**
 * What LiteLLM's `langfuse` callback on the SDK v2 path (`LangFuseLogger._log_langfuse_v2`,
 * `integrations/langfuse/langfuse.py`) sends for one call: a `trace-create` upserting the trace
 * (every call does, so a request whose cache embedded twice upserts its trace three times) and
 * a `generation-create`. Fields the SDK would send as `None` are left out, as it does.
 *
 * - Trace: id from `existing_trace_id`, `trace_id` or the call id; name `trace_name` or
 *   `litellm-<call type>`; input, and output or (for a failure) `status_message`; session,
 *   tags, end user, and every other `trace_*` metadata key minus its prefix. With
 *   `existing_trace_id` only the id is sent, so the existing trace is not overwritten.
 * - Generation: name `generation_name`, else `litellm:<key alias>`, else `litellm-<call type>`;
 *   id `generation_id`, else the timestamped response id, else a fresh UUID (embeddings and
 *   failures have no response id); `usage` in the SDK's legacy form with `totalCost` (SDK v2
 *   sends no `costDetails`), `usageDetails`; `completionStartTime` on success, `statusMessage`
 *   on failure.
 *
 * Fault `langfuse-cache-hit-missing` logs hits with `cache_hit: false`.
 */
export function langfuseEvents(r: CallRecord, faults: Faults): IngestionEvent[] {
  const now = new Date().toISOString();
  const clean: Record<string, unknown> = {};
  if (r.request.authenticated)
    for (const [k, v] of Object.entries(r.request.requesterMetadata)) if (!DENIED_STEERING_KEYS.has(k)) clean[k] = v;
  const success = r.outcome.kind === 'success' ? r.outcome : undefined;
  const failure = r.outcome.kind === 'failure' ? r.outcome : undefined;
  const input = {
    messages: r.request.body.messages ?? null,
    ...(r.request.body.functions !== undefined ? { functions: r.request.body.functions } : {}),
    ...(r.request.body.tools !== undefined ? { tools: r.request.body.tools } : {}),
  };
  const output = failure ? failure.error : success?.output;

  const existing = str(clean.existing_trace_id);
  const traceId = existing ?? str(clean.trace_id) ?? r.request.callId;
  let trace: Record<string, unknown>;
  if (existing) {
    trace = { id: existing };
  } else {
    trace = {
      id: traceId,
      timestamp: now,
      name: str(clean.trace_name) ?? `litellm-${r.callType}`,
      sessionId: str(clean.session_id),
      input,
      version: str(clean.trace_version) ?? str(clean.version),
      userId: typeof r.request.body.user === 'string' ? r.request.body.user : undefined,
    };
    for (const [k, v] of Object.entries(clean)) {
      if (!k.startsWith('trace_') || k === 'trace_name' || k === 'trace_id' || k === 'trace_version') continue;
      const param = k.slice('trace_'.length);
      trace[TRACE_WIRE_NAMES[param] ?? param] = v;
    }
    if (failure) trace.status_message = failure.error;
    else trace.output = output;
    trace.tags = requestTags(r);
  }

  const md =
    r.metadata.cacheHit && faults.has('langfuse-cache-hit-missing') ? { ...r.metadata, cacheHit: false } : r.metadata;
  const alias = r.request.caller?.alias;
  const generation: Record<string, unknown> = {
    traceId,
    name: str(clean.generation_name) ?? (alias ? `litellm:${alias}` : `litellm-${r.callType}`),
    startTime: r.startTime.toISOString(),
    metadata: standardMetadata(r.request, md),
    input,
    output,
    level: failure ? 'ERROR' : 'DEFAULT',
    statusMessage: failure?.error,
    id: str(clean.generation_id) ?? (success?.responseId ? loggingId(r.startTime, success.responseId) : randomUUID()),
    endTime: r.endTime.toISOString(),
    completionStartTime: success ? r.endTime.toISOString() : undefined,
    model: r.model,
    modelParameters: r.modelParameters,
    version: str(clean.version),
    parentObservationId: str(clean.parent_observation_id),
  };
  if (success) {
    generation.usage = {
      input: success.promptTokens,
      output: success.completionTokens,
      unit: 'TOKENS',
      totalCost: success.cost,
    };
    generation.usageDetails = {
      input: success.promptTokens,
      output: success.completionTokens,
      total: success.totalTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    };
  }
  return [
    { id: randomUUID(), timestamp: now, type: 'trace-create', body: trace },
    { id: randomUUID(), timestamp: now, type: 'generation-create', body: generation },
  ];
}
