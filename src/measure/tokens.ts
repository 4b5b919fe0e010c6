import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

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

interface Cl100k {
  encode(text: string): number[];
  decode(tokens: number[]): string;
}

let table: Cl100k | undefined;

/**
 * The cl100k_base table of `gpt-tokenizer`, loaded on first use: it costs ~40 MB in every thread
 * that loads it (commit 0f63e91), and a worker whose counts were all made by the composition root
 * (`adoptCounts`) never needs it. Loaded synchronously through `require` of the package's ES
 * module, by path (its exports map offers the ES build to `import` only), so a process that also
 * imports it (the bundled sandbox) shares one instance instead of holding the CommonJS build too.
 */
function cl100k(): Cl100k {
  if (!table) {
    const require = createRequire(import.meta.url);
    const root = dirname(require.resolve('gpt-tokenizer/package.json'));
    table = require(join(root, 'esm/encoding/cl100k_base.js')) as Cl100k;
  }
  return table;
}

const encode = (text: string): number[] => cl100k().encode(text);
const decode = (tokens: number[]): string => cl100k().decode(tokens);

/** Counts made so far, by chat prompt (its JSON) and by sized prompt (`target` and prefix). */
const chatCounts = new Map<string, number>();
const sizedPrompts = new Map<string, SizedPrompt>();

/** Counts one process made, for another to adopt: plain data, so Vitest can hand it to the workers. */
export interface TokenCounts {
  readonly chats: Readonly<Record<string, number>>;
  readonly prompts: Readonly<Record<string, SizedPrompt>>;
}

/** Every count this process has made or adopted. */
export function countsMade(): TokenCounts {
  return { chats: Object.fromEntries(chatCounts), prompts: Object.fromEntries(sizedPrompts) };
}

/**
 * Takes over counts made elsewhere (the composition root counts the run's planned prompts once):
 * the same prompt then costs a lookup here, not the tokenizer. Only exact prompts match, so an
 * adopted count is the count.
 */
export function adoptCounts(c: TokenCounts): void {
  for (const [k, v] of Object.entries(c.chats)) chatCounts.set(k, v);
  for (const [k, v] of Object.entries(c.prompts)) sizedPrompts.set(k, v);
}

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
  const key = JSON.stringify(messages.map((m) => [m.role, m.content, m.name]));
  const known = chatCounts.get(key);
  if (known !== undefined) return known;
  let n = REPLY_PRIMING;
  for (const m of messages) {
    n += TOKENS_PER_MESSAGE + encode(m.role).length + encode(m.content).length;
    if (m.name !== undefined) n += TOKENS_PER_NAME + encode(m.name).length;
  }
  chatCounts.set(key, n);
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
  const key = `${target}\u0000${prefix}`;
  const known = sizedPrompts.get(key);
  if (known) return known;
  const built = sizePrompt(target, prefix);
  sizedPrompts.set(key, built);
  return built;
}

function sizePrompt(target: number, prefix: string): SizedPrompt {
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
