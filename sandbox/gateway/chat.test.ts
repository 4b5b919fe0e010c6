import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASTER, type TestStack, startStack, traceId } from './testing.ts';

const ask = (content: string, extra: Record<string, unknown> = {}) => ({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content }], ...extra });

describe('gateway chat path', () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startStack();
  });
  afterAll(() => s.close());

  it('forwards to the upstream and answers in the OpenAI shape with the requested group as model', async () => {
    const r = await s.chat(MASTER, ask(`basic path ${traceId()}`));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ message: { role: 'assistant' } }] });
    expect(r.json.id).toMatch(/^chatcmpl-/);
    expect(r.json.choices[0].message.content).toMatch(/^Sandbox answer to: basic path/);
  });

  it('sends every always-present x-litellm header', async () => {
    const r = await s.chat(MASTER, ask(`headers ${traceId()}`));
    const h = (n: string) => r.headers.get(n);
    expect(h('x-litellm-call-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(h('x-litellm-version')).toBe('1.81.9');
    expect(h('x-litellm-model-group')).toBe('gpt-4o-mini');
    expect(h('x-litellm-model-id')).toBe('mini-1');
    expect(h('x-litellm-model-api-base')).toBe(`${s.upstream.url}/v1`);
    expect(Number(h('x-litellm-response-duration-ms'))).toBeGreaterThanOrEqual(10);
    expect(Number(h('x-litellm-overhead-duration-ms'))).toBeGreaterThanOrEqual(0);
    expect(Number(h('x-litellm-response-duration-ms'))).toBeGreaterThan(Number(h('x-litellm-overhead-duration-ms')));
    const usage = r.json.usage;
    expect(Number(h('x-litellm-response-cost'))).toBeCloseTo(usage.prompt_tokens * 0.15e-6 + usage.completion_tokens * 0.6e-6, 12);
    expect(h('x-litellm-attempted-fallbacks')).toBe('0');
    expect(h('x-litellm-attempted-retries')).toBe('0');
    expect(h('x-litellm-cache-key')).toBeNull();
  });

  it('rejects missing and unknown keys with the LiteLLM 401 auth_error, abbreviating the key', async () => {
    const missing = await s.chat('', ask('hi'));
    expect(missing.status).toBe(401);
    expect(missing.json).toEqual({ error: { message: expect.stringContaining('No api key passed in'), type: 'auth_error', param: 'None', code: '401' } });
    const bad = await s.chat('sk-not-a-real-key-123456', ask('hi'));
    expect(bad.status).toBe(401);
    expect(bad.json.error.type).toBe('auth_error');
    expect(bad.json.error.message).not.toContain('sk-not-a-real-key-123456');
  });

  it('prefers x-litellm-api-key over Authorization', async () => {
    const ok = await s.chat('sk-wrong', ask(`precedence ${traceId()}`), { 'x-litellm-api-key': MASTER });
    expect(ok.status).toBe(200);
    const bad = await s.chat(MASTER, ask('precedence'), { 'x-litellm-api-key': 'sk-wrong' });
    expect(bad.status).toBe(401);
  });

  it('answers 400 for an unknown model group', async () => {
    const r = await s.chat(MASTER, { model: 'gpt-5-turbo', messages: [{ role: 'user', content: 'x' }] });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: '400', param: 'None' });
    expect(r.json.error.message).toContain('Invalid model name passed in model=gpt-5-turbo');
  });

  it('logs a trace and a generation to Langfuse ingestion with Basic auth', async () => {
    const id = traceId();
    const r = await s.chat(MASTER, ask(`log me ${id}`, { metadata: { trace_id: id, trace_name: 'smoke', session_id: 'run-1', tags: ['suite:run-1'], generation_name: 'smoke-gen', headers: { x: 'y' }, custom: 'kept' } }));
    const [gen] = await s.generations(id);
    const trace = s.events.find((e) => e.type === 'trace-create' && e.body.id === id);
    expect(s.ingestionAuth.at(-1)).toBe(`Basic ${Buffer.from('pk-lf-test:sk-lf-test').toString('base64')}`);
    expect(trace?.body).toMatchObject({ name: 'smoke', sessionId: 'run-1', tags: ['suite:run-1'], input: { messages: [{ role: 'user' }] }, output: { role: 'assistant' } });
    expect(gen).toMatchObject({
      traceId: id,
      name: 'smoke-gen',
      model: 'gpt-4o-mini-2024-07-18',
      level: 'DEFAULT',
      usage: { input: r.json.usage.prompt_tokens, output: r.json.usage.completion_tokens, total: r.json.usage.total_tokens, unit: 'TOKENS' },
      usageDetails: { input: r.json.usage.prompt_tokens, output: r.json.usage.completion_tokens },
      metadata: { cache_hit: false, model_group: 'gpt-4o-mini', custom: 'kept', hidden_params: { model_id: 'mini-1', litellm_call_id: r.headers.get('x-litellm-call-id'), cache_key: null } },
    });
    expect(gen?.metadata.headers).toBeUndefined();
    expect(gen?.usage.totalCost).toBeCloseTo(Number(r.headers.get('x-litellm-response-cost')), 12);
    expect(gen?.costDetails.total).toBeCloseTo(Number(r.headers.get('x-litellm-response-cost')), 12);
    expect(gen?.metadata.litellm_response_cost).toBeGreaterThan(0);
    for (const t of [gen?.startTime, gen?.endTime, gen?.completionStartTime]) expect(Date.parse(t)).not.toBeNaN();
    const event = s.events.find((e) => e.type === 'generation-create' && e.body.traceId === id);
    expect(event).toMatchObject({ id: expect.any(String), timestamp: expect.any(String) });
  });

  it('defaults the trace id to the call id and the names to litellm-acompletion', async () => {
    const r = await s.chat(MASTER, ask(`defaults ${traceId()}`));
    const callId = r.headers.get('x-litellm-call-id') ?? '';
    const [gen] = await s.generations(callId);
    expect(gen?.name).toBe('litellm-acompletion');
    expect(s.events.find((e) => e.type === 'trace-create' && e.body.id === callId)?.body.name).toBe('litellm-acompletion');
  });

  it('lists the model groups and their deployments', async () => {
    const models = await s.admin('GET', '/v1/models');
    expect(models.json.data.map((m: { id: string }) => m.id)).toEqual(['gpt-4o-mini', 'gpt-4o']);
    const info = await s.admin('GET', '/model/info');
    expect(info.json.data).toEqual(
      expect.arrayContaining([expect.objectContaining({ model_name: 'gpt-4o-mini', model_info: expect.objectContaining({ id: 'mini-1', max_input_tokens: 2000 }) })]),
    );
    const one = await s.admin('GET', '/v1/model/info?litellm_model_id=big-1');
    expect(one.json.data).toHaveLength(1);
    expect(one.json.data[0].model_name).toBe('gpt-4o');
  });
});
