import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEncoding } from 'js-tiktoken';
import type { FaultName } from '../faults.ts';
import type { Listening } from '../types.ts';
import { startUpstream } from './index.ts';

const KEY = 'sk-upstream-test';
const counter = () => ({ total: 0, byComponent: {} });
type Up = Listening & { setLatency(ms: number): void };

async function post(
  up: Up,
  path: string,
  body: unknown,
  key = KEY,
): Promise<{ status: number; json: any; ms: number }> {
  const t0 = performance.now();
  const r = await fetch(`${up.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, json: await r.json(), ms: performance.now() - t0 };
}

describe('upstream (stand-in OpenAI)', () => {
  let up: Up;
  beforeAll(async () => {
    up = await startUpstream({ faults: new Set(), counter: counter(), apiKey: KEY, latencyMs: 20 });
  });
  afterAll(() => up.close());

  it('answers chat completions deterministically in the OpenAI shape with real token usage', async () => {
    const messages = [{ role: 'user', content: 'What is the return policy of the shop?' }];
    const a = await post(up, '/v1/chat/completions', { model: 'gpt-4o-mini', messages });
    const b = await post(up, '/v1/chat/completions', { model: 'gpt-4o-mini', messages });
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini-2024-07-18',
      choices: [{ index: 0, message: { role: 'assistant' }, finish_reason: 'stop' }],
    });
    expect(a.json.id).toMatch(/^chatcmpl-/);
    expect(a.json.id).not.toBe(b.json.id);
    expect(a.json.choices[0].message.content).toBe('Sandbox answer to: What is the return policy of the shop?');
    expect(b.json.choices[0].message.content).toBe(a.json.choices[0].message.content);
    const enc = getEncoding('cl100k_base');
    expect(a.json.usage.prompt_tokens).toBe(3 + 3 + 1 + enc.encode(messages[0]!.content).length);
    expect(a.json.usage.completion_tokens).toBe(enc.encode(a.json.choices[0].message.content).length);
    expect(a.json.usage.total_tokens).toBe(a.json.usage.prompt_tokens + a.json.usage.completion_tokens);
  });

  it('names the dated snapshot for gpt-4o and honours max_tokens', async () => {
    const r = await post(up, '/v1/chat/completions', {
      model: 'gpt-4o',
      max_tokens: 3,
      messages: [{ role: 'user', content: 'Tell me everything about shipping' }],
    });
    expect(r.json.model).toBe('gpt-4o-2024-08-06');
    expect(r.json.usage.completion_tokens).toBe(3);
    expect(r.json.choices[0].finish_reason).toBe('length');
  });

  it('rejects a wrong key with OpenAI 401 shape', async () => {
    const r = await post(
      up,
      '/v1/chat/completions',
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] },
      'sk-wrong',
    );
    expect(r.status).toBe(401);
    expect(r.json.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key', param: null });
  });

  it('serves embeddings with usage, and lists models', async () => {
    const r = await post(up, '/v1/embeddings', {
      model: 'text-embedding-3-small',
      input: ['What is the return policy?', 'How do I get a refund?'],
    });
    expect(r.status).toBe(200);
    expect(r.json.object).toBe('list');
    expect(r.json.data).toHaveLength(2);
    const [a, b] = r.json.data.map((d: { embedding: number[] }) => d.embedding) as [number[], number[]];
    expect(a.reduce((s, x, i) => s + x * b[i]!, 0)).toBeGreaterThan(0.8);
    expect(r.json.usage.prompt_tokens).toBeGreaterThan(0);
    const models = await (await fetch(`${up.url}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } })).json();
    expect(models.data.map((m: { id: string }) => m.id)).toContain('gpt-4o-mini-2024-07-18');
  });

  it('applies the configured latency and setLatency', async () => {
    up.setLatency(200);
    const r = await post(up, '/v1/chat/completions', { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    up.setLatency(20);
    expect(r.ms).toBeGreaterThanOrEqual(195);
  });
});

describe('upstream faults', () => {
  const timed = async (fault: FaultName, base: number): Promise<number> => {
    const up = await startUpstream({ faults: new Set([fault]), counter: counter(), apiKey: KEY, latencyMs: base });
    try {
      return (
        await post(up, '/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      ).ms;
    } finally {
      await up.close();
    }
  };

  it('upstream-slow: answers after 3 s', async () => {
    expect(await timed('upstream-slow', 20)).toBeGreaterThanOrEqual(2990);
  });

  it('latency-doubled: answers after 5x the base latency', async () => {
    const ms = await timed('latency-doubled', 100);
    expect(ms).toBeGreaterThanOrEqual(495);
    expect(ms).toBeLessThan(1000);
  });

  it("embedding-down: embeddings answer OpenAI's 500 while chat still answers", async () => {
    const up = await startUpstream({
      faults: new Set<FaultName>(['embedding-down']),
      counter: counter(),
      apiKey: KEY,
      latencyMs: 5,
    });
    try {
      const e = await post(up, '/v1/embeddings', { model: 'text-embedding-3-small', input: 'hello' });
      expect(e.status).toBe(500);
      expect(e.json.error).toMatchObject({ type: 'server_error' });
      expect(
        (await post(up, '/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }))
          .status,
      ).toBe(200);
    } finally {
      await up.close();
    }
  });
});
