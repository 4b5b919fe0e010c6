import { describe, expect, it } from 'vitest';
import type { CacheEntry } from './cache.ts';
import { ResponseCache } from './response-cache.ts';
import { SemanticIndex, promptText } from './semantic-cache.ts';
import { MASTER, type Reply, type TestStack, traceId, withStack } from './testing.ts';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Covers the write delay (50 ms) plus the write's own embedding (5 ms). */
const WRITE_WAIT_MS = 150;
const upstreamCalls = (s: TestStack): number => s.counter.byComponent.upstream ?? 0;
const similarity = (r: Reply): string | null => r.headers.get('x-litellm-semantic-similarity');
const cacheKeyOf = (r: Reply): string | null => r.headers.get('x-litellm-cache-key');

const ask = (content: string, id: string, extra: Record<string, unknown> = {}) => ({
  model: 'gpt-4o-mini',
  max_tokens: 20,
  messages: [{ role: 'user', content }],
  metadata: { trace_id: id },
  ...extra,
});

/** The runbook's §4.2 sequence in one namespace: a prompt, then its paraphrase, then an unrelated control. */
async function paraphrases(s: TestStack, key = MASTER) {
  const ids = [traceId(), traceId(), traceId()] as const;
  const cache = { namespace: `run-${ids[0]}` };
  const first = await s.chat(key, ask('What is the return policy?', ids[0], { cache }));
  await wait(WRITE_WAIT_MS);
  const second = await s.chat(key, ask('How do I get a refund?', ids[1], { cache }));
  const control = await s.chat(key, ask('What is the capital of France?', ids[2], { cache }));
  return { first, second, control, ids, namespace: cache.namespace };
}

const entry = (id: string): CacheEntry => ({
  bodyText: '{}',
  responseId: id,
  deploymentId: 'mini-1',
  attemptedFallbacks: 0,
  promptTokens: 1,
  completionTokens: 1,
  usage: {},
  systemFingerprint: undefined,
  cost: 0,
  output: null,
  storedAt: Date.now(),
});

describe('semantic index and prompt text', () => {
  it('embeds every message concatenated, as get_str_from_messages does', () => {
    expect(
      promptText([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'image_url' }] },
      ]),
    ).toBe('Be brief.Hi');
  });

  it('searches only the scope key it is asked for and returns the best point whatever its score', () => {
    const index = new SemanticIndex();
    const v = (...xs: number[]) => Float64Array.from(xs);
    index.add('scope-a', v(1, 0), entry('a1'), 600);
    index.add('scope-a', v(0.6, 0.8), entry('a2'), 600);
    index.add('scope-b', v(0, 1), entry('b1'), 600);
    expect(index.nearest('scope-a', v(0, 1))).toMatchObject({ entry: { responseId: 'a2' }, similarity: 0.8 });
    expect(index.nearest('scope-c', v(0, 1))).toBeUndefined();
  });

  it('expires points with a TTL and keeps points without one (Qdrant stores no TTL)', () => {
    let now = 1_000;
    const index = new SemanticIndex(() => now);
    index.add('s', Float64Array.from([1]), entry('ttl'), 1);
    index.add('q', Float64Array.from([1]), entry('forever'), undefined);
    now += 2_000;
    expect(index.nearest('s', Float64Array.from([1]))).toBeUndefined();
    expect(index.nearest('q', Float64Array.from([1]))?.entry.responseId).toBe('forever');
  });

  it('threshold: 0.8 healthy, only identical prompts under semantic-off, 0 under semantic-too-loose', () => {
    const embed = async () => ({ vector: Float64Array.from([1]), promptTokens: 1, headers: {} });
    expect(new ResponseCache('redis-semantic', { faults: new Set(), embed }).threshold).toBe(0.8);
    expect(new ResponseCache('redis-semantic', { faults: new Set(['semantic-off']), embed }).threshold).toBeGreaterThan(
      0.9999,
    );
    expect(new ResponseCache('redis-semantic', { faults: new Set(['semantic-too-loose']), embed }).threshold).toBe(0);
  });
});

describe('semantic cache (default redis-semantic) over HTTP', () => {
  it('serves a paraphrase in the same scope, with the scope key and similarity headers; the control misses', () =>
    withStack([], async (s) => {
      expect(s.gateway.cacheType).toBe('redis-semantic');
      const { first, second, control, ids, namespace } = await paraphrases(s);
      expect(cacheKeyOf(first)).toBeNull();
      expect(similarity(first)).toBe('0.0');
      expect(cacheKeyOf(second)).toMatch(new RegExp(`^${namespace}:[0-9a-f]{64}$`));
      const sim = Number(similarity(second));
      expect(sim).toBeGreaterThanOrEqual(0.8);
      expect(sim).toBeLessThan(0.99);
      expect(second.json.id).toBe(first.json.id);
      // Same scope (same key, parameters and namespace): the control's scope key is the hit's.
      expect(cacheKeyOf(control)).toBeNull();
      // redisvl returns nothing below the threshold, so a redis-semantic miss reports 0.0.
      expect(similarity(control)).toBe('0.0');
      const [gen] = await s.generations(ids[1]);
      expect(gen?.metadata).toMatchObject({
        cache_hit: true,
        litellm_response_cost: 0,
        hidden_params: { cache_key: cacheKeyOf(second) },
      });
      // 1.103.10's v2 logger builds generation metadata from the standard logging payload, which
      // has no `semantic-similarity`: the header is the only place the score shows.
      expect(gen?.metadata['semantic-similarity']).toBeUndefined();
      expect((await s.generations(ids[2]))[0]?.metadata).toMatchObject({ cache_hit: false });
      expect((await s.generations(ids[2]))[0]?.metadata['semantic-similarity']).toBeUndefined();
    }));

  it("logs each of the cache's embedding calls as a generation of the request's trace: two on a miss, one on a hit", () =>
    withStack([], async (s) => {
      const ids = [traceId(), traceId(), traceId()] as const;
      const content = `What is the warranty? ${traceId()}`;
      const named = (id: string) => ask(content, id, { metadata: { trace_id: id, generation_name: 'probe-gen' } });
      await s.chat(MASTER, named(ids[0]));
      await wait(WRITE_WAIT_MS);
      const hit = await s.chat(MASTER, named(ids[1]));
      expect(cacheKeyOf(hit)).not.toBeNull();
      const missEmbeddings = await s.embeddings(ids[0]);
      expect(missEmbeddings).toHaveLength(2);
      expect(await s.embeddings(ids[1])).toHaveLength(1);
      for (const e of [...missEmbeddings, ...(await s.embeddings(ids[1]))]) {
        expect(e).toMatchObject({
          name: 'probe-gen',
          model: 'openai/text-embedding-3-small',
          level: 'DEFAULT',
          modelParameters: {},
          metadata: { cache_hit: false, hidden_params: { litellm_model_name: 'openai/text-embedding-3-small' } },
        });
        expect(e.output).toBeUndefined();
        expect(e.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(e.usage).toMatchObject({ input: expect.any(Number), output: 0, unit: 'TOKENS' });
        expect(e.usage.totalCost).toBeCloseTo(e.usage.input * 0.02e-6, 15);
      }
      // Every logged call upserts the trace: three trace-creates for the miss, the last one the
      // write's embedding (named litellm-aembedding, with no output).
      const traces = s.events.filter((e) => e.type === 'trace-create' && e.body.id === ids[0]).map((e) => e.body);
      expect(traces.map((t) => t.name)).toEqual(['litellm-aembedding', 'litellm-acompletion', 'litellm-aembedding']);
      expect(traces[2]?.output).toBeUndefined();
      // Without a generation_name the embedding generation is named after its call type.
      const plain = traceId();
      await s.chat(MASTER, ask(`Another question ${traceId()}`, plain));
      expect((await s.embeddings(plain))[0]?.name).toBe('litellm-aembedding');
    }));

  it('embeds on every lookup: an identical repeat is a hit with similarity ~1 that calls /embeddings again', () =>
    withStack([], async (s) => {
      const body = ask(`What are your opening hours? ${traceId()}`, traceId());
      const t0 = upstreamCalls(s);
      const first = await s.chat(MASTER, body);
      await wait(WRITE_WAIT_MS);
      // The miss: the lookup's embedding, the chat call, and the write's own embedding.
      expect(upstreamCalls(s) - t0).toBe(3);
      const t1 = upstreamCalls(s);
      const repeat = await s.chat(MASTER, body);
      expect(repeat.json.id).toBe(first.json.id);
      expect(cacheKeyOf(repeat)).toMatch(/^[0-9a-f]{64}$/);
      expect(Number(similarity(repeat))).toBeGreaterThan(0.9999);
      // The hit reached the provider once, and not for a completion (its body is the cached one):
      // that one call is the lookup's embedding.
      expect(upstreamCalls(s) - t1).toBe(1);
      // A no-cache request skips the lookup, embedding included (it still writes: two calls).
      const t2 = upstreamCalls(s);
      const bypass = await s.chat(MASTER, { ...body, cache: { 'no-cache': true, 'no-store': true } });
      expect(similarity(bypass)).toBeNull();
      expect(upstreamCalls(s) - t2).toBe(1);
    }));

  it('scopes entries by namespace, key, parameters and model group', () =>
    withStack([], async (s) => {
      const content = `Where is my package? ${traceId()}`;
      const namespace = `scope-${traceId()}`;
      const q = (extra: Record<string, unknown> = {}) => ask(content, traceId(), { cache: { namespace }, ...extra });
      await s.chat(MASTER, q());
      await wait(WRITE_WAIT_MS);
      expect(cacheKeyOf(await s.chat(MASTER, q()))).not.toBeNull();
      expect(cacheKeyOf(await s.chat(MASTER, q({ cache: { namespace: `${namespace}-other` } })))).toBeNull();
      expect(cacheKeyOf(await s.chat(MASTER, q({ max_tokens: 21 })))).toBeNull();
      expect(cacheKeyOf(await s.chat(MASTER, q({ model: 'gpt-4o' })))).toBeNull();
      const key = (await s.admin('POST', '/key/generate', {})).json.key as string;
      const other = await s.chat(key, q());
      expect(cacheKeyOf(other)).toBeNull();
      expect(similarity(other)).toBe('0.0');
      await wait(WRITE_WAIT_MS);
      // Its own entry, under its own scope key.
      const again = await s.chat(key, q());
      expect(cacheKeyOf(again)).not.toBeNull();
      expect(cacheKeyOf(again)).not.toBe(cacheKeyOf(await s.chat(MASTER, q())));
    }));

  it(
    'honours ttl (redis-semantic entries expire) and s-maxage',
    () =>
      withStack([], async (s) => {
        const q = (cache: Record<string, unknown>) => ask('Do you ship abroad?', traceId(), { cache });
        await s.chat(MASTER, q({ namespace: 't1', ttl: 1 }));
        await wait(WRITE_WAIT_MS);
        expect(cacheKeyOf(await s.chat(MASTER, q({ namespace: 't1' })))).not.toBeNull();
        await wait(1000);
        expect(cacheKeyOf(await s.chat(MASTER, q({ namespace: 't1' })))).toBeNull();
        await wait(WRITE_WAIT_MS);
        expect(cacheKeyOf(await s.chat(MASTER, q({ namespace: 't1', 's-maxage': 0 })))).toBeNull();
        expect(cacheKeyOf(await s.chat(MASTER, q({ namespace: 't1', 's-maxage': 60 })))).not.toBeNull();
      }),
    10_000,
  );
});

describe('semantic cache type qdrant-semantic', () => {
  it(
    'reports the best score on a miss below the threshold, and its points outlive any ttl',
    () =>
      withStack(
        [],
        async (s) => {
          expect(s.gateway.cacheType).toBe('qdrant-semantic');
          const { second, control } = await paraphrases(s);
          expect(cacheKeyOf(second)).not.toBeNull();
          expect(cacheKeyOf(control)).toBeNull();
          const sim = Number(similarity(control));
          expect(sim).toBeGreaterThanOrEqual(0);
          expect(sim).toBeLessThan(0.8);
          const q = (cache: Record<string, unknown>) => ask('Do you ship abroad?', traceId(), { cache });
          await s.chat(MASTER, q({ namespace: 'q1', ttl: 1 }));
          await wait(1100);
          expect(cacheKeyOf(await s.chat(MASTER, q({ namespace: 'q1' })))).not.toBeNull();
        },
        { cacheType: 'qdrant-semantic' },
      ),
    10_000,
  );
});

describe('semantic cache faults', () => {
  it('semantic-off: identical repeats still hit, paraphrases miss', () =>
    withStack(['semantic-off'], async (s) => {
      const { first, second, namespace } = await paraphrases(s);
      expect(cacheKeyOf(second)).toBeNull();
      expect(similarity(second)).toBe('0.0');
      const repeat = await s.chat(MASTER, ask('What is the return policy?', traceId(), { cache: { namespace } }));
      expect(repeat.json.id).toBe(first.json.id);
      expect(cacheKeyOf(repeat)).not.toBeNull();
    }));

  it('semantic-too-loose: even the unrelated control prompt hits', () =>
    withStack(['semantic-too-loose'], async (s) => {
      const { second, control } = await paraphrases(s);
      expect(cacheKeyOf(second)).not.toBeNull();
      expect(cacheKeyOf(control)).not.toBeNull();
      expect(Number(similarity(control))).toBeLessThan(0.8);
    }));

  it('embedding-slow: every lookup waits ~300 ms for the embedding, so even an identical repeat is slow', () =>
    withStack(['embedding-slow'], async (s) => {
      const body = ask(`What are your opening hours? ${traceId()}`, traceId());
      await s.chat(MASTER, body);
      await wait(400);
      const repeat = await s.chat(MASTER, body);
      expect(cacheKeyOf(repeat)).not.toBeNull();
      expect(Number(similarity(repeat))).toBeGreaterThan(0.9999);
      expect(repeat.ms).toBeGreaterThanOrEqual(300);
    }));
});
