import { createHash } from 'node:crypto';
import { cl100k } from '../tokenizer.ts';
import type { Faults } from '../faults.ts';
import { ProxyError } from './errors.ts';

/** One `model_list` entry: a deployment of a model group. */
export interface Deployment {
  /** `model_name`: the group clients ask for. */
  readonly group: string;
  /** `model_info.id`, sent back as `x-litellm-model-id`. */
  readonly id: string;
  /**
   * `litellm_params.model`, provider prefix included (`openai/gpt-4o-mini`): what
   * `x-litellm-model-name` and the Langfuse generation's `model` show. The provider is asked
   * for the part after the prefix (`providerModel`).
   */
  readonly model: string;
  readonly maxInputTokens: number | null;
  /** USD per token, from LiteLLM's model cost map. */
  readonly inputCostPerToken: number;
  readonly outputCostPerToken: number;
}

/**
 * The sandbox's `model_list`, the reference proxy's (`sandbox/reference/litellm.ts`); prices are
 * OpenAI's list prices per 1M tokens. The provider answers with its dated snapshot
 * (`gpt-4o-2024-08-06`), which a client sees in the body after a fallback.
 */
export const DEPLOYMENTS: readonly Deployment[] = [
  {
    group: 'gpt-4o-mini',
    id: 'mini-1',
    model: 'openai/gpt-4o-mini',
    maxInputTokens: 2000,
    inputCostPerToken: 0.15e-6,
    outputCostPerToken: 0.6e-6,
  },
  {
    group: 'gpt-4o',
    id: 'big-1',
    model: 'openai/gpt-4o',
    maxInputTokens: null,
    inputCostPerToken: 2.5e-6,
    outputCostPerToken: 10e-6,
  },
];

/**
 * The semantic cache's embedding model, a `model_list` entry of its own so the cache embeds
 * through the router (`caching/_embedding_router.py`). It has no `model_info.id`, so its id is
 * the hash LiteLLM derives from the entry (`Router._generate_model_id`, a sha256). Internal: it
 * serves the cache, not clients, so `/v1/models` leaves it out.
 */
export const EMBEDDING_DEPLOYMENT: Deployment = {
  group: 'text-embedding-3-small',
  id: createHash('sha256')
    .update('text-embedding-3-small' + 'openai/text-embedding-3-small')
    .digest('hex'),
  model: 'openai/text-embedding-3-small',
  maxInputTokens: null,
  inputCostPerToken: 0.02e-6,
  outputCostPerToken: 0,
};

/** The model name the provider is called with: `litellm_params.model` without its provider prefix. */
export function providerModel(d: Deployment): string {
  return d.model.slice(d.model.indexOf('/') + 1);
}

/** `router_settings.context_window_fallbacks`. */
const CONTEXT_WINDOW_FALLBACKS: Readonly<Record<string, string>> = { 'gpt-4o-mini': 'gpt-4o' };

/** Why the pre-call checks dropped every deployment of the requested group. */
interface ContextWindowExceeded {
  /** The ContextWindowExceededError's `str()`, as failure callbacks log it. */
  readonly message: string;
}

/** The deployment that will serve a request, and whether a fallback got it there. */
export interface Route {
  readonly deployment: Deployment;
  readonly attemptedFallbacks: 0 | 1;
  /**
   * Set when the requested group failed its pre-call checks and `context_window_fallbacks`
   * took over: the router logged that failure before falling back.
   */
  readonly contextWindow?: ContextWindowExceeded;
}

interface Message {
  role?: unknown;
  content?: unknown;
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (p as { text?: unknown })?.text ?? '').join('');
  return '';
}

/**
 * `TIKTOKEN_ENCODE_CHUNK_SIZE_CHARS` (`litellm/constants.py`): 1.103.10's `token_counter`
 * encodes every text in slices of this many characters (tiktoken's merge loop is quadratic in
 * one piece's length), so a long prompt counts about one token more per slice boundary than
 * a single encoding would: a 14,000-character prompt counts 11 more than the provider bills.
 */
const TOKEN_COUNT_CHUNK_CHARS = 1024;

/**
 * `litellm.token_counter(messages=…)` with no model: cl100k_base, 3 tokens per message plus
 * its role and content, plus 3 priming the reply. Every cl100k token is at least one UTF-8 byte,
 * so when the byte count alone cannot reach `limit` the exact count is skipped: it would cost a
 * tokenizer build (~0.6 s, once) and a pass over the prompt for nothing.
 */
export function exceedsTokens(messages: readonly Message[], limit: number): boolean {
  let bound = 3;
  for (const m of messages)
    bound += 3 + Buffer.byteLength(String(m.role ?? '')) + Buffer.byteLength(contentText(m.content));
  if (bound <= limit) return false;
  return countTokens(messages) > limit;
}

/** The exact `token_counter` count (see `exceedsTokens`), slice by slice as LiteLLM encodes. */
export function countTokens(messages: readonly Message[]): number {
  const encoder = cl100k();
  const count = (text: string): number => {
    // Python slices by code point; a string of BMP characters slices the same in UTF-16.
    const chars = /[\uD800-\uDFFF]/.test(text) ? Array.from(text) : text;
    let n = 0;
    for (let i = 0; i < chars.length; i += TOKEN_COUNT_CHUNK_CHARS) {
      const slice = chars.slice(i, i + TOKEN_COUNT_CHUNK_CHARS);
      n += encoder.encode(typeof slice === 'string' ? slice : slice.join('')).length;
    }
    return n;
  };
  let n = 3;
  for (const m of messages) n += 3 + count(String(m.role ?? '')) + count(contentText(m.content));
  return n;
}

/** Finds the deployment for a group name; undefined for unknown groups. */
function deploymentOf(group: string): Deployment | undefined {
  return DEPLOYMENTS.find((d) => d.group === group);
}

/**
 * The proxy's answer to a model name no group has (`route_request` in
 * `proxy/route_llm_request.py`): a `ProxyException` with `invalid_request_error`, `param: null`
 * and the message repeated in `provider_specific_fields` (observed on the real 1.103.10). A
 * request without `model` reads `model=None`.
 */
export function invalidModel(model: string): ProxyError {
  const message = `/chat/completions: Invalid model name passed in model=${model}. Call \`/v1/models\` to view available models for your key.`;
  return new ProxyError(400, message, 'invalid_request_error', {}, 'ProxyException', null, {
    origin: 'proxy',
    bodyExtras: { provider_specific_fields: { error: message } },
  });
}

/**
 * The router's pre-call check failure (`Router._pre_call_checks`): the message names each
 * dropped deployment with its limit and the counted prompt tokens, and
 * `ContextWindowExceededError` prefixes it as LiteLLM's exception mapping does.
 */
function contextWindowExceeded(d: Deployment, tokens: number): ContextWindowExceeded {
  return {
    message:
      'litellm.ContextWindowExceededError: litellm.BadRequestError: litellm._pre_call_checks: Context Window exceeded for given call. ' +
      `No models have context window large enough for this call.\nModel=${d.model}, Max Input Tokens=${d.maxInputTokens}, Got=${tokens}`,
  };
}

/**
 * The router with `enable_pre_call_checks: true`: a deployment whose `max_input_tokens` the
 * prompt exceeds is dropped, and an emptied group raises ContextWindowExceeded, which
 * `context_window_fallbacks` turns into a call to the fallback group. Faults: `no-escalation`
 * skips the pre-call check (the long prompt stays on gpt-4o-mini); `escalation-always` sends
 * everything to gpt-4o as a fallback.
 */
export function route(group: string, messages: readonly Message[], faults: Faults): Route {
  const requested = deploymentOf(group);
  if (!requested) throw invalidModel(group);
  const fallbackGroup = CONTEXT_WINDOW_FALLBACKS[group];
  const fallback = fallbackGroup ? deploymentOf(fallbackGroup) : undefined;
  if (faults.has('escalation-always') && group !== 'gpt-4o') {
    return { deployment: deploymentOf('gpt-4o') ?? requested, attemptedFallbacks: 1 };
  }
  if (
    faults.has('no-escalation') ||
    requested.maxInputTokens === null ||
    !exceedsTokens(messages, requested.maxInputTokens)
  ) {
    return { deployment: requested, attemptedFallbacks: 0 };
  }
  const exceeded = contextWindowExceeded(requested, countTokens(messages));
  if (!fallback)
    throw new ProxyError(400, exceeded.message, 'None', {}, 'ContextWindowExceededError', 'None', { origin: 'router' });
  return { deployment: fallback, attemptedFallbacks: 1, contextWindow: exceeded };
}

/** LiteLLM's `completion_cost` for plain token usage, in USD. */
function cost(d: Deployment, promptTokens: number, completionTokens: number): number {
  return promptTokens * d.inputCostPerToken + completionTokens * d.outputCostPerToken;
}
