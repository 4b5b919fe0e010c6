import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASTER, type TestStack, startStack, traceId } from './testing.ts';

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

  it('answers readiness without auth, with version, cache type and success callbacks', async () => {
    const r = await fetch(`${s.gateway.url}/health/readiness`);
    expect(await r.json()).toEqual({ status: 'healthy', db: 'Not connected', cache: 'redis', litellm_version: '1.81.9', success_callbacks: expect.arrayContaining(['langfuse']), use_aiohttp_transport: true });
  });

  it('answers 404 in FastAPI shape for unknown routes', async () => {
    const r = await fetch(`${s.gateway.url}/nope`).then(async (x) => ({ status: x.status, json: await x.json() }));
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ detail: 'Not Found' });
  });

  it('exposes Prometheus counters and a latency histogram labelled by key alias and model', async () => {
    const key = (await s.admin('POST', '/key/generate', { key_alias: 'agent:metrics', rpm_limit: 1 })).json.key as string;
    await s.chat(key, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `metrics ${traceId()}` }] });
    await s.chat(key, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'limited' }] });
    const r = await fetch(`${s.gateway.url}/metrics`);
    expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await r.text();
    expect(text).toContain('# TYPE litellm_proxy_total_requests_metric counter');
    expect(text).toMatch(/^litellm_proxy_total_requests_metric_total\{[^}]*api_key_alias="agent:metrics"[^}]*model="gpt-4o-mini"[^}]*status_code="200"[^}]*\} 1$/m);
    expect(text).toMatch(/^litellm_proxy_total_requests_metric_total\{[^}]*api_key_alias="agent:metrics"[^}]*status_code="429"[^}]*\} 1$/m);
    expect(text).toMatch(/^litellm_proxy_failed_requests_metric_total\{[^}]*api_key_alias="agent:metrics"[^}]*exception_status="429"[^}]*exception_class="RateLimitError"[^}]*\} 1$/m);
    expect(text).toMatch(/^litellm_request_total_latency_metric_bucket\{[^}]*api_key_alias="agent:metrics"[^}]*le="\+Inf"\} 1$/m);
    expect(text).toMatch(/^litellm_request_total_latency_metric_count\{[^}]*api_key_alias="agent:metrics"[^}]*\} 1$/m);
    const sum = Number(/^litellm_request_total_latency_metric_sum\{[^}]*api_key_alias="agent:metrics"[^}]*\} (\S+)$/m.exec(text)?.[1]);
    expect(sum).toBeGreaterThan(0.005);
    expect(sum).toBeLessThan(5);
    expect(text).toContain('# TYPE litellm_cache_misses_metric counter');
  });

  it('shows /active/callbacks (alias /settings) to the master key only', async () => {
    const cb = await s.admin('GET', '/active/callbacks');
    expect(Object.keys(cb.json)).toEqual(expect.arrayContaining(['litellm.callbacks', 'litellm.success_callback', 'litellm.failure_callback', 'litellm._async_failure_callback']));
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
      for (const id of ids) replies.push(await s.chat(MASTER, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `burst ${id}` }], metadata: { trace_id: id } }));
      const failed = replies.map((r, i) => [r, ids[i] as string] as const).filter(([r]) => r.status === 500);
      expect(failed).toHaveLength(2);
      expect(failed[0]?.[0].json.error).toMatchObject({ code: '500', type: 'None', param: 'None' });
      const [gen] = await s.generations(failed[0]?.[1] ?? '');
      expect(gen).toMatchObject({ level: 'ERROR', statusMessage: expect.stringContaining('InternalServerError') });
      const text = await (await fetch(`${s.gateway.url}/metrics`)).text();
      expect(text).toMatch(/^litellm_proxy_failed_requests_metric_total\{[^}]*exception_status="500"[^}]*\} 2$/m);
      expect(text).toMatch(/^litellm_proxy_total_requests_metric_total\{[^}]*status_code="200"[^}]*\} 18$/m);
    } finally {
      await s.close();
    }
  });
});
