import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASTER, type TestStack, startStack, traceId } from './testing.ts';

const ask = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'gpt-4o-mini',
  max_tokens: 20,
  messages: [{ role: 'user', content }],
  ...extra,
});

describe('gateway chat path', () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startStack();
  });
  afterAll(() => s.close());

  it('forwards to the upstream and answers in the OpenAI shape with the requested group as model', async () => {
    const r = await s.chat(MASTER, ask(`basic path ${traceId()}`));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [{ message: { role: 'assistant' } }],
    });
    expect(r.json.id).toMatch(/^chatcmpl-/);
    expect(r.json.choices[0].message.content).toMatch(/^Sandbox answer to: basic path/);
  });

  it('sends every always-present x-litellm header', async () => {
    const r = await s.chat(MASTER, ask(`headers ${traceId()}`));
    const h = (n: string) => r.headers.get(n);
    expect(h('x-litellm-call-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(h('x-litellm-version')).toBe('1.103.10');
    expect(h('x-litellm-model-group')).toBe('gpt-4o-mini');
    expect(h('x-litellm-model-id')).toBe('mini-1');
    expect(h('x-litellm-model-api-base')).toBe(`${s.upstream.url}/v1`);
    expect(Number(h('x-litellm-response-duration-ms'))).toBeGreaterThanOrEqual(10);
    expect(Number(h('x-litellm-overhead-duration-ms'))).toBeGreaterThanOrEqual(0);
    expect(Number(h('x-litellm-response-duration-ms'))).toBeGreaterThan(Number(h('x-litellm-overhead-duration-ms')));
    const usage = r.json.usage;
    expect(Number(h('x-litellm-response-cost'))).toBeCloseTo(
      usage.prompt_tokens * 0.15e-6 + usage.completion_tokens * 0.6e-6,
      12,
    );
    expect(h('x-litellm-attempted-fallbacks')).toBe('0');
    expect(h('x-litellm-attempted-retries')).toBe('0');
    expect(h('x-litellm-cache-key')).toBeNull();
    expect(h('x-litellm-model-name')).toBe('openai/gpt-4o-mini');
    // Floats as Python's str() writes them: the parts of the cost, and no spend beyond this call.
    expect(h('x-litellm-response-cost')).toMatch(/^\d\.\d+e-0\d$/);
    expect(h('x-litellm-response-cost-original')).toBe(h('x-litellm-response-cost'));
    expect(Number(h('x-litellm-response-cost-input')) + Number(h('x-litellm-response-cost-output'))).toBeCloseTo(
      Number(h('x-litellm-response-cost')),
      15,
    );
    expect(h('x-litellm-response-cost-discount-amount')).toBe('0.0');
    expect(h('x-litellm-callback-duration-ms')).toBe('0.0');
    // The provider's own headers come back prefixed, on a miss.
    expect(h('llm_provider-content-type')).toBe('application/json');
  });

  it('rejects missing and unknown keys with the LiteLLM 401 auth_error, abbreviating the key', async () => {
    const missing = await s.chat('', ask('hi'));
    expect(missing.status).toBe(401);
    expect(missing.json).toEqual({
      error: {
        message: expect.stringContaining('No api key passed in'),
        type: 'auth_error',
        param: 'None',
        code: '401',
      },
    });
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

  it('answers 400 invalid_request_error for an unknown or missing model group', async () => {
    const r = await s.chat(MASTER, { model: 'gpt-5-turbo', messages: [{ role: 'user', content: 'x' }] });
    expect(r.status).toBe(400);
    const message =
      '/chat/completions: Invalid model name passed in model=gpt-5-turbo. Call `/v1/models` to view available models for your key.';
    expect(r.json.error).toEqual({
      message,
      type: 'invalid_request_error',
      param: null,
      code: '400',
      provider_specific_fields: { error: message },
    });
    const none = await s.chat(MASTER, { messages: [{ role: 'user', content: 'x' }] });
    expect(none.json.error.message).toContain('Invalid model name passed in model=None.');
  });

  it('answers a body without messages with invalid_request_error naming the parameter, and passes an empty list to the provider', async () => {
    const r = await s.chat(MASTER, { model: 'gpt-4o-mini', max_tokens: 8 });
    expect(r.status).toBe(400);
    expect(r.json.error).toEqual({
      message: "/chat/completions: Missing required parameter: 'messages'.",
      type: 'invalid_request_error',
      param: 'messages',
      code: '400',
    });
    const empty = await s.chat(MASTER, { model: 'gpt-4o-mini', messages: [], max_tokens: 8 });
    expect(empty.status).toBe(400);
    expect(empty.json.error).toEqual({
      message:
        "litellm.BadRequestError: OpenAIException - Missing required parameters: 'model' and a non-empty 'messages' array.. Received Model Group=gpt-4o-mini\nAvailable Model Group Fallbacks=None",
      type: 'invalid_request_error',
      param: null,
      code: '400',
    });
  });

  it("logs a failed request twice as ERROR; an auth failure on a trace of its own, without the caller's metadata", async () => {
    const id = traceId();
    const r = await s.chat(MASTER, { model: 'gpt-4o-mini', metadata: { trace_id: id, generation_name: 'broken' } });
    expect(r.status).toBe(400);
    const gens = await s.generations(id);
    expect(gens).toHaveLength(2);
    for (const g of gens) {
      expect(g).toMatchObject({
        name: 'broken',
        model: 'gpt-4o-mini',
        level: 'ERROR',
        statusMessage: r.json.error.message,
        input: { messages: null },
        modelParameters: {},
      });
      expect(g.metadata).toMatchObject({
        user_api_key_hash: 'litellm_proxy_master_key',
        usage_object: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
        hidden_params: { response_cost: 0 },
      });
      expect(g.metadata.cache_hit).toBeUndefined();
    }
    const denied = traceId();
    const bad = await s.chat(
      'sk-not-a-real-key-123456',
      ask('hi', { metadata: { trace_id: denied, generation_name: 'denied' } }),
    );
    expect(bad.status).toBe(401);
    expect(await s.generations(denied)).toEqual([]);
    const own = await s.generations(bad.headers.get('x-litellm-call-id') ?? '');
    expect(own).toHaveLength(2);
    expect(own[0]).toMatchObject({
      name: 'litellm-acompletion',
      level: 'ERROR',
      model: 'gpt-4o-mini',
      metadata: { requester_metadata: {} },
    });
    expect(own[0]?.statusMessage).not.toContain('sk-not-a-real-key-123456');
  });

  it('logs a trace and a generation to Langfuse ingestion with Basic auth', async () => {
    const id = traceId();
    const r = await s.chat(
      MASTER,
      ask(`log me ${id}`, {
        metadata: {
          trace_id: id,
          trace_name: 'smoke',
          session_id: 'run-1',
          tags: ['suite:run-1'],
          generation_name: 'smoke-gen',
          custom: 'kept',
        },
      }),
      { 'user-agent': 'cutover-suite/1.0' },
    );
    const [gen] = await s.generations(id);
    const traces = s.events.filter((e) => e.type === 'trace-create' && e.body.id === id).map((e) => e.body);
    const trace = traces.find((t) => t.output !== undefined);
    expect(s.ingestionAuth.at(-1)).toBe(`Basic ${Buffer.from('pk-lf-test:sk-lf-test').toString('base64')}`);
    expect(trace).toMatchObject({
      name: 'smoke',
      sessionId: 'run-1',
      tags: ['suite:run-1', 'User-Agent: cutover-suite', 'User-Agent: cutover-suite/1.0'],
      input: { messages: [{ role: 'user' }] },
      output: {
        role: 'assistant',
        content: expect.any(String),
        tool_calls: null,
        function_call: null,
        provider_specific_fields: { refusal: null },
      },
    });
    const usage = r.json.usage;
    expect(gen).toMatchObject({
      traceId: id,
      name: 'smoke-gen',
      model: 'openai/gpt-4o-mini',
      level: 'DEFAULT',
      input: { messages: [{ role: 'user' }] },
      modelParameters: {
        stream: false,
        max_tokens: 20,
        max_retries: 0,
        extra_body: '{}',
        system_fingerprint: 'fp_sandbox',
      },
      usage: { input: usage.prompt_tokens, output: usage.completion_tokens, unit: 'TOKENS' },
      usageDetails: {
        input: usage.prompt_tokens,
        output: usage.completion_tokens,
        total: usage.total_tokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
      metadata: {
        user_api_key_hash: 'litellm_proxy_master_key',
        user_api_key_user_id: 'default_user_id',
        user_agent: 'cutover-suite/1.0',
        requester_metadata: { trace_id: id, custom: 'kept', headers: { 'user-agent': 'cutover-suite/1.0' } },
        usage_object: { prompt_tokens: usage.prompt_tokens },
        cache_hit: false,
        api_base: `${s.upstream.url}/v1/`,
        hidden_params: {
          model_id: 'mini-1',
          litellm_model_name: 'openai/gpt-4o-mini',
          additional_headers: {
            'x-litellm-model-group': 'gpt-4o-mini',
            'llm_provider-content-type': 'application/json',
          },
        },
      },
    });
    expect(gen?.id).toMatch(new RegExp(`^time-\\d\\d-\\d\\d-\\d\\d-\\d{6}_${r.json.id}$`));
    // SDK v2: cost travels as usage.totalCost only; the request's keys stay in requester_metadata.
    expect(gen?.costDetails).toBeUndefined();
    expect(gen?.usage.total).toBeUndefined();
    expect(gen?.metadata.custom).toBeUndefined();
    expect(gen?.metadata.requester_metadata.headers.authorization).toBeUndefined();
    expect(gen?.usage.totalCost).toBeCloseTo(Number(r.headers.get('x-litellm-response-cost')), 12);
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
    const names = s.events.filter((e) => e.type === 'trace-create' && e.body.id === callId).map((e) => e.body.name);
    expect(names).toContain('litellm-acompletion');
  });

  it('continues an existing trace without overwriting it', async () => {
    const existing = traceId();
    await s.chat(
      MASTER,
      ask(`existing ${existing}`, { metadata: { existing_trace_id: existing, trace_name: 'not applied' } }),
    );
    const [gen] = await s.generations(existing);
    expect(gen?.traceId).toBe(existing);
    const traces = s.events.filter((e) => e.type === 'trace-create' && e.body.id === existing).map((e) => e.body);
    expect(traces.length).toBeGreaterThan(0);
    for (const t of traces) expect(t).toEqual({ id: existing });
  });

  it('lists the model groups and their deployments', async () => {
    const models = await s.admin('GET', '/v1/models');
    expect(models.json.data.map((m: { id: string }) => m.id)).toEqual(['gpt-4o-mini', 'gpt-4o']);
    const info = await s.admin('GET', '/model/info');
    expect(info.json.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          model_name: 'gpt-4o-mini',
          model_info: expect.objectContaining({ id: 'mini-1', max_input_tokens: 2000 }),
        }),
      ]),
    );
    const one = await s.admin('GET', '/v1/model/info?litellm_model_id=big-1');
    expect(one.json.data).toHaveLength(1);
    expect(one.json.data[0].model_name).toBe('gpt-4o');
  });
});
