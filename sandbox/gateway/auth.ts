import type { IncomingHttpHeaders } from 'node:http';
import type { Faults } from '../faults.ts';
import { ProxyError } from './errors.ts';
import { hashToken, type KeyStore, type VirtualKey } from './keys.ts';

/** Who made a request: the proxy admin (master key) or a virtual key. */
export type Caller =
  | { readonly kind: 'master'; readonly token: string }
  | { readonly kind: 'virtual'; readonly token: string; readonly key: VirtualKey };

/**
 * The key a client presented. `x-litellm-api-key` wins over `Authorization` (LiteLLM checks
 * its own header first so a client can keep `Authorization` for something else); the
 * `Bearer `/`Basic ` prefixes are stripped as LiteLLM does.
 */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const own = headers['x-litellm-api-key'];
  const raw = (typeof own === 'string' && own !== '' ? own : headers.authorization) ?? '';
  const key = raw.replace(/^(bearer|basic)\s+/i, '').trim();
  return key === '' ? undefined : key;
}

/** LiteLLM's `abbreviate_api_key`: enough to recognise a key in a log, not to use it. */
function abbreviate(key: string): string {
  return `${key.slice(0, 3)}...${key.slice(-4)}`;
}

/**
 * Resolves a presented key to a caller, or throws LiteLLM's 401 `auth_error`. The message
 * abbreviates the key; fault `echo-secret` puts the whole key in it instead, which is how the
 * selftests prove the suite redacts secrets it receives in error bodies.
 */
export function authenticate(presented: string | undefined, masterKey: string, keys: KeyStore, faults: Faults): Caller {
  if (presented === undefined) throw new ProxyError(401, 'Authentication Error, No api key passed in.', 'auth_error');
  if (presented === masterKey) return { kind: 'master', token: hashToken(presented) };
  const shown = faults.has('echo-secret') ? presented : abbreviate(presented);
  const key = keys.find(presented);
  if (!key) {
    throw new ProxyError(
      401,
      `Authentication Error, Invalid proxy server token passed. Received API Key = ${shown}, Key Hash (Token) =${hashToken(presented)}. Unable to find token in cache or \`LiteLLM_VerificationTokenTable\``,
      'auth_error',
    );
  }
  // LiteLLM checks `blocked` before expiry, and raises a bare Exception that its auth handler
  // turns into a 401 `auth_error` prefixed "Authentication Error, ".
  if (keys.blocked(key))
    throw new ProxyError(
      401,
      "Authentication Error, Key is blocked. Update via `/key/unblock` if you're an admin.",
      'auth_error',
    );
  if (keys.expired(key)) {
    throw new ProxyError(
      401,
      `Authentication Error - Expired Key. Key Expiry time ${new Date(key.expiresAt ?? 0).toISOString()} and current time ${new Date().toISOString()}`,
      'expired_key',
    );
  }
  return { kind: 'virtual', token: key.token, key };
}

/**
 * Routes a virtual key may call although they sit among the admin routes: LiteLLM's
 * `non_proxy_admin_allowed_routes_check` lets `/key/info` through ("handled by function itself"),
 * and `info_key_fn` then decides who may read which key (`keyInfoAnswer` in `key-routes.ts`).
 */
const SELF_SERVICE_ROUTES = new Set(['/key/info']);

/** Admin routes (`/key/*`, `/active/callbacks`) are for the proxy admin only, except the self-service ones. */
export function requireMaster(caller: Caller, route: string): void {
  if (caller.kind !== 'master' && !SELF_SERVICE_ROUTES.has(route)) {
    throw new ProxyError(
      401,
      `Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=${route}. Your role=internal_user_viewer.`,
      'auth_error',
    );
  }
}
