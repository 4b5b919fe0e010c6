import { z } from 'zod';
import { CutoverHttpError, UnexpectedResponseError } from './errors.ts';
import { jsonOf, send, type RawResponse } from './http.ts';

/** The credentials login did not produce a session; the message says which step refused and why. */
export class LangfuseLoginError extends CutoverHttpError {}

/** The parts of NextAuth's `/api/auth/session` the checks read (Langfuse v3 shape, notes §5). */
export interface LangfuseSession {
  readonly user: {
    readonly id?: string;
    readonly email?: string;
    readonly organizations: readonly {
      id?: string;
      name?: string;
      projects: readonly { id: string; name?: string }[];
    }[];
  };
  /** `environment.v4WriteMode`: `legacy` on v3; `events_only` on a v4 that rejects LiteLLM's ingestion. */
  readonly v4WriteMode?: string;
}

/** One `background_migrations` row as `backgroundMigrations.all` returns it (superjson Dates arrive as ISO strings). */
export interface BackgroundMigration {
  readonly name: string;
  readonly args: Record<string, unknown> | null;
  readonly finishedAt: string | null;
  readonly failedAt: string | null;
  readonly failedReason: string | null;
  readonly workerId: string | null;
  readonly lockedAt: string | null;
}

const Session = z.object({
  user: z.object({
    id: z.string().optional(),
    email: z.string().optional(),
    organizations: z
      .array(
        z.object({
          id: z.string().optional(),
          name: z.string().optional(),
          projects: z.array(z.object({ id: z.string(), name: z.string().optional() })).default([]),
        }),
      )
      .default([]),
  }),
  environment: z.object({ v4WriteMode: z.string().optional() }).partial().optional(),
});

const Migration = z.object({
  name: z.string(),
  args: z.record(z.string(), z.unknown()).nullish(),
  finishedAt: z.string().nullish(),
  failedAt: z.string().nullish(),
  failedReason: z.string().nullish(),
  workerId: z.string().nullish(),
  lockedAt: z.string().nullish(),
});
const TrpcResult = z.object({
  result: z.object({ data: z.object({ json: z.object({ migrations: z.array(Migration) }) }) }),
});
const TrpcError = z.object({
  error: z.object({
    json: z.object({ message: z.string(), data: z.object({ code: z.string().optional() }).partial().optional() }),
  }),
});

/**
 * A v3 background-migration row that only looks pending: the v4 backfill steps ship dormant on
 * v3.203–v3.225.x, gated on an env var (`args.envGate`) and never picked up by a worker
 * (`workerId` null). Their unfinished state keeps v3's `backgroundMigrations.status` at
 * ACTIVE forever (fixed only in v4.3.0), so the status procedure cannot be trusted on v3.
 */
export function isDormant(m: BackgroundMigration): boolean {
  return m.workerId === null && typeof m.args?.['envGate'] === 'string' && m.finishedAt === null && m.failedAt === null;
}

/**
 * Sorts background migrations into what blocks a cutover: `failed` (a failedAt is set),
 * `pending` (unfinished and not dormant: running, queued or locked by a worker) and the
 * `dormant` rows that are ignored. No rows at all is not a finding here; the caller decides.
 */
export function classifyMigrations(rows: readonly BackgroundMigration[]): {
  failed: BackgroundMigration[];
  pending: BackgroundMigration[];
  dormant: BackgroundMigration[];
  finished: number;
} {
  const failed = rows.filter((m) => m.failedAt !== null);
  const dormant = rows.filter(isDormant);
  const pending = rows.filter((m) => m.failedAt === null && m.finishedAt === null && !isDormant(m));
  return {
    failed,
    pending,
    dormant,
    finished: rows.filter((m) => m.finishedAt !== null && m.failedAt === null).length,
  };
}

/** Splits a `Set-Cookie` header that `send` joined with ", " (Expires dates contain commas too). */
export function splitSetCookie(joined: string | undefined): string[] {
  if (!joined) return [];
  return joined
    .split(/,\s*(?=[^;,\s=]+=)/)
    .map((c) => c.trim())
    .filter(Boolean);
}

/**
 * The Langfuse web UI as a browser sees it, over plain HTTP against LANGFUSE_URL: the NextAuth
 * v4 credentials login (csrf → callback with `json=true` → session cookie), the session, a
 * dashboard page, and the tRPC procedures behind the background-migration indicator. Cookies
 * are kept in a jar by name and all sent back, so the `__Secure-` prefix (https NEXTAUTH_URL),
 * a name suffix or a chunked session token (`.0`, `.1`) need no special handling. The password
 * only ever travels in the form body; errors never quote a request body.
 */
export class LangfuseUi {
  private readonly jar = new Map<string, string>();

  constructor(private readonly o: { url: string; timeoutMs: number }) {}

  /** Logs in; throws `LangfuseLoginError` naming the refusing step (CSRF, credentials, no session cookie). */
  async login(email: string, password: string): Promise<void> {
    const csrfUrl = `${this.o.url}/api/auth/csrf`;
    const csrf = await this.request(csrfUrl);
    const token = z.object({ csrfToken: z.string().min(1) }).safeParse(jsonOf(csrf, 'a CSRF token'));
    if (csrf.status !== 200 || !token.success)
      throw new UnexpectedResponseError('GET', csrfUrl, csrf.status, '200 {"csrfToken"}', csrf.text);

    const callbackUrl = `${this.o.url}/api/auth/callback/credentials`;
    // json=true is a string on purpose: NextAuth compares req.body.json === "true" and then
    // answers {url} with the real status instead of a 302.
    const form = new URLSearchParams({
      email,
      password,
      csrfToken: token.data.csrfToken,
      callbackUrl: '/',
      json: 'true',
    });
    const res = await this.request(callbackUrl, {
      method: 'POST',
      body: form.toString(),
      contentType: 'application/x-www-form-urlencoded',
    });
    const url = z.object({ url: z.string() }).safeParse(jsonOf(res, 'a NextAuth {url} answer')).data?.url ?? '';
    if (res.status === 401 || /[?&]error=/.test(url)) {
      const reason = decodeURIComponent(/[?&]error=([^&]*)/.exec(url)?.[1] ?? 'refused');
      throw new LangfuseLoginError(
        'POST',
        callbackUrl,
        `the login was refused (${reason}): check LANGFUSE_UI_EMAIL / LANGFUSE_UI_PASSWORD against the vault`,
      );
    }
    if (/[?&]csrf=true/.test(url))
      throw new LangfuseLoginError(
        'POST',
        callbackUrl,
        'NextAuth rejected the CSRF token (the csrf cookie did not come back as sent)',
      );
    if (res.status !== 200)
      throw new UnexpectedResponseError('POST', callbackUrl, res.status, '200 {"url"} with a session cookie', res.text);
    if (![...this.jar.keys()].some((k) => k.includes('session-token'))) {
      throw new LangfuseLoginError('POST', callbackUrl, 'HTTP 200 but no next-auth session-token cookie was set');
    }
  }

  /** `GET /api/auth/session`; undefined for `{}` (NextAuth's answer, status 200, when not logged in). */
  async session(): Promise<LangfuseSession | undefined> {
    const url = `${this.o.url}/api/auth/session`;
    const res = await this.request(url);
    const json = jsonOf(res, 'a session');
    if (res.status !== 200) throw new UnexpectedResponseError('GET', url, res.status, '200 with a session', res.text);
    if (json && typeof json === 'object' && Object.keys(json).length === 0) return undefined;
    const s = Session.safeParse(json);
    if (!s.success) throw new UnexpectedResponseError('GET', url, res.status, 'a session with a user', res.text);
    return { user: s.data.user, v4WriteMode: s.data.environment?.v4WriteMode };
  }

  /** Loads a UI page with the session; returns the status, and where a redirect (to sign-in) pointed. */
  async page(path: string): Promise<{ status: number; location?: string; contentType?: string }> {
    const res = await this.request(`${this.o.url}${path}`, { accept: 'text/html' });
    return { status: res.status, location: res.headers['location'], contentType: res.headers['content-type'] };
  }

  /**
   * `backgroundMigrations.all` through tRPC, sent as the UI's batch link sends it
   * (`?batch=1&input={"0":{"json":null}}`); also accepts an unbatched answer. Needs a session.
   */
  async backgroundMigrations(): Promise<BackgroundMigration[]> {
    const input = encodeURIComponent(JSON.stringify({ 0: { json: null, meta: { values: ['undefined'] } } }));
    const url = `${this.o.url}/api/trpc/backgroundMigrations.all?batch=1&input=${input}`;
    const res = await this.request(url);
    const json = jsonOf(res, 'a tRPC answer');
    const first = Array.isArray(json) ? json[0] : json;
    const ok = TrpcResult.safeParse(first);
    if (res.status === 200 && ok.success) {
      return ok.data.result.data.json.migrations.map((m) => ({
        name: m.name,
        args: m.args ?? null,
        finishedAt: m.finishedAt ?? null,
        failedAt: m.failedAt ?? null,
        failedReason: m.failedReason ?? null,
        workerId: m.workerId ?? null,
        lockedAt: m.lockedAt ?? null,
      }));
    }
    const err = TrpcError.safeParse(first);
    if (err.success)
      throw new CutoverHttpError(
        'GET',
        url,
        `HTTP ${res.status}: tRPC ${err.data.error.json.data?.code ?? 'error'}: ${err.data.error.json.message}`,
      );
    throw new UnexpectedResponseError(
      'GET',
      url,
      res.status,
      '200 {"result":{"data":{"json":{"migrations":[…]}}}}',
      res.text,
    );
  }

  private async request(
    url: string,
    o: { method?: 'GET' | 'POST'; body?: string; contentType?: string; accept?: string } = {},
  ): Promise<RawResponse> {
    const headers: Record<string, string> = { accept: o.accept ?? 'application/json' };
    if (this.jar.size > 0) headers['cookie'] = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (o.contentType) headers['content-type'] = o.contentType;
    const res = await send(url, { method: o.method ?? 'GET', headers, body: o.body, timeoutMs: this.o.timeoutMs });
    for (const c of splitSetCookie(res.headers['set-cookie'])) {
      const pair = c.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      // Max-Age=0 / an empty value is NextAuth clearing a cookie (e.g. a stale chunk).
      if (value === '' || /;\s*max-age=0/i.test(c)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return res;
  }
}
