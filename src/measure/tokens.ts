import { readFileSync } from 'node:fs';
import { decode, encode } from 'gpt-tokenizer/encoding/cl100k_base';

/** A chat message as far as token counting is concerned. */
export interface CountedMessage {
  readonly role: string;
  readonly content: string;
  readonly name?: string;
}

/** Per-message overhead of LiteLLM's `token_counter` (OpenAI's cookbook formula for chat models). */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
/** Every reply is primed with `<|start|>assistant<|message|>`. */
const REPLY_PRIMING = 3;

// The cl100k_base table of `gpt-tokenizer` is loaded once per process, at import (~40 MB, commit 0f63e91).

/** Tokens of a plain string under cl100k_base, without any chat overhead. */
export function countTextTokens(text: string): number {
  return encode(text).length;
}

/**
 * Counts a chat prompt the way LiteLLM's router does before routing
 * (`litellm.token_counter(messages=…)` with no model, used by `enable_pre_call_checks` against
 * `max_input_tokens`): cl100k_base, 3 tokens per message plus its encoded role and content,
 * 1 more for a `name`, and 3 priming the reply. This is deliberately not the model's own
 * tokenizer (gpt-4o uses o200k_base): the router decides with cl100k, so the provider's
 * `usage.prompt_tokens` may differ by a few percent from this count.
 */
export function countChatTokens(messages: readonly CountedMessage[]): number {
  let n = REPLY_PRIMING;
  for (const m of messages) {
    n += TOKENS_PER_MESSAGE + encode(m.role).length + encode(m.content).length;
    if (m.name !== undefined) n += TOKENS_PER_NAME + encode(m.name).length;
  }
  return n;
}

const LOREM_PATH = new URL('../../fixtures/lorem.txt', import.meta.url);
let lorem: string | undefined;

/** A user prompt of a known size, and the count it was built to. */
export interface SizedPrompt {
  readonly messages: [{ role: 'user'; content: string }];
  /** `countChatTokens(messages)`: what LiteLLM's pre-call check will see. */
  readonly tokens: number;
}

/**
 * Builds a single user message whose `countChatTokens` is exactly `target`: `prefix` (a nonce
 * that keeps caches and earlier runs out of the picture), then lorem text from
 * `fixtures/lorem.txt`, repeated as often as needed. Cutting the token stream can merge or
 * split tokens at the cut, so the length is corrected a few times; should it not converge
 * (it does for ASCII text) the closest count not above the target is returned, and `tokens`
 * always states the real count. Throws when the prefix alone exceeds the target.
 */
export function buildPrompt(target: number, prefix = ''): SizedPrompt {
  const head = prefix ? `${prefix}\n\n` : '';
  const overhead = countChatTokens([{ role: 'user', content: head }]);
  if (overhead > target)
    throw new Error(`a prompt of ${target} tokens cannot hold its ${overhead}-token prefix and chat overhead`);
  lorem ??= readFileSync(LOREM_PATH, 'utf8').replace(/\s+/g, ' ').trim();
  const loremTokens = encode(lorem).length;
  const text = `${lorem} `.repeat(Math.ceil((target + 16) / loremTokens) + 1);
  const tokens = encode(text);
  const sized = (k: number): SizedPrompt => {
    const content = `${head}${decode(tokens.slice(0, k))}`.trimEnd();
    return { messages: [{ role: 'user', content }], tokens: countChatTokens([{ role: 'user', content }]) };
  };
  let k = target - overhead;
  let best: SizedPrompt | undefined;
  for (let i = 0; i < 8; i++) {
    const p = sized(Math.max(0, k));
    if (p.tokens === target) return p;
    if (p.tokens < target && (!best || p.tokens > best.tokens)) best = p;
    k += target - p.tokens;
  }
  return best ?? sized(0);
}
