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
  z
    .object({ detail: z.unknown() })
    .transform((b) => (typeof b.detail === 'string' ? b.detail : JSON.stringify(b.detail))),
]);

const nullableNumber = z
  .number()
  .nullable()
  .optional()
  .transform((v) => v ?? null);

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
    status: z.string().nullable().optional(),
  }),
});

/** `GET /key/info`'s `info`, narrowed to the limits the quota checks need. */
export interface KeyInfo {
  readonly alias: string | null;
  readonly rpmLimit: number | null;
  readonly tpmLimit: number | null;
  readonly expires: string | null;
  /**
   * LiteLLM's derived key status (`active`, `expired`, `revoked`, `deleted`, as 1.103.10
   * reports it), or null from builds that do not.
   */
  readonly status: string | null;
}

/**
 * Whether a key is gone, as `GET /key/info` answers after a delete. `how` says what the proxy
 * answered, for the evidence; it never contains the key.
 */
export interface KeyGone {
  readonly gone: boolean;
  readonly how: string;
}

const list = z
  .array(z.string())
  .optional()
  .transform((v) => v ?? []);
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
  // Older builds list names ("langfuse"); 1.103 lists Python reprs of the logger objects, e.g.
  // "<litellm.integrations.langfuse.langfuse_prompt_management.LangfusePromptManagement object at 0x…>".
  const integration = `<litellm.integrations.${n}.`;
  return [...c.callbacks, ...c.failureCallback].some(
    (x) => x.toLowerCase() === n || x.toLowerCase().startsWith(integration),
  );
}

const ReadinessBody = z.object({
  status: z.string(),
  db: z.string().optional(),
  litellm_version: z.string().optional(),
});

/**
 * The gateway's readiness as LiteLLM reports it. `version` is `litellm_version`, or null when
 * the answering route does not carry it. `route` is the route that answered. The `cache` field
 * is deliberately not read here: the cache type has one source, `GET /cache/ping`
 * (`gateway-cache.ts`).
 */
export interface Readiness {
  readonly status: string;
  readonly db: string | null;
  readonly version: string | null;
  readonly route: '/health/readiness/details' | '/health/readiness';
}

/**
 * `GET /cache/ping` on success. `litellm_cache_params` is a JSON *string* (LiteLLM
 * `safe_dumps`es the masked cache settings), not an object. `ping_response` and
 * `set_cache_response` exist only for the `redis` type; other types leave them null or absent.
 */
const CachePingBody = z.object({
  status: z.string(),
  cache_type: z.string(),
  ping_response: z.boolean().nullable().optional(),
  litellm_cache_params: z.string().nullable().optional(),
});

/**
 * What `GET /cache/ping` answered. `ok: true` is LiteLLM's 200 with the cache's `cache_type`
 * (as LiteLLM spells it) and, for `redis` only, whether Redis answered a PING. `ok: false` is
 * LiteLLM's 503 `cache_ping_error`, whose `message` tells the two cases apart: `Cache not
 * initialized. litellm.cache is None` (no cache configured) or `Service Unhealthy` (the
 * backend failed). `params` is `litellm_cache_params` parsed (masked settings such as `type`,
 * `ttl`, `mode`), `{}` when absent or not JSON.
 */
export type CachePing =
  | {
      readonly ok: true;
      readonly status: string;
      readonly cacheType: string;
      readonly redisPing: boolean | null;
      readonly params: Readonly<Record<string, unknown>>;
    }
  | { readonly ok: false; readonly message: string; readonly params: Readonly<Record<string, unknown>> };

const ModelInfoBody = z.object({
  data: z.array(
    z
      .object({ model_name: z.string(), model_info: z.object({ id: z.string().optional() }).passthrough().optional() })
      .passthrough(),
  ),
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
 * (`/key/generate`, `/key/info`, `/key/delete`), `/active/callbacks`, `/cache/ping`,
 * `/health/readiness/details` and `/v1/model/info`. Every answer is validated with zod. Error
 * statuses throw `GatewayAdminError`, bodies of the wrong shape `UnexpectedResponseError`,
 * transport failures `EndpointUnreachableError`; all name method and URL and never carry a key.
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
    return this.keyInfoOf(res);
  }

  /**
   * Whether `key` is gone, read back with `GET /key/info`: the proof of a deletion, because
   * `POST /key/delete` only echoes what it was sent. Gone is LiteLLM's 404 "Key not found", or
   * a 200 whose `info.status` is `deleted`: LiteLLM 1.103.10 answers a deleted key from its
   * `LiteLLM_DeletedVerificationToken` archive instead of 404. Any other row means the key is
   * still there. A 404 in FastAPI's `{"detail":"Not Found"}` form (no such route) throws, as
   * does any other error status: neither says anything about the key.
   */
  async keyGone(key: string): Promise<KeyGone> {
    const res = await this.call(
      'GET',
      `/key/info?key=${encodeURIComponent(key)}`,
      undefined,
      (r) => r.status === 404 && isLitellmError(r),
    );
    // The server's message is not recorded: a proxy that echoed the key into it would leak it.
    if (res.status === 404) return { gone: true, how: 'GET /key/info answered 404 (key not found)' };
    const { status } = this.keyInfoOf(res);
    return status === 'deleted'
      ? { gone: true, how: 'GET /key/info answered the archived row, status "deleted"' }
      : { gone: false, how: `GET /key/info still answers the key's row${status ? `, status "${status}"` : ''}` };
  }

  /**
   * Deletes keys by raw key and/or alias and returns LiteLLM's `deleted_keys`, which is what
   * it was sent (LiteLLM echoes the request, not what matched), so it proves nothing: confirm
   * with `keyGone`. LiteLLM answers 404 with its error body when no key matched at all; this
   * returns `[]` then. A 404 in FastAPI's `{"detail":"Not Found"}` form means the route itself
   * is missing and throws.
   */
  async deleteKeys(which: { keys?: readonly string[]; aliases?: readonly string[] }): Promise<string[]> {
    const body = {
      ...(which.keys?.length ? { keys: which.keys } : {}),
      ...(which.aliases?.length ? { key_aliases: which.aliases } : {}),
    };
    const res = await this.call('POST', '/key/delete', body, (r) => r.status === 404 && isLitellmError(r));
    if (res.status === 404) return [];
    return this.parse(res, z.object({ deleted_keys: z.array(z.string()) }), 'a delete result {deleted_keys: […]}')
      .deleted_keys;
  }

  /** `GET /active/callbacks`: which integrations LiteLLM calls on success and on failure. */
  async activeCallbacks(): Promise<ActiveCallbacks> {
    const res = await this.call('GET', '/active/callbacks');
    const b = this.parse(
      res,
      ActiveCallbacksBody,
      'the callback lists {"litellm.callbacks", "litellm.failure_callback", …}',
    );
    return {
      callbacks: b['litellm.callbacks'],
      successCallback: b['litellm.success_callback'],
      failureCallback: [...new Set([...b['litellm.failure_callback'], ...b['litellm._async_failure_callback']])],
    };
  }

  /**
   * The gateway's readiness with its version, no side effects (unlike `/health`, which calls
   * every model). Current LiteLLM answers only `{status, db}` on the public
   * `/health/readiness`; `litellm_version` is on `/health/readiness/details`, which needs a key.
   * Builds from before that split have no details route (FastAPI's 404) and answer everything
   * on the public route, which is read then. A route without `litellm_version` gives
   * `version: null`, not an error.
   */
  async readiness(): Promise<Readiness> {
    const details = await this.call('GET', '/health/readiness/details', undefined, isRouteMissing);
    const route = details.status === 404 ? '/health/readiness' : '/health/readiness/details';
    const b = this.parse(
      details.status === 404 ? await this.call('GET', route) : details,
      ReadinessBody,
      'a readiness body {status, db, litellm_version}',
    );
    return { status: b.status, db: b.db ?? null, version: b.litellm_version ?? null, route };
  }

  /**
   * `GET /cache/ping`: the type of the gateway's one response cache and, for `redis`, a PING
   * and a test write (LiteLLM writes one entry, `test from litellm`; it flushes nothing).
   * LiteLLM's 503 `cache_ping_error` is returned as `ok: false`; any other error status throws.
   */
  async cachePing(): Promise<CachePing> {
    const res = await this.call('GET', '/cache/ping', undefined, isCachePingError);
    if (res.status === 503) {
      // The error's message is itself JSON: {"message": …, "litellm_cache_params": "<JSON>", …}.
      const inner = safeJson(litellmMessage(res)) as { message?: unknown; litellm_cache_params?: unknown } | undefined;
      const message = typeof inner?.message === 'string' ? inner.message : litellmMessage(res);
      return { ok: false, message, params: paramsOf(inner?.litellm_cache_params) };
    }
    const b = this.parse(
      res,
      CachePingBody,
      'a cache ping {status, cache_type, litellm_cache_params: "<JSON string>"}',
    );
    return {
      ok: true,
      status: b.status,
      cacheType: b.cache_type,
      redisPing: b.ping_response ?? null,
      params: paramsOf(b.litellm_cache_params),
    };
  }

  /** The model group a deployment id (`x-litellm-model-id`) belongs to, or undefined when the proxy does not know the id. */
  async modelGroupOf(modelId: string): Promise<string | undefined> {
    const res = await this.call('GET', `/v1/model/info?litellm_model_id=${encodeURIComponent(modelId)}`);
    const { data } = this.parse(res, ModelInfoBody, 'model info {data: [{model_name, model_info}]}');
    return data.find((d) => d.model_info?.id === modelId)?.model_name;
  }

  private async call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    allow?: (r: RawResponse) => boolean,
  ): Promise<RawResponse> {
    const url = `${this.o.url}${path}`;
    const res = await send(url, {
      method,
      headers: {
        authorization: `Bearer ${this.o.adminKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: this.o.timeoutMs,
    });
    if ((res.status < 200 || res.status >= 300) && !allow?.(res)) {
      const detail = ErrorBody.safeParse(safeJson(res.text));
      throw new GatewayAdminError(method, url, res.status, detail.success ? detail.data : res.text);
    }
    return res;
  }

  private keyInfoOf(res: RawResponse): KeyInfo {
    const { info } = this.parse(res, KeyInfoBody, 'a key row {info: {rpm_limit, …}}');
    return {
      alias: info.key_alias ?? null,
      rpmLimit: info.rpm_limit,
      tpmLimit: info.tpm_limit,
      expires: info.expires ?? null,
      status: info.status ?? null,
    };
  }

  private parse<T>(res: RawResponse, schema: z.ZodType<T>, expected: string): T {
    const parsed = schema.safeParse(jsonOf(res, expected));
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new UnexpectedResponseError(
        res.method,
        res.url,
        res.status,
        `${expected} (${i ? `${i.path.join('.') || 'body'}: ${i.message}` : 'invalid'})`,
        res.text,
      );
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

/** LiteLLM's `error.message`, or the raw body when it is not LiteLLM's error form. */
function litellmMessage(r: RawResponse): string {
  const b = safeJson(r.text) as { error?: { message?: unknown } } | undefined;
  return typeof b?.error?.message === 'string' ? b.error.message : r.text;
}

/** FastAPI's own 404 (`{"detail":"Not Found"}`): the route does not exist on this build. */
function isRouteMissing(r: RawResponse): boolean {
  return r.status === 404 && !isLitellmError(r);
}

/** LiteLLM's 503 from `/cache/ping`: `{"error": {"type": "cache_ping_error", "message": "<JSON>"}}`. */
function isCachePingError(r: RawResponse): boolean {
  const b = safeJson(r.text) as { error?: { type?: unknown } } | undefined;
  return r.status === 503 && b?.error?.type === 'cache_ping_error';
}

/** `litellm_cache_params`, a JSON string, as an object; `{}` when absent or not a JSON object. */
function paramsOf(v: unknown): Record<string, unknown> {
  const parsed = typeof v === 'string' ? safeJson(v) : undefined;
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}
