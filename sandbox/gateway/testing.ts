import type { FaultName } from '../faults.ts';
import { listen, readJson, sendJson } from '../http.ts';
import type { Listening, RequestCounter } from '../types.ts';
import { startUpstream } from '../upstream/index.ts';
import { FORCE_INSTANCE_HEADER } from './fly-proxy.ts';
import { type CacheType, type Gateway, startGateway } from './index.ts';

/** One ingestion event as the capture server received it. */
interface CapturedEvent {
  id: string;
  timestamp: string;
  type: string;
  body: Record<string, any>;
}

/** A gateway wired to a real upstream and to a Langfuse ingestion capture, for tests. */
export interface TestStack {
  gateway: Gateway;
  upstream: Listening & { setLatency(ms: number): void };
  /** Requests per component, to prove which component a request reached. */
  counter: RequestCounter;
  /** Every ingestion event received, in arrival order. */
  events: CapturedEvent[];
  /** The Authorization headers the ingestion endpoint saw. */
  ingestionAuth: string[];
  close(): Promise<void>;
  /** POSTs a chat completion with `key` and returns status, headers, parsed body and wall time. */
  chat(key: string, body: Record<string, unknown>, headers?: Record<string, string>): Promise<Reply>;
  /** An admin call with the master key (or `key`; `''` sends none). Redirects are followed. */
  admin(method: 'GET' | 'POST', path: string, body?: unknown, key?: string): Promise<Reply>;
  /** Scrapes `/metrics/` with the master key: of `machineId` (via `fly-force-instance-id`), or of the machine the proxy picks. */
  scrape(machineId?: string): Promise<string>;
  /**
   * Flushes the gateway's Langfuse queue and returns the chat-completion generations logged for
   * `traceId`, in arrival order (the embeddings a semantic cache made for it are `embeddings`).
   */
  generations(traceId: string): Promise<Record<string, any>[]>;
  /** Like `generations`, for the embedding calls the semantic cache made on the trace's request. */
  embeddings(traceId: string): Promise<Record<string, any>[]>;
}

/** Knobs of a test stack. */
export interface StackOptions {
  /** Upstream chat latency; default 10 ms. */
  latencyMs?: number;
  cacheWriteDelayMs?: number;
  /** The gateway's cache type; default the gateway's (`redis-semantic`). */
  cacheType?: CacheType;
  /** The gateway's Fly machines; default the gateway's single machine. */
  machineIds?: readonly string[];
  /** Fault `machine-restarted-mid-watch`'s delay after the first scrape; default the gateway's 8 s. */
  machineRestartDelayMs?: number;
}

/** A parsed HTTP answer. */
export interface Reply {
  status: number;
  headers: Headers;
  json: any;
  ms: number;
}

/** The `model` of the generations a semantic cache's embedding calls are logged as. */
const EMBEDDING_MODEL = 'openai/text-embedding-3-small';
/** The test gateway's master key. */
export const MASTER = 'sk-master-test-0000';
/** The key the test upstream expects from the gateway. */
export const UPSTREAM_KEY = 'sk-upstream-test-1111';

/**
 * Starts upstream (10 ms latency unless given), a capture server standing in for Langfuse
 * ingestion (always 207, records every event) and the gateway under the given faults.
 */
export async function startStack(faults: FaultName[] = [], opts: StackOptions = {}): Promise<TestStack> {
  const counter: RequestCounter = { total: 0, byComponent: {} };
  const set = new Set(faults);
  const events: CapturedEvent[] = [];
  const ingestionAuth: string[] = [];
  const capture = await listen('langfuse', counter, async (req, res, url) => {
    if (req.method === 'POST' && url.pathname === '/api/public/ingestion') {
      ingestionAuth.push(req.headers.authorization ?? '');
      const body = (await readJson(req)) as { batch: CapturedEvent[] };
      events.push(...body.batch);
      sendJson(res, 207, { successes: body.batch.map((e) => ({ id: e.id, status: 201 })), errors: [] });
      return;
    }
    sendJson(res, 404, { message: 'not found' });
  });
  const upstream = await startUpstream({ faults: set, counter, apiKey: UPSTREAM_KEY, latencyMs: opts.latencyMs ?? 10 });
  const gateway = await startGateway({
    faults: set,
    counter,
    masterKey: MASTER,
    upstreamUrl: upstream.url,
    upstreamKey: UPSTREAM_KEY,
    langfuse: { url: capture.url, publicKey: 'pk-lf-test', secretKey: 'sk-lf-test' },
    cacheWriteDelayMs: opts.cacheWriteDelayMs,
    cacheType: opts.cacheType,
    machineIds: opts.machineIds,
    machineRestartDelayMs: opts.machineRestartDelayMs,
  });
  const call = async (
    method: string,
    path: string,
    key: string | undefined,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> => {
    const t0 = performance.now();
    const r = await fetch(`${gateway.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
      body: body === undefined || method === 'GET' ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      // Prometheus text stays a string.
    }
    return { status: r.status, headers: r.headers, json, ms: performance.now() - t0 };
  };
  const logged = async (traceId: string): Promise<Record<string, any>[]> => {
    await gateway.flushLangfuse();
    return events.filter((e) => e.type === 'generation-create' && e.body.traceId === traceId).map((e) => e.body);
  };
  return {
    gateway,
    upstream,
    counter,
    events,
    ingestionAuth,
    close: async () => {
      await gateway.close();
      await upstream.close();
      await capture.close();
    },
    chat: (key, body, headers) => call('POST', '/v1/chat/completions', key, body, headers),
    admin: (method, path, body, key = MASTER) => call(method, path, key, body),
    scrape: async (machineId) => {
      const r = await call(
        'GET',
        '/metrics/',
        MASTER,
        undefined,
        machineId === undefined ? {} : { [FORCE_INSTANCE_HEADER]: machineId },
      );
      if (r.status !== 200) throw new Error(`GET /metrics/ of ${machineId ?? 'any machine'} answered ${r.status}`);
      return r.json as string;
    },
    generations: async (traceId) => (await logged(traceId)).filter((g) => g.model !== EMBEDDING_MODEL),
    embeddings: async (traceId) => (await logged(traceId)).filter((g) => g.model === EMBEDDING_MODEL),
  };
}

/** Runs `fn` against a fresh stack under `faults` and closes the stack whatever happens. */
export async function withStack<T>(
  faults: FaultName[],
  fn: (s: TestStack) => Promise<T>,
  opts: StackOptions = {},
): Promise<T> {
  const s = await startStack(faults, opts);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

/** A fresh 32-hex trace id, as the notes advise suites to send. */
export function traceId(): string {
  return crypto.randomUUID().replace(/-/g, '');
}
