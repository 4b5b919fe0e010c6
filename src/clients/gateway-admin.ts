import { z } from 'zod';
import { CutoverHttpError, excerptOf, UnexpectedResponseError } from './errors.ts';
import { jsonOf, send, type RawResponse } from './http.ts';

/**
 * The gateway refused an admin call with LiteLLM's error body (`{"error":{message,code}}`) or
 * FastAPI's `{"detail"}`: wrong key (401), unknown key (404), bad request (400). Carries the
 * status and LiteLLM's message excerpt; the message never contains the admin key (the URL's
 * `key=` parameter is redacted and bodies are cut to an excerpt that callers redact again).
 */
export class GatewayAdminError extends CutoverHttpError {
  readonly status: number;
  readonly detail: string;
  constructor(method: string, url: string, status: number, detail: string) {
    super(method, url, `HTTP ${status}: ${excerptOf(detail)}`);
    this.status = status;
    this.detail = excerptOf(detail);
  }
}

const ErrorBody = z.union([
  z.object({ error: z.object({ message: z.string() }) }).transform((b) => b.error.message),
  z.object({ detail: z.unknown() }).transform((b) => (typeof b.detail === 'string' ? b.detail : JSON.stringify(b.detail))),
]);

const nullableNumber = z.number().nullable().optional().transform((v) => v ?? null);

/** `POST /key/generate`'s answer; only what the suite reads. `key` is the raw secret. */
const GeneratedKeyBody = z.object({
  key: z.string().startsWith('sk-'),
  key_alias: z.string().nullable().optional(),
  expires: z.string().nullable().optional(),
  rpm_limit: nullableNumber,
});

/** A freshly minted virtual key. `key` is a secret: never record or print it. */
export interface GeneratedKey {
  readonly key: string;
  readonly alias: string | null;
  /** ISO timestamp when the key stops working, or null for keys without `duration`. */
  readonly expires: string | null;
  readonly rpmLimit: number | null;
}

const KeyInfoBody = z.object({
  info: z.object({
    key_alias: z.string().nullable().optional(),
    rpm_limit: nullableNumber,
    tpm_limit: nullableNumber,
    expires: z.string().nullable().optional(),
  }),
});

/** `GET /key/info`'s `info`, narrowed to the limits the quota checks need. */
export interface KeyInfo {
  readonly alias: string | null;
  readonly rpmLimit: number | null;
  readonly tpmLimit: number | null;
  readonly expires: string | null;
}

const list = z.array(z.string()).optional().transform((v) => v ?? []);
const ActiveCallbacksBody = z.object({
  'litellm.callbacks': list,
  'litellm.success_callback': list,
  'litellm.failure_callback': list,
  'litellm._async_failure_callback': list,
});

/** `GET /active/callbacks`, narrowed to the three lists that decide what reaches Langfuse. */
export interface ActiveCallbacks {
  readonly callbacks: readonly string[];
  readonly successCallback: readonly string[];
  /** `litellm.failure_callback` and `litellm._async_failure_callback` together. */
  readonly failureCallback: readonly string[];
}

/**
 * Whether LiteLLM sends failed calls (429s included) to `name`: true when it is under
 * `litellm_settings.callbacks` (registered for success and failure) or `failure_callback`.
 * LiteLLM lowercases callback names in these lists; the comparison does too.
 */
export function logsFailuresTo(c: ActiveCallbacks, name: string): boolean {
  const n = name.toLowerCase();
  return [...c.callbacks, ...c.failureCallback].some((x) => x.toLowerCase() === n);
}

const ReadinessBody = z.object({
  status: z.string(),
  db: z.string().optional(),
  cache: z.unknown().optional(),
  litellm_version: z.string().optional(),
  success_callbacks: z.array(z.string()).optional(),
});
export type Readiness = z.infer<typeof ReadinessBody>;

const ModelInfoBody = z.object({
  data: z.array(z.object({ model_name: z.string(), model_info: z.object({ id: z.string().optional() }).passthrough().optional() }).passthrough()),
});

/** What `POST /key/generate` is asked for; the names follow LiteLLM's `GenerateKeyRequest`. */
export interface GenerateKeyRequest {
  readonly alias: string;
  /** LiteLLM duration string: `30s`, `10m`, `1h`. The key stops working after it, even if a delete is missed. */
  readonly duration: string;
  readonly rpmLimit?: number;
  readonly models?: readonly string[];
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/**
 * The LiteLLM proxy's admin API, authenticated with the admin (master) key: virtual keys
 * (`/key/generate`, `/key/info`, `/key/delete`), `/active/callbacks`, `/health/readiness` and
 * `/v1/model/info`. Every answer is validated with zod. Error statuses throw
 * `GatewayAdminError`, bodies of the wrong shape `UnexpectedResponseError`, transport failures
 * `EndpointUnreachableError`; all name method and URL and never carry a key.
 */
export class GatewayAdmin {
  constructor(private readonly o: { url: string; adminKey: string; timeoutMs: number }) {}

  /** Mints a virtual key. The alias must be unique on the proxy (LiteLLM answers 400 otherwise). */
  async generateKey(r: GenerateKeyRequest): Promise<GeneratedKey> {
    const body = {
      key_alias: r.alias,
      duration: r.duration,
      ...(r.rpmLimit !== undefined ? { rpm_limit: r.rpmLimit } : {}),
      ...(r.models ? { models: r.models } : {}),
      ...(r.metadata ? { metadata: r.metadata } : {}),
    };
    const res = await this.call('POST', '/key/generate', body);
    const k = this.parse(res, GeneratedKeyBody, 'a generated key {key: "sk-…"}');
    return { key: k.key, alias: k.key_alias ?? null, expires: k.expires ?? null, rpmLimit: k.rpm_limit };
  }

  /** Reads a key's row; throws `GatewayAdminError` with status 404 for an unknown key. */
  async keyInfo(key: string): Promise<KeyInfo> {
    const res = await this.call('GET', `/key/info?key=${encodeURIComponent(key)}`);
    const { info } = this.parse(res, KeyInfoBody, 'a key row {info: {rpm_limit, …}}');
    return { alias: info.key_alias ?? null, rpmLimit: info.rpm_limit, tpmLimit: info.tpm_limit, expires: info.expires ?? null };
  }

  /**
   * Deletes keys by raw key and/or alias and returns what the proxy reports deleted. Nothing
   * matching is not an error here: LiteLLM answers 404 with its error body then, and this
   * returns `[]`, so the call doubles as "is a key with this alias still there?". A 404 in
   * FastAPI's `{"detail":"Not Found"}` form means the route itself is missing and throws.
   */
  async deleteKeys(which: { keys?: readonly string[]; aliases?: readonly string[] }): Promise<string[]> {
    const body = { ...(which.keys?.length ? { keys: which.keys } : {}), ...(which.aliases?.length ? { key_aliases: which.aliases } : {}) };
    const res = await this.call('POST', '/key/delete', body, (r) => r.status === 404 && isLitellmError(r));
    if (res.status === 404) return [];
    return this.parse(res, z.object({ deleted_keys: z.array(z.string()) }), 'a delete result {deleted_keys: […]}').deleted_keys;
  }

  /** `GET /active/callbacks`: which integrations LiteLLM calls on success and on failure. */
  async activeCallbacks(): Promise<ActiveCallbacks> {
    const res = await this.call('GET', '/active/callbacks');
    const b = this.parse(res, ActiveCallbacksBody, 'the callback lists {"litellm.callbacks", "litellm.failure_callback", …}');
    return {
      callbacks: b['litellm.callbacks'],
      successCallback: b['litellm.success_callback'],
      failureCallback: [...new Set([...b['litellm.failure_callback'], ...b['litellm._async_failure_callback']])],
    };
  }

  /** `GET /health/readiness` (public, no side effects, unlike `/health`). */
  async readiness(): Promise<Readiness> {
    const res = await this.call('GET', '/health/readiness');
    return this.parse(res, ReadinessBody, 'a readiness body {status, litellm_version, …}');
  }

  /** The model group a deployment id (`x-litellm-model-id`) belongs to, or undefined when the proxy does not know the id. */
  async modelGroupOf(modelId: string): Promise<string | undefined> {
    const res = await this.call('GET', `/v1/model/info?litellm_model_id=${encodeURIComponent(modelId)}`);
    const { data } = this.parse(res, ModelInfoBody, 'model info {data: [{model_name, model_info}]}');
    return data.find((d) => d.model_info?.id === modelId)?.model_name;
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown, allow?: (r: RawResponse) => boolean): Promise<RawResponse> {
    const url = `${this.o.url}${path}`;
    const res = await send(url, {
      method,
      headers: { authorization: `Bearer ${this.o.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: this.o.timeoutMs,
    });
    if ((res.status < 200 || res.status >= 300) && !allow?.(res)) {
      const detail = ErrorBody.safeParse(safeJson(res.text));
      throw new GatewayAdminError(method, url, res.status, detail.success ? detail.data : res.text);
    }
    return res;
  }

  private parse<T>(res: RawResponse, schema: z.ZodType<T>, expected: string): T {
    const parsed = schema.safeParse(jsonOf(res, expected));
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new UnexpectedResponseError(res.method, res.url, res.status, `${expected} (${i ? `${i.path.join('.') || 'body'}: ${i.message}` : 'invalid'})`, res.text);
    }
    return parsed.data;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isLitellmError(r: RawResponse): boolean {
  const b = safeJson(r.text) as { error?: { message?: unknown } } | undefined;
  return typeof b?.error?.message === 'string';
}
