import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOpenApiContract, type OpenApiContract } from '../contract/openapi.ts';
import { MASTER, startStack, UPSTREAM_KEY, type TestStack } from './testing.ts';

// Contract tests: the gateway and the upstream, checked against things nobody here wrote —
// OpenAI's published OpenAPI document and the official `openai` SDK, used unmodified.
const CONTRACT = '/work/shared/contracts/openai-openapi.yaml';

describe('OpenAI contract', () => {
  let stack: TestStack;
  let contract: OpenApiContract;
  beforeAll(async () => {
    [stack, contract] = await Promise.all([startStack(), loadOpenApiContract(CONTRACT)]);
  }, 60_000);
  afterAll(() => stack.close());

  const expectValid = (schema: string, body: unknown): void => {
    const r = contract.validateSchema(schema, body);
    expect(r.errors, `${schema}: ${r.errors.join('; ')}`).toEqual([]);
    expect(r.valid).toBe(true);
  };

  it('a gateway chat completion, a cache hit and an escalated completion are CreateChatCompletionResponse', async () => {
    const body = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Contract check: name a colour' }],
      max_tokens: 8,
      cache: { namespace: 'contract' },
    };
    const miss = await stack.chat(MASTER, body);
    expectValid('CreateChatCompletionResponse', miss.json);
    await new Promise((r) => setTimeout(r, 200));
    const hit = await stack.chat(MASTER, body);
    expect(hit.headers.get('x-litellm-cache-key')).toBeTruthy();
    expectValid('CreateChatCompletionResponse', hit.json);
    const long = await stack.chat(MASTER, {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'lorem ipsum dolor sit amet '.repeat(500) }],
      max_tokens: 4,
    });
    expect(long.headers.get('x-litellm-model-group')).toBe('gpt-4o');
    expectValid('CreateChatCompletionResponse', long.json);
  });

  it('errors (401, 429) carry the OpenAI ErrorResponse shape LiteLLM uses', async () => {
    const unauthorized = await stack.chat('sk-wrong-key-123456', {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(unauthorized.status).toBe(401);
    expectValid('ErrorResponse', unauthorized.json);
    const key = (await stack.admin('POST', '/key/generate', { rpm_limit: 1, duration: '1m' })).json.key as string;
    const ask = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
      max_tokens: 1,
      cache: { 'no-cache': true, 'no-store': true },
    };
    await stack.chat(key, ask);
    const throttled = await stack.chat(key, ask);
    expect(throttled.status).toBe(429);
    expectValid('ErrorResponse', throttled.json);
  });

  it('the upstream answers embeddings and models in the OpenAI shapes', async () => {
    const headers = { authorization: `Bearer ${UPSTREAM_KEY}`, 'content-type': 'application/json' };
    const emb = await fetch(`${stack.upstream.url}/v1/embeddings`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: 'text-embedding-3-small', input: 'How do I get a refund?' }),
    });
    expectValid('CreateEmbeddingResponse', await emb.json());
    const models = await fetch(`${stack.gateway.url}/v1/models`, { headers: { authorization: `Bearer ${MASTER}` } });
    expectValid('ListModelsResponse', await models.json());
  });

  it('the official openai SDK drives the gateway unmodified, headers included', async () => {
    const client = new OpenAI({ apiKey: MASTER, baseURL: `${stack.gateway.url}/v1`, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'SDK check: say hi' }], max_tokens: 8 })
      .withResponse();
    expect(data.choices[0]?.message.content).toBeTruthy();
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-litellm-model-group')).toBe('gpt-4o-mini');
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(expect.arrayContaining(['gpt-4o-mini', 'gpt-4o']));
    const denied = new OpenAI({ apiKey: 'sk-wrong-key-123456', baseURL: `${stack.gateway.url}/v1`, maxRetries: 0 });
    await expect(
      denied.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('the official openai SDK gets embeddings from the upstream', async () => {
    const client = new OpenAI({ apiKey: UPSTREAM_KEY, baseURL: `${stack.upstream.url}/v1`, maxRetries: 0 });
    const res = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['What is the return policy?'],
    });
    expect(res.data[0]?.embedding.length).toBeGreaterThan(0);
  });
});
