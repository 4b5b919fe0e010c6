import { decode, encode } from 'gpt-tokenizer/encoding/cl100k_base';

/** The two operations the sandbox needs from a BPE tokenizer. */
export interface Cl100k {
  encode(text: string): number[];
  decode(tokens: number[]): string;
}

const encoder: Cl100k = { encode: (t) => encode(t), decode: (t) => decode(t) };

/**
 * The process's cl100k_base tokenizer, shared by the upstream (usage counts) and the gateway
 * (LiteLLM's pre-call token count): the same table both real services use. It is
 * `gpt-tokenizer`, whose table costs ~40 MB and ~0.3 s to load, against ~110 MB and ~1 s for
 * js-tiktoken; the sandbox runs inside every rehearsal, so its footprint is the rehearsal's.
 * The load is synchronous: done lazily inside a request it would stall every other request on
 * the event loop, so the upstream loads it when it starts.
 */
export function cl100k(): Cl100k {
  return encoder;
}
