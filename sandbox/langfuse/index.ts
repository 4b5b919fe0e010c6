import type { IncomingMessage, ServerResponse } from 'node:http';
import { listen, sendJson } from '../http.ts';
import type { ComponentContext, Listening } from '../types.ts';
import type { ApiKeys } from './auth.ts';
import { EVENTS_ONLY_READ_MESSAGE, sendMethodNotAllowed } from './errors.ts';
import { handleHealth, handleReady } from './health.ts';
import { handleIngestion, RawEventLog } from './ingestion.ts';
import { handleDailyMetrics, handleV2NotAvailable } from './metrics.ts';
import { backgroundMigrations, handleTrpc } from './migrations.ts';
import { handleModelList } from './models.ts';
import {
  createUiAuth,
  handleCredentialsCallback,
  handleCsrf,
  handleDashboard,
  handleSession,
  handleSignInPage,
} from './nextauth.ts';
import { handleObservationGet, handleObservationList, type ReadContext } from './observations.ts';
import { handleProjects } from './projects.ts';
import { Store } from './store.ts';
import { handleTraceGet, handleTraceList } from './traces.ts';
import { startWorkerHealth } from './worker.ts';

/** Options of {@link startLangfuse}; faults come from the shared component context. */
export interface LangfuseOptions extends ComponentContext {
  readonly publicKey: string;
  readonly secretKey: string;
  /** Project the key pair belongs to (default `cutover-sandbox-project`). */
  readonly projectId?: string;
  /** Delay between ingestion and readability; default 300 ms (production: ~6–10 s). */
  readonly ingestDelayMs?: number;
  /** Draws the delay of each ingested batch instead (the production profile's lag with spikes); `ingestDelayMs` is then ignored. */
  readonly ingestionLagMs?: () => number;
  /** The UI login the NextAuth credentials provider accepts. */
  readonly ui: { readonly email: string; readonly password: string };
  /** Version reported by health and the UI; default `3.225.4` (`4.16.0` under `langfuse-v4-events-only`). */
  readonly version?: string;
}

/** A running Langfuse stand-in: the web server at `url`, the worker's health server at `workerUrl`. */
export type LangfuseSandbox = Listening & {
  readonly workerUrl: string;
  /** Every ingestion event received so far, as sent (the differential probe compares gateways by them). */
  receivedEvents(): readonly unknown[];
};

/** The default profile's ingestion delay: a rehearsal waits for Langfuse without waiting long. */
const DEFAULT_INGEST_DELAY_MS = 300;
/** Fault `ingestion-slow`, on every profile: as long as the production profile's longest spike. */
const INGESTION_SLOW_MS = 20_000;

// v1 read routes that v4 in events_only mode refuses, by path shape.
const V1_READ = /^\/api\/public\/(traces|observations|metrics)(\/[^/]+)?$/;

/**
 * Starts the Langfuse v3 stand-in: public API (ingestion with eventual consistency, traces,
 * observations v1, daily metrics, projects, model definitions, health, ready), the NextAuth credentials login
 * with session and dashboard page, the background-migration tRPC procedures, and the worker
 * health server on a second port. Faults honoured: `trace-dropped`, `ingestion-slow`,
 * `langfuse-login-broken`, `migration-pending`, `langfuse-v4-events-only`, `echo-secret`.
 * `close()` stops both listeners.
 */
export async function startLangfuse(o: LangfuseOptions): Promise<LangfuseSandbox> {
  const eventsOnly = o.faults.has('langfuse-v4-events-only');
  const version = eventsOnly ? '4.16.0' : (o.version ?? '3.225.4');
  const projectId = o.projectId ?? 'cutover-sandbox-project';
  const store = new Store();
  const keys: ApiKeys = { publicKey: o.publicKey, secretKey: o.secretKey, echoSecret: o.faults.has('echo-secret') };
  const read: ReadContext = { store, keys, projectId };
  const ingestion = {
    store,
    keys,
    // The fault models a backed-up queue: events still land, only far too late for a 10 s poll.
    delayMs: o.faults.has('ingestion-slow')
      ? () => INGESTION_SLOW_MS
      : (o.ingestionLagMs ?? (() => o.ingestDelayMs ?? DEFAULT_INGEST_DELAY_MS)),
    dropTraces: o.faults.has('trace-dropped'),
    eventsOnly,
    received: new RawEventLog(),
  };
  let baseUrl = '';
  const ui = createUiAuth({
    email: o.ui.email,
    password: o.ui.password,
    projectId,
    baseUrl: () => baseUrl,
    loginBroken: o.faults.has('langfuse-login-broken'),
    v4WriteMode: eventsOnly ? 'events_only' : 'legacy',
  });
  const migrationRows = backgroundMigrations(o.faults.has('migration-pending'));

  const route = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname.replace(/\/$/, '') || '/';
    const get = req.method === 'GET';
    if (eventsOnly && V1_READ.test(path)) return sendJson(res, 404, { message: EVENTS_ONLY_READ_MESSAGE });
    if (path === '/api/public/ingestion')
      return req.method === 'POST' ? handleIngestion(req, res, ingestion) : sendMethodNotAllowed(res);
    if (path.startsWith('/api/public/') && !get) return sendMethodNotAllowed(res);
    if (path === '/api/public/health') return handleHealth(res, url, version, store);
    if (path === '/api/public/ready') return handleReady(res, version);
    if (path === '/api/public/projects') return handleProjects(req, res, keys, projectId);
    if (path === '/api/public/models') return handleModelList(req, res, url, keys);
    if (path === '/api/public/traces') return handleTraceList(req, res, url, read);
    if (path.startsWith('/api/public/traces/'))
      return handleTraceGet(req, res, decodeURIComponent(path.slice(19)), url, read);
    if (path === '/api/public/observations') return handleObservationList(req, res, url, read);
    if (path.startsWith('/api/public/observations/'))
      return handleObservationGet(req, res, decodeURIComponent(path.slice(25)), read);
    if (path === '/api/public/metrics/daily') return handleDailyMetrics(req, res, url, read);
    if (path === '/api/public/v2/observations') return handleV2NotAvailable(req, res, 'observations', read);
    if (path === '/api/public/v2/metrics') return handleV2NotAvailable(req, res, 'metrics', read);
    if (path === '/api/auth/csrf' && get) return handleCsrf(req, res, ui);
    if (path === '/api/auth/callback/credentials' && req.method === 'POST')
      return handleCredentialsCallback(req, res, ui);
    if (path === '/api/auth/session' && get) return handleSession(req, res, ui);
    if (path.startsWith('/api/trpc/') && get) return handleTrpc(req, res, url, ui, () => migrationRows);
    if (path === '/auth/sign-in' && get) return handleSignInPage(res);
    if (path.startsWith('/project/') && get) return handleDashboard(req, res, url, ui, version);
    sendJson(res, 404, { message: 'Not found' });
  };

  const web = await listen('langfuse', o.counter, route);
  baseUrl = web.url;
  const worker = await startWorkerHealth(o.counter, o.faults).catch(async (err: unknown) => {
    await web.close();
    throw err;
  });
  return {
    url: web.url,
    workerUrl: worker.url,
    receivedEvents: () => ingestion.received.all(),
    close: async () => {
      await Promise.all([web.close(), worker.close()]);
    },
  };
}
