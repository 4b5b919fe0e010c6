import { LangfuseClient } from '@langfuse/client';
import { z } from 'zod';
import { CutoverHttpError, EndpointUnreachableError, UnexpectedResponseError } from './errors.ts';
import { jsonOf, send } from './http.ts';

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
  totalCost?: number;
  observations: LangfuseObservation[];
}

/** Langfuse answered with an error status a retry cannot fix (401, 403, or a 404 that is not "not ingested yet"). */
export class LangfuseApiError extends CutoverHttpError {
  readonly status: number;
  constructor(url: string, status: number, body: unknown) {
    super('GET', url, `HTTP ${status}: ${JSON.stringify(body ?? null).slice(0, 300)}`);
    this.status = status;
  }
}

const Health = z.object({ status: z.string(), version: z.string() });

/**
 * Reads from Langfuse v3. Traces and observations go through `@langfuse/client` v5 (its v1
 * "legacy" routes; the v2 routes 404 on v3 servers). Every SDK call passes its own timeout and
 * `maxRetries: 0`: the SDK's defaults (60 s, two retries) would blow the poll deadlines, and our
 * poll loop is the retry policy.
 */
export class LangfuseReader {
  private readonly client: LangfuseClient;
  constructor(private readonly o: { url: string; publicKey: string; secretKey: string; timeoutMs: number }) {
    this.client = new LangfuseClient({ baseUrl: o.url, publicKey: o.publicKey, secretKey: o.secretKey });
  }

  /** The UI link for a trace, preferring the server's own `htmlPath`. */
  traceUrl(traceId: string, htmlPath?: string): string {
    return `${this.o.url}${htmlPath ?? `/trace/${traceId}`}`;
  }

  /** `GET /api/public/health` (no auth): status and server version. */
  async health(): Promise<z.infer<typeof Health>> {
    const url = `${this.o.url}/api/public/health`;
    const res = await send(url, { timeoutMs: this.o.timeoutMs });
    const parsed = Health.safeParse(jsonOf(res, 'a health body'));
    if (res.status !== 200 || !parsed.success) throw new UnexpectedResponseError('GET', url, res.status, '200 {"status","version"}', res.text);
    return parsed.data;
  }

  /**
   * One read of a trace by id. Returns `undefined` while Langfuse answers 404 (not ingested yet);
   * throws `LangfuseApiError` for other error statuses and `EndpointUnreachableError` when the
   * call fails in transport or times out.
   */
  async trace(traceId: string): Promise<LangfuseTrace | undefined> {
    const url = `${this.o.url}/api/public/traces/${traceId}`;
    try {
      const t = await this.client.api.trace.get(traceId, undefined, { timeoutInSeconds: this.o.timeoutMs / 1000, maxRetries: 0 });
      return t as unknown as LangfuseTrace;
    } catch (err) {
      const e = err as { statusCode?: number; body?: unknown; name?: string };
      if (e.statusCode === 404 && !isEventsOnly(e.body)) return undefined;
      if (typeof e.statusCode === 'number') throw new LangfuseApiError(url, e.statusCode, e.body);
      throw new EndpointUnreachableError('GET', url, err);
    }
  }
}

/** A v4 `events_only` deployment answers 404 on every legacy read; that 404 will never turn into data. */
function isEventsOnly(body: unknown): boolean {
  return JSON.stringify(body ?? '').includes('events_only');
}

/** Errors for which polling again cannot help: auth and permission problems, and v4 events_only. */
export function isFatalLangfuseError(err: unknown): boolean {
  return err instanceof LangfuseApiError && err.status >= 400 && err.status < 500;
}
