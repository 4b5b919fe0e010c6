import { Agent, request } from 'undici';
import { ProxyError } from './errors.ts';

/** The provider's answer to a chat completion, as LiteLLM's OpenAI client receives it. */
export interface UpstreamChat {
  readonly json: Record<string, unknown> & {
    id?: string;
    model?: string;
    choices?: Array<{ message?: unknown }>;
    usage?: { prompt_tokens?: number; completion_tokens?: number };
  };
}

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

  /** Chat completion; provider errors become LiteLLM's `OpenAIException` wrapped in the provider's status. */
  async chat(body: Record<string, unknown>): Promise<UpstreamChat> {
    const json = await this.post('/v1/chat/completions', body);
    return { json: json as UpstreamChat['json'] };
  }

  /** Embeds one text with the semantic cache's embedding model. */
  async embed(input: string): Promise<Float64Array> {
    const json = (await this.post('/v1/embeddings', { model: 'text-embedding-3-small', input })) as { data?: Array<{ embedding?: number[] }> };
    return Float64Array.from(json.data?.[0]?.embedding ?? []);
  }

  /** The API base as `x-litellm-model-api-base` shows it (no query string). */
  get apiBase(): string {
    return `${this.baseUrl}/v1`;
  }

  /** Closes the connection pool; calls still in flight fail as connection errors. */
  close(): Promise<void> {
    return this.agent.close();
  }

  private async post(path: string, body: unknown): Promise<unknown> {
    let res;
    try {
      res = await request(`${this.baseUrl}${path}`, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { authorization: `Bearer ${this.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
    } catch (err) {
      throw new ProxyError(500, `litellm.APIConnectionError: OpenAIException - Connection error: ${(err as Error).message}`, 'None', {}, 'APIConnectionError');
    }
    const text = await res.body.text();
    if (res.statusCode !== 200) {
      const status = res.statusCode >= 500 ? 500 : res.statusCode;
      throw new ProxyError(status, `litellm.APIError: OpenAIException - ${text.slice(0, 500)}`, 'None', {}, 'APIError');
    }
    return JSON.parse(text) as unknown;
  }
}
