import type { IncomingMessage, ServerResponse } from 'node:http';
import { listen, readJson, sendJson } from '../http.ts';
import type { ComponentContext, Listening } from '../types.ts';
import { authenticate, type Caller, presentedKey, requireMaster } from './auth.ts';
import { ExactCache } from './cache.ts';
import { activeCallbacks, callbackConfig } from './callbacks.ts';
import { type ChatContext, handleChat } from './chat.ts';
import { ProxyError } from './errors.ts';
import { KeyStore } from './keys.ts';
import { LangfuseLogger, type LangfuseTarget } from './langfuse-logger.ts';
import { Metrics } from './metrics.ts';
import { RateLimiter } from './rate-limit.ts';
import { DEPLOYMENTS } from './routing.ts';
import { SIMILARITY_THRESHOLD, SemanticCache } from './semantic-cache.ts';
import { UpstreamClient } from './upstream-client.ts';

/** Options of `startGateway`. */
export interface GatewayOptions extends ComponentContext {
  /** The proxy admin key (`general_settings.master_key`): never rate limited, the only key for admin routes. */
  readonly masterKey: string;
  /** Base URL of the OpenAI-compatible provider, without `/v1`. */
  readonly upstreamUrl: string;
  readonly upstreamKey: string;
  readonly langfuse: LangfuseTarget;
  /** Delay of the fire-and-forget cache write after a response; default 50 ms. */
  readonly cacheWriteDelayMs?: number;
  /** Reported in `x-litellm-version` and `/health/readiness`; default `1.81.9`. */
  readonly version?: string;
}

/** A running gateway, with hooks tests use to observe it without going through HTTP. */
export interface Gateway extends Listening {
  /** Virtual keys currently stored (expired ones included, deleted ones not). */
  keyCount(): number;
  /** Posts every queued Langfuse event now and resolves when Langfuse answered. */
  flushLangfuse(): Promise<void>;
}

const CREATED = Math.floor(Date.now() / 1000);
const CHAT_ROUTES = new Set(['/chat/completions', '/v1/chat/completions']);
/** Authenticated non-chat routes; anything else is FastAPI's 404, answered before auth as FastAPI does. */
const KEYED_ROUTES = new Set(['/v1/models', '/models', '/model/info', '/v1/model/info', '/key/generate', '/key/info', '/key/delete', '/active/callbacks', '/settings']);

/**
 * Starts the LiteLLM proxy stand-in (`notes/litellm.md`): virtual keys and `/key/*`, the v3
 * rate limiter, model groups `gpt-4o-mini` (max 2,000 input tokens) and `gpt-4o` with a
 * context-window fallback, exact and semantic caches, `x-litellm-*` headers, health routes,
 * `/active/callbacks`, Prometheus `/metrics`, and the Langfuse v2 logging callback posting to
 * `langfuse.url`. `close()` also delivers the Langfuse events still queued.
 */
export async function startGateway(o: GatewayOptions): Promise<Gateway> {
  const version = o.version ?? '1.81.9';
  const callbacks = callbackConfig(o.faults);
  const keys = new KeyStore();
  const metrics = new Metrics();
  const upstream = new UpstreamClient(o.upstreamUrl, o.upstreamKey);
  const logger = new LangfuseLogger(o.langfuse, o.faults);
  const ctx: ChatContext = {
    faults: o.faults,
    masterKey: o.masterKey,
    version,
    keys,
    limiter: new RateLimiter(o.faults),
    cache: new ExactCache(),
    semantic: new SemanticCache(o.faults.has('semantic-too-loose') ? 0 : SIMILARITY_THRESHOLD),
    upstream,
    logger,
    metrics,
    callbacks,
    cacheWriteDelayMs: o.cacheWriteDelayMs ?? 50,
    served: 0,
  };

  const caller = (req: IncomingMessage): Caller => authenticate(presentedKey(req.headers), o.masterKey, keys, o.faults);
  const admin = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname;
    const who = caller(req);
    if (path === '/v1/models' || path === '/models') {
      const allowed = who.kind === 'virtual' && who.key.models.length > 0 ? who.key.models : DEPLOYMENTS.map((d) => d.group);
      sendJson(res, 200, { object: 'list', data: allowed.map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'openai' })) });
      return;
    }
    if (path === '/model/info' || path === '/v1/model/info') {
      const only = url.searchParams.get('litellm_model_id');
      const data = DEPLOYMENTS.filter((d) => !only || d.id === only).map((d) => ({
        model_name: d.group,
        litellm_params: { model: `openai/${d.upstreamModel}`, api_base: upstream.apiBase },
        model_info: { id: d.id, db_model: false, max_input_tokens: d.maxInputTokens, input_cost_per_token: d.inputCostPerToken, output_cost_per_token: d.outputCostPerToken, mode: 'chat' },
      }));
      sendJson(res, 200, { data });
      return;
    }
    requireMaster(who, path);
    const body = ((await readJson(req)) ?? {}) as Record<string, unknown>;
    if (path === '/key/generate' && req.method === 'POST') return sendJson(res, 200, keys.generate(body));
    if (path === '/key/info' && req.method === 'GET') {
      const raw = url.searchParams.get('key') ?? '';
      const k = keys.find(raw);
      if (!k) throw new ProxyError(404, 'Key not found in database.', 'not_found_error');
      return sendJson(res, 200, { key: raw, info: keys.info(k) });
    }
    if (path === '/key/delete' && req.method === 'POST') {
      const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
      return sendJson(res, 200, { deleted_keys: keys.delete(list(body.keys), list(body.key_aliases)) });
    }
    if ((path === '/active/callbacks' || path === '/settings') && req.method === 'GET') return sendJson(res, 200, activeCallbacks(callbacks));
    sendJson(res, 405, { detail: 'Method Not Allowed' });
  };

  const server = await listen('gateway', o.counter, async (req, res, url) => {
    const path = url.pathname;
    if (req.method === 'POST' && CHAT_ROUTES.has(path)) return handleChat(ctx, req, res);
    if (req.method === 'GET' && (path === '/health/liveliness' || path === '/health/liveness')) return sendJson(res, 200, "I'm alive!");
    if (req.method === 'GET' && path === '/health/readiness') {
      return sendJson(res, 200, {
        status: 'healthy',
        db: 'Not connected',
        cache: o.faults.has('cache-off') ? null : 'redis',
        litellm_version: version,
        success_callbacks: callbacks.successCallback,
        use_aiohttp_transport: true,
      });
    }
    if (req.method === 'GET' && path === '/metrics') {
      const text = metrics.render();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    if (!KEYED_ROUTES.has(path)) return sendJson(res, 404, { detail: 'Not Found' });
    try {
      await admin(req, res, url);
    } catch (err) {
      if (!(err instanceof ProxyError)) throw err;
      sendJson(res, err.status, err.body(), err.headers);
    }
  });

  return {
    url: server.url,
    keyCount: () => keys.size,
    flushLangfuse: () => logger.flush(),
    close: async () => {
      await server.close();
      await logger.close();
      await upstream.close();
    },
  };
}
