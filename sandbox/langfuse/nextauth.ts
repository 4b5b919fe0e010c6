import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { readText, sendJson } from '../http.ts';
import { ORGANIZATION, PROJECT_NAME } from './projects.ts';

// The Langfuse UI's NextAuth v4 credentials login, as seen on the wire (notes §5). Langfuse
// uses the plain cookie names `next-auth.csrf-token` / `next-auth.session-token` over http.
// The session token here is an HMAC-signed JSON blob rather than NextAuth's JWE: only the
// server reads it, so its inside is not part of the contract.

const CSRF_COOKIE = 'next-auth.csrf-token';
const SESSION_COOKIE = 'next-auth.session-token';
const SESSION_MAX_AGE_S = 30 * 24 * 3600;

/** The UI account and the state the login flow needs. */
export interface UiAuth {
  readonly email: string;
  readonly password: string;
  readonly projectId: string;
  /** `NEXTAUTH_URL`: every `url`/`Location` is built from it, not from the Host header. */
  readonly baseUrl: () => string;
  /** `langfuse-login-broken`: every credential is rejected. */
  readonly loginBroken: boolean;
  /** `LANGFUSE_MIGRATION_V4_WRITE_MODE` as the session's `environment.v4WriteMode` reports it. */
  readonly v4WriteMode: 'legacy' | 'events_only';
  /** Signs CSRF hashes and session tokens; random per sandbox instance. */
  readonly secret: string;
}

/** Builds the UI auth state with a fresh secret. */
export function createUiAuth(o: Omit<UiAuth, 'secret'>): UiAuth {
  return { ...o, secret: randomBytes(32).toString('hex') };
}

function cookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

const csrfHash = (token: string, secret: string) => createHash('sha256').update(`${token}${secret}`).digest('hex');

/** The CSRF token of a valid `next-auth.csrf-token` cookie (`<token>%7C<hash>`), if any. */
function csrfFromCookie(req: IncomingMessage, a: UiAuth): string | undefined {
  const raw = cookies(req).get(CSRF_COOKIE);
  if (!raw) return undefined;
  const [token = '', hash = ''] = decodeURIComponent(raw).split('|');
  return token && hash === csrfHash(token, a.secret) ? token : undefined;
}

const sign = (payload: string, secret: string) => createHmac('sha256', secret).update(payload).digest('base64url');

function sessionToken(a: UiAuth, expires: number): string {
  const payload = Buffer.from(JSON.stringify({ sub: a.email, exp: expires })).toString('base64url');
  return `${payload}.${sign(payload, a.secret)}`;
}

/** The session's expiry (epoch ms) when the request carries a valid, unexpired session cookie. */
export function sessionExpiry(req: IncomingMessage, a: UiAuth): number | undefined {
  const raw = cookies(req).get(SESSION_COOKIE);
  if (!raw) return undefined;
  const [payload = '', sig = ''] = raw.split('.');
  const expected = sign(payload, a.secret);
  if (sig.length !== expected.length || !timingSafeEqual(Buffer.from(sig), Buffer.from(expected))) return undefined;
  const { exp } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp: number };
  return exp > Date.now() ? exp : undefined;
}

/** `GET /api/auth/csrf`: reuses a valid CSRF cookie, otherwise issues a new token and cookie. */
export function handleCsrf(req: IncomingMessage, res: ServerResponse, a: UiAuth): void {
  const existing = csrfFromCookie(req, a);
  if (existing) return sendJson(res, 200, { csrfToken: existing });
  const token = randomBytes(32).toString('hex');
  const cookie = `${CSRF_COOKIE}=${encodeURIComponent(`${token}|${csrfHash(token, a.secret)}`)}; Path=/; HttpOnly; SameSite=Lax`;
  sendJson(res, 200, { csrfToken: token }, { 'set-cookie': cookie });
}

// NextAuth's default redirect callback: relative URLs are resolved against NEXTAUTH_URL and
// foreign origins fall back to it.
function resolveCallback(callbackUrl: string | null, base: string): string {
  if (!callbackUrl) return base;
  if (callbackUrl.startsWith('/')) return `${base}${callbackUrl}`;
  return new URL(callbackUrl).origin === new URL(base).origin ? callbackUrl : base;
}

/**
 * `POST /api/auth/callback/credentials` (form-encoded). With `json=true` every outcome is a
 * JSON `{url}`: 200 plus the session cookie on success, 401 with `error=Invalid%20credentials`
 * for a bad login, 200 with `signin?csrf=true` (and no cookie) for a missing or wrong CSRF
 * token. Without `json=true` the same outcomes are 302 redirects.
 */
export async function handleCredentialsCallback(req: IncomingMessage, res: ServerResponse, a: UiAuth): Promise<void> {
  const form = new URLSearchParams(await readText(req));
  const base = a.baseUrl();
  const callbackUrl = form.get('callbackUrl');
  if (callbackUrl !== null && !callbackUrl.startsWith('/') && !/^https?:\/\//i.test(callbackUrl)) {
    return sendJson(res, 400, { message: 'Invalid callback URL' });
  }
  const respond = (status: number, url: string, headers: Record<string, string> = {}) => {
    if (form.get('json') === 'true') return sendJson(res, status, { url }, headers);
    res.writeHead(302, { location: url, 'content-length': 0, ...headers });
    res.end();
  };
  const csrf = csrfFromCookie(req, a);
  if (!csrf || form.get('csrfToken') !== csrf) return respond(200, `${base}/api/auth/signin?csrf=true`);
  const ok =
    !a.loginBroken &&
    (form.get('email') ?? '').toLowerCase() === a.email.toLowerCase() &&
    form.get('password') === a.password;
  if (!ok) return respond(401, `${base}/api/auth/error?error=${encodeURIComponent('Invalid credentials')}`);
  const expires = Date.now() + SESSION_MAX_AGE_S * 1000;
  const cookie = `${SESSION_COOKIE}=${sessionToken(a, expires)}; Path=/; Expires=${new Date(expires).toUTCString()}; HttpOnly; SameSite=Lax`;
  respond(200, resolveCallback(callbackUrl, base), { 'set-cookie': cookie });
}

const USER_ID = randomUUID();

/**
 * `GET /api/auth/session`: `{}` (status 200) without a valid session cookie, otherwise the
 * user with organizations and projects plus the instance `environment` (incl. `v4WriteMode`).
 */
export function handleSession(req: IncomingMessage, res: ServerResponse, a: UiAuth): void {
  const expires = sessionExpiry(req, a);
  if (expires === undefined) return sendJson(res, 200, {});
  sendJson(res, 200, {
    user: {
      id: USER_ID,
      name: 'Cutover Sandbox',
      email: a.email,
      image: null,
      admin: false,
      emailVerified: null,
      canCreateOrganizations: true,
      organizations: [
        {
          ...ORGANIZATION,
          role: 'OWNER',
          plan: 'oss',
          metadata: {},
          projects: [
            { id: a.projectId, name: PROJECT_NAME, role: 'OWNER', retentionDays: null, deletedAt: null, metadata: {} },
          ],
        },
      ],
      featureFlags: { templateFlag: true, excludeClickhouseRead: false },
      v4BetaEnabled: false,
      canToggleV4: false,
    },
    environment: { enableExperimentalFeatures: false, selfHostedInstancePlan: null, v4WriteMode: a.v4WriteMode },
    expires: new Date(expires).toISOString(),
  });
}

/**
 * Authenticated UI pages (`/project/<id>…`): 200 HTML with a valid session, otherwise a 307 to
 * `/auth/sign-in?targetPath=…`; another project's page is a 404.
 */
export function handleDashboard(req: IncomingMessage, res: ServerResponse, url: URL, a: UiAuth, version: string): void {
  if (sessionExpiry(req, a) === undefined) {
    const location = `${a.baseUrl()}/auth/sign-in?targetPath=${encodeURIComponent(url.pathname)}`;
    res.writeHead(307, { location, 'content-length': 0 });
    res.end();
    return;
  }
  const own = url.pathname === `/project/${a.projectId}` || url.pathname.startsWith(`/project/${a.projectId}/`);
  sendHtml(res, own ? 200 : 404, own ? `${PROJECT_NAME} · Langfuse v${version} OSS` : 'Project not found');
}

/** `GET /auth/sign-in`: the login page a logged-out browser is sent to. */
export function handleSignInPage(res: ServerResponse): void {
  sendHtml(res, 200, 'Sign in · Langfuse');
}

function sendHtml(res: ServerResponse, status: number, title: string): void {
  const html = `<!DOCTYPE html><html lang="en"><head><title>${title}</title></head><body><div id="__next"></div></body></html>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
  res.end(html);
}
