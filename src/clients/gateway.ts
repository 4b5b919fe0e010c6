import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { UnexpectedResponseError } from './errors.ts';
import { jsonOf, send, type RawResponse, type Timing } from './http.ts';
import { parseLitellmHeaders, type LitellmHeaders } from './litellm-headers.ts';

/** The OpenAI chat completion as LiteLLM returns it; only what the checks read is required. */
export const ChatCompletion = z.object({
  id: z.string(),
  object: z.string(),
  created: z.number(),
  model: z.string(),
  choices: z
    .array(
      z.object({
        index: z.number(),
        message: z.object({ role: z.string(), content: z.string().nullable() }),
        finish_reason: z.string().nullable(),
      }),
    )
    .min(1),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() }).optional(),
});
export type ChatCompletion = z.infer<typeof ChatCompletion>;

/** LiteLLM's error body: `{"error": {"message", "type", "param", "code"}}`; `code` is a string like "429". */
export const LitellmError = z.object({
  error: z.object({
    message: z.string(),
    type: z.string().nullable().optional(),
    param: z.unknown().optional(),
    code: z.union([z.string(), z.number()]).nullable().optional(),
  }),
});
export type LitellmError = z.infer<typeof LitellmError>;

/** LiteLLM's per-request cache controls (`DynamicCacheControl`). */
interface CacheControls {
  namespace?: string;
  'no-cache'?: boolean;
  'no-store'?: boolean;
  ttl?: number;
}

export interface ChatRequest {
  model: string;
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
  max_tokens?: number;
  temperature?: number;
  cache?: CacheControls;
}

/** Who sends a request and how its Langfuse trace will be found again. */
export interface ChatIdentity {
  apiKey: string;
  /** The runbook check this request belongs to, e.g. `3/smoke`; becomes a tag and the generation name. */
  checkId: string;
  /** Forces the trace id, e.g. to repeat a request under the same trace; fresh by default. */
  traceId?: string;
}

/** One chat call: what was sent, what came back and how long it took. */
export interface ChatResult {
  readonly status: number;
  readonly traceId: string;
  readonly litellm: LitellmHeaders;
  readonly timing: Timing;
  /** Set on 2xx: the validated completion. */
  readonly completion?: ChatCompletion;
  /** Set on non-2xx: LiteLLM's error body. */
  readonly error?: LitellmError['error'];
  readonly raw: RawResponse;
}

/**
 * The `metadata` every suite request carries, so its Langfuse trace can be found by id
 * (`trace_id`) and by run (`session_id`, tags), and named after its check.
 */
export function chatMetadata(runId: string, checkId: string, traceId: string): Record<string, unknown> {
  return {
    trace_id: traceId,
    session_id: runId,
    tags: ['cutover', `run:${runId}`, `check:${checkId}`],
    generation_name: `cutover ${checkId}`,
    trace_name: `cutover ${checkId}`,
  };
}

/** A fresh Langfuse-compatible trace id: 32 lowercase hex, identical under LiteLLM's v2, v4 and OTel paths. */
export function newTraceId(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Speaks the OpenAI chat-completions API the way a LiteLLM proxy serves it. Every request is
 * tagged so that its Langfuse trace can be found by id (`metadata.trace_id`) and by run
 * (`session_id`, tags). Protocol violations throw; HTTP errors with LiteLLM's error body are
 * returned, because a 429 is sometimes exactly what a check wants.
 */
export class GatewayClient {
  constructor(private readonly o: { url: string; runId: string; timeoutMs: number }) {}

  get url(): string {
    return this.o.url;
  }

  /**
   * Opens (or re-uses) a keep-alive connection with a cheap unauthenticated probe, so that the
   * next timed call measures the exchange and not the TCP/TLS handshake.
   */
  async warm(): Promise<void> {
    await send(`${this.o.url}/health/liveliness`, { timeoutMs: this.o.timeoutMs });
  }

  /** `POST /v1/chat/completions` with the run's metadata; see the class doc for error semantics. */
  async chat(req: ChatRequest, who: ChatIdentity): Promise<ChatResult> {
    const traceId = who.traceId ?? newTraceId();
    const body = { ...req, metadata: chatMetadata(this.o.runId, who.checkId, traceId) };
    const url = `${this.o.url}/v1/chat/completions`;
    const raw = await send(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${who.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      timeoutMs: this.o.timeoutMs,
    });
    const litellm = parseLitellmHeaders(raw.headers);
    const json = jsonOf(raw, raw.status < 300 ? 'a chat completion' : "LiteLLM's error body");
    if (raw.status >= 200 && raw.status < 300) {
      const parsed = ChatCompletion.safeParse(json);
      if (!parsed.success)
        throw new UnexpectedResponseError(
          'POST',
          url,
          raw.status,
          `a chat completion (${firstIssue(parsed.error)})`,
          raw.text,
        );
      return { status: raw.status, traceId, litellm, timing: raw.timing, completion: parsed.data, raw };
    }
    const parsed = LitellmError.safeParse(json);
    if (!parsed.success)
      throw new UnexpectedResponseError(
        'POST',
        url,
        raw.status,
        "LiteLLM's error body {error:{message,code}}",
        raw.text,
      );
    return { status: raw.status, traceId, litellm, timing: raw.timing, error: parsed.data.error, raw };
  }
}

function firstIssue(e: z.ZodError): string {
  const i = e.issues[0];
  return i ? `${i.path.join('.') || 'body'}: ${i.message}` : 'invalid';
}
