import { describe, expect, test } from 'vitest';
import type { GenerationRow } from './langfuse-generations.ts';
import { outcomeOf } from './langfuse-traffic.ts';

const gen = (o: Partial<GenerationRow>): GenerationRow => ({
  id: 'g',
  traceId: 't',
  type: 'GENERATION',
  name: 'litellm-acompletion',
  model: 'gpt-4o-mini-2024-07-18',
  level: 'DEFAULT',
  startTime: '2026-12-02T00:00:00.000Z',
  metadata: {},
  ...o,
});
const embedding = gen({ model: 'text-embedding-3-small', name: 'litellm-aembedding' });

describe('what a trace says its request came to', () => {
  test('a served chat generation is a success, a hit when LiteLLM says cache_hit', () => {
    expect(outcomeOf([gen({ metadata: { cache_hit: true } }), embedding])).toEqual({ outcome: 'ok', cacheHit: true });
    expect(outcomeOf([gen({ metadata: { cache_hit: null } })])).toEqual({ outcome: 'ok', cacheHit: false });
  });

  test('a fallback: the rejected attempt logged as ERROR does not make the served request an error', () => {
    const rejected = gen({ level: 'ERROR', statusMessage: 'litellm.ContextWindowExceededError: …' });
    expect(outcomeOf([rejected, rejected, gen({ model: 'gpt-4o-2024-08-06' })])).toEqual({
      outcome: 'ok',
      cacheHit: false,
    });
  });

  test('LiteLLM logs a failure twice; it is one error, and a 429 is a throttle, not an error', () => {
    const failed = gen({ level: 'ERROR', statusMessage: 'litellm.InternalServerError: OpenAIException - boom' });
    expect(outcomeOf([failed, failed])).toEqual({ outcome: 'error', cacheHit: false });
    expect(outcomeOf([gen({ level: 'ERROR', statusMessage: "429: {'error': 'Rate limit exceeded'}" })])?.outcome).toBe(
      'throttled',
    );
    expect(
      outcomeOf([gen({ level: 'ERROR', statusMessage: 'litellm.RateLimitError: RateLimitError: OpenAIException' })])
        ?.outcome,
    ).toBe('throttled');
  });

  test('a trace whose chat generation has not arrived is not judged yet (embedding calls alone say nothing)', () => {
    expect(outcomeOf([])).toBeNull();
    expect(outcomeOf([embedding])).toBeNull();
  });
});
