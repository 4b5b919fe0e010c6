import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults } from '../faults.ts';
import { delay, readJson, sendJson } from '../http.ts';
import { authenticate, type Caller, presentedKey } from './auth.ts';
import { type CacheEntry, type ExactCache, OPENAI_CHAT_PARAMS, cacheControls, cacheKey } from './cache.ts';
import type { CallbackConfig } from './callbacks.ts';
import { ProxyError } from './errors.ts';
import { litellmHeaders } from './headers.ts';
import type { KeyStore } from './keys.ts';
import type { CallRecord, LangfuseLogger } from './langfuse-logger.ts';
import type { Metrics, RequestLabels } from './metrics.ts';
import type { RateLimiter } from './rate-limit.ts';
import { cost, type Route, route } from './routing.ts';
import type { SemanticCache } from './semantic-cache.ts';
import type { UpstreamClient } from './upstream-client.ts';

/** The proxy's shared state, as the chat route needs it. */
export interface ChatContext {
  readonly faults: Faults;
  readonly masterKey: string;
  readonly version: string;
  readonly keys: KeyStore;
  readonly limiter: RateLimiter;
  readonly cache: ExactCache;
  readonly semantic: SemanticCache;
  readonly upstream: UpstreamClient;
  readonly logger: LangfuseLogger;
  readonly metrics: Metrics;
  readonly callbacks: CallbackConfig;
  readonly cacheWriteDelayMs: number;
  /** Chat requests that reached the provider stage, for `error-burst`'s every-10th failure. */
  served: number;
}

/** `cache_params.ttl` of the sandbox; per-request `cache.ttl` overrides it. */
const DEFAULT_TTL_SECONDS = 600;
const SLOW_HIT_MS = 250;
const ERROR_BURST_EVERY = 10;
/** Request fields that are model parameters for Langfuse's `modelParameters`. */
const NON_MODEL_PARAMS = new Set(['model', 'messages', 'user', 'tools', 'functions']);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Message {
  role?: unknown;
  content?: unknown;
}

function lastUserText(messages: readonly Message[]): string {
  const m = [...messages].reverse().find((x) => x.role === 'user');
  return typeof m?.content === 'string' ? m.content : JSON.stringify(m?.content ?? '');
}

function modelParameters(body: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(body)) if (OPENAI_CHAT_PARAMS.has(k) && !NON_MODEL_PARAMS.has(k)) out[k] = v;
  return out;
}

/**
 * `POST /chat/completions` as the LiteLLM proxy runs it: auth, the v3 rate limiter, routing
 * with pre-call checks, the exact then the semantic cache, the provider call, `x-litellm-*`
 * headers, then (after the response is sent) the asynchronous cache write, Prometheus and the
 * Langfuse callback. Every failure is answered in LiteLLM's error shape and, when Langfuse is
 * a failure callback, logged as an ERROR generation.
 */
export async function handleChat(g: ChatContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const t0 = performance.now();
  const startTime = new Date();
  const callId = randomUUID();
  let caller: Caller | undefined;
  let body: Json = {};
  let routed: Route | undefined;
  const keyHeaders: Record<string, string> = {};

  const labels = (): RequestLabels => ({
    model: routed?.deployment.group ?? (typeof body.model === 'string' ? body.model : 'None'),
    hashedApiKey: caller?.token ?? 'None',
    apiKeyAlias: (caller?.kind === 'virtual' ? caller.key.alias : null) ?? 'None',
    modelId: routed?.deployment.id ?? 'None',
  });
  const record = (outcome: CallRecord['outcome']): CallRecord => ({
    callId,
    startTime,
    endTime: new Date(),
    metadata: isObject(body.metadata) ? body.metadata : {},
    messages: body.messages,
    modelParameters: modelParameters(body),
    keyAlias: caller?.kind === 'virtual' ? caller.key.alias : null,
    keyHash: caller?.token ?? '',
    user: typeof body.user === 'string' ? body.user : undefined,
    model: routed?.deployment.upstreamModel,
    modelGroup: routed?.deployment.group,
    modelId: routed?.deployment.id,
    apiBase: routed ? g.upstream.apiBase : undefined,
    attemptedFallbacks: routed?.attemptedFallbacks ?? 0,
    outcome,
  });

  try {
    const parsed = await readJson(req);
    if (isObject(parsed)) body = parsed;
    caller = authenticate(presentedKey(req.headers), g.masterKey, g.keys, g.faults);
    if (caller.kind === 'virtual' && caller.key.rpmLimit !== null) {
      keyHeaders['x-litellm-key-rpm-limit'] = String(caller.key.rpmLimit);
      const d = g.limiter.check(caller.token, caller.key.rpmLimit);
      keyHeaders['x-ratelimit-api_key-remaining-requests'] = String(d.remaining);
      keyHeaders['x-ratelimit-api_key-limit-requests'] = String(d.limit);
    }
    const messages = body.messages;
    if (typeof body.model !== 'string' || !Array.isArray(messages) || messages.length === 0) {
      throw new ProxyError(400, 'litellm.BadRequestError: Invalid request: `model` (string) and a non-empty `messages` array are required.', 'None', {}, 'BadRequestError');
    }
    if (caller.kind === 'virtual' && caller.key.models.length > 0 && !caller.key.models.includes(body.model)) {
      throw new ProxyError(401, `key not allowed to access model. This key can only access models=${JSON.stringify(caller.key.models)}. Tried to access ${body.model}`, 'key_model_access_denied');
    }
    routed = route(body.model, messages as Message[], g.faults);
    g.served += 1;
    if (g.faults.has('error-burst') && g.served % ERROR_BURST_EVERY === 0) {
      throw new ProxyError(500, 'litellm.InternalServerError: InternalServerError: OpenAIException - Internal Server Error', 'None', {}, 'InternalServerError');
    }
    await answer(g, body, messages as Message[], routed, t0, callId, keyHeaders, res, labels, record);
  } catch (err) {
    const e = err instanceof ProxyError ? err : new ProxyError(500, `litellm.InternalServerError: ${(err as Error)?.message ?? String(err)}`, 'None', {}, 'InternalServerError');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendJson(res, e.status, e.body(), { 'x-litellm-call-id': callId, 'x-litellm-version': g.version, ...keyHeaders, ...e.headers });
    g.metrics.request(labels(), e.status, (performance.now() - t0) / 1000, e.exceptionClass);
    if (g.callbacks.langfuseLogsFailures) g.logger.log(record({ kind: 'failure', error: e.message }));
  }
}

async function answer(
  g: ChatContext,
  body: Json,
  messages: readonly Message[],
  routed: Route,
  t0: number,
  callId: string,
  keyHeaders: Record<string, string>,
  res: ServerResponse,
  labels: () => RequestLabels,
  record: (o: CallRecord['outcome']) => CallRecord,
): Promise<void> {
  const d = routed.deployment;
  const controls = cacheControls(body.cache);
  const cacheOn = !g.faults.has('cache-off');
  const semanticOn = cacheOn && !g.faults.has('semantic-off');
  const key = cacheKey(body, d.group, controls.namespace);
  const facts = { callId, version: g.version, modelGroup: d.group, modelId: d.id, apiBase: g.upstream.apiBase, attemptedFallbacks: routed.attemptedFallbacks };

  let hit: { entry: CacheEntry; key: string } | undefined;
  let vector: Float64Array | undefined;
  let similarity: number | undefined;
  if (cacheOn && !controls.noCache) {
    const entry = g.cache.get(key, controls.sMaxAge);
    if (entry) hit = { entry, key };
    else if (semanticOn) {
      // The embedding call is what makes a semantic miss slower than an exact one; a failed
      // embedding is a miss (LiteLLM logs it and carries on), never a failed request.
      vector = await g.upstream.embed(lastUserText(messages)).catch(() => undefined);
      if (vector) {
        const found = g.semantic.lookup(d.group, vector);
        if ('entry' in found) {
          hit = { entry: found.entry, key: found.key };
          similarity = found.similarity;
        } else similarity = 0;
      }
    }
  }

  if (hit) {
    if (g.faults.has('cache-hit-slow')) await delay(SLOW_HIT_MS);
    const e = hit.entry;
    const durationMs = performance.now() - t0;
    const headers = litellmHeaders({
      ...facts,
      durationMs,
      overheadMs: durationMs,
      cost: e.cost,
      cacheKey: g.faults.has('cache-key-header-missing') ? undefined : hit.key,
      semanticSimilarity: similarity,
    });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(e.bodyText), ...headers, ...keyHeaders });
    res.end(e.bodyText);
    g.metrics.cache(labels(), true);
    g.metrics.request(labels(), 200, durationMs / 1000);
    g.logger.log(record({ kind: 'success', responseId: e.responseId, output: e.output, promptTokens: e.promptTokens, completionTokens: e.completionTokens, cost: e.cost, cacheHit: true, cacheKey: hit.key, semanticSimilarity: similarity }));
    return;
  }

  const upstreamBody: Json = {};
  for (const [k, v] of Object.entries(body)) if (OPENAI_CHAT_PARAMS.has(k)) upstreamBody[k] = v;
  upstreamBody.model = d.upstreamModel;
  const tCall = performance.now();
  const { json } = await g.upstream.chat(upstreamBody);
  const llmMs = performance.now() - tCall;
  const promptTokens = json.usage?.prompt_tokens ?? 0;
  const completionTokens = json.usage?.completion_tokens ?? 0;
  const price = cost(d, promptTokens, completionTokens);
  // LiteLLM rewrites `model` to what the client asked for, except after a fallback, where the
  // provider's model string stays: a client can see it was not served by the group it named.
  const out = routed.attemptedFallbacks > 0 ? json : { ...json, model: body.model };
  const bodyText = JSON.stringify(out);
  const durationMs = performance.now() - t0;
  const headers = litellmHeaders({ ...facts, durationMs, overheadMs: durationMs - llmMs, cost: price, semanticSimilarity: similarity });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(bodyText), ...headers, ...keyHeaders });
  res.end(bodyText);

  const output = json.choices?.[0]?.message;
  if (cacheOn) g.metrics.cache(labels(), false);
  g.metrics.request(labels(), 200, durationMs / 1000);
  g.logger.log(record({ kind: 'success', responseId: String(json.id ?? callId), output, promptTokens, completionTokens, cost: price, cacheHit: false, cacheKey: undefined, semanticSimilarity: similarity }));

  if (cacheOn && !controls.noStore) {
    const entry: CacheEntry = { bodyText, responseId: String(json.id ?? callId), deploymentId: d.id, attemptedFallbacks: routed.attemptedFallbacks, promptTokens, completionTokens, cost: price, output, storedAt: 0 };
    const ttl = controls.ttl ?? DEFAULT_TTL_SECONDS;
    // LiteLLM writes the cache in a fire-and-forget task after answering; an immediate repeat
    // can still miss, which is the pitfall suites must handle by waiting or polling.
    setTimeout(() => {
      const stored = { ...entry, storedAt: Date.now() };
      g.cache.set(key, stored, ttl);
      if (!semanticOn) return;
      void (vector ? Promise.resolve(vector) : g.upstream.embed(lastUserText(messages)))
        .then((v) => g.semantic.set(d.group, v, key, stored, ttl))
        .catch(() => undefined);
    }, g.cacheWriteDelayMs).unref();
  }
}
