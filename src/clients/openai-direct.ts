import { excerptOf } from './errors.ts';
import { send, type Timing } from './http.ts';

/** One direct call: the status, the timing, and on failure a bounded, credential-free excerpt of the body. */
export interface DirectResult {
  readonly status: number;
  readonly timing: Timing;
  readonly model?: string;
  readonly errorExcerpt?: string;
}

/**
 * The chat-completions URL of a direct OpenAI base URL. Operators write the base both ways
 * (`https://api.openai.com` and the SDK's `https://api.openai.com/v1`); either gives
 * `…/v1/chat/completions`.
 */
function directChatUrl(baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return /\/v1$/i.test(base) ? `${base}/chat/completions` : `${base}/v1/chat/completions`;
}

/**
 * The rollback target of runbook §7: OpenAI called directly with the previous key from the vault,
 * bypassing the gateway. Sends the smallest useful request (`max_tokens: 1`) so proving the path
 * costs a fraction of a cent. Any HTTP status is returned (a 401 means the vault key was revoked,
 * which is exactly what the check must report); transport failures throw
 * `EndpointUnreachableError` naming the URL.
 */
export class DirectOpenAI {
  constructor(private readonly o: { url: string; apiKey: string; timeoutMs: number }) {}

  get chatUrl(): string {
    return directChatUrl(this.o.url);
  }

  async tinyChat(model: string, content: string): Promise<DirectResult> {
    const res = await send(this.chatUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.o.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content }], max_tokens: 1 }),
      timeoutMs: this.o.timeoutMs,
    });
    if (res.status === 200) {
      let model: string | undefined;
      try {
        model = (JSON.parse(res.text) as { model?: string }).model;
      } catch {
        return { status: res.status, timing: res.timing, errorExcerpt: 'HTTP 200 with a body that is not JSON' };
      }
      return { status: res.status, timing: res.timing, model };
    }
    return { status: res.status, timing: res.timing, errorExcerpt: excerptOf(res.text, 200) };
  }
}
