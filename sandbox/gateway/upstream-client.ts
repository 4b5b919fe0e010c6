import { Agent, type Dispatcher, request } from 'undici';
import { ProxyError } from './errors.ts';

/** The provider's answer to a chat completion, as LiteLLM's OpenAI client receives it. */
export interface UpstreamChat {
  readonly json: Record<string, unknown> & {
    id?: string;
    model?: string;
    system_fingerprint?: string;
    choices?: Array<{ message?: unknown }>;
    usage?: { prompt_tokens?: number; completion_tokens?: number };
  };
  /** The provider's response headers, which LiteLLM passes on as `llm_provider-<name>`. */
  readonly headers: Readonly<Record<string, string>>;
}

/** One embedding, with what logging it needs. */
export interface UpstreamEmbedding {
  readonly vector: Float64Array;
  /** `usage.prompt_tokens` of the provider's answer. */
  readonly promptTokens: number;
  readonly headers: Readonly<Record<string, string>>;
}

/** Response headers LiteLLM forwards; hop-by-hop and transport ones it would not see the same way are left out. */
const FORWARDED = ['content-type', 'content-length', 'date', 'connection', 'keep-alive'];

/**
 * The OpenAI provider client behind the gateway. One keep-alive pool for all calls, because
 * opening a connection per request would dominate the overhead a suite measures.
 */
export class UpstreamClient {
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connections: 256 });

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  /**
   * Chat completion for a deployment of `modelGroup`. Provider errors become LiteLLM's mapped
   * exceptions (`litellm_core_utils/exception_mapping_utils.py`): a 400 is a `BadRequestError`
   * with `invalid_request_error` and `param: null`, anything else an `APIError`; the router
   * appends the model group and its fallbacks to the message (observed on the real 1.103.10).
   */
  async chat(body: Record<string, unknown>, modelGroup: string): Promise<UpstreamChat> {
    const { json, headers } = await this.post('/v1/chat/completions', body, 30_000, modelGroup);
    return { json: json as UpstreamChat['json'], headers };
  }

  /**
   * Embeds one text with the semantic cache's embedding model, giving up after `timeoutMs`
   * (`semantic_cache_embedding_timeout`, whose default is 5 s: `SEMANTIC_CACHE_EMBEDDING_TIMEOUT_SECONDS`
   * in `litellm/constants.py`).
   */
  async embed(input: string, timeoutMs = 5000): Promise<UpstreamEmbedding> {
    const { json, headers } = await this.post(
      '/v1/embeddings',
      { model: 'text-embedding-3-small', input },
      timeoutMs,
      'text-embedding-3-small',
    );
    const body = json as { data?: Array<{ embedding?: number[] }>; usage?: { prompt_tokens?: number } };
    return {
      vector: Float64Array.from(body.data?.[0]?.embedding ?? []),
      promptTokens: body.usage?.prompt_tokens ?? 0,
      headers,
    };
  }

  /** The API base as `x-litellm-model-api-base` shows it (no query string). */
  get apiBase(): string {
    return `${this.baseUrl}/v1`;
  }

  /** Closes the connection pool; calls still in flight fail as connection errors. */
  close(): Promise<void> {
    return this.agent.close();
  }

  private async post(
    path: string,
    body: unknown,
    timeoutMs: number,
    modelGroup: string,
  ): Promise<{ json: unknown; headers: Record<string, string> }> {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(`${this.baseUrl}${path}`, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { authorization: `Bearer ${this.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (err) {
      throw new ProxyError(
        500,
        `litellm.APIConnectionError: OpenAIException - Connection error: ${(err as Error).message}`,
        'None',
        {},
        'APIConnectionError',
        'None',
        { origin: 'provider' },
      );
    }
    const text = await res.body.text();
    if (res.statusCode !== 200) {
      const router = `. Received Model Group=${modelGroup}\nAvailable Model Group Fallbacks=None`;
      if (res.statusCode === 400) {
        throw new ProxyError(
          400,
          `litellm.BadRequestError: OpenAIException - ${errorMessage(text)}${router}`,
          'invalid_request_error',
          {},
          'BadRequestError',
          null,
          { origin: 'provider' },
        );
      }
      const status = res.statusCode >= 500 ? 500 : res.statusCode;
      throw new ProxyError(
        status,
        `litellm.APIError: OpenAIException - ${text.slice(0, 500)}`,
        'None',
        {},
        'APIError',
        'None',
        { origin: 'provider' },
      );
    }
    const headers: Record<string, string> = {};
    for (const name of FORWARDED) {
      const v = res.headers[name];
      if (typeof v === 'string') headers[name] = v;
    }
    return { json: JSON.parse(text) as unknown, headers };
  }
}

/** The `error.message` of an OpenAI error body, else the body itself. */
function errorMessage(text: string): string {
  try {
    const m = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    if (typeof m === 'string') return m;
  } catch {
    // Not JSON: the text is the message.
  }
  return text.slice(0, 500);
}
