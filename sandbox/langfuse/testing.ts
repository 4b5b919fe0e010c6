import { parseFaults, type FaultName } from '../faults.ts';
import { startLangfuse, type LangfuseSandbox } from './index.ts';

// Helpers for this folder's tests only: a real server on a loopback port, driven over HTTP.

/** A started stand-in plus what a client needs to talk to it. */
export interface TestLangfuse {
  readonly lf: LangfuseSandbox;
  readonly publicKey: string;
  readonly secretKey: string;
  readonly email: string;
  readonly password: string;
  /** `Basic base64(pk:sk)`. */
  readonly auth: string;
  /** GET with Basic auth; returns status and parsed JSON (or text when not JSON). */
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  /** POSTs a batch to `/api/public/ingestion`. */
  ingest(batch: unknown[]): Promise<{ status: number; body: any }>;
}

/** Starts the stand-in with a 30 ms ingestion delay and the given faults. */
export async function startTestLangfuse(faults: FaultName[] = [], ingestDelayMs = 30): Promise<TestLangfuse> {
  const publicKey = 'pk-lf-test';
  const secretKey = 'sk-lf-test-secret';
  const email = 'ops@example.test';
  const password = 'correct horse';
  const lf = await startLangfuse({
    faults: parseFaults(faults),
    counter: { total: 0, byComponent: {} },
    publicKey,
    secretKey,
    ingestDelayMs,
    ui: { email, password },
  });
  const auth = `Basic ${Buffer.from(`${publicKey}:${secretKey}`).toString('base64')}`;
  const decode = async (r: Response) => {
    const text = await r.text();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  };
  return {
    lf,
    publicKey,
    secretKey,
    email,
    password,
    auth,
    get: async (path, headers = { authorization: auth }) => {
      const r = await fetch(`${lf.url}${path}`, { headers, redirect: 'manual' });
      return { status: r.status, body: await decode(r), headers: r.headers };
    },
    ingest: async (batch) => {
      const r = await fetch(`${lf.url}/api/public/ingestion`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ batch }),
      });
      return { status: r.status, body: await decode(r) };
    },
  };
}

let seq = 0;
/** A unique id per call, so tests never collide inside one server. */
export function uid(prefix: string): string {
  seq += 1;
  return `${prefix}-${process.pid}-${seq}`;
}

/** An ingestion event envelope with a fresh event id and the current time. */
export function event(type: string, body: Record<string, unknown>): Record<string, unknown> {
  return { id: uid('evt'), timestamp: new Date().toISOString(), type, body };
}

/** Polls `probe` every 10 ms until it returns a defined value or `timeoutMs` passes (then throws). */
export async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Fetches a CSRF token and its cookie (`name=value` only). */
export async function csrf(base: string): Promise<{ token: string; cookie: string }> {
  const r = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await r.json()) as { csrfToken: string };
  const cookie = (r.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
  return { token: csrfToken, cookie };
}

/** Posts the NextAuth credentials form (`json=true` unless `json: false`), without following redirects. */
export async function signIn(
  base: string,
  o: { email: string; password: string; json?: boolean; csrf?: { token: string; cookie: string } },
) {
  const c = o.csrf ?? (await csrf(base));
  const form = new URLSearchParams({
    email: o.email,
    password: o.password,
    csrfToken: c.token,
    callbackUrl: `${base}/`,
  });
  if (o.json !== false) form.set('json', 'true');
  return fetch(`${base}/api/auth/callback/credentials`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: c.cookie },
    body: form,
    redirect: 'manual',
  });
}
