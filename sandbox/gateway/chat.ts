import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults } from '../faults.ts';
import { delay, readJson, sendJson } from '../http.ts';
import { authenticate, type Caller, presentedKey } from './auth.ts';
import { type CacheEntry, OPENAI_CHAT_PARAMS, type TenantScope, cacheControls } from './cache.ts';
import type { CallbackConfig } from './callbacks.ts';
import { ProxyError } from './errors.ts';
import { litellmHeaders } from './headers.ts';
import { hashToken, type KeyStore } from './keys.ts';
import type { CallRecord } from './langfuse-events.ts';
import type { LangfuseLogger } from './langfuse-logger.ts';
import { cacheHitParams, loggedMessage, providerCallParams, proxyFailureParams } from './logged-call.ts';
import type { Metrics, RequestLabels } from './metrics.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { CacheLookup, CacheRequest, EmbeddingCall, ResponseCache } from './response-cache.ts';
import { type Deployment, EMBEDDING_DEPLOYMENT, invalidModel, providerModel, type Route, route } from './routing.ts';
import { redactSecrets } from './secret-redaction.ts';
import { type LoggedCaller, loggedHeaders, NO_USAGE, type RequestContext } from './standard-logging.ts';
import type { UpstreamClient } from './upstream-client.ts';

/**
 * What the chat route needs of the proxy: one object per gateway process. Everything but
 * `metrics` is shared by every machine of the fleet (what a real deployment shares through
 * Redis and Postgres); `metrics` is the process's own Prometheus registry.
 */
export interface ChatContext {
  readonly faults: Faults;
  readonly masterKey: string;
  readonly version: string;
  readonly keys: KeyStore;
  readonly limiter: RateLimiter;
  /** The one response cache; `null` when the proxy runs without one (`cache: false`). */
  readonly cache: ResponseCache | null;
  readonly upstream: UpstreamClient;
  readonly logger: LangfuseLogger;
  readonly metrics: Metrics;
  readonly callbacks: CallbackConfig;
  readonly cacheWriteDelayMs: number;
  /**
   * Chat requests that reached the provider stage, for `error-burst`'s every-10th failure: one
   * tally for the whole fleet (a holder, so that every process's context counts into it).
   */
  readonly served: { count: number };
}

/**
 * The logged key of a master-key caller (`LITELLM_PROXY_MASTER_KEY_ALIAS`): the proxy puts this
 * alias, not the key or its hash, in the request metadata (a semantic scope key is built from
 * it), in Prometheus' `hashed_api_key` and in the logged `user_api_key_hash`.
 */
const MASTER_KEY_ALIAS = 'litellm_proxy_master_key';
/** `user_api_key_user_id` of the master key (`litellm_proxy_admin_name`'s default). */
const MASTER_USER_ID = 'default_user_id';
const SLOW_HIT_MS = 250;
const ERROR_BURST_EVERY = 10;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const strOrNull = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

interface Message {
  role?: unknown;
  content?: unknown;
}

/** The tenant part of a semantic scope key: who the proxy says asked (`user_api_key`, team, org). */
function tenantOf(caller: Caller): TenantScope {
  if (caller.kind === 'master') return { apiKey: MASTER_KEY_ALIAS };
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  return {
    apiKey: caller.token,
    teamId: str(caller.key.fields.team_id),
    orgId: str(caller.key.fields.organization_id),
  };
}

/** The caller as logged. An authentication failure logs the hash of whatever key was presented. */
function loggedCaller(caller: Caller | undefined, presented: string | undefined): LoggedCaller {
  if (caller?.kind === 'master')
    return { hash: MASTER_KEY_ALIAS, alias: null, userId: MASTER_USER_ID, teamId: null, orgId: null };
  if (caller?.kind === 'virtual') {
    const f = caller.key.fields;
    return {
      hash: caller.token,
      alias: caller.key.alias,
      userId: strOrNull(f.user_id),
      teamId: strOrNull(f.team_id),
      orgId: strOrNull(f.organization_id),
    };
  }
  return {
    hash: presented === undefined ? null : hashToken(presented),
    alias: null,
    userId: null,
    teamId: null,
    orgId: null,
  };
}

/**
 * The proxy's answer to a body without `messages` (`/chat/completions`' request validation):
 * a `ProxyException` naming the parameter (observed on the real 1.103.10). An empty list is
 * not caught here: it goes to the provider, whose 400 comes back as a `BadRequestError`.
 */
function missingMessages(): ProxyError {
  return new ProxyError(
    400,
    "/chat/completions: Missing required parameter: 'messages'.",
    'invalid_request_error',
    {},
    'ProxyException',
    'messages',
    { origin: 'proxy' },
  );
}

/**
 * One chat request as the proxy handles it, filled in stage by stage: `body` once parsed,
 * `caller` once authenticated, `routed` once routed. An error answer, its metrics and its
 * logged failure use whatever stages were reached, so these are the state `labelsOf` and
 * `requestOf` read, not variables captured by closures.
 */
interface ChatCall {
  readonly callId: string;
  /** `performance.now()` at arrival: every duration of the call is measured from here. */
  readonly t0: number;
  readonly startTime: Date;
  /** The key as presented: its hash is what a failed authentication logs. */
  readonly presented: string | undefined;
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly userAgent: string | null;
  readonly clientIp: string | null;
  /** The key's rate-limit headers, filled in by the limiter and sent on every answer after it. */
  readonly keyHeaders: Record<string, string>;
  body: Json;
  caller?: Caller;
  routed?: Route;
}

/** A call that passed authentication, validation and routing: what `answer` serves. */
interface AcceptedCall extends ChatCall {
  readonly caller: Caller;
  readonly routed: Route;
  readonly messages: readonly Message[];
  readonly res: ServerResponse;
}

/** The Prometheus labels of a call: `None` for every stage it did not reach, as LiteLLM labels them. */
function labelsOf(call: ChatCall): RequestLabels {
  const { body, caller, routed } = call;
  return {
    model: routed?.deployment.group ?? (typeof body.model === 'string' ? body.model : 'None'),
    hashedApiKey: caller?.kind === 'master' ? MASTER_KEY_ALIAS : (caller?.token ?? 'None'),
    apiKeyAlias: (caller?.kind === 'virtual' ? caller.key.alias : null) ?? 'None',
    modelId: routed?.deployment.id ?? 'None',
  };
}

/** The call as every logging callback sees it; a fresh object per logged record. */
function requestOf(call: ChatCall): RequestContext {
  const { body } = call;
  return {
    callId: call.callId,
    startTime: call.startTime,
    body,
    requesterMetadata: { ...(isObject(body.metadata) ? body.metadata : {}), headers: call.requestHeaders },
    clientIp: call.clientIp,
    userAgent: call.userAgent,
    caller: loggedCaller(call.caller, call.presented),
    authenticated: call.caller !== undefined,
  };
}

/**
 * Logs a failure to Langfuse when it is a failure callback. Twice, as LiteLLM does: every
 * failure path runs the async failure handler *and* the sync `failure_handler`
 * (`_dispatch_proxy_only_failure_handlers` in `proxy/utils.py` for auth and rate-limit
 * errors, `Logging.dispatch_failure_handlers` from `Router.async_get_available_deployment`
 * for a pre-call check, the `client` wrapper in `utils.py` for provider errors), and the
 * `LangfusePromptManagement` logger sits in both `_async_failure_callback` and
 * `failure_callback`, so each handler logs its own generation (a fresh id each: failures
 * have no response id).
 */
function logFailure(g: ChatContext, call: ChatCall, e: ProxyError): void {
  if (!g.callbacks.langfuseLogsFailures) return;
  const { body, routed, startTime } = call;
  const provider = e.origin === 'provider' && routed !== undefined;
  const record: CallRecord = {
    request: requestOf(call),
    callType: 'acompletion',
    startTime,
    endTime: new Date(),
    model: provider ? routed?.deployment.model : typeof body.model === 'string' ? body.model : undefined,
    modelParameters:
      e.origin === 'proxy' ? proxyFailureParams(body) : e.origin === 'router' ? {} : providerCallParams(body),
    metadata: {
      usageObject: NO_USAGE,
      responseCost: 0,
      hiddenParams: {
        response_cost: 0,
        ...(Object.keys(e.headers).length > 0 ? { additional_headers: e.headers } : {}),
      },
    },
    outcome: { kind: 'failure', error: redactSecrets(e.pythonStr) },
  };
  g.logger.log(record);
  g.logger.log(record);
}

/**
 * `POST /chat/completions` as the LiteLLM proxy runs it: auth, the v3 rate limiter, request
 * validation, routing with pre-call checks, the response cache, the provider call,
 * `x-litellm-*` headers, then (after the response is sent) the asynchronous cache write,
 * Prometheus and the Langfuse callback. Every failure is answered in LiteLLM's error shape and,
 * when Langfuse is a failure callback, logged as ERROR generations (two: see `logFailure`).
 */
export async function handleChat(g: ChatContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const call: ChatCall = {
    t0: performance.now(),
    startTime: new Date(),
    callId: randomUUID(),
    presented: presentedKey(req.headers),
    requestHeaders: loggedHeaders(req.headers),
    userAgent: strOrNull(req.headers['user-agent']),
    clientIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? null,
    keyHeaders: {},
    body: {},
  };
  const { keyHeaders } = call;

  try {
    const parsed = await readJson(req);
    if (isObject(parsed)) call.body = parsed;
    const { body } = call;
    const caller = authenticate(call.presented, g.masterKey, g.keys, g.faults);
    call.caller = caller;
    if (caller.kind === 'virtual' && caller.key.rpmLimit !== null) {
      keyHeaders['x-litellm-key-rpm-limit'] = String(caller.key.rpmLimit);
      const d = g.limiter.check(caller.token, caller.key.rpmLimit);
      keyHeaders['x-ratelimit-api_key-remaining-requests'] = String(d.remaining);
      keyHeaders['x-ratelimit-api_key-limit-requests'] = String(d.limit);
    }
    const messages = body.messages;
    if (!Array.isArray(messages)) throw missingMessages();
    if (typeof body.model !== 'string') throw invalidModel('None');
    if (caller.kind === 'virtual' && caller.key.models.length > 0 && !caller.key.models.includes(body.model)) {
      throw new ProxyError(
        401,
        `key not allowed to access model. This key can only access models=${JSON.stringify(caller.key.models)}. Tried to access ${body.model}`,
        'key_model_access_denied',
      );
    }
    const routed = route(body.model, messages as Message[], g.faults);
    call.routed = routed;
    // The requested group failed its pre-call checks; the router logged that before it fell back.
    if (routed.contextWindow)
      logFailure(
        g,
        call,
        new ProxyError(400, routed.contextWindow.message, 'None', {}, 'ContextWindowExceededError', 'None', {
          origin: 'router',
        }),
      );
    g.served.count += 1;
    if (g.faults.has('error-burst') && g.served.count % ERROR_BURST_EVERY === 0) {
      throw new ProxyError(
        500,
        'litellm.InternalServerError: InternalServerError: OpenAIException - Internal Server Error',
        'None',
        {},
        'InternalServerError',
        'None',
        { origin: 'provider' },
      );
    }
    await answer(g, { ...call, caller, routed, messages: messages as Message[], res });
  } catch (err) {
    const e =
      err instanceof ProxyError
        ? err
        : new ProxyError(
            500,
            `litellm.InternalServerError: ${(err as Error)?.message ?? String(err)}`,
            'None',
            {},
            'InternalServerError',
            'None',
            { origin: 'provider' },
          );
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // An error answer carries the call id and a zero cost and spend, but no version or model
    // headers (observed on the real 1.103.10 for 400s and the 429).
    sendJson(res, e.status, e.body(), {
      'x-litellm-call-id': call.callId,
      'x-litellm-key-spend': '0.0',
      'x-litellm-response-cost': '0',
      ...keyHeaders,
      ...e.headers,
    });
    g.metrics.request(labelsOf(call), e.status, (performance.now() - call.t0) / 1000, e.exceptionClass);
    logFailure(g, call, e);
  }
}

/** The hidden params' `additional_headers`: the provider's headers (misses only) and the routing headers. */
function additionalHeaders(
  d: Deployment,
  attemptedFallbacks: number,
  provider: Readonly<Record<string, string>> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(provider)) out[`llm_provider-${k}`] = v;
  return {
    ...out,
    'x-litellm-model-group': d.group,
    'x-litellm-attempted-retries': 0,
    'x-litellm-attempted-fallbacks': attemptedFallbacks,
  };
}

/**
 * Serves an accepted call from the response cache or, on a miss or `no-cache`, from the
 * provider; metrics and the Langfuse record follow the response, and a provider answer is
 * stored `cacheWriteDelayMs` later unless the request said `no-store`.
 */
async function answer(g: ChatContext, a: AcceptedCall): Promise<void> {
  const { body, messages, routed, t0, callId, keyHeaders, res } = a;
  const d = routed.deployment;
  // After a fallback the call that answers starts now, on the fallback deployment.
  const callStart = routed.attemptedFallbacks > 0 ? new Date() : a.startTime;
  const controls = cacheControls(body.cache);
  const cache = g.cache;
  const apiBase = g.upstream.apiBase;
  const facts = {
    callId,
    version: g.version,
    modelGroup: d.group,
    modelId: d.id,
    modelName: d.model,
    apiBase,
    attemptedFallbacks: routed.attemptedFallbacks,
  };
  const costs = (promptTokens: number, completionTokens: number) => {
    const inputCost = promptTokens * d.inputCostPerToken;
    const outputCost = completionTokens * d.outputCostPerToken;
    return { inputCost, outputCost, cost: inputCost + outputCost };
  };
  const cacheRequest: CacheRequest = {
    body,
    messages,
    modelGroup: d.group,
    controls,
    tenant: tenantOf(a.caller),
    onEmbedding: (embedding) => logEmbedding(g, requestOf(a), embedding),
  };
  const fallbackMetric = (): void => {
    if (routed.attemptedFallbacks === 0) return;
    g.metrics.successfulFallback(labelsOf(a), {
      requestedModel: String(body.model),
      fallbackModel: d.group,
      exceptionClass: 'ContextWindowExceededError',
      exceptionStatus: 400,
    });
  };

  // `no-cache` skips the lookup (and with it a semantic cache's embedding call) altogether.
  const lookup: CacheLookup | undefined = cache && !controls.noCache ? await cache.lookup(cacheRequest) : undefined;
  const similarity = lookup?.similarity;
  const hit = lookup?.entry ? { entry: lookup.entry, key: lookup.key } : undefined;

  if (hit) {
    if (g.faults.has('cache-hit-slow')) await delay(SLOW_HIT_MS);
    const e = hit.entry;
    const durationMs = performance.now() - t0;
    const headers = litellmHeaders({
      ...facts,
      durationMs,
      overheadMs: durationMs,
      ...costs(e.promptTokens, e.completionTokens),
      cacheKey: g.faults.has('cache-key-header-missing') ? undefined : hit.key,
      semanticSimilarity: similarity,
    });
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(e.bodyText),
      ...headers,
      ...keyHeaders,
    });
    res.end(e.bodyText);
    g.metrics.cacheHit(labelsOf(a));
    g.metrics.request(labelsOf(a), 200, durationMs / 1000);
    fallbackMetric();
    // Spend on a hit is 0 (`response_cost_calculator` returns 0 when `cache_hit`), although
    // the header and the hidden params show the full price of the call that filled the entry.
    g.logger.log({
      request: requestOf(a),
      callType: 'acompletion',
      startTime: callStart,
      endTime: new Date(),
      model: d.model,
      modelParameters: cacheHitParams(e.systemFingerprint),
      metadata: {
        usageObject: e.usage,
        responseCost: 0,
        hiddenParams: {
          model_id: d.id,
          cache_key: hit.key,
          api_base: apiBase,
          response_cost: e.cost,
          additional_headers: additionalHeaders(d, routed.attemptedFallbacks),
          litellm_overhead_time_ms: durationMs,
          // The hit branch reports the model as the request named it.
          litellm_model_name: String(body.model),
        },
        apiBase,
        cacheHit: true,
      },
      outcome: {
        kind: 'success',
        responseId: e.responseId,
        output: loggedMessage(e.output),
        promptTokens: e.promptTokens,
        completionTokens: e.completionTokens,
        totalTokens: e.promptTokens + e.completionTokens,
        cost: 0,
      },
    });
    return;
  }

  const upstreamBody: Json = {};
  for (const [k, v] of Object.entries(body)) if (OPENAI_CHAT_PARAMS.has(k)) upstreamBody[k] = v;
  upstreamBody.model = providerModel(d);
  const tCall = performance.now();
  const { json, headers: providerHeaders } = await g.upstream.chat(upstreamBody, d.group);
  const llmMs = performance.now() - tCall;
  const promptTokens = json.usage?.prompt_tokens ?? 0;
  const completionTokens = json.usage?.completion_tokens ?? 0;
  const price = costs(promptTokens, completionTokens);
  // LiteLLM rewrites `model` to what the client asked for, except after a fallback, where the
  // provider's model string stays: a client can see it was not served by the group it named.
  const out = routed.attemptedFallbacks > 0 ? json : { ...json, model: body.model };
  const bodyText = JSON.stringify(out);
  const durationMs = performance.now() - t0;
  const overheadMs = durationMs - llmMs;
  const headers = litellmHeaders({
    ...facts,
    durationMs,
    overheadMs,
    ...price,
    semanticSimilarity: similarity,
    providerHeaders,
  });
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(bodyText),
    ...headers,
    ...keyHeaders,
  });
  res.end(bodyText);

  const output = json.choices?.[0]?.message;
  const fingerprint = typeof json.system_fingerprint === 'string' ? json.system_fingerprint : undefined;
  g.metrics.request(labelsOf(a), 200, durationMs / 1000);
  fallbackMetric();
  // Fault `escalation-no-cost`: the fallback deployment's call is logged at an explicit cost of
  // 0, as when LiteLLM has no price for its model. Explicit: Langfuse would price a generation
  // that arrives with no cost at all from its own model table, which would hide the fault.
  const loggedCost = g.faults.has('escalation-no-cost') && routed.attemptedFallbacks > 0 ? 0 : price.cost;
  g.logger.log({
    request: requestOf(a),
    callType: 'acompletion',
    startTime: callStart,
    endTime: new Date(),
    model: d.model,
    modelParameters: providerCallParams(body, fingerprint),
    metadata: {
      usageObject: json.usage ?? NO_USAGE,
      responseCost: loggedCost,
      hiddenParams: {
        model_id: d.id,
        api_base: apiBase,
        response_cost: loggedCost,
        additional_headers: additionalHeaders(d, routed.attemptedFallbacks, providerHeaders),
        litellm_overhead_time_ms: overheadMs,
        litellm_model_name: d.model,
      },
      // The router's deployment `api_base` as litellm_params carries it, with its trailing slash.
      apiBase: `${apiBase}/`,
      cacheHit: false,
    },
    outcome: {
      kind: 'success',
      responseId: String(json.id ?? callId),
      output: loggedMessage(output),
      promptTokens,
      completionTokens,
      totalTokens: promptTokens + completionTokens,
      cost: loggedCost,
    },
  });

  if (cache && !controls.noStore) {
    const usage: unknown = json.usage ?? NO_USAGE;
    const entry: CacheEntry = {
      bodyText,
      responseId: String(json.id ?? callId),
      deploymentId: d.id,
      attemptedFallbacks: routed.attemptedFallbacks,
      promptTokens,
      completionTokens,
      usage,
      systemFingerprint: fingerprint,
      cost: price.cost,
      output,
      storedAt: 0,
    };
    // LiteLLM writes the cache in a fire-and-forget task after answering (a semantic cache
    // embeds the prompt once more for it); an immediate repeat can still miss, which is the
    // pitfall suites must handle by waiting or polling. The key is the lookup's, or computed
    // afresh after a `no-cache` request.
    const key = lookup?.key ?? cache.key(cacheRequest);
    setTimeout(() => {
      void cache.store(cacheRequest, key, { ...entry, storedAt: Date.now() }).catch(() => undefined);
    }, g.cacheWriteDelayMs).unref();
  }
}

/**
 * One embedding the semantic cache made for a request, as LiteLLM's success callbacks log it:
 * a router `aembedding` call with the request's metadata forwarded, so it lands in the
 * request's trace, named like the request's generations (`generation_name` included), with
 * the embedding deployment's model and price, no output, and `cache_hit: false` (the cache
 * passes `no-cache`/`no-store` for its own calls).
 */
function logEmbedding(g: ChatContext, request: RequestContext, call: EmbeddingCall): void {
  const e = EMBEDDING_DEPLOYMENT;
  const cost = call.promptTokens * e.inputCostPerToken;
  const apiBase = g.upstream.apiBase;
  g.logger.log({
    request,
    callType: 'aembedding',
    startTime: call.startTime,
    endTime: call.endTime,
    model: e.model,
    modelParameters: {},
    metadata: {
      usageObject: {
        completion_tokens: 0,
        prompt_tokens: call.promptTokens,
        total_tokens: call.promptTokens,
        completion_tokens_details: null,
        prompt_tokens_details: null,
      },
      responseCost: cost,
      hiddenParams: {
        model_id: e.id,
        api_base: apiBase,
        response_cost: cost,
        additional_headers: additionalHeaders(e, 0, call.headers),
        litellm_overhead_time_ms: call.endTime.getTime() - call.startTime.getTime(),
        litellm_model_name: e.model,
      },
      apiBase,
      cacheHit: false,
    },
    outcome: {
      kind: 'success',
      promptTokens: call.promptTokens,
      completionTokens: 0,
      totalTokens: call.promptTokens,
      cost,
    },
  });
}
