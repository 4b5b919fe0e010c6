import { OPENAI_CHAT_PARAMS } from './cache.ts';
import { pyRepr } from './python-repr.ts';

// How one chat call looks to LiteLLM's logging callbacks: its optional params (Langfuse's
// `modelParameters`) and the assistant message. Observed on the real 1.103.10 against the same
// upstream, and read from `integrations/langfuse/langfuse.py` and `proxy/utils.py`.

type Json = Readonly<Record<string, unknown>>;

/** Request fields that are not optional params: the prompt, the model, and what Langfuse moves into `input`. */
const NOT_OPTIONAL = new Set(['model', 'messages', 'stream', 'tools', 'functions']);

/** `log_event_on_langfuse` keeps str, int, bool and float params and `str()`s the rest. */
function loggable(v: unknown): unknown {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : pyRepr(v);
}

/**
 * The `optional_params` of a call the provider answered (or failed): LiteLLM's OpenAI mapping
 * always sets `stream`, the request's OpenAI params follow, then the proxy's `max_retries: 0`
 * and an empty `extra_body` (a dict, hence `"{}"`), and the response's `system_fingerprint`.
 */
export function providerCallParams(body: Json, systemFingerprint?: string): Record<string, unknown> {
  const out: Record<string, unknown> = { stream: body.stream ?? false };
  for (const [k, v] of Object.entries(body))
    if (OPENAI_CHAT_PARAMS.has(k) && !NOT_OPTIONAL.has(k)) out[k] = loggable(v);
  out.max_retries = 0;
  out.extra_body = '{}';
  if (systemFingerprint !== undefined) out.system_fingerprint = systemFingerprint;
  return out;
}

/**
 * A cache hit made no provider call, so the only optional param is the cached response's
 * `system_fingerprint`, which the Langfuse logger adds to whatever params there are.
 */
export function cacheHitParams(systemFingerprint: string | undefined): Record<string, unknown> {
  return systemFingerprint === undefined ? {} : { system_fingerprint: systemFingerprint };
}

/**
 * A proxy-only failure (auth, rate limit, validation): `_handle_logging_proxy_only_error`
 * passes the request's `messages` and `stream` as optional params, so `messages` arrives as its
 * Python `str()`, e.g. `"[{'role': 'user', 'content': 'hi'}]"`.
 */
export function proxyFailureParams(body: Json): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['messages', 'stream']) if (k in body) out[k] = loggable(body[k]);
  return out;
}

/**
 * The assistant message as `Message.json()` renders it for Langfuse's trace and generation
 * output: content and role, `tool_calls` and `function_call` (null when absent), and the
 * provider-specific fields (OpenAI's `refusal`).
 */
export function loggedMessage(message: unknown): unknown {
  if (!message || typeof message !== 'object') return message;
  const m = message as Record<string, unknown>;
  return {
    content: m.content ?? null,
    role: m.role ?? 'assistant',
    tool_calls: m.tool_calls ?? null,
    function_call: m.function_call ?? null,
    provider_specific_fields: { refusal: m.refusal ?? null },
  };
}
