import { z } from 'zod';
import { UnexpectedResponseError } from './errors.ts';
import { GatewayAdminError } from './gateway-admin.ts';
import { jsonOf, send } from './http.ts';

const nullableNumber = z
  .number()
  .nullable()
  .optional()
  .transform((v) => v ?? null);

const OwnKeyInfoBody = z.object({
  info: z.object({
    key_alias: z.string().nullable().optional(),
    team_id: z.string().nullable().optional(),
    models: z.array(z.string()).nullable().optional(),
    rpm_limit: nullableNumber,
    tpm_limit: nullableNumber,
    expires: z.string().nullable().optional(),
    blocked: z.boolean().nullable().optional(),
    status: z.string().nullable().optional(),
  }),
});

/** A key's own row as `GET /key/info` answered it; `models` empty means every model. */
interface OwnKeyRow {
  readonly alias: string | null;
  readonly teamId: string | null;
  readonly models: readonly string[];
  readonly rpmLimit: number | null;
  readonly tpmLimit: number | null;
  /** ISO timestamp as LiteLLM sent it, or null for a key that never expires. */
  readonly expires: string | null;
  readonly blocked: boolean;
  /** LiteLLM 1.103.10's derived `active`/`expired`/`revoked`/`deleted`; null from builds without it. */
  readonly status: string | null;
}

/**
 * What the gateway said when a key asked for its own info. `refused` is LiteLLM's 401 from
 * `user_api_key_auth`, which runs before `/key/info` does: `expired` (`type: expired_key`),
 * `blocked` ("Key is blocked"), or `unknown` (not in the key table: never created, revoked or
 * deleted). `expiredAt` is the expiry LiteLLM named in an `expired` refusal.
 */
export type OwnKeyAnswer =
  | { readonly live: true; readonly row: OwnKeyRow }
  | { readonly live: false; readonly refused: 'expired' | 'blocked' | 'unknown'; readonly expiredAt: string | null };

const RefusalBody = z.object({ error: z.object({ message: z.string(), type: z.string().nullable().optional() }) });

/**
 * `GET /key/info` asked with `key` itself and no `?key=` parameter, so the raw key travels only
 * in the Authorization header: LiteLLM then reads the caller's own row (`key or
 * user_api_key_dict.api_key`) and `_can_user_query_key_info` always lets a key read itself; the
 * answer's `key` is the hash, and is not read. A 401 is returned as `live: false` with what was
 * refused, never LiteLLM's message (it carries the abbreviated key and its hash). Other error
 * statuses throw `GatewayAdminError` (a gateway without a key table answers 500), a body of the
 * wrong shape `UnexpectedResponseError`, a transport failure `EndpointUnreachableError`.
 */
export async function readOwnKeyInfo(o: { url: string; key: string; timeoutMs: number }): Promise<OwnKeyAnswer> {
  const res = await send(`${o.url}/key/info`, {
    headers: { authorization: `Bearer ${o.key}` },
    timeoutMs: o.timeoutMs,
  });
  if (res.status === 401) {
    const b = RefusalBody.safeParse(safeJson(res.text));
    const message = b.success ? b.data.error.message : '';
    if (b.success && b.data.error.type === 'expired_key')
      return {
        live: false,
        refused: 'expired',
        expiredAt: /Key Expiry time (.+?) and current time/.exec(message)?.[1] ?? null,
      };
    return { live: false, refused: /key is blocked/i.test(message) ? 'blocked' : 'unknown', expiredAt: null };
  }
  if (res.status < 200 || res.status >= 300) {
    const b = RefusalBody.safeParse(safeJson(res.text));
    throw new GatewayAdminError(res.method, res.url, res.status, b.success ? b.data.error.message : res.text);
  }
  const expected = 'a key row {info: {key_alias, models, rpm_limit, …}}';
  const parsed = OwnKeyInfoBody.safeParse(jsonOf(res, expected));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UnexpectedResponseError(
      res.method,
      res.url,
      res.status,
      `${expected} (${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid'})`,
      res.text,
    );
  }
  const i = parsed.data.info;
  return {
    live: true,
    row: {
      alias: i.key_alias ?? null,
      teamId: i.team_id ?? null,
      models: i.models ?? [],
      rpmLimit: i.rpm_limit,
      tpmLimit: i.tpm_limit,
      expires: i.expires ?? null,
      blocked: i.blocked === true,
      status: i.status ?? null,
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
