import type { IncomingMessage, ServerResponse } from 'node:http';
import { delay, listen, readJson, sendJson } from '../http.ts';
import type { ComponentContext, Listening } from '../types.ts';
import { authenticate, type Caller, presentedKey, requireMaster } from './auth.ts';
import { cachePing } from './cache-routes.ts';
import { activeCallbacks, callbackConfig } from './callbacks.ts';
import { handleChat } from './chat.ts';
import { ProxyError } from './errors.ts';
import { readiness, readinessDetails } from './health.ts';
import { keyRoute } from './key-routes.ts';
import { KeyStore } from './keys.ts';
import { LangfuseLogger, type LangfuseTarget } from './langfuse-logger.ts';
import { FlyProxy } from './fly-proxy.ts';
import { GatewayMachine, type SharedContext } from './machine.ts';
import { exposition } from './metrics.ts';
import { METRICS_PATHS, serveMetrics } from './metrics-route.ts';
import { RateLimiter } from './rate-limit.ts';
import { type CacheType, effectiveCacheType, ResponseCache } from './response-cache.ts';
import { DEPLOYMENTS } from './routing.ts';
import { UpstreamClient } from './upstream-client.ts';

export { type CacheType, parseCacheType } from './response-cache.ts';

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
  /** Reported in `x-litellm-version` and `/health/readiness/details`; default `1.103.10`, the reference LiteLLM. */
  readonly version?: string;
  /**
   * `cache_params.type`: `redis` (exact), `redis-semantic` or `qdrant-semantic`; default
   * `redis-semantic`. Faults `cache-off` (no cache) and `cache-exact-only` (`redis`) override it.
   */
  readonly cacheType?: CacheType;
  /**
   * The Fly machine ids of the gateway process group, in the order Fly lists them; default one
   * machine, `SINGLE_MACHINE_ID`. Fly's proxy (`fly-proxy.ts`) spreads requests over them.
   */
  readonly machineIds?: readonly string[];
  /** Fault `machine-restarted-mid-watch`: how long after its first scrape the second machine restarts; default 8 s. */
  readonly machineRestartDelayMs?: number;
  /** Time each request to an admin route (`ADMIN_LATENCY_ROUTES`) takes before it is handled; default none. */
  readonly adminRouteMs?: () => number;
}

/** A running gateway, with hooks tests use to observe it without going through HTTP. */
export interface Gateway extends Listening {
  /** Virtual keys currently stored (expired ones included, deleted ones not). */
  keyCount(): number;
  /** Posts every queued Langfuse event now and resolves when Langfuse answered. */
  flushLangfuse(): Promise<void>;
  /** The response cache's type, `null` when the proxy runs without one. */
  readonly cacheType: CacheType | null;
  /** The machines behind the proxy, as `fly-force-instance-id` names them. */
  readonly machineIds: readonly string[];
}

/** The machine id of a gateway started without `machineIds`: shaped like a Fly machine id (14 hex). */
export const SINGLE_MACHINE_ID = '3d8d7e5c12e489';
/** The default of `machineRestartDelayMs`: 8 s into the sandbox's 20 s watch that polls every 2 s. */
const MACHINE_RESTART_DELAY_MS = 8_000;
/** A rolling deploy replaces one machine after the other: their processes started this far apart. */
const MACHINE_STAGGER_SECONDS = 45.31;
/** Fault `metrics-per-worker`: uvicorn workers per machine. */
const WORKERS_PER_MACHINE = 2;

const CREATED = Math.floor(Date.now() / 1000);
const CHAT_ROUTES = new Set(['/chat/completions', '/v1/chat/completions']);
/** Authenticated non-chat routes; anything else is FastAPI's 404, answered before auth as FastAPI does. */
const KEYED_ROUTES = new Set([
  '/v1/models',
  '/models',
  '/model/info',
  '/v1/model/info',
  '/key/generate',
  '/key/info',
  '/key/delete',
  '/active/callbacks',
  '/settings',
  '/cache/ping',
  '/health/readiness/details',
]);

/**
 * Routes that cost the real proxy a database or Redis round trip (keys in Postgres, the cache
 * ping's test write, readiness's DB status) and that an operator calls from outside Fly: the
 * production profile's `adminRouteMs` applies to them.
 */
const ADMIN_LATENCY_ROUTES = new Set([
  '/key/generate',
  '/key/info',
  '/key/delete',
  '/cache/ping',
  '/active/callbacks',
  '/settings',
  '/health/readiness',
  '/health/readiness/details',
]);

/**
 * Starts the LiteLLM proxy stand-in (`notes/litellm.md`): virtual keys and `/key/*`, the v3
 * rate limiter, model groups `gpt-4o-mini` (max 2,000 input tokens) and `gpt-4o` with a
 * context-window fallback, one response cache of the configured type (`/cache/ping`),
 * `x-litellm-*` headers, health routes, `/active/callbacks`, Prometheus `/metrics` behind the
 * master key, and the Langfuse v2 logging callback posting to `langfuse.url`. `close()` also
 * delivers the Langfuse events still queued.
 *
 * It runs as a fleet of Fly machines (`machineIds`) behind one listening server standing in for
 * Fly's proxy: every machine has its own Prometheus registry and process start time, and shares
 * keys, rate limits, the cache, Langfuse logging and the upstream, as machines sharing Redis and
 * Postgres do. Faults `metrics-per-worker` (2 workers per machine, a registry each) and
 * `machine-restarted-mid-watch` (the second machine restarts once, `machineRestartDelayMs` after
 * its first scrape) bend what scrapes see.
 */
export async function startGateway(o: GatewayOptions): Promise<Gateway> {
  const version = o.version ?? '1.103.10';
  const keys = new KeyStore();
  const upstream = new UpstreamClient(o.upstreamUrl, o.upstreamKey);
  const logger = new LangfuseLogger(o.langfuse, o.faults);
  const cacheType = effectiveCacheType(o.faults, o.cacheType);
  const callbacks = callbackConfig(o.faults, cacheType !== null);
  const cache =
    cacheType === null
      ? null
      : new ResponseCache(cacheType, { faults: o.faults, embed: (text) => upstream.embed(text) });
  const shared: SharedContext = {
    faults: o.faults,
    masterKey: o.masterKey,
    version,
    keys,
    limiter: new RateLimiter(o.faults),
    cache,
    upstream,
    logger,
    callbacks,
    cacheWriteDelayMs: o.cacheWriteDelayMs ?? 50,
    served: { count: 0 },
  };
  const ids = o.machineIds ?? [SINGLE_MACHINE_ID];
  const startedAt = Date.now() / 1000;
  const machines = ids.map(
    (id, i) =>
      new GatewayMachine({
        id,
        shared,
        startTimeSeconds: startedAt - MACHINE_STAGGER_SECONDS * (ids.length - i),
        workers: o.faults.has('metrics-per-worker') ? WORKERS_PER_MACHINE : 1,
        restartAfterFirstScrapeMs:
          o.faults.has('machine-restarted-mid-watch') && i === 1
            ? (o.machineRestartDelayMs ?? MACHINE_RESTART_DELAY_MS)
            : undefined,
      }),
  );
  const proxy = new FlyProxy(machines);

  const caller = (req: IncomingMessage): Caller => authenticate(presentedKey(req.headers), o.masterKey, keys, o.faults);
  const admin = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname;
    const who = caller(req);
    if (path === '/v1/models' || path === '/models') {
      const allowed =
        who.kind === 'virtual' && who.key.models.length > 0 ? who.key.models : DEPLOYMENTS.map((d) => d.group);
      sendJson(res, 200, {
        object: 'list',
        data: allowed.map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'openai' })),
      });
      return;
    }
    if (path === '/model/info' || path === '/v1/model/info') {
      const only = url.searchParams.get('litellm_model_id');
      const data = DEPLOYMENTS.filter((d) => !only || d.id === only).map((d) => ({
        model_name: d.group,
        litellm_params: { model: d.model, api_base: upstream.apiBase },
        model_info: {
          id: d.id,
          db_model: false,
          max_input_tokens: d.maxInputTokens,
          input_cost_per_token: d.inputCostPerToken,
          output_cost_per_token: d.outputCostPerToken,
          mode: 'chat',
        },
      }));
      sendJson(res, 200, { data });
      return;
    }
    requireMaster(who, path);
    const body = ((await readJson(req)) ?? {}) as Record<string, unknown>;
    const answer = keyRoute(keys, who, req.method, url, body);
    if (answer) return sendJson(res, answer.status, answer.body);
    if ((path === '/active/callbacks' || path === '/settings') && req.method === 'GET')
      return sendJson(res, 200, activeCallbacks(callbacks));
    if (path === '/cache/ping' && req.method === 'GET') return sendJson(res, 200, cachePing(cache));
    if (path === '/health/readiness/details' && req.method === 'GET') {
      return sendJson(res, 200, readinessDetails(cache, { version, successCallbacks: callbacks.successCallbackNames }));
    }
    sendJson(res, 405, { detail: 'Method Not Allowed' });
  };

  const server = await listen('gateway', o.counter, async (req, res, url) => {
    const machine = proxy.machineFor(req, res);
    if (!machine) return;
    const path = url.pathname;
    if (o.adminRouteMs && ADMIN_LATENCY_ROUTES.has(path)) await delay(o.adminRouteMs());
    if (req.method === 'POST' && CHAT_ROUTES.has(path)) return handleChat(machine.serving().ctx, req, res);
    if (req.method === 'GET' && (path === '/health/liveliness' || path === '/health/liveness'))
      return sendJson(res, 200, "I'm alive!");
    if (req.method === 'GET' && path === '/health/readiness') return sendJson(res, 200, readiness());
    if (req.method === 'GET' && METRICS_PATHS.has(path)) {
      const authorize = (): void => {
        // metrics-key-refused: the proxy's own words to a key that is not the proxy admin's.
        if (o.faults.has('metrics-key-refused'))
          throw new ProxyError(
            401,
            `Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=${path}. Your role=internal_user_viewer.`,
            'auth_error',
          );
        requireMaster(caller(req), path);
      };
      return serveMetrics(req, res, url, authorize, () => {
        const worker = machine.scrape();
        return exposition(worker.ctx.metrics, o.faults, worker.startTimeSeconds);
      });
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
    cacheType,
    machineIds: [...ids],
    keyCount: () => keys.size,
    flushLangfuse: () => logger.flush(),
    close: async () => {
      for (const m of machines) m.close();
      await server.close();
      await logger.close();
      await upstream.close();
    },
  };
}
