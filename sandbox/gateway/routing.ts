import { cl100k } from '../tokenizer.ts';
import type { Faults } from '../faults.ts';
import { ProxyError } from './errors.ts';

/** One `model_list` entry: a deployment of a model group. */
export interface Deployment {
  /** `model_name`: the group clients ask for. */
  readonly group: string;
  /** `model_info.id`, sent back as `x-litellm-model-id`. */
  readonly id: string;
  /** `litellm_params.model` without the `openai/` prefix: what the upstream is asked for. */
  readonly upstreamModel: string;
  readonly maxInputTokens: number | null;
  /** USD per token, from LiteLLM's model cost map. */
  readonly inputCostPerToken: number;
  readonly outputCostPerToken: number;
}

/** The sandbox's `model_list`; prices are OpenAI's list prices per 1M tokens. */
export const DEPLOYMENTS: readonly Deployment[] = [
  { group: 'gpt-4o-mini', id: 'mini-1', upstreamModel: 'gpt-4o-mini-2024-07-18', maxInputTokens: 2000, inputCostPerToken: 0.15e-6, outputCostPerToken: 0.6e-6 },
  { group: 'gpt-4o', id: 'big-1', upstreamModel: 'gpt-4o-2024-08-06', maxInputTokens: null, inputCostPerToken: 2.5e-6, outputCostPerToken: 10e-6 },
];

/** `router_settings.context_window_fallbacks`. */
const CONTEXT_WINDOW_FALLBACKS: Readonly<Record<string, string>> = { 'gpt-4o-mini': 'gpt-4o' };

/** The deployment that will serve a request, and whether a fallback got it there. */
export interface Route {
  readonly deployment: Deployment;
  readonly attemptedFallbacks: 0 | 1;
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
 * `litellm.token_counter(messages=…)` with no model: cl100k_base, 3 tokens per message plus
 * its role and content, plus 3 priming the reply. Every cl100k token is at least one UTF-8 byte,
 * so when the byte count alone cannot reach `limit` the exact count is skipped: it would cost a
 * tokenizer build (~0.6 s, once) and a pass over the prompt for nothing.
 */
export function exceedsTokens(messages: readonly Message[], limit: number): boolean {
  let bound = 3;
  for (const m of messages) bound += 3 + Buffer.byteLength(String(m.role ?? '')) + Buffer.byteLength(contentText(m.content));
  if (bound <= limit) return false;
  return countTokens(messages) > limit;
}

/** The exact `token_counter` count (see `exceedsTokens`). */
export function countTokens(messages: readonly Message[]): number {
  const encoder = cl100k();
  let n = 3;
  for (const m of messages) n += 3 + encoder.encode(String(m.role ?? '')).length + encoder.encode(contentText(m.content)).length;
  return n;
}

/** Finds the deployment for a group name; undefined for unknown groups. */
function deploymentOf(group: string): Deployment | undefined {
  return DEPLOYMENTS.find((d) => d.group === group);
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
  if (!requested) {
    throw new ProxyError(400, `Invalid model name passed in model=${group}. Call \`/v1/models\` to view available models for your key.`, 'None', {}, 'BadRequestError');
  }
  const fallbackGroup = CONTEXT_WINDOW_FALLBACKS[group];
  const fallback = fallbackGroup ? deploymentOf(fallbackGroup) : undefined;
  if (faults.has('escalation-always') && group !== 'gpt-4o') {
    return { deployment: deploymentOf('gpt-4o') ?? requested, attemptedFallbacks: 1 };
  }
  if (faults.has('no-escalation') || requested.maxInputTokens === null || !exceedsTokens(messages, requested.maxInputTokens)) {
    return { deployment: requested, attemptedFallbacks: 0 };
  }
  if (!fallback) {
    throw new ProxyError(400, `litellm.ContextWindowExceededError: litellm._pre_call_checks: Context Window exceeded for given call. No models have context window large enough for this call.`, 'None', {}, 'ContextWindowExceededError');
  }
  return { deployment: fallback, attemptedFallbacks: 1 };
}

/** LiteLLM's `completion_cost` for plain token usage, in USD. */
export function cost(d: Deployment, promptTokens: number, completionTokens: number): number {
  return promptTokens * d.inputCostPerToken + completionTokens * d.outputCostPerToken;
}
