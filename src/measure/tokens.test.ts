import { describe, expect, it } from 'vitest';
import { adoptCounts, buildPrompt, countChatTokens, countsMade, countTextTokens } from './tokens.ts';

describe('countChatTokens (LiteLLM token_counter, cl100k_base)', () => {
  it('adds 3 per message and 3 for the reply to the encoded role and content', () => {
    // "hello world" is 2 cl100k tokens, "user" 1: 3 + (3 + 1 + 2) = 9, as in OpenAI's cookbook.
    expect(countTextTokens('hello world')).toBe(2);
    expect(countChatTokens([{ role: 'user', content: 'hello world' }])).toBe(9);
    expect(countChatTokens([])).toBe(3);
  });

  it('counts a name with its extra token', () => {
    const plain = countChatTokens([{ role: 'user', content: 'hi' }]);
    expect(countChatTokens([{ role: 'user', content: 'hi', name: 'bob' }])).toBe(plain + 1 + countTextTokens('bob'));
  });
});

describe('buildPrompt', () => {
  it.each([2400, 1500, 2001, 50])('builds a prompt of exactly %i tokens from the lorem fixture', (target) => {
    const p = buildPrompt(target, 'cutover run r1, request 0123abcd');
    expect(p.tokens).toBe(target);
    expect(countChatTokens(p.messages)).toBe(target);
    expect(p.messages[0].content.startsWith('cutover run r1, request 0123abcd\n\nLorem ipsum')).toBe(true);
  });

  it('repeats the fixture for prompts longer than it', () => {
    const p = buildPrompt(6000);
    expect(p.tokens).toBe(6000);
    expect(p.messages[0].content.match(/Lorem ipsum dolor/g)?.length).toBeGreaterThan(3);
  });

  it('refuses a target smaller than the prefix', () => {
    expect(() => buildPrompt(5, 'a rather long prefix that cannot fit in five tokens')).toThrow(/cannot hold/);
  });
});

describe('counts handed from one process to another', () => {
  it('answers an adopted prompt from the hand-over, and hands over what it counted', () => {
    const content = `a prompt only this test sends ${Math.random()}`;
    // A count no tokenizer would give: the answer can only come from the hand-over.
    const key = JSON.stringify([['user', content, undefined]]);
    adoptCounts({ chats: { [key]: 4242 }, prompts: {} });
    expect(countChatTokens([{ role: 'user', content }])).toBe(4242);

    const counted = countChatTokens([{ role: 'user', content: 'counted here' }]);
    const sized = buildPrompt(300, 'handed over');
    const made = countsMade();
    expect(Object.values(made.chats)).toContain(counted);
    expect(Object.values(made.prompts)).toContainEqual(sized);
    // A sized prompt is built once and then looked up.
    expect(buildPrompt(300, 'handed over')).toBe(sized);
  });
});
