import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit.ts';
import { MASTER, type Reply, type TestStack, traceId, withStack } from './testing.ts';

/** Fires `n` chat requests at once with one key, prompts identical so hits keep it fast. */
async function burst(s: TestStack, key: string, n: number, trace = traceId()): Promise<Reply[]> {
  const body = {
    model: 'gpt-4o-mini',
    max_tokens: 5,
    messages: [{ role: 'user', content: `burst ${trace}` }],
    metadata: { trace_id: trace },
  };
  return Promise.all(Array.from({ length: n }, () => s.chat(key, body)));
}

const mint = async (s: TestStack, rpm: number): Promise<string> =>
  (await s.admin('POST', '/key/generate', { rpm_limit: rpm })).json.key as string;

describe('v3 fixed-window rate limiter (unit)', () => {
  it('anchors the window at the first request and counts rejected requests too', () => {
    let now = 1_000_000;
    const rl = new RateLimiter(new Set(), () => now);
    expect(rl.check('t', 2)).toEqual({ limit: 2, remaining: 1 });
    now += 59_000;
    expect(rl.check('t', 2).remaining).toBe(0);
    expect(() => rl.check('t', 2)).toThrow(/Rate limit exceeded/);
    now += 999;
    expect(() => rl.check('t', 2)).toThrow();
    now += 1;
    expect(rl.check('t', 2).remaining).toBe(1);
  });
});

describe('rate limiting over HTTP', () => {
  it('lets exactly N of N+1 parallel requests through and answers the rest with LiteLLM 429', () =>
    withStack([], async (s) => {
      const key = await mint(s, 100);
      const replies = await burst(s, key, 101);
      const limited = replies.filter((r) => r.status === 429);
      expect(replies.filter((r) => r.status === 200)).toHaveLength(100);
      expect(limited).toHaveLength(1);
      const r = limited[0] as Reply;
      expect(r.json.error).toEqual({ message: expect.any(String), type: 'throttling_error', param: null, code: '429' });
      expect(r.json.error.message).toMatch(
        /^Rate limit exceeded for api_key: [0-9a-f]{64}\. Limit type: requests\. Current limit: 100, Remaining: 0\. Limit resets at: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/,
      );
      expect(r.headers.get('retry-after')).toBe('60');
      expect(r.headers.get('rate_limit_type')).toBe('requests');
      expect(r.headers.get('reset_at')).toMatch(/UTC$/);
      expect(r.headers.get('x-litellm-key-rpm-limit')).toBe('100');
      const ok = replies.find((x) => x.status === 200) as Reply;
      expect(ok.headers.get('x-ratelimit-api_key-limit-requests')).toBe('100');
      expect(Number(ok.headers.get('x-ratelimit-api_key-remaining-requests'))).toBeLessThan(100);
      expect(ok.headers.get('x-litellm-key-rpm-limit')).toBe('100');
    }));

  it('counts sequential requests and never limits the master key', () =>
    withStack([], async (s) => {
      const key = await mint(s, 3);
      const statuses = [];
      for (let i = 0; i < 5; i++)
        statuses.push(
          (await s.chat(key, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `seq ${i}` }] })).status,
        );
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const master = await burst(s, MASTER, 30);
      expect(master.every((r) => r.status === 200)).toBe(true);
    }));

  it('logs the 429 to Langfuse as two ERROR generations keeping the trace id, and lists langfuse as a failure callback', () =>
    withStack([], async (s) => {
      const key = await mint(s, 1);
      const id = traceId();
      await s.chat(key, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'first' }] });
      const r = await s.chat(key, {
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'throttled' }],
        metadata: { trace_id: id, generation_name: 'quota' },
      });
      expect(r.status).toBe(429);
      // The async and the sync failure handler each log one; the key's hash is redacted.
      const gens = await s.generations(id);
      expect(gens).toHaveLength(2);
      const logged = `429: ${r.json.error.message.replace(/api_key: [0-9a-f]{64}\./, 'REDACTED')}`;
      expect(logged).toMatch(/^429: Rate limit exceeded for REDACTED Limit type: requests\./);
      for (const gen of gens) {
        expect(gen).toMatchObject({
          name: 'quota',
          model: 'gpt-4o-mini',
          level: 'ERROR',
          statusMessage: logged,
          output: logged,
          modelParameters: { messages: "[{'role': 'user', 'content': 'throttled'}]" },
        });
        expect(gen.metadata).toMatchObject({
          user_api_key_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
          litellm_response_cost: 0,
          hidden_params: { response_cost: 0, additional_headers: { 'retry-after': '60', rate_limit_type: 'requests' } },
        });
        expect(gen.usage).toBeUndefined();
        expect(gen.completionStartTime).toBeUndefined();
      }
      expect(gens[0]?.id).not.toBe(gens[1]?.id);
      const traces = s.events.filter((e) => e.type === 'trace-create' && e.body.id === id);
      expect(traces).toHaveLength(2);
      expect(traces[0]?.body).toMatchObject({
        status_message: logged,
        input: { messages: [{ role: 'user', content: 'throttled' }] },
      });
      const cb = await s.admin('GET', '/active/callbacks');
      const isLangfuse = (x: string) =>
        x.startsWith('<litellm.integrations.langfuse.langfuse_prompt_management.LangfusePromptManagement object at 0x');
      expect(cb.json['litellm.callbacks'].some(isLangfuse)).toBe(false);
      for (const list of [
        'litellm.failure_callback',
        'litellm._async_failure_callback',
        'litellm.success_callback',
        'litellm._async_success_callback',
      ]) {
        expect(cb.json[list].filter(isLangfuse), list).toHaveLength(1);
      }
    }));
});

describe('rate-limit faults', () => {
  it('rpm-off: never answers 429', () =>
    withStack(['rpm-off'], async (s) => {
      const replies = await burst(s, await mint(s, 10), 15);
      expect(replies.every((r) => r.status === 200)).toBe(true);
    }));

  it('rpm-off-by-one: the first 429 comes at request N+2', () =>
    withStack(['rpm-off-by-one'], async (s) => {
      const replies = await burst(s, await mint(s, 10), 12);
      expect(replies.filter((r) => r.status === 200)).toHaveLength(11);
      expect(replies.filter((r) => r.status === 429)).toHaveLength(1);
    }));

  it('limiter-per-process: two workers count alone, so N+1 requests pass and 2N+1 do not', () =>
    withStack(['limiter-per-process'], async (s) => {
      expect((await burst(s, await mint(s, 10), 11)).every((r) => r.status === 200)).toBe(true);
      const replies = await burst(s, await mint(s, 10), 21);
      expect(replies.filter((r) => r.status === 200)).toHaveLength(20);
      expect(replies.filter((r) => r.status === 429)).toHaveLength(1);
    }));

  it('throttle-not-logged: the 429 never reaches Langfuse and callbacks show success only', () =>
    withStack(['throttle-not-logged'], async (s) => {
      const key = await mint(s, 1);
      await s.chat(key, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'first' }] });
      const id = traceId();
      const r = await s.chat(key, {
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'throttled' }],
        metadata: { trace_id: id },
      });
      expect(r.status).toBe(429);
      expect(await s.generations(id)).toEqual([]);
      const cb = await s.admin('GET', '/active/callbacks');
      const isLangfuse = (x: string) => x.includes('litellm.integrations.langfuse.');
      for (const list of ['litellm.callbacks', 'litellm.failure_callback', 'litellm._async_failure_callback'])
        expect(cb.json[list].some(isLangfuse), list).toBe(false);
      for (const list of ['litellm.success_callback', 'litellm._async_success_callback'])
        expect(cb.json[list].some(isLangfuse), list).toBe(true);
      const ok = traceId();
      await s.chat(MASTER, {
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: `ok ${ok}` }],
        metadata: { trace_id: ok },
      });
      expect(await s.generations(ok)).toHaveLength(1);
    }));
});
