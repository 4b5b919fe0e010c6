import { getEncoding } from 'js-tiktoken';
import { describe, expect, it } from 'vitest';
import { countTokens, exceedsTokens, route } from './routing.ts';
import { MASTER, type TestStack, traceId, withStack } from './testing.ts';

/** About `n` cl100k tokens of ordinary prose plus a nonce, so each call is a cache miss. */
const prose = (n: number) => `${traceId()} ${'The parcel left the warehouse on time. '.repeat(Math.ceil(n / 8))}`;

const ask = (content: string, id = traceId()) => ({ model: 'gpt-4o-mini', max_tokens: 10, messages: [{ role: 'user', content }], metadata: { trace_id: id } });

describe('token counting (litellm.token_counter)', () => {
  it('counts 3 per message, role and content, plus 3 priming the reply', () => {
    const enc = getEncoding('cl100k_base');
    const messages = [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'What is the return policy?' }];
    const expected = 3 + messages.reduce((n, m) => n + 3 + enc.encode(m.role).length + enc.encode(m.content).length, 0);
    expect(countTokens(messages)).toBe(expected);
  });

  it('decides the limit exactly at the boundary, whether or not the byte shortcut applies', () => {
    const messages = [{ role: 'user', content: prose(2400) }];
    const n = countTokens(messages);
    expect(exceedsTokens(messages, n)).toBe(false);
    expect(exceedsTokens(messages, n - 1)).toBe(true);
    expect(exceedsTokens([{ role: 'user', content: 'short' }], 2000)).toBe(false);
  });

  it('routes long prompts to the fallback group and short ones to the requested group', () => {
    expect(route('gpt-4o-mini', [{ role: 'user', content: prose(2400) }], new Set())).toMatchObject({ deployment: { id: 'big-1' }, attemptedFallbacks: 1 });
    expect(route('gpt-4o-mini', [{ role: 'user', content: prose(1500) }], new Set())).toMatchObject({ deployment: { id: 'mini-1' }, attemptedFallbacks: 0 });
    expect(route('gpt-4o', [{ role: 'user', content: prose(2400) }], new Set())).toMatchObject({ deployment: { id: 'big-1' }, attemptedFallbacks: 0 });
  });
});

describe('context-window escalation over HTTP', () => {
  it('serves a >2,000-token prompt with gpt-4o, keeping the upstream model string in the body, and logs its cost', () =>
    withStack([], async (s) => {
      const id = traceId();
      const r = await s.chat(MASTER, ask(prose(2400), id));
      expect(r.status).toBe(200);
      expect(r.headers.get('x-litellm-attempted-fallbacks')).toBe('1');
      expect(r.headers.get('x-litellm-model-group')).toBe('gpt-4o');
      expect(r.headers.get('x-litellm-model-id')).toBe('big-1');
      expect(r.json.model).toBe('gpt-4o-2024-08-06');
      expect(r.json.usage.prompt_tokens).toBeGreaterThan(2000);
      expect(Number(r.headers.get('x-litellm-response-cost'))).toBeCloseTo(r.json.usage.prompt_tokens * 2.5e-6 + r.json.usage.completion_tokens * 10e-6, 12);
      const [gen] = await s.generations(id);
      expect(gen).toMatchObject({ model: 'gpt-4o-2024-08-06', metadata: { model_group: 'gpt-4o', hidden_params: { model_id: 'big-1' } } });
      expect(gen?.costDetails.total).toBeGreaterThan(0);
      expect(gen?.usage.totalCost).toBeGreaterThan(0);
    }));

  it('keeps a <=1,500-token prompt on gpt-4o-mini', () =>
    withStack([], async (s) => {
      const r = await s.chat(MASTER, ask(prose(1500)));
      expect(r.headers.get('x-litellm-attempted-fallbacks')).toBe('0');
      expect(r.headers.get('x-litellm-model-id')).toBe('mini-1');
      expect(r.json.model).toBe('gpt-4o-mini');
    }));
});

describe('routing faults', () => {
  it('no-escalation: the long prompt stays on gpt-4o-mini', () =>
    withStack(['no-escalation'], async (s) => {
      const r = await s.chat(MASTER, ask(prose(2400)));
      expect(r.status).toBe(200);
      expect(r.headers.get('x-litellm-model-group')).toBe('gpt-4o-mini');
      expect(r.headers.get('x-litellm-attempted-fallbacks')).toBe('0');
    }));

  it('escalation-always: even a short prompt is served by gpt-4o', () =>
    withStack(['escalation-always'], async (s) => {
      const r = await s.chat(MASTER, ask('hello there'));
      expect(r.headers.get('x-litellm-model-id')).toBe('big-1');
      expect(r.headers.get('x-litellm-attempted-fallbacks')).toBe('1');
      expect(r.json.model).toBe('gpt-4o-2024-08-06');
    }));

  it('escalation-no-cost: the escalated generation reaches Langfuse with an explicit cost of 0, others keep theirs', () =>
    withStack(['escalation-no-cost'], async (s) => {
      const id = traceId();
      const r = await s.chat(MASTER, ask(prose(2400), id));
      expect(r.headers.get('x-litellm-model-group')).toBe('gpt-4o');
      const [gen] = await s.generations(id);
      // Explicit zeros: a generation with no cost at all would be priced by Langfuse itself.
      expect(gen?.costDetails).toEqual({ total: 0 });
      expect(gen?.usage.totalCost).toBe(0);
      expect(gen?.metadata.litellm_response_cost).toBe(0);
      const small = traceId();
      await s.chat(MASTER, ask('short one', small));
      expect((await s.generations(small))[0]?.costDetails.total).toBeGreaterThan(0);
    }));
});
