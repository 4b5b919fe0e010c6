import { describe, expect, it } from 'vitest';
import { tallySpend } from './spend.ts';

describe('tallySpend', () => {
  it('bills provider calls and counts cached answers apart', () => {
    const usage = { prompt_tokens: 30, completion_tokens: 5 };
    expect(
      tallySpend([
        { cached: false, usage },
        { cached: true, usage },
        { cached: true, usage },
      ]),
    ).toEqual({
      requests: 3,
      providerCalls: 1,
      promptTokens: 30,
      completionTokens: 5,
      cachedTokens: 70,
    });
  });

  it('counts a response without usage (an error) as a request only', () => {
    expect(tallySpend([{ cached: false }])).toEqual({
      requests: 1,
      providerCalls: 1,
      promptTokens: 0,
      completionTokens: 0,
      cachedTokens: 0,
    });
    expect(tallySpend([])).toMatchObject({ requests: 0, providerCalls: 0 });
  });
});
