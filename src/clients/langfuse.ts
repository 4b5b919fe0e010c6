import { z } from 'zod';
import { CutoverHttpError, excerptOf, UnexpectedResponseError } from './errors.ts';
import { BodyTooLargeError, jsonOf, send } from './http.ts';

/** A Langfuse observation as the v1 read API returns it; only the fields the checks read. */
export interface LangfuseObservation {
  id: string;
  type: string;
  name?: string | null;
  model?: string | null;
  level?: string;
  statusMessage?: string | null;
  metadata?: unknown;
  calculatedTotalCost?: number | null;
  costDetails?: Record<string, number>;
  usageDetails?: Record<string, number>;
}

/** `GET /api/public/traces/{id}`: the trace with full observation objects. */
export interface LangfuseTrace {
  id: string;
  name?: string | null;
  sessionId?: string | null;
  tags?: string[];
  htmlPath?: string;
  totalCost?: number | null;
  observations: LangfuseObservation[];
}

/** The `Authorization` header of Langfuse's public API: Basic with the project's key pair. */
export function langfuseAuth(o: { readonly publicKey: string; readonly secretKey: string }): string {
  return `Basic ${Buffer.from(`${o.publicKey}:${o.secretKey}`).toString('base64')}`;
}

/** Langfuse answered with an error status a retry cannot fix (401, 403, or a 404 that is not "not ingested yet"). */
export class LangfuseApiError extends CutoverHttpError {
  readonly status: number;
  constructor(url: string, status: number, body: unknown) {
    super('GET', url, `HTTP ${status}: ${excerptOf(JSON.stringify(body ?? null))}`);
    this.status = status;
  }
}

/**
 * The cap of one trace read. A trace of the suite's own requests is a few hundred KB (the
 * longest, §5.2's escalation prompt, holds its input twice); a production trace can be
 * hundreds of MB, and two of those read whole took a run to 1.74 GB (commit 966ae79).
 */
export const TRACE_MAX_BYTES = 16 * 1024 * 1024;

const Health = z.object({ status: z.string(), version: z.string() });

// The OpenAPI contract's TraceWithFullDetails/ObservationsView for the fields the checks read;
// loose, so every other field the server sends is handed on as it came.
const Observation = z.looseObject({
  id: z.string(),
  type: z.string(),
  name: z.string().nullish(),
  model: z.string().nullish(),
  level: z.string().optional(),
  statusMessage: z.string().nullish(),
  metadata: z.unknown().optional(),
  calculatedTotalCost: z.number().nullish(),
  costDetails: z.record(z.string(), z.number()).optional(),
  usageDetails: z.record(z.string(), z.number()).optional(),
});
const Trace = z.looseObject({
  id: z.string(),
  name: z.string().nullish(),
  sessionId: z.string().nullish(),
  tags: z.array(z.string()).optional(),
  htmlPath: z.string().optional(),
  totalCost: z.number().nullish(),
  observations: z.array(Observation),
});

/**
 * Langfuse's own trace page path, `/project/<id>/traces/<id>` with an optional query
 * (`?timestamp=…`): one leading slash and no character that could start another host.
 */
const HTML_PATH = /^\/project\/[A-Za-z0-9._~%-]+\/traces\/[A-Za-z0-9._~%-]+(?:\?[A-Za-z0-9._~%=&:+-]*)?$/;

/**
 * Reads from Langfuse v3 over raw HTTP with Basic auth (the v1 "legacy" routes; the v2 routes
 * 404 on v3 servers). Every read is bounded in time (`timeoutMs`, no retry: our poll loop is
 * the retry policy) and in size: a trace read stops at `maxTraceBytes` (default
 * `TRACE_MAX_BYTES`), every other at `send`'s default cap.
 */
export class LangfuseReader {
  private readonly auth: string;
  private readonly origin: string;
  private readonly maxTraceBytes: number;
  constructor(
    private readonly o: {
      url: string;
      publicKey: string;
      secretKey: string;
      timeoutMs: number;
      maxTraceBytes?: number;
    },
  ) {
    this.auth = langfuseAuth(o);
    this.origin = new URL(o.url).origin;
    this.maxTraceBytes = o.maxTraceBytes ?? TRACE_MAX_BYTES;
  }

  /**
   * The UI link for a trace, always on LANGFUSE_URL's origin. The server's `htmlPath` is used
   * only when it is Langfuse's own absolute path (`/project/<id>/traces/<id>`): anything else
   * (`.evil.example/…`, `@evil.example/…`, `//evil.example/…`, a full URL) would turn the link
   * into one to another host, and falls back to `/trace/<id>`, which Langfuse redirects.
   */
  traceUrl(traceId: string, htmlPath?: string): string {
    const path =
      htmlPath !== undefined && HTML_PATH.test(htmlPath) ? htmlPath : `/trace/${encodeURIComponent(traceId)}`;
    return new URL(path, this.origin).href;
  }

  /** `GET /api/public/health` (no auth): status and server version. */
  async health(): Promise<z.infer<typeof Health>> {
    const url = `${this.o.url}/api/public/health`;
    const res = await send(url, { timeoutMs: this.o.timeoutMs });
    const parsed = Health.safeParse(jsonOf(res, 'a health body'));
    if (res.status !== 200 || !parsed.success)
      throw new UnexpectedResponseError('GET', url, res.status, '200 {"status","version"}', res.text);
    return parsed.data;
  }

  /**
   * One read of a trace by id. Returns `undefined` while Langfuse answers 404 (not ingested yet);
   * throws `LangfuseApiError` for other error statuses, `BodyTooLargeError` for a body over
   * `maxTraceBytes` (named in the message), `UnexpectedResponseError` for a body that is not a
   * trace, and `EndpointUnreachableError` when the call fails in transport or times out.
   */
  async trace(traceId: string): Promise<LangfuseTrace | undefined> {
    const url = `${this.o.url}/api/public/traces/${encodeURIComponent(traceId)}`;
    const res = await send(url, {
      headers: { authorization: this.auth, accept: 'application/json' },
      timeoutMs: this.o.timeoutMs,
      maxBodyBytes: this.maxTraceBytes,
    });
    if (res.status === 404 && !isEventsOnly(res.text)) return undefined;
    if (res.status !== 200) throw new LangfuseApiError(url, res.status, bodyOf(res.text));
    const expected = 'a trace {id, observations: [{id, type, …}]}';
    const parsed = Trace.safeParse(jsonOf(res, expected));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UnexpectedResponseError(
        'GET',
        url,
        res.status,
        `${expected} (${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid'})`,
        res.text,
      );
    }
    const trace: LangfuseTrace = parsed.data;
    return trace;
  }
}

/** An error body as JSON when it is JSON, else its text. */
function bodyOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A v4 `events_only` deployment answers 404 on every legacy read; that 404 will never turn into data. */
function isEventsOnly(body: string): boolean {
  return body.includes('events_only');
}

/**
 * Errors for which polling again cannot help: auth and permission problems, v4 events_only,
 * and a trace over the read's cap (it will not shrink, and each retry would download the cap
 * again).
 */
export function isFatalLangfuseError(err: unknown): boolean {
  return (err instanceof LangfuseApiError && err.status >= 400 && err.status < 500) || err instanceof BodyTooLargeError;
}
