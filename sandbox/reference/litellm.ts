import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMBEDDING_DIMS } from '../upstream/embedding.ts';
import { freePort, spawnServer } from './process.ts';
import { type LitellmLine, litellmBin, REFERENCE_LINE } from './venv.ts';

/** The cache configurations the reference runs in: LiteLLM builds exactly one cache from `type`. */
export type ReferenceCacheType = 'redis' | 'qdrant-semantic';

/** Where the reference proxy sends what it does not do itself. */
export interface ReferenceTargets {
  /** The sandbox upstream's base URL (without `/v1`): chat and `/embeddings`. */
  readonly upstreamUrl: string;
  readonly upstreamKey: string;
  readonly langfuse: { readonly url: string; readonly publicKey: string; readonly secretKey: string };
  /** Needed for `redis`; unused by `qdrant-semantic` (its limiter then counts in memory). */
  readonly redis?: { readonly host: string; readonly port: number };
  /** Needed for `qdrant-semantic`. */
  readonly qdrantUrl?: string;
}

/** A running real LiteLLM proxy. */
export interface ReferenceGateway {
  readonly url: string;
  readonly masterKey: string;
  /** The prod_customer key of runbook §5.1 (rpm_limit from `custom_auth.py`). */
  readonly quotaKey: string;
  readonly quotaRpm: number;
  readonly cacheType: ReferenceCacheType;
  /** The proxy's last log lines, for diagnosing a failed conformance row. */
  logTail(): string;
  stop(): Promise<void>;
}

/** `cache_params.similarity_threshold`: the sandbox gateway's value, so both judge paraphrases alike. */
const REFERENCE_SIMILARITY_THRESHOLD = 0.8;

/**
 * The proxy config, as JSON (valid YAML). Model names avoid `llama`/`command-r`, whose
 * tokenizers LiteLLM would try to download; `max_input_tokens: 2000` with pre-call checks and a
 * context-window fallback is the runbook's §5.2 escalation; Langfuse is a success *and* failure
 * callback (§5.1's throttle); `/metrics` keeps 1.103.10's default of requiring a key.
 */
function proxyConfig(t: ReferenceTargets, cacheType: ReferenceCacheType): unknown {
  const openai = (model: string) => ({
    model: `openai/${model}`,
    api_base: `${t.upstreamUrl}/v1`,
    api_key: 'os.environ/CUTOVER_REFERENCE_UPSTREAM_KEY',
  });
  const cacheParams =
    cacheType === 'redis'
      ? { type: 'redis', host: t.redis?.host, port: t.redis?.port, ttl: 600 }
      : {
          type: 'qdrant-semantic',
          qdrant_api_base: t.qdrantUrl,
          qdrant_collection_name: 'litellm-semantic-cache',
          qdrant_quantization_config: 'binary',
          qdrant_semantic_cache_embedding_model: 'text-embedding-3-small',
          qdrant_semantic_cache_vector_size: EMBEDDING_DIMS,
          similarity_threshold: REFERENCE_SIMILARITY_THRESHOLD,
          ttl: 600,
        };
  return {
    model_list: [
      {
        model_name: 'gpt-4o-mini',
        litellm_params: openai('gpt-4o-mini'),
        model_info: { id: 'gpt-4o-mini-primary', max_input_tokens: 2000 },
      },
      { model_name: 'gpt-4o', litellm_params: openai('gpt-4o'), model_info: { id: 'gpt-4o-escalation' } },
      {
        model_name: 'text-embedding-3-small',
        litellm_params: openai('text-embedding-3-small'),
        model_info: { mode: 'embedding' },
      },
    ],
    router_settings: { enable_pre_call_checks: true, context_window_fallbacks: [{ 'gpt-4o-mini': ['gpt-4o'] }] },
    litellm_settings: {
      disable_hf_tokenizer_download: true,
      success_callback: ['langfuse'],
      failure_callback: ['langfuse'],
      callbacks: ['prometheus'],
      require_auth_for_metrics_endpoint: true,
      cache: true,
      cache_params: cacheParams,
    },
    general_settings: {
      master_key: 'os.environ/CUTOVER_REFERENCE_MASTER_KEY',
      custom_auth: 'custom_auth.user_api_key_auth',
      custom_auth_settings: { mode: 'auto' },
    },
  };
}

/**
 * Starts the real LiteLLM proxy from the project virtualenv (`ensureVenv` first) on an
 * ephemeral loopback port, fully offline: the bundled model cost map, offline mode, `NO_PROXY`
 * for loopback and no Hugging Face tokenizer download. The master key is random and strong
 * (recent versions refuse an empty key or `sk-1234`). `workers` uvicorn processes share the
 * port, as a Fly machine's do. Resolves when `/health/liveliness`
 * answers; a proxy that exits or stays silent for 90 s rejects with its last log lines.
 */
export async function startReferenceGateway(
  t: ReferenceTargets,
  cacheType: ReferenceCacheType,
  line: LitellmLine = REFERENCE_LINE,
  workers = 1,
): Promise<ReferenceGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-litellm-'));
  writeFileSync(join(dir, 'config.yaml'), JSON.stringify(proxyConfig(t, cacheType), null, 2));
  copyFileSync(join(import.meta.dirname, 'custom_auth.py'), join(dir, 'custom_auth.py'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const masterKey = `sk-ref-${randomBytes(24).toString('hex')}`;
  const quotaKey = `sk-ref-prod-customer-${randomBytes(12).toString('hex')}`;
  const quotaRpm = 100;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: 'C.UTF-8',
    PYTHONUNBUFFERED: '1',
    LITELLM_LOCAL_MODEL_COST_MAP: 'True',
    LITELLM_OFFLINE_MODE: 'true',
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    LANGFUSE_HOST: t.langfuse.url,
    LANGFUSE_PUBLIC_KEY: t.langfuse.publicKey,
    LANGFUSE_SECRET_KEY: t.langfuse.secretKey,
    CUTOVER_REFERENCE_UPSTREAM_KEY: t.upstreamKey,
    CUTOVER_REFERENCE_MASTER_KEY: masterKey,
    CUTOVER_REFERENCE_QUOTA_KEY: quotaKey,
    CUTOVER_REFERENCE_QUOTA_RPM: String(quotaRpm),
  };
  const server = await spawnServer({
    name: `litellm (${cacheType})`,
    file: litellmBin(line),
    args: [
      '--config',
      join(dir, 'config.yaml'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--num_workers',
      String(workers),
    ],
    env,
    cwd: dir,
    ready: async () => (await fetch(`${url}/health/liveliness`, { signal: AbortSignal.timeout(1000) })).ok,
    timeoutMs: 90_000,
  }).catch((err: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  return {
    url,
    masterKey,
    quotaKey,
    quotaRpm,
    cacheType,
    logTail: server.tail,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
