import { ProxyError } from './errors.ts';
import type { KeyStore } from './keys.ts';

/** A route's answer: status and JSON body. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * `/key/generate`, `/key/info` and `/key/delete` for the proxy admin (the caller has passed
 * `requireMaster`), following `proxy/management_endpoints/key_management_endpoints.py`.
 * Returns undefined for a method the route does not have.
 *
 * `/key/delete` echoes what it was sent: `{"deleted_keys": data.keys}` when `keys` is non-empty
 * (then `key_aliases` is ignored), else `data.key_aliases`, with 200 once anything matched, so
 * its answer proves nothing about each key: a deletion is proven by `/key/info` afterwards.
 * When nothing matched, `delete_verification_tokens` raises `HTTPException(404, {"error": "No
 * keys found"})`, which `handle_exception_on_proxy` turns into a 404 whose message is the
 * Python `str()` of that dict. Neither list is a 422 from `KeyRequest`'s validator, in FastAPI's
 * `{"detail": [...]}` shape.
 */
export function keyRoute(keys: KeyStore, method: string | undefined, url: URL, body: Record<string, unknown>): Answer | undefined {
  const path = url.pathname;
  if (path === '/key/generate' && method === 'POST') return { status: 200, body: keys.generate(body) };
  if (path === '/key/info' && method === 'GET') {
    const raw = url.searchParams.get('key') ?? '';
    const k = keys.find(raw);
    if (!k) throw new ProxyError(404, 'Key not found in database.', 'not_found_error');
    return { status: 200, body: { key: raw, info: keys.info(k) } };
  }
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
      body: { detail: [{ type: 'value_error', loc: ['body'], msg: "Value error, At least one of 'keys' or 'key_aliases' must be provided.", input: body, ctx: { error: {} } }] },
    };
  }
  return undefined;
}
