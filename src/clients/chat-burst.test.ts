import { describe, expect, it } from 'vitest';
import { chatOutcome, prepareChatBurst } from './chat-burst.ts';

describe('prepareChatBurst', () => {
  const p = prepareChatBurst({
    gatewayUrl: 'http://gw.test:4000/base/',
    runId: 'r1',
    apiKey: 'sk-k',
    checkId: '5.1/rpm-limit',
    count: 3,
    request: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi "there"' }], max_tokens: 1 },
  });

  it('prepares one body per request that differs only in its trace id', () => {
    expect(p.origin).toBe('http://gw.test:4000');
    const bodies = [0, 1, 2].map(
      (i) => JSON.parse(String(p.request(i).body)) as { metadata: Record<string, unknown>; messages: unknown },
    );
    expect(bodies.map((b) => b.metadata.trace_id)).toEqual(p.traceIds);
    expect(new Set(p.traceIds).size).toBe(3);
    for (const id of p.traceIds) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(bodies[0]).toMatchObject({
      model: 'gpt-4o-mini',
      max_tokens: 1,
      messages: [{ role: 'user', content: 'hi "there"' }],
      metadata: { session_id: 'r1', tags: ['cutover', 'run:r1', 'check:5.1/rpm-limit'] },
    });
    expect(p.request(0)).toMatchObject({
      path: '/base/v1/chat/completions',
      method: 'POST',
      headers: { authorization: 'Bearer sk-k' },
    });
  });
});

describe('chatOutcome', () => {
  const base = { index: 0, startMs: 0, headersMs: 1, endMs: 2 };
  it('reads usage from a kept 200 body and LiteLLM headers', () => {
    const body = JSON.stringify({
      id: 'x',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: 'a' }, finish_reason: 'length' }],
      usage: { prompt_tokens: 20, completion_tokens: 1, total_tokens: 21 },
    });
    const o = chatOutcome({
      ...base,
      status: 200,
      headers: { 'x-ratelimit-api_key-limit-requests': '100', 'x-litellm-model-group': 'gpt-4o-mini' },
      body,
    });
    expect(o).toMatchObject({
      status: 200,
      totalTokens: 21,
      litellm: { keyLimitRequests: 100, modelGroup: 'gpt-4o-mini' },
    });
  });
  it("reads LiteLLM's error body and retry-after from a 429", () => {
    const o = chatOutcome({
      ...base,
      status: 429,
      headers: { 'retry-after': '60' },
      body: '{"error":{"message":"Rate limit exceeded","type":"None","param":"None","code":"429"}}',
    });
    expect(o.error?.code).toBe('429');
    expect(o.litellm.retryAfterS).toBe(60);
  });
  it('marks a call the burst deadline cut, and does not read its fragment of a body', () => {
    expect(
      chatOutcome({
        ...base,
        status: 200,
        headers: { 'x-litellm-model-group': 'gpt-4o-mini' },
        body: '{"id":"x","usage":{"total_',
        cut: 'in-flight',
      }),
    ).toEqual({ status: 200, litellm: expect.objectContaining({ modelGroup: 'gpt-4o-mini' }), cut: 'in-flight' });
    expect(chatOutcome({ ...base, status: 0, headers: {}, cut: 'not-sent', error: 'not sent' })).toMatchObject({
      status: 0,
      cut: 'not-sent',
    });
  });
  it('leaves fields out when the body was dumped or is not JSON', () => {
    expect(chatOutcome({ ...base, status: 429, headers: {} })).toEqual({ status: 429, litellm: expect.any(Object) });
    expect(chatOutcome({ ...base, status: 502, headers: {}, body: '<html>' }).error).toBeUndefined();
  });
});
