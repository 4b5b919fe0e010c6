import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http.ts';

/**
 * What a presented API key grants. `project` comes from Basic auth with the key pair; `scores`
 * from `Bearer <publicKey>` (the browser SDK's key), which may only write scores.
 */
export type AccessLevel = 'project' | 'scores';

/** The configured key pair and whether 401 bodies should leak what was presented (`echo-secret`). */
export interface ApiKeys {
  readonly publicKey: string;
  readonly secretKey: string;
  readonly echoSecret: boolean;
}

const INVALID = "Invalid credentials. Confirm that you've configured the correct host.";

/**
 * Verifies the Authorization header the way `apiAuth.ts` does and, on failure, answers 401
 * itself. Returns the access level, or `undefined` when the response has been sent. With
 * `echoSecret` the 401 body carries the presented credentials in clear text: the fault a
 * redaction selftest needs, since a real server never does this.
 */
export function authenticate(req: IncomingMessage, res: ServerResponse, keys: ApiKeys): AccessLevel | undefined {
  const header = req.headers.authorization;
  if (!header) {
    sendJson(res, 401, { message: 'No authorization header' });
    return undefined;
  }
  const [scheme = '', value = ''] = header.split(' ', 2);
  let presented = value;
  if (scheme.toLowerCase() === 'basic') {
    presented = Buffer.from(value, 'base64').toString('utf8');
    const sep = presented.indexOf(':');
    if (sep > 0 && presented.slice(0, sep) === keys.publicKey && presented.slice(sep + 1) === keys.secretKey) {
      return 'project';
    }
  } else if (scheme.toLowerCase() === 'bearer' && value === keys.publicKey) {
    return 'scores';
  }
  sendJson(res, 401, keys.echoSecret ? { message: `${INVALID} Presented: ${presented}` } : { message: INVALID });
  return undefined;
}

/**
 * Authenticates a read route, which needs project access: a Bearer public key gets 403 as in
 * `createAuthedProjectAPIRoute.ts`. Returns false when a response has been sent.
 */
export function authorizeRead(req: IncomingMessage, res: ServerResponse, keys: ApiKeys): boolean {
  const level = authenticate(req, res, keys);
  if (level === undefined) return false;
  if (level !== 'project') {
    sendJson(res, 403, { message: 'Access denied - insufficient permissions for this endpoint' });
    return false;
  }
  return true;
}
