import { describe, expect, it } from 'vitest';
import { MASTER, type TestStack, traceId, withStack } from './testing.ts';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

const ask = (content: string, id: string, extra: Record<string, unknown> = {}) => ({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content }], metadata: { trace_id: id }, ...extra });

/** The runbook's §4.2 sequence: a prompt, then its paraphrase, then an unrelated control. */
async function paraphrases(s: TestStack) {
  const ids = [traceId(), traceId(), traceId()] as const;
  const first = await s.chat(MASTER, ask('What is the return policy?', ids[0], { cache: { namespace: `a-${ids[0]}` } }));
  await wait(150);
  const second = await s.chat(MASTER, ask('How do I get a refund?', ids[1], { cache: { namespace: `b-${ids[1]}` } }));
  const control = await s.chat(MASTER, ask('What is the capital of France?', ids[2]));
  return { first, second, control, ids };
}

describe('semantic cache', () => {
  it('serves a paraphrase from the semantic cache across namespaces, with key and similarity headers', () =>
    withStack([], async (s) => {
      const { first, second, control, ids } = await paraphrases(s);
      expect(first.headers.get('x-litellm-cache-key')).toBeNull();
      expect(first.headers.get('x-litellm-semantic-similarity')).toBe('0.0');
      expect(second.headers.get('x-litellm-cache-key')).toBe(`a-${ids[0]}:${second.headers.get('x-litellm-cache-key')?.split(':')[1]}`);
      const sim = Number(second.headers.get('x-litellm-semantic-similarity'));
      expect(sim).toBeGreaterThanOrEqual(0.8);
      expect(second.json.id).toBe(first.json.id);
      expect(control.headers.get('x-litellm-cache-key')).toBeNull();
      const [gen] = await s.generations(ids[1]);
      expect(gen?.metadata).toMatchObject({ cache_hit: true, 'semantic-similarity': sim, litellm_response_cost: 0 });
      expect((await s.generations(ids[2]))[0]?.metadata).toMatchObject({ cache_hit: false, 'semantic-similarity': 0 });
    }));

  it('scopes entries by model group', () =>
    withStack([], async (s) => {
      await s.chat(MASTER, ask('Where is my package?', traceId()));
      await wait(150);
      const other = await s.chat(MASTER, { ...ask('Can you track my shipment?', traceId()), model: 'gpt-4o' });
      expect(other.headers.get('x-litellm-cache-key')).toBeNull();
      const same = await s.chat(MASTER, ask('Can you track my shipment?', traceId()));
      expect(same.headers.get('x-litellm-cache-key')).not.toBeNull();
    }));
});

describe('semantic cache faults', () => {
  it('semantic-off: the paraphrase misses', () =>
    withStack(['semantic-off'], async (s) => {
      const { second } = await paraphrases(s);
      expect(second.headers.get('x-litellm-cache-key')).toBeNull();
      expect(second.headers.get('x-litellm-semantic-similarity')).toBeNull();
    }));

  it('semantic-too-loose: even the unrelated control prompt hits', () =>
    withStack(['semantic-too-loose'], async (s) => {
      const { second, control } = await paraphrases(s);
      expect(second.headers.get('x-litellm-cache-key')).not.toBeNull();
      expect(control.headers.get('x-litellm-cache-key')).not.toBeNull();
      expect(Number(control.headers.get('x-litellm-semantic-similarity'))).toBeLessThan(0.8);
    }));
});
