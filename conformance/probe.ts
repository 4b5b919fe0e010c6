import { randomBytes, randomUUID } from 'node:crypto';
import { type CacheType, startGateway } from '../sandbox/gateway/index.ts';
import { startLangfuse } from '../sandbox/langfuse/index.ts';
import { startQdrant } from '../sandbox/qdrant/index.ts';
import { type ReferenceCacheType, startReferenceGateway } from '../sandbox/reference/litellm.ts';
import { startRedis } from '../sandbox/reference/redis.ts';
import { ensureVenv, type LitellmLine, pinnedLitellmVersion, REFERENCE_LINE } from '../sandbox/reference/venv.ts';
import type { Listening, RequestCounter } from '../sandbox/types.ts';
import { startUpstream } from '../sandbox/upstream/index.ts';

/** One observed behaviour: the same question put to both gateways, each answer normalised to a short string. */
export interface ProbeRow {
  /** The real proxy's version. */
  readonly litellm: string;
  readonly config: ReferenceCacheType;
  readonly behaviour: string;
  readonly real: string;
  readonly sandbox: string;
}

/** A gateway under probe: where it is, how to authenticate, and the rate-limited customer key. */
interface Target {
  readonly name: 'real' | 'sandbox';
  readonly url: string;
  readonly masterKey: string;
  readonly quotaKey: string;
}

type Answers = Map<string, string>;

const SETTLE_MS = 1500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stable renderings: volatile values (ids, hashes, times, addresses) become their shape. */
function shape(text: string): string {
  return text
    .replace(/\b[0-9a-f]{64}\b/g, '<sha256>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<uuid>')
    .replace(/\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?: UTC|Z)?/g, '<time>')
    .replace(/127\.0\.0\.1:\d+/g, '<host>')
    .replace(/\bsk-[A-Za-z0-9_-]{8,}/g, '<key>')
    .replace(/0x[0-9a-f]+/g, '<addr>');
}

const keysOf = (v: unknown): string =>
  v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v).sort().join(',') : typeof v;

async function call(
  t: Target,
  method: string,
  path: string,
  o: { auth?: 'master' | 'quota' | 'none' | string; body?: unknown } = {},
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const auth = o.auth ?? 'master';
  if (auth !== 'none')
    headers.authorization = `Bearer ${auth === 'master' ? t.masterKey : auth === 'quota' ? t.quotaKey : auth}`;
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers,
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
    redirect: 'manual',
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json: json as any };
}

/** The x-litellm-* and rate-limit headers the suite reads, present or not. */
const WATCHED_HEADERS = [
  'x-litellm-call-id',
  'x-litellm-version',
  'x-litellm-model-id',
  'x-litellm-model-group',
  'x-litellm-model-api-base',
  'x-litellm-model-name',
  'x-litellm-response-cost',
  'x-litellm-response-duration-ms',
  'x-litellm-overhead-duration-ms',
  'x-litellm-attempted-fallbacks',
  'x-litellm-attempted-retries',
  'x-litellm-cache-key',
  'x-litellm-semantic-similarity',
  'x-litellm-key-rpm-limit',
  'x-ratelimit-api_key-limit-requests',
  'x-ratelimit-api_key-remaining-requests',
];

function headerRow(h: Headers): string {
  return WATCHED_HEADERS.filter((n) => h.has(n)).join(' ') || '(none)';
}

const chatBody = (content: string, traceId: string, extra: Record<string, unknown> = {}) => ({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content }],
  max_tokens: 8,
  metadata: { trace_id: traceId, session_id: 'fidelity-probe', generation_name: 'fidelity-probe' },
  ...extra,
});

/**
 * The scripted sequence, put to one gateway. Both gateways share one upstream and one Langfuse
 * stand-in, so their answers differ only by what the gateways themselves do. Returns the
 * normalised answers by behaviour, and the trace ids whose Langfuse events are compared.
 */
async function runSequence(t: Target): Promise<{ answers: Answers; traces: Record<string, string> }> {
  const a: Answers = new Map();
  const nonce = randomBytes(4).toString('hex');
  const ns = `probe-${t.name}-${nonce}`;
  const traces: Record<string, string> = {};
  const tid = (label: string) => (traces[label] = randomUUID().replace(/-/g, ''));

  let r = await call(t, 'GET', '/health/liveliness', { auth: 'none' });
  a.set('GET /health/liveliness (no key)', `${r.status} ${r.text}`);
  r = await call(t, 'GET', '/health/readiness', { auth: 'none' });
  a.set('GET /health/readiness (no key): fields', `${r.status} ${keysOf(r.json)}`);
  r = await call(t, 'GET', '/health/readiness/details');
  a.set(
    'GET /health/readiness/details: cache',
    `${r.status} ${JSON.stringify(typeof r.json?.cache === 'object' && r.json?.cache !== null ? { type: r.json.cache.type } : r.json?.cache)}`,
  );
  a.set('GET /health/readiness/details: litellm_version', `${r.json?.litellm_version ?? '(absent)'}`);
  a.set('GET /health/readiness/details: fields', keysOf(r.json));
  r = await call(t, 'GET', '/cache/ping');
  a.set('GET /cache/ping: status and cache_type', `${r.status} ${r.json?.cache_type}`);
  a.set(
    'GET /cache/ping: fields (non-null)',
    Object.keys(r.json ?? {})
      .filter((k) => r.json[k] !== null)
      .sort()
      .join(','),
  );
  a.set('GET /cache/ping: litellm_cache_params type', typeof r.json?.litellm_cache_params);
  r = await call(t, 'GET', '/cache/ping', { auth: 'none' });
  a.set('GET /cache/ping (no key)', `${r.status} ${keysOf(r.json?.error)}`);
  r = await call(t, 'GET', '/active/callbacks');
  a.set('GET /active/callbacks: fields', keysOf(r.json));
  a.set(
    'GET /active/callbacks: langfuse in litellm.failure_callback',
    String((r.json?.['litellm.failure_callback'] ?? []).some((x: string) => /langfuse/i.test(x))),
  );
  r = await call(t, 'GET', '/metrics', { auth: 'none' });
  a.set('GET /metrics (no key)', `${r.status} location=${shape(r.headers.get('location') ?? '(none)')}`);
  r = await call(t, 'GET', '/metrics/', { auth: 'none' });
  a.set('GET /metrics/ (no key)', String(r.status));

  // Chat: a miss, the identical repeat, a paraphrase, the paraphrase in another namespace.
  const first = `What is the return policy? (${nonce})`;
  const miss = await call(t, 'POST', '/chat/completions', {
    body: chatBody(first, tid('miss'), { cache: { namespace: ns } }),
  });
  a.set('chat miss: status and headers', `${miss.status} ${headerRow(miss.headers)}`);
  a.set('chat miss: body fields and model', `${keysOf(miss.json)} model=${miss.json?.model}`);
  await sleep(SETTLE_MS);
  const hit = await call(t, 'POST', '/chat/completions', {
    body: chatBody(first, tid('repeat'), { cache: { namespace: ns } }),
  });
  a.set('identical repeat: status and headers', `${hit.status} ${headerRow(hit.headers)}`);
  a.set('identical repeat: same body id as the miss', String(hit.json?.id === miss.json?.id));
  a.set('identical repeat: similarity header', fmtSimilarity(hit.headers));
  a.set(
    'identical repeat: response cost header',
    hit.headers.get('x-litellm-response-cost') === miss.headers.get('x-litellm-response-cost')
      ? 'same as the miss'
      : 'differs from the miss',
  );
  const para = await call(t, 'POST', '/chat/completions', {
    body: chatBody(`How do I get a refund? (${nonce})`, tid('paraphrase'), { cache: { namespace: ns } }),
  });
  a.set(
    'paraphrase: served from cache',
    `${para.headers.has('x-litellm-cache-key')} similarity=${fmtSimilarity(para.headers)}`,
  );
  const other = await call(t, 'POST', '/chat/completions', {
    body: chatBody(`How do I get a refund? (${nonce})`, tid('other-namespace'), {
      cache: { namespace: `${ns}-other` },
    }),
  });
  a.set('paraphrase in another cache.namespace: served from cache', String(other.headers.has('x-litellm-cache-key')));
  const maxTok = await call(t, 'POST', '/chat/completions', {
    body: chatBody(first, tid('other-max-tokens'), { cache: { namespace: ns }, max_tokens: 9 }),
  });
  a.set('identical prompt, other max_tokens: served from cache', String(maxTok.headers.has('x-litellm-cache-key')));

  // Escalation past max_input_tokens 2000.
  const long = `${'lorem ipsum dolor sit amet '.repeat(520)}(${nonce})`;
  const esc = await call(t, 'POST', '/chat/completions', {
    body: chatBody(long, tid('escalation'), { cache: { 'no-cache': true, 'no-store': true } }),
  });
  a.set(
    'long prompt: status, group, fallbacks, body model',
    `${esc.status} group=${esc.headers.get('x-litellm-model-group')} fallbacks=${esc.headers.get('x-litellm-attempted-fallbacks')} model=${esc.json?.model}`,
  );

  // Errors.
  r = await call(t, 'POST', '/chat/completions', {
    auth: 'sk-not-a-key-0000000000',
    body: chatBody('hello', tid('bad-key')),
  });
  a.set(
    'chat with an unknown key',
    `${r.status} ${keysOf(r.json?.error)} type=${r.json?.error?.type} code=${r.json?.error?.code}`,
  );
  r = await call(t, 'POST', '/chat/completions', { body: { model: 'gpt-4o-mini', max_tokens: 8 } });
  a.set(
    'chat without messages',
    `${r.status} ${keysOf(r.json?.error)} type=${r.json?.error?.type} code=${r.json?.error?.code}`,
  );
  r = await call(t, 'POST', '/key/delete', { body: { keys: ['sk-never-issued-000000000000'] } });
  a.set('POST /key/delete of a key never issued', `${r.status} ${shape(r.text).slice(0, 120)}`);
  r = await call(t, 'GET', '/key/info?key=sk-never-issued-000000000000');
  a.set('GET /key/info of a key never issued', String(r.status));

  // The limiter: 101 concurrent requests on the rpm_limit 100 key.
  const burstIds = Array.from({ length: 101 }, () => randomUUID().replace(/-/g, ''));
  const limited = await Promise.all(
    burstIds.map((id, i) =>
      call(t, 'POST', '/chat/completions', {
        auth: 'quota',
        body: chatBody(`rpm ${nonce} ${i}`, id, { cache: { 'no-cache': true, 'no-store': true } }),
      }),
    ),
  );
  const statuses = limited.map((x) => x.status);
  a.set(
    '101 requests at rpm_limit 100: statuses',
    `200×${statuses.filter((s) => s === 200).length} 429×${statuses.filter((s) => s === 429).length}`,
  );
  const first429 = statuses.indexOf(429);
  const t429 = limited[first429];
  if (t429) {
    traces.throttle = burstIds[first429]!;
    a.set('429: body', shape(JSON.stringify(t429.json)).replace(/api_key: \S+?\./, 'api_key: <hash>.'));
    const resetAt = Date.parse(`${(t429.headers.get('reset_at') ?? '').replace(' UTC', 'Z').replace(' ', 'T')}`);
    a.set(
      '429: reset_at is now plus',
      Number.isNaN(resetAt) ? '(unparsable)' : `${Math.round((resetAt - Date.now()) / 10_000) * 10} s`,
    );
    a.set(
      '429: headers',
      ['retry-after', 'rate_limit_type', 'reset_at', 'x-litellm-call-id']
        .map(
          (n) =>
            `${n}=${n === 'x-litellm-call-id' ? (t429.headers.has(n) ? 'yes' : 'no') : shape(t429.headers.get(n) ?? '(none)')}`,
        )
        .join(' '),
    );
  }
  const ok = limited.find((x) => x.status === 200);
  a.set(
    '200 under the limit: rate-limit headers',
    ok
      ? ['x-litellm-key-rpm-limit', 'x-ratelimit-api_key-limit-requests', 'x-ratelimit-api_key-remaining-requests']
          .map((n) => `${n}=${ok.headers.has(n) ? 'yes' : 'no'}`)
          .join(' ')
      : '(no 200)',
  );

  r = await call(t, 'GET', '/metrics/');
  const families = new Set((r.text.match(/^[a-z_:]+(?=[{ ])/gm) ?? []).filter((f) => f.startsWith('litellm_')));
  a.set('GET /metrics/ with the master key', String(r.status));
  for (const f of [
    'litellm_proxy_total_requests_metric_total',
    'litellm_proxy_failed_requests_metric_total',
    'litellm_request_total_latency_metric_bucket',
    'litellm_cache_hits_metric_total',
    'litellm_cache_misses_metric_total',
    'litellm_deployment_successful_fallbacks_total',
  ]) {
    a.set(`/metrics/ family ${f}`, families.has(f) ? 'present' : 'absent');
  }
  // The watch tells a machine's processes apart by prometheus_client's process collector.
  a.set(
    '/metrics/ family process_start_time_seconds',
    /^process_start_time_seconds \S+$/m.test(r.text) ? 'present' : 'absent',
  );
  return { answers: a, traces };
}

/** A generation's cost as the SDK sent it: `usage.totalCost` (SDK v2) or `costDetails.total`. */
function costOf(body: any): string {
  const v = body?.usage?.totalCost ?? body?.usage?.total_cost ?? body?.costDetails?.total;
  return typeof v !== 'number' ? 'none' : v > 0 ? '>0' : '0';
}

function fmtSimilarity(h: Headers): string {
  const v = h.get('x-litellm-semantic-similarity');
  return v === null ? '(no header)' : Number(v).toFixed(2);
}

/** How one gateway's Langfuse events for a trace read: event types, generations, cache flag, level. */
function langfuseRows(events: readonly unknown[], traces: Record<string, string>): Answers {
  const a: Answers = new Map();
  for (const [label, traceId] of Object.entries(traces)) {
    if (!traceId) continue;
    const mine = events.filter(
      (e: any) => e?.body?.traceId === traceId || (e?.type === 'trace-create' && e?.body?.id === traceId),
    ) as any[];
    const types = mine.map((e) => e.type).sort();
    a.set(`Langfuse (${label}): event types`, types.join(',') || '(none)');
    const gens = mine.filter((e) => String(e.type).startsWith('generation'));
    // An ERROR generation's model is not stable on the real proxy: LiteLLM logs a failure twice
    // (async and sync handler), and after a context-window fallback the sync one, run in a
    // thread, sometimes reads the fallback's model (seen once in ~10 runs of 1.103.10:
    // `gpt-4o-mini ERROR ; openai/gpt-4o ERROR`). The suite reads only served generations.
    const modelOf = (g: any): string => (g.body.level === 'ERROR' ? '(failed attempt)' : (g.body.model ?? '-'));
    a.set(
      `Langfuse (${label}): generations`,
      gens
        .map(
          (g) =>
            `${g.body.name ?? '-'}|${modelOf(g)}|${g.body.level ?? 'DEFAULT'}|cache_hit=${g.body.metadata?.cache_hit ?? '-'}|cost=${costOf(g.body)}`,
        )
        .sort()
        .join(' ; ') || '(none)',
    );
    const gen = gens.find((g) => !/embedding/.test(String(g.body.model)));
    if (gen) {
      a.set(
        `Langfuse (${label}): generation metadata has semantic-similarity`,
        String(gen.body.metadata?.['semantic-similarity'] !== undefined),
      );
      a.set(`Langfuse (${label}): generation body fields`, keysOf(gen.body));
      a.set(`Langfuse (${label}): generation metadata fields`, keysOf(gen.body.metadata));
      a.set(`Langfuse (${label}): generation requester_metadata fields`, keysOf(gen.body.metadata?.requester_metadata));
    }
  }
  return a;
}

/**
 * Runs the probe in one cache configuration: starts a sandbox upstream, Langfuse and Qdrant
 * (or Redis), the sandbox gateway and the real LiteLLM proxy in front of the same parts, puts
 * the sequence to both, and pairs their answers. The sandbox gateway runs the same cache type,
 * so every difference is one of behaviour.
 */
export async function probe(
  cacheType: ReferenceCacheType,
  log: (l: string) => void = () => undefined,
  line: LitellmLine = REFERENCE_LINE,
): Promise<ProbeRow[]> {
  ensureVenv(log, line);
  const counter: RequestCounter = { total: 0, byComponent: {} };
  const faults = new Set<never>();
  const stops: (() => Promise<void>)[] = [];
  const secret = (p: string) => `${p}${randomBytes(12).toString('hex')}`;
  try {
    const upstreamKey = secret('sk-probe-upstream-');
    const lf = { publicKey: secret('pk-lf-probe-'), secretKey: secret('sk-lf-probe-') };
    const upstream = await startUpstream({ faults, counter, apiKey: upstreamKey });
    stops.push(() => upstream.close());
    const langfuse = await startLangfuse({
      faults,
      counter,
      ...lf,
      ingestDelayMs: 50,
      ui: { email: 'probe@sandbox.test', password: secret('pw-') },
    });
    stops.push(() => langfuse.close());
    let store: Listening | undefined;
    let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
    if (cacheType === 'redis') {
      redis = await startRedis();
      stops.push(() => redis!.stop());
    } else {
      store = await startQdrant({ counter });
      stops.push(() => store!.close());
    }
    const masterKey = secret('sk-probe-master-');
    const sandboxGateway = await startGateway({
      faults,
      counter,
      masterKey,
      upstreamUrl: upstream.url,
      upstreamKey,
      langfuse: { url: langfuse.url, ...lf },
      cacheType: cacheType as CacheType,
    });
    stops.push(() => sandboxGateway.close());
    const real = await startReferenceGateway(
      { upstreamUrl: upstream.url, upstreamKey, langfuse: { url: langfuse.url, ...lf }, redis, qdrantUrl: store?.url },
      cacheType,
      line,
    );
    stops.push(() => real.stop());

    const sandboxTarget: Target = { name: 'sandbox', url: sandboxGateway.url, masterKey, quotaKey: '' };
    const minted = await call(sandboxTarget, 'POST', '/key/generate', {
      body: { key_alias: 'prod_customer', rpm_limit: real.quotaRpm },
    });
    const targets: Target[] = [
      { name: 'real', url: real.url, masterKey: real.masterKey, quotaKey: real.quotaKey },
      { ...sandboxTarget, quotaKey: String(minted.json?.key) },
    ];
    const answers: Record<string, Answers> = {};
    const traceIds: Record<string, Record<string, string>> = {};
    for (const t of targets) {
      log(`probing ${t.name} (${cacheType}${t.name === 'real' ? `, LiteLLM ${pinnedLitellmVersion(line)}` : ''})`);
      const out = await runSequence(t);
      answers[t.name] = out.answers;
      traceIds[t.name] = out.traces;
    }
    // The limiter across processes: LiteLLM shares its counters through Redis only when the
    // response cache is an exact RedisCache (proxy_server._init_cache); the sandbox is one process.
    await real.stop();
    const twoWorkers = await startReferenceGateway(
      { upstreamUrl: upstream.url, upstreamKey, langfuse: { url: langfuse.url, ...lf }, redis, qdrantUrl: store?.url },
      cacheType,
      line,
      2,
    );
    stops.push(() => twoWorkers.stop());
    const burstOf = async (t: Target) => {
      const statuses = await Promise.all(
        Array.from({ length: 101 }, (_, i) =>
          call(t, 'POST', '/chat/completions', {
            auth: 'quota',
            body: chatBody(`workers ${i} ${randomUUID()}`, randomUUID().replace(/-/g, ''), {
              cache: { 'no-cache': true, 'no-store': true },
            }),
          }).then((r) => r.status),
        ),
      );
      return `200×${statuses.filter((x) => x === 200).length} 429×${statuses.filter((x) => x === 429).length}`;
    };
    const perProcess = 'a fresh rpm_limit 100 key, 101 requests, gateway with 2 worker processes: statuses';
    answers.real!.set(
      perProcess,
      await burstOf({
        name: 'real',
        url: twoWorkers.url,
        masterKey: twoWorkers.masterKey,
        quotaKey: twoWorkers.quotaKey,
      }),
    );
    const second = await call(sandboxTarget, 'POST', '/key/generate', {
      body: { key_alias: 'prod_customer_2', rpm_limit: real.quotaRpm },
    });
    answers.sandbox!.set(perProcess, await burstOf({ ...sandboxTarget, quotaKey: String(second.json?.key) }));

    // Let both callbacks flush (LiteLLM's SDK v2 flushes every second) and ingestion settle:
    // until no event has arrived for 3 s, at most 15 s. A fixed 3 s was not always enough: the
    // real proxy's second failure log runs in a thread, and one run in three here compared the
    // sandbox's two failed-attempt generations with the real proxy's one (the other not yet in).
    await sandboxGateway.flushLangfuse();
    const until = Date.now() + 15_000;
    let seen = -1;
    let quietSince = Date.now();
    while (Date.now() < until && Date.now() - quietSince < 3000) {
      const n = langfuse.receivedEvents().length;
      if (n !== seen) {
        seen = n;
        quietSince = Date.now();
      }
      await sleep(250);
    }
    const events = langfuse.receivedEvents();
    for (const t of targets) for (const [k, v] of langfuseRows(events, traceIds[t.name]!)) answers[t.name]!.set(k, v);

    const behaviours = [...new Set([...answers.real!.keys(), ...answers.sandbox!.keys()])];
    const litellm = pinnedLitellmVersion(line);
    return behaviours.map((behaviour) => ({
      litellm,
      config: cacheType,
      behaviour,
      real: shape(answers.real!.get(behaviour) ?? '(not observed)'),
      sandbox: shape(answers.sandbox!.get(behaviour) ?? '(not observed)'),
    }));
  } finally {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  }
}
