import type { Caller } from './auth.ts';
import { ProxyError } from './errors.ts';
import type { KeyStore } from './keys.ts';

/** A route's answer: status and JSON body. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * `/key/generate`, `/key/info` and `/key/delete` (the caller has passed `requireMaster`, which
 * lets a virtual key through to `/key/info` only), following
 * `proxy/management_endpoints/key_management_endpoints.py`. Returns undefined for a method the
 * route does not have.
 *
 * `/key/delete` echoes what it was sent: `{"deleted_keys": data.keys}` when `keys` is non-empty
 * (then `key_aliases` is ignored), else `data.key_aliases`, with 200 once anything matched, so
 * its answer proves nothing about each key: a deletion is proven by `/key/info` afterwards.
 * When nothing matched, `delete_verification_tokens` raises `HTTPException(404, {"error": "No
 * keys found"})`, which `handle_exception_on_proxy` turns into a 404 whose message is the
 * Python `str()` of that dict. Neither list is a 422 from `KeyRequest`'s validator, in FastAPI's
 * `{"detail": [...]}` shape.
 */
export function keyRoute(
  keys: KeyStore,
  caller: Caller,
  method: string | undefined,
  url: URL,
  body: Record<string, unknown>,
): Answer | undefined {
  const path = url.pathname;
  if (path === '/key/generate' && method === 'POST') return { status: 200, body: keys.generate(body) };
  if (path === '/key/info' && method === 'GET') return keyInfoAnswer(keys, caller, url.searchParams.get('key'));
  if (path === '/key/delete' && method === 'POST') {
    const byKey = strings(body.keys);
    const byAlias = strings(body.key_aliases);
    const noneFound = (): never => {
      throw new ProxyError(404, "{'error': 'No keys found'}", 'internal_server_error', {}, 'HTTPException', null);
    };
    if (byKey.length > 0) {
      if (keys.deleteKeys(byKey) === 0) noneFound();
      return { status: 200, body: { deleted_keys: byKey } };
    }
    if (byAlias.length > 0) {
      if (keys.deleteAliases(byAlias) === 0) noneFound();
      return { status: 200, body: { deleted_keys: byAlias } };
    }
    return {
      status: 422,
      body: {
        detail: [
          {
            type: 'value_error',
            loc: ['body'],
            msg: "Value error, At least one of 'keys' or 'key_aliases' must be provided.",
            input: body,
            ctx: { error: {} },
          },
        ],
      },
    };
  }
  return undefined;
}

/**
 * `GET /key/info` as LiteLLM 1.103.10's `info_key_fn` answers it. Without `?key=` the caller's
 * own key is read, and `key` in the answer is its hash (`user_api_key_dict.api_key`), never the
 * raw key. `?key=` takes a raw key or a hash. An unknown key is 404 `not_found_error` with
 * `param: "key"`. Then `_can_user_query_key_info`: the proxy admin may read any key; anyone else
 * only when the `key` they passed equals their own hash (the raw key does not), or when the row's
 * `user_id` equals theirs, which LiteLLM compares as is, so two keys with no `user_id` may read
 * each other. (Its fourth rule, membership of the row's team, needs a team table the sandbox
 * does not have.) A refusal is the `HTTPException(403)` that `handle_exception_on_proxy` turns
 * into `internal_server_error`, with the caller's role: `internal_user` for a key without a user.
 */
function keyInfoAnswer(keys: KeyStore, caller: Caller, asked: string | null): Answer {
  const key = asked || caller.token;
  const row = keys.lookup(key);
  if (!row) throw new ProxyError(404, 'Key not found in database', 'not_found_error', {}, 'ProxyException', 'key');
  const userOf = (fields: Record<string, unknown>): unknown => fields.user_id ?? null;
  const allowed = caller.kind === 'master' || caller.token === key || userOf(row.fields) === userOf(caller.key.fields);
  if (!allowed)
    throw new ProxyError(
      403,
      "You are not allowed to access this key's info. Your role=internal_user",
      'internal_server_error',
      {},
      'HTTPException',
      null,
    );
  return { status: 200, body: { key, info: keys.info(row) } };
}
