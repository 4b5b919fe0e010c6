import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import type { Faults } from '../faults.ts';

/** Where and as whom the logger ingests. */
export interface LangfuseTarget {
  readonly url: string;
  readonly publicKey: string;
  readonly secretKey: string;
}

/** Everything the logger needs to know about one finished chat request. */
export interface CallRecord {
  readonly callId: string;
  readonly startTime: Date;
  readonly endTime: Date;
  /** The request's `metadata` object (Langfuse trace controls and free-form keys). */
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly messages: unknown;
  readonly modelParameters: Readonly<Record<string, unknown>>;
  readonly keyAlias: string | null;
  readonly keyHash: string;
  readonly user: string | undefined;
  /** The deployment's model string; undefined when the request failed before routing. */
  readonly model: string | undefined;
  readonly modelGroup: string | undefined;
  readonly modelId: string | undefined;
  readonly apiBase: string | undefined;
  readonly attemptedFallbacks: 0 | 1;
  readonly outcome:
    | {
        readonly kind: 'success';
        readonly responseId: string;
        readonly output: unknown;
        readonly promptTokens: number;
        readonly completionTokens: number;
        /** LiteLLM's response cost of the call (what the header shows). */
        readonly cost: number;
        readonly cacheHit: boolean;
        readonly cacheKey: string | undefined;
        readonly semanticSimilarity: number | undefined;
      }
    | { readonly kind: 'failure'; readonly error: string };
}

interface IngestionEvent {
  id: string;
  timestamp: string;
  type: 'trace-create' | 'generation-create';
  body: Record<string, unknown>;
}

/** Metadata keys `_log_langfuse_v2` strips before logging the rest as generation metadata. */
const STRIPPED_METADATA = new Set(['headers', 'endpoint', 'caching_groups', 'previous_models']);
/**
 * Events per ingestion POST. Big batches keep the per-request cost of logging low when the
 * cache serves thousands of hits a second; a few hundred ~1 KB events stay far below
 * Langfuse's 4.5 MB body limit.
 */
const MAX_BATCH_EVENTS = 400;
const FLUSH_INTERVAL_MS = 100;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** `litellm.utils.get_logging_id`: `time-%H-%M-%S-%f_<response id>`, microseconds included. */
function loggingId(start: Date, responseId: string): string {
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000) % 1_000_000;
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `time-${p(start.getHours())}-${p(start.getMinutes())}-${p(start.getSeconds())}-${p(micros, 6)}_${responseId}`;
}

/**
 * LiteLLM's `langfuse` callback on the SDK v2 path (`_log_langfuse_v2`): every call becomes a
 * `trace-create` and a `generation-create` event, buffered and posted to
 * `/api/public/ingestion` every ~100 ms so logging never delays a response. Faults it owns:
 * `langfuse-cache-hit-missing` logs hits with `cache_hit: false`; `escalation-no-cost` logs
 * generations that a context-window fallback served with cost 0, as LiteLLM does when it has no
 * price for the deployment's model. It must be an explicit 0: Langfuse prices a generation that
 * arrives with no cost at all from its own model table, which would hide the fault.
 */
export class LangfuseLogger {
  private queue: IngestionEvent[] = [];
  private inFlight: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private readonly auth: string;
  /** undici's pool rather than `fetch`: a fraction of the per-call overhead, with keep-alive. */
  private readonly pool: Pool;

  constructor(
    private readonly target: LangfuseTarget,
    private readonly faults: Faults,
  ) {
    this.pool = new Pool(new URL(target.url).origin, { connections: 4 });
    this.auth = `Basic ${Buffer.from(`${target.publicKey}:${target.secretKey}`).toString('base64')}`;
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /** Queues the trace and generation of one call. */
  log(r: CallRecord): void {
    const md = r.metadata;
    const traceId = str(md.existing_trace_id) ?? str(md.trace_id) ?? r.callId;
    const now = new Date().toISOString();
    const success = r.outcome.kind === 'success' ? r.outcome : undefined;
    const failure = r.outcome.kind === 'failure' ? r.outcome : undefined;
    const trace: Record<string, unknown> = {
      id: traceId,
      timestamp: r.startTime.toISOString(),
      name: str(md.trace_name) ?? 'litellm-acompletion',
      userId: str(md.trace_user_id) ?? r.user,
      sessionId: str(md.session_id),
      tags: Array.isArray(md.tags) ? md.tags.filter((t) => typeof t === 'string') : [],
      input: { messages: r.messages },
      output: success?.output,
      metadata: md.trace_metadata,
      release: str(md.trace_release),
      version: str(md.trace_version),
    };

    const clean: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(md)) if (!STRIPPED_METADATA.has(k)) clean[k] = v;
    const cacheHit = (success?.cacheHit ?? false) && !this.faults.has('langfuse-cache-hit-missing');
    const costDropped = this.faults.has('escalation-no-cost') && r.attemptedFallbacks > 0;
    // Spend on a hit is 0 (`response_cost_calculator` returns 0 when `cache_hit`), although the header shows the full price.
    const loggedCost = success && !success.cacheHit && !costDropped ? success.cost : 0;
    const metadata: Record<string, unknown> = {
      ...clean,
      requester_metadata: { ...clean },
      user_api_key_alias: r.keyAlias,
      user_api_key_hash: r.keyHash,
      model_group: r.modelGroup,
      model_info: r.modelId ? { id: r.modelId } : undefined,
      api_base: r.apiBase,
      cache_hit: cacheHit,
      litellm_response_cost: loggedCost,
      hidden_params: {
        model_id: r.modelId,
        api_base: r.apiBase,
        response_cost: success ? loggedCost : null,
        cache_key: success?.cacheKey ?? null,
        litellm_call_id: r.callId,
      },
    };
    if (success?.semanticSimilarity !== undefined) metadata['semantic-similarity'] = success.semanticSimilarity;

    const generation: Record<string, unknown> = {
      id: str(md.generation_id) ?? (success ? loggingId(r.startTime, success.responseId) : randomUUID()),
      traceId,
      name: str(md.generation_name) ?? (r.keyAlias ? `litellm:${r.keyAlias}` : 'litellm-acompletion'),
      startTime: r.startTime.toISOString(),
      endTime: r.endTime.toISOString(),
      completionStartTime: r.endTime.toISOString(),
      model: r.model,
      modelParameters: r.modelParameters,
      input: r.messages,
      output: success ? success.output : failure?.error,
      metadata,
      level: failure ? 'ERROR' : 'DEFAULT',
      statusMessage: failure?.error,
      parentObservationId: str(md.parent_observation_id),
      version: str(md.version),
    };
    if (success) {
      const total = success.promptTokens + success.completionTokens;
      generation.usage = { input: success.promptTokens, output: success.completionTokens, total, unit: 'TOKENS', totalCost: loggedCost };
      generation.usageDetails = { input: success.promptTokens, output: success.completionTokens, total, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
      generation.costDetails = { total: loggedCost };
    }
    this.queue.push(
      { id: randomUUID(), timestamp: now, type: 'trace-create', body: trace },
      { id: randomUUID(), timestamp: now, type: 'generation-create', body: generation },
    );
  }

  /**
   * Posts everything queued so far and resolves when those batches were answered. Delivery
   * errors are swallowed (LiteLLM only logs them), so a dead Langfuse never breaks the proxy.
   */
  flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH_EVENTS);
      this.inFlight = this.inFlight.then(() => this.post(batch));
    }
    return this.inFlight;
  }

  /** Stops the timer and delivers what is still queued. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    await this.pool.close();
  }

  private async post(batch: IngestionEvent[]): Promise<void> {
    try {
      const res = await this.pool.request({
        path: `${new URL(this.target.url).pathname.replace(/\/$/, '')}/api/public/ingestion`,
        method: 'POST',
        headers: { authorization: this.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ batch, metadata: { sdk_integration: 'litellm', sdk_name: 'python', sdk_version: '2.59.7', public_key: this.target.publicKey } }),
        headersTimeout: 5000,
        bodyTimeout: 5000,
      });
      await res.body.dump();
    } catch {
      // Mirrors LiteLLM: a failed Langfuse export is logged by the SDK and dropped.
    }
  }
}
