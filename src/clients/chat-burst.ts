import type { BurstRequest, BurstResponse } from '../measure/burst.ts';
import { ChatCompletion, chatMetadata, LitellmError, newTraceId, type ChatRequest } from './gateway.ts';
import { parseLitellmHeaders, type LitellmHeaders } from './litellm-headers.ts';

/** `count` chat requests prepared for `burst()`: one body per request, each with its own trace id. */
export interface PreparedChatBurst {
  readonly origin: string;
  readonly count: number;
  /** Trace id of request `i` (`metadata.trace_id`), to find its Langfuse trace afterwards. */
  readonly traceIds: readonly string[];
  readonly request: (i: number) => BurstRequest;
}

/**
 * Prepares `count` identical chat completions that differ only in `metadata.trace_id`, tagged
 * like `GatewayClient.chat` tags its requests (session = run, tags, generation name), so their
 * Langfuse traces are found the same way. The body is serialized once and every request's
 * bytes are built before the burst: the hot path only hands out prepared Buffers.
 */
export function prepareChatBurst(o: {
  gatewayUrl: string;
  runId: string;
  apiKey: string;
  checkId: string;
  request: ChatRequest;
  count: number;
}): PreparedChatBurst {
  const u = new URL(o.gatewayUrl);
  const path = `${u.pathname.replace(/\/+$/, '')}/v1/chat/completions`;
  const marker = '\u0000trace\u0000';
  const json = JSON.stringify({ ...o.request, metadata: chatMetadata(o.runId, o.checkId, marker) });
  const [head, tail] = json.split(JSON.stringify(marker)) as [string, string];
  const headers = { authorization: `Bearer ${o.apiKey}`, 'content-type': 'application/json' };
  const traceIds = Array.from({ length: o.count }, () => newTraceId());
  const requests: BurstRequest[] = traceIds.map((id) => ({
    path,
    method: 'POST',
    headers,
    body: Buffer.from(`${head}"${id}"${tail}`),
  }));
  return { origin: u.origin, count: o.count, traceIds, request: (i) => requests[i]! };
}

/** One burst response read as a chat call: parsed `x-litellm-*` headers, and the body if it was kept. */
export interface ChatOutcome {
  readonly status: number;
  readonly litellm: LitellmHeaders;
  /** `usage.total_tokens` of a kept 2xx body; undefined when not kept or not reported. */
  readonly totalTokens?: number;
  /** LiteLLM's error object of a kept non-2xx body; undefined when absent or not in LiteLLM's shape. */
  readonly error?: LitellmError['error'];
  /** The burst deadline cut this call (see `BurstResponse.cut`): its status is not a full answer. */
  readonly cut?: BurstResponse['cut'];
}

/** Reads a burst response after the burst (never on its hot path): headers flattened, kept body validated. */
export function chatOutcome(r: BurstResponse): ChatOutcome {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
  const litellm = parseLitellmHeaders(flat);
  // A body the deadline cut is a fragment: not read as an answer.
  if (r.cut) return { status: r.status, litellm, cut: r.cut };
  if (r.body === undefined) return { status: r.status, litellm };
  let json: unknown;
  try {
    json = JSON.parse(r.body);
  } catch {
    return { status: r.status, litellm };
  }
  if (r.status >= 200 && r.status < 300) {
    const ok = ChatCompletion.safeParse(json);
    return { status: r.status, litellm, totalTokens: ok.success ? ok.data.usage?.total_tokens : undefined };
  }
  const err = LitellmError.safeParse(json);
  return { status: r.status, litellm, error: err.success ? err.data.error : undefined };
}
