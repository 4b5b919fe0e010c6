import { getEncoding } from 'js-tiktoken';
import { describe, expect, it } from 'vitest';
import { countTokens, exceedsTokens, route } from './routing.ts';
import { MASTER, type TestStack, traceId, withStack } from './testing.ts';

/** About `n` cl100k tokens of ordinary prose plus a nonce, so each call is a cache miss. */
const prose = (n: number) => `${traceId()} ${'The parcel left the warehouse on time. '.repeat(Math.ceil(n / 8))}`;

const ask = (content: string, id = traceId()) => ({
  model: 'gpt-4o-mini',
  max_tokens: 10,
  messages: [{ role: 'user', content }],
  metadata: { trace_id: id },
});

describe('token counting (litellm.token_counter)', () => {
  it('counts 3 per message, role and content, plus 3 priming the reply', () => {
    const enc = getEncoding('cl100k_base');
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is the return policy?' },
    ];
    const expected = 3 + messages.reduce((n, m) => n + 3 + enc.encode(m.role).length + enc.encode(m.content).length, 0);
    expect(countTokens(messages)).toBe(expected);
  });

  it('encodes long texts in 1,024-character slices, as 1.103.10 does', () => {
    // Observed on the real proxy: `Got=2626` in its ContextWindowExceededError for this prompt,
    // which the provider bills as 2,615 prompt tokens (one encoding).
    const long = `${'lorem ipsum dolor sit amet '.repeat(520)}(f500ff9a)`;
    expect(countTokens([{ role: 'user', content: long }])).toBe(2626);
  });

  it('decides the limit exactly at the boundary, whether or not the byte shortcut applies', () => {
    const messages = [{ role: 'user', content: prose(2400) }];
    const n = countTokens(messages);
    expect(exceedsTokens(messages, n)).toBe(false);
    expect(exceedsTokens(messages, n - 1)).toBe(true);
    expect(exceedsTokens([{ role: 'user', content: 'short' }], 2000)).toBe(false);
  });

  it('routes long prompts to the fallback group and short ones to the requested group', () => {
    expect(route('gpt-4o-mini', [{ role: 'user', content: prose(2400) }], new Set())).toMatchObject({
      deployment: { id: 'big-1' },
      attemptedFallbacks: 1,
    });
    expect(route('gpt-4o-mini', [{ role: 'user', content: prose(1500) }], new Set())).toMatchObject({
      deployment: { id: 'mini-1' },
      attemptedFallbacks: 0,
    });
    expect(route('gpt-4o', [{ role: 'user', content: prose(2400) }], new Set())).toMatchObject({
      deployment: { id: 'big-1' },
      attemptedFallbacks: 0,
    });
  });
});

describe('context-window escalation over HTTP', () => {
  it('serves a >2,000-token prompt with gpt-4o, keeping the upstream model string in the body, and logs its cost', () =>
    withStack([], async (s) => {
      const id = traceId();
      const body = ask(prose(2400), id);
      const r = await s.chat(MASTER, body);
      expect(r.status).toBe(200);
      expect(r.headers.get('x-litellm-attempted-fallbacks')).toBe('1');
      expect(r.headers.get('x-litellm-model-group')).toBe('gpt-4o');
      expect(r.headers.get('x-litellm-model-id')).toBe('big-1');
      expect(r.json.model).toBe('gpt-4o-2024-08-06');
      expect(r.json.usage.prompt_tokens).toBeGreaterThan(2000);
      expect(Number(r.headers.get('x-litellm-response-cost'))).toBeCloseTo(
        r.json.usage.prompt_tokens * 2.5e-6 + r.json.usage.completion_tokens * 10e-6,
        12,
      );
      expect(r.headers.get('x-litellm-model-name')).toBe('openai/gpt-4o');
      // The router logged the requested group's pre-call failure (twice: async and sync failure
      // handler) before the fallback's success.
      const gens = await s.generations(id);
      expect(gens.map((g) => g.level)).toEqual(['ERROR', 'ERROR', 'DEFAULT']);
      for (const e of gens.slice(0, 2)) {
        expect(e).toMatchObject({
          model: 'gpt-4o-mini',
          modelParameters: {},
          metadata: { litellm_response_cost: 0, hidden_params: { response_cost: 0 } },
        });
        expect(e.statusMessage).toMatch(
          /^litellm\.ContextWindowExceededError: litellm\.BadRequestError: litellm\._pre_call_checks: Context Window exceeded for given call\. No models have context window large enough for this call\.\nModel=openai\/gpt-4o-mini, Max Input Tokens=2000, Got=\d+$/,
        );
        expect(e.statusMessage).toMatch(new RegExp(`Got=${countTokens(body.messages)}$`));
      }
      const gen = gens[2];
      expect(gen).toMatchObject({
        model: 'openai/gpt-4o',
        metadata: {
          hidden_params: {
            model_id: 'big-1',
            litellm_model_name: 'openai/gpt-4o',
            additional_headers: { 'x-litellm-model-group': 'gpt-4o', 'x-litellm-attempted-fallbacks': 1 },
          },
        },
      });
      expect(gen?.usage.totalCost).toBeCloseTo(Number(r.headers.get('x-litellm-response-cost')), 12);
      const metrics: string = (await s.admin('GET', '/metrics/')).json;
      expect(metrics).toMatch(
        /^litellm_deployment_successful_fallbacks_total\{api_key_alias="None",exception_class="ContextWindowExceededError",exception_status="400",fallback_model="gpt-4o",hashed_api_key="litellm_proxy_master_key",model_id="None",requested_model="gpt-4o-mini",team="None",team_alias="None"\} 1$/m,
      );
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
      const gen = (await s.generations(id)).find((g) => g.level === 'DEFAULT');
      // Explicit zeros: a generation with no cost at all would be priced by Langfuse itself.
      expect(gen?.usage.totalCost).toBe(0);
      expect(gen?.metadata.litellm_response_cost).toBe(0);
      const small = traceId();
      await s.chat(MASTER, ask('short one', small));
      expect((await s.generations(small))[0]?.usage.totalCost).toBeGreaterThan(0);
    }));
});
