import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrf, signIn, startTestLangfuse, type TestLangfuse } from './testing.ts';

let t: TestLangfuse;
beforeAll(async () => {
  t = await startTestLangfuse();
});
afterAll(() => t.lf.close());

async function sessionCookie(): Promise<string> {
  const r = await signIn(t.lf.url, { email: t.email, password: t.password });
  const cookie = r.headers.getSetCookie().find((c) => c.startsWith('next-auth.session-token='));
  if (!cookie) throw new Error('no session cookie');
  return cookie.split(';')[0] as string;
}

describe('NextAuth credentials login', () => {
  it('sets the csrf cookie as <token>%7C<hash> and reuses a valid one', async () => {
    const c = await csrf(t.lf.url);
    expect(c.cookie).toMatch(new RegExp(`^next-auth\\.csrf-token=${c.token}%7C[0-9a-f]{64}$`));
    const again = await fetch(`${t.lf.url}/api/auth/csrf`, { headers: { cookie: c.cookie } });
    expect(((await again.json()) as { csrfToken: string }).csrfToken).toBe(c.token);
    expect(again.headers.getSetCookie()).toEqual([]);
  });

  it('logs in with json=true: 200 {url} and a session cookie', async () => {
    const r = await signIn(t.lf.url, { email: t.email.toUpperCase(), password: t.password });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ url: `${t.lf.url}/` });
    expect(r.headers.getSetCookie().some((c) => c.startsWith('next-auth.session-token='))).toBe(true);
  });

  it('answers a wrong password with 401 and the error url', async () => {
    const r = await signIn(t.lf.url, { email: t.email, password: 'nope' });
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ url: `${t.lf.url}/api/auth/error?error=Invalid%20credentials` });
    expect(r.headers.getSetCookie()).toEqual([]);
  });

  it('answers a bad csrf token with signin?csrf=true and no cookie', async () => {
    const c = await csrf(t.lf.url);
    const r = await signIn(t.lf.url, {
      email: t.email,
      password: t.password,
      csrf: { token: 'forged', cookie: c.cookie },
    });
    expect(await r.json()).toEqual({ url: `${t.lf.url}/api/auth/signin?csrf=true` });
    expect(r.headers.getSetCookie()).toEqual([]);
    const noCookie = await signIn(t.lf.url, {
      email: t.email,
      password: t.password,
      csrf: { token: c.token, cookie: '' },
    });
    expect(await noCookie.json()).toEqual({ url: `${t.lf.url}/api/auth/signin?csrf=true` });
  });

  it('redirects with 302 without json=true', async () => {
    const ok = await signIn(t.lf.url, { email: t.email, password: t.password, json: false });
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe(`${t.lf.url}/`);
    const bad = await signIn(t.lf.url, { email: t.email, password: 'nope', json: false });
    expect(bad.status).toBe(302);
    expect(bad.headers.get('location')).toBe(`${t.lf.url}/api/auth/error?error=Invalid%20credentials`);
  });

  it('rejects a non-http callbackUrl with 400', async () => {
    const c = await csrf(t.lf.url);
    const r = await fetch(`${t.lf.url}/api/auth/callback/credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: c.cookie },
      body: new URLSearchParams({
        email: t.email,
        password: t.password,
        csrfToken: c.token,
        callbackUrl: 'javascript:alert(1)',
        json: 'true',
      }),
    });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ message: 'Invalid callback URL' });
  });
});

describe('session and dashboard', () => {
  it('returns 200 {} without a session and the user shape with one', async () => {
    expect(await t.get('/api/auth/session', {})).toMatchObject({ status: 200, body: {} });
    expect((await t.get('/api/auth/session', { cookie: 'next-auth.session-token=forged.sig' })).body).toEqual({});
    const r = await t.get('/api/auth/session', { cookie: await sessionCookie() });
    expect(r.body).toMatchObject({
      user: {
        email: t.email,
        organizations: [{ id: 'sandbox-org', projects: [{ id: 'cutover-sandbox-project' }] }],
      },
      environment: { v4WriteMode: 'legacy' },
      expires: expect.any(String),
    });
  });

  it('serves the project page only with a session', async () => {
    const out = await t.get('/project/cutover-sandbox-project', {});
    expect(out.status).toBe(307);
    expect(out.headers.get('location')).toBe(
      `${t.lf.url}/auth/sign-in?targetPath=%2Fproject%2Fcutover-sandbox-project`,
    );
    const cookie = await sessionCookie();
    const page = await t.get('/project/cutover-sandbox-project', { cookie });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.body).toContain('v3.225.4');
    expect((await t.get('/project/someone-else', { cookie })).status).toBe(404);
    expect((await t.get('/auth/sign-in', {})).status).toBe(200);
  });
});

describe('background migrations (tRPC)', () => {
  it('answers UNAUTHORIZED without a session', async () => {
    const r = await t.get('/api/trpc/backgroundMigrations.status', {});
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({
      error: { json: { message: 'UNAUTHORIZED', data: { code: 'UNAUTHORIZED', httpStatus: 401 } } },
    });
  });

  it('reports ACTIVE on a healthy v3.225.4 because of the dormant v4 rows', async () => {
    const cookie = await sessionCookie();
    const status = await t.get('/api/trpc/backgroundMigrations.status', { cookie });
    expect(status).toMatchObject({ status: 200, body: { result: { data: { json: { status: 'ACTIVE' } } } } });
    const all = await t.get('/api/trpc/backgroundMigrations.all', { cookie });
    const rows = all.body.result.data.json.migrations as {
      name: string;
      finishedAt: string | null;
      failedAt: string | null;
      workerId: string | null;
      args: { envGate?: string };
    }[];
    const unfinished = rows.filter((m) => m.finishedAt === null);
    expect(unfinished.map((m) => m.name)).toEqual([1, 2, 3, 4, 5].map((i) => `20260701_v4_step_${i}`));
    for (const m of unfinished)
      expect(m).toMatchObject({ workerId: null, failedAt: null, args: { envGate: expect.any(String) } });
    expect(all.body.result.data.meta.values['migrations.0.finishedAt']).toEqual(['Date']);
  });

  it('answers batched calls as an array', async () => {
    const cookie = await sessionCookie();
    const r = await t.get('/api/trpc/backgroundMigrations.status,backgroundMigrations.all?batch=1&input=%7B%7D', {
      cookie,
    });
    expect(r.body).toHaveLength(2);
    expect(r.body[0].result.data.json.status).toBe('ACTIVE');
  });
});
