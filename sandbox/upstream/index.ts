import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cl100k } from '../tokenizer.ts';
import { delay, listen, readJson, sendJson } from '../http.ts';
import type { LatencyProfile } from '../profile.ts';
import type { ComponentContext, Listening } from '../types.ts';
import { embed } from './embedding.ts';

/** What OpenAI answers for an undated alias: the dated snapshot the alias points to. */
const SNAPSHOTS: Readonly<Record<string, string>> = {
  'gpt-4o-mini': 'gpt-4o-mini-2024-07-18',
  'gpt-4o': 'gpt-4o-2024-08-06',
};
const EMBEDDING_MODEL = 'text-embedding-3-small';
/**
 * The healthy stack's embeddings are fast (a small model next to the gateway), because with one
 * semantic cache every hit, identical repeats included, waits for one: §4.1's 100 ms only holds
 * with embeddings well under it. 5 ms, not 20: at 20 ms a hit measured ~25 ms alone and up to
 * 110 ms while four selftest runs shared the two cores (a CI flake; figures in the commit that set 5 ms), too
 * close to the threshold for a healthy rehearsal. `embedding-slow` is the slow case.
 */
const EMBEDDING_LATENCY_MS = 5;
/**
 * Fault `embedding-slow`: a slow embedding model (or region). Every semantic-cache lookup pays
 * one embedding round trip, so an exact repeat served from the cache is no faster than this.
 */
const SLOW_EMBEDDING_LATENCY_MS = 300;
const SLOW_LATENCY_MS = 3000;
// Well past double: the watch's limit is max(2 x baseline p95, baseline + 50 ms) over mixed
// traffic where ~40 % are fast cache hits, so a mere 2-3x upstream can hide under it.
const LATENCY_DOUBLED_FACTOR = 5;
const CREATED = Math.floor(Date.now() / 1000);

const tokenizer = cl100k;

interface ChatMessage {
  role: string;
  content: unknown;
}

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  // Content parts (`[{type:"text",text}]`) are what vision-capable clients send.
  if (Array.isArray(content)) return content.map((p) => (p as { text?: unknown })?.text ?? '').join('');
  return '';
}

/** OpenAI's chat accounting for gpt-4o: 3 tokens per message, role and content, 3 to prime the reply. */
function promptTokens(messages: readonly ChatMessage[]): number {
  const enc = tokenizer();
  let n = 3;
  for (const m of messages) n += 3 + enc.encode(m.role).length + enc.encode(text(m.content)).length;
  return n;
}

function openaiError(res: ServerResponse, status: number, message: string, type: string, code: string | null): void {
  sendJson(res, status, { error: { message, type, param: null, code } });
}

function authorised(req: IncomingMessage, apiKey: string): boolean {
  return req.headers.authorization === `Bearer ${apiKey}`;
}

/**
 * Starts the stand-in OpenAI: `POST /v1/chat/completions`, `POST /v1/embeddings` and
 * `GET /v1/models`, all behind `Authorization: Bearer <apiKey>` (else OpenAI's 401 shape).
 * Answers are deterministic ("Sandbox answer to: <first words of the last user message>"),
 * cut to `max_tokens` tokens with `finish_reason: "length"`, and usage is counted with
 * cl100k_base. Chat latency is `latencyMs` (default 150 ms, changeable with `setLatency`), or
 * the profile's `chatMs` for the answer's length when one is given (and no `setLatency` call
 * overrode it); fault `upstream-slow` makes it 3 s and `latency-doubled` multiplies it by 5.
 * Embeddings come from a concept lexicon (see `embedding.ts`), are L2-normalised and take 5 ms
 * or the profile's `embeddingMs` (300 ms under `embedding-slow`; a 500 under `embedding-down`).
 */
export async function startUpstream(
  o: ComponentContext & {
    apiKey: string;
    latencyMs?: number;
    profile?: Pick<LatencyProfile, 'chatMs' | 'embeddingMs'>;
  },
): Promise<Listening & { setLatency(ms: number): void }> {
  let latencyMs = o.latencyMs ?? 150;
  let chatMs = o.profile?.chatMs;
  tokenizer();
  const chatLatency = (completionTokens: number): number => {
    const base = o.faults.has('upstream-slow') ? SLOW_LATENCY_MS : (chatMs?.(completionTokens) ?? latencyMs);
    return o.faults.has('latency-doubled') ? base * LATENCY_DOUBLED_FACTOR : base;
  };
  const embeddingLatency = (): number =>
    o.faults.has('embedding-slow') ? SLOW_EMBEDDING_LATENCY_MS : (o.profile?.embeddingMs?.() ?? EMBEDDING_LATENCY_MS);

  const server = await listen('upstream', o.counter, async (req, res, url) => {
    const route = `${req.method} ${url.pathname}`;
    if (!['POST /v1/chat/completions', 'POST /v1/embeddings', 'GET /v1/models'].includes(route)) {
      openaiError(res, 404, `Unknown request URL: ${route}.`, 'invalid_request_error', 'unknown_url');
      return;
    }
    if (!authorised(req, o.apiKey)) {
      openaiError(
        res,
        401,
        'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
        'invalid_request_error',
        'invalid_api_key',
      );
      return;
    }
    if (route === 'GET /v1/models') {
      const ids = [...Object.values(SNAPSHOTS), ...Object.keys(SNAPSHOTS), EMBEDDING_MODEL];
      sendJson(res, 200, {
        object: 'list',
        data: ids.map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'system' })),
      });
      return;
    }
    const body = (await readJson(req)) as Record<string, unknown> | undefined;
    if (route === 'POST /v1/embeddings') {
      // Fault `embedding-down`: the embedding model is out (a revoked key, a regional outage)
      // while chat still works. OpenAI's 500 shape; the gateway's semantic cache cannot look up
      // or store anything.
      if (o.faults.has('embedding-down'))
        return openaiError(
          res,
          500,
          'The server had an error while processing your request. Sorry about that!',
          'server_error',
          null,
        );
      return embeddings(res, body, embeddingLatency());
    }
    return chat(res, body, chatLatency);
  });
  return {
    url: server.url,
    close: server.close,
    setLatency: (ms) => {
      latencyMs = ms;
      chatMs = undefined;
    },
  };
}

async function chat(
  res: ServerResponse,
  body: Record<string, unknown> | undefined,
  latency: (completionTokens: number) => number,
): Promise<void> {
  const messages = body?.messages;
  if (!Array.isArray(messages) || messages.length === 0 || typeof body?.model !== 'string') {
    openaiError(
      res,
      400,
      "Missing required parameters: 'model' and a non-empty 'messages' array.",
      'invalid_request_error',
      null,
    );
    return;
  }
  const msgs = messages as ChatMessage[];
  const lastUser = [...msgs].reverse().find((m) => m.role === 'user');
  const question = text(lastUser?.content).trim().split(/\s+/).slice(0, 8).join(' ');
  const enc = tokenizer();
  let answerTokens = enc.encode(`Sandbox answer to: ${question}`);
  const maxTokens =
    typeof body.max_tokens === 'number' ? body.max_tokens : (body.max_completion_tokens as number | undefined);
  const truncated = typeof maxTokens === 'number' && answerTokens.length > maxTokens;
  if (truncated) answerTokens = answerTokens.slice(0, Math.max(0, maxTokens));
  const prompt = promptTokens(msgs);
  await delay(latency(answerTokens.length));
  sendJson(res, 200, {
    id: `chatcmpl-${randomBytes(15).toString('base64url')}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: SNAPSHOTS[body.model] ?? body.model,
    system_fingerprint: 'fp_sandbox',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: enc.decode(answerTokens), refusal: null },
        logprobs: null,
        finish_reason: truncated ? 'length' : 'stop',
      },
    ],
    usage: {
      prompt_tokens: prompt,
      completion_tokens: answerTokens.length,
      total_tokens: prompt + answerTokens.length,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
  });
}

async function embeddings(
  res: ServerResponse,
  body: Record<string, unknown> | undefined,
  latency: number,
): Promise<void> {
  const input = body?.input;
  const inputs =
    typeof input === 'string'
      ? [input]
      : Array.isArray(input) && input.every((x) => typeof x === 'string')
        ? (input as string[])
        : undefined;
  if (!inputs || inputs.length === 0) {
    openaiError(res, 400, "'input' must be a string or a non-empty array of strings.", 'invalid_request_error', null);
    return;
  }
  const enc = tokenizer();
  const tokens = inputs.reduce((n, s) => n + enc.encode(s).length, 0);
  await delay(latency);
  sendJson(res, 200, {
    object: 'list',
    data: inputs.map((s, index) => ({ object: 'embedding', index, embedding: embed(s) })),
    model: typeof body?.model === 'string' ? body.model : EMBEDDING_MODEL,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}
