import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultName } from '../faults.ts';
import type { CacheType } from './response-cache.ts';
import { MASTER, type TestStack, startStack, traceId, withStack } from './testing.ts';

const METRICS_401 =
  /^Unauthorized access to metrics endpoint: .+ To allow unauthenticated access, set `litellm_settings\.require_auth_for_metrics_endpoint: false` in your proxy_config\.yaml\.$/;

describe('health, callbacks and metrics routes', () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startStack();
  });
  afterAll(() => s.close());

  it('answers liveliness and liveness without auth', async () => {
    for (const path of ['/health/liveliness', '/health/liveness']) {
      const r = await fetch(`${s.gateway.url}${path}`);
      expect(r.status).toBe(200);
      expect(await r.json()).toBe("I'm alive!");
    }
  });

  it('answers the public readiness with status and db only', async () => {
    const r = await fetch(`${s.gateway.url}/health/readiness`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'healthy', db: 'Not connected' });
  });

  it('answers readiness details to the master key only: version, cache (with index info for redis-semantic), callbacks', async () => {
    const r = await s.admin('GET', '/health/readiness/details');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      status: 'healthy',
      db: 'Not connected',
      cache: {
        type: 'redis-semantic',
        index_info: expect.objectContaining({
          index_name: 'litellm_semantic_cache_index',
          num_docs: expect.any(String),
        }),
      },
      litellm_version: '1.103.10',
      // `callback_name()` of each success callback: strings as such, objects by class name.
      success_callbacks: expect.arrayContaining([
        'cache',
        'sync_deployment_callback_on_success',
        'PrometheusLogger',
        'LangfusePromptManagement',
      ]),
      use_aiohttp_transport: true,
      log_level: 'WARNING',
      is_detailed_debug: false,
      show_no_redis_warning: true,
      show_env_credential_login_warning: true,
    });
    expect((await s.admin('GET', '/health/readiness/details', undefined, '')).json.error).toMatchObject({
      type: 'auth_error',
      code: '401',
    });
    const key = (await s.admin('POST', '/key/generate', {})).json.key as string;
    expect((await s.admin('GET', '/health/readiness/details', undefined, key)).status).toBe(401);
  });

  it('answers /cache/ping to the master key only, in the non-redis shape for a semantic cache', async () => {
    const r = await s.admin('GET', '/cache/ping');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      status: 'healthy',
      cache_type: 'redis-semantic',
      ping_response: null,
      set_cache_response: null,
      litellm_cache_params: expect.any(String),
      health_check_cache_params: null,
    });
    // A JSON document in a string, written the way Python's json.dumps writes it.
    expect(r.json.litellm_cache_params).toContain('"type": "redis-semantic", "namespace": "None"');
    expect(JSON.parse(r.json.litellm_cache_params)).toMatchObject({
      type: 'redis-semantic',
      ttl: 600,
      mode: { _value_: 'default_on' },
      semantic_cache_scope: 'key',
    });
    expect((await s.admin('GET', '/cache/ping', undefined, '')).status).toBe(401);
    const key = (await s.admin('POST', '/key/generate', {})).json.key as string;
    const denied = await s.admin('GET', '/cache/ping', undefined, key);
    expect(denied.status).toBe(401);
    expect(denied.json.error.type).toBe('auth_error');
  });

  it('answers 404 in FastAPI shape for unknown routes', async () => {
    const r = await fetch(`${s.gateway.url}/nope`).then(async (x) => ({ status: x.status, json: await x.json() }));
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ detail: 'Not Found' });
  });

  it('exposes Prometheus counters and a latency histogram labelled by key alias and model', async () => {
    const key = (await s.admin('POST', '/key/generate', { key_alias: 'agent:metrics', rpm_limit: 1 })).json
      .key as string;
    await s.chat(key, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `metrics ${traceId()}` }] });
    await s.chat(key, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'limited' }] });
    const r = await fetch(`${s.gateway.url}/metrics/`, { headers: { authorization: `Bearer ${MASTER}` } });
    expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await r.text();
    expect(text).toContain('# TYPE litellm_proxy_total_requests_metric_total counter');
    expect(text).toMatch(
      /^litellm_proxy_total_requests_metric_total\{[^}]*api_key_alias="agent:metrics"[^}]*model="gpt-4o-mini"[^}]*status_code="200"[^}]*\} 1$/m,
    );
    expect(text).toMatch(
      /^litellm_proxy_total_requests_metric_total\{[^}]*api_key_alias="agent:metrics"[^}]*status_code="429"[^}]*\} 1$/m,
    );
    expect(text).toMatch(
      /^litellm_proxy_failed_requests_metric_total\{[^}]*api_key_alias="agent:metrics"[^}]*exception_status="429"[^}]*exception_class="RateLimitError"[^}]*\} 1$/m,
    );
    expect(text).toMatch(
      /^litellm_request_total_latency_metric_bucket\{[^}]*api_key_alias="agent:metrics"[^}]*le="\+Inf"\} 1$/m,
    );
    expect(text).toMatch(/^litellm_request_total_latency_metric_count\{[^}]*api_key_alias="agent:metrics"[^}]*\} 1$/m);
    const sum = Number(
      /^litellm_request_total_latency_metric_sum\{[^}]*api_key_alias="agent:metrics"[^}]*\} (\S+)$/m.exec(text)?.[1],
    );
    expect(sum).toBeGreaterThan(0.005);
    expect(sum).toBeLessThan(5);
    expect(text).toContain('# TYPE litellm_cache_misses_metric_total counter');
  });

  it('serves /metrics/ to the master key only; /metrics redirects there once authorised', async () => {
    for (const path of ['/metrics', '/metrics/']) {
      const open = await fetch(`${s.gateway.url}${path}`, { redirect: 'manual' });
      expect(open.status, path).toBe(401);
      expect(open.headers.get('content-type')).toBe('application/json');
      const body: unknown = await open.json();
      expect(body).toMatch(METRICS_401);
      expect(body).toContain('No api key passed in');
    }
    const key = (await s.admin('POST', '/key/generate', {})).json.key as string;
    const viewer = await fetch(`${s.gateway.url}/metrics/`, { headers: { authorization: `Bearer ${key}` } });
    expect(viewer.status).toBe(401);
    expect(await viewer.json()).toMatch(METRICS_401);
    const redirect = await fetch(`${s.gateway.url}/metrics?name[]=x`, {
      redirect: 'manual',
      headers: { authorization: `Bearer ${MASTER}` },
    });
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get('location')).toBe(`${s.gateway.url}/metrics/?name[]=x`);
    // Followed with the key (same origin), the redirect lands on the exposition.
    const followed = await s.admin('GET', '/metrics');
    expect(followed.status).toBe(200);
    expect(followed.json).toContain('# TYPE litellm_proxy_total_requests_metric_total counter');
  });

  it('shows /active/callbacks (alias /settings) to the master key only, as Python reprs', async () => {
    const cb = await s.admin('GET', '/active/callbacks');
    expect(Object.keys(cb.json).sort()).toEqual([
      'alerting',
      'all_litellm_callbacks',
      'litellm._async_failure_callback',
      'litellm._async_input_callback',
      'litellm._async_success_callback',
      'litellm.callbacks',
      'litellm.failure_callback',
      'litellm.input_callback',
      'litellm.request_timeout',
      'litellm.success_callback',
      'num_alerting',
      'num_callbacks',
    ]);
    expect(cb.json).toMatchObject({
      alerting: 'None',
      num_alerting: 0,
      'litellm.input_callback': ['cache'],
      'litellm._async_input_callback': [],
    });
    expect(cb.json['litellm.callbacks']).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^<litellm\.integrations\.prometheus\.PrometheusLogger object at 0x[0-9a-f]+>$/),
      ]),
    );
    expect(cb.json['litellm.failure_callback']).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^<litellm\.integrations\.langfuse\.langfuse_prompt_management\.LangfusePromptManagement object at 0x[0-9a-f]+>$/,
        ),
      ]),
    );
    expect(cb.json['litellm.success_callback'][1]).toMatch(
      /^<bound method Router\.sync_deployment_callback_on_success of <litellm\.router\.Router object at 0x[0-9a-f]+>>$/,
    );
    // One object per integration: the same address wherever it is listed.
    const langfuse = new Set(
      cb.json.all_litellm_callbacks.filter((x: string) => x.includes('LangfusePromptManagement')),
    );
    expect(langfuse.size).toBe(1);
    expect(cb.json.num_callbacks).toBe(cb.json.all_litellm_callbacks.length);
    expect((await s.admin('GET', '/settings')).status).toBe(200);
    expect((await s.admin('GET', '/active/callbacks', undefined, 'sk-nope')).status).toBe(401);
  });
});

describe('fault error-burst', () => {
  it('fails every 10th chat request with a LiteLLM 500, counted in metrics and logged as ERROR', async () => {
    const s = await startStack(['error-burst']);
    try {
      const ids = Array.from({ length: 20 }, () => traceId());
      const replies = [];
      for (const id of ids)
        replies.push(
          await s.chat(MASTER, {
            model: 'gpt-4o-mini',
            messages: [{ role: 'user', content: `burst ${id}` }],
            metadata: { trace_id: id },
          }),
        );
      const failed = replies.map((r, i) => [r, ids[i] as string] as const).filter(([r]) => r.status === 500);
      expect(failed).toHaveLength(2);
      expect(failed[0]?.[0].json.error).toMatchObject({ code: '500', type: 'None', param: 'None' });
      const [gen] = await s.generations(failed[0]?.[1] ?? '');
      expect(gen).toMatchObject({ level: 'ERROR', statusMessage: expect.stringContaining('InternalServerError') });
      const text: string = (await s.admin('GET', '/metrics/')).json;
      expect(text).toMatch(/^litellm_proxy_failed_requests_metric_total\{[^}]*exception_status="500"[^}]*\} 2$/m);
      expect(text).toMatch(/^litellm_proxy_total_requests_metric_total\{[^}]*status_code="200"[^}]*\} 18$/m);
    } finally {
      await s.close();
    }
  });
});

describe('health and /cache/ping per cache type', () => {
  const details = (faults: FaultName[], cacheType?: CacheType) =>
    withStack(
      faults,
      async (s) => ({
        details: (await s.admin('GET', '/health/readiness/details')).json,
        ping: await s.admin('GET', '/cache/ping'),
      }),
      { cacheType },
    );

  it('redis: details name the type and drop the no-Redis warning; the ping is the full redis shape', async () => {
    const { details: d, ping } = await details([], 'redis');
    expect(d).toMatchObject({ cache: 'redis', show_no_redis_warning: false });
    expect(ping.status).toBe(200);
    expect(ping.json).toEqual({
      status: 'healthy',
      cache_type: 'redis',
      ping_response: true,
      set_cache_response: 'success',
      litellm_cache_params: expect.stringMatching(/^\{"supported_call_types": \["completion", /),
      health_check_cache_params: {
        host: 'None',
        port: 'None',
        redis_kwargs: expect.objectContaining({ port: 6379 }),
        namespace: 'None',
        redis_version: expect.any(String),
      },
    });
  });

  it('qdrant-semantic: details show the plain type string', async () => {
    const { details: d, ping } = await details([], 'qdrant-semantic');
    expect(d.cache).toBe('qdrant-semantic');
    expect(ping.json).toMatchObject({ cache_type: 'qdrant-semantic', ping_response: null });
  });

  it('cache-off: details show cache null; the ping is a 503 ProxyException whose message is a JSON document', async () => {
    const { details: d, ping } = await details(['cache-off']);
    expect(d.cache).toBeNull();
    expect(ping.status).toBe(503);
    expect(ping.json).toEqual({
      error: {
        message:
          '{"message": "Cache not initialized. litellm.cache is None", "litellm_cache_params": "{}", "health_check_cache_params": "{}"}',
        type: 'cache_ping_error',
        param: 'cache_ping',
        code: '503',
      },
    });
  });
});
