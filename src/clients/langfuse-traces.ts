import { z } from 'zod';
import { excerptOf, UnexpectedResponseError } from './errors.ts';
import { LangfuseApiError, langfuseAuth } from './langfuse.ts';
import { jsonOf, send } from './http.ts';

const TraceRow = z.object({
  id: z.string(),
  timestamp: z.string(),
  tags: z.array(z.string()).optional(),
  /** Seconds; -1 when the `metrics` field group was not requested. */
  latency: z.number().optional(),
});
const TraceList = z.object({
  data: z.array(TraceRow),
  meta: z.object({ page: z.number(), limit: z.number(), totalItems: z.number(), totalPages: z.number() }),
});
export type TraceRow = z.infer<typeof TraceRow>;

/**
 * `GET /api/public/traces` (Langfuse v3 v1 list) over raw HTTP with Basic auth. The list is the
 * cheap way to count live traffic per agent (`tags=agent:<name>`, `limit=1`, read
 * `meta.totalItems`) and to read exact per-request latencies (`fields=core,metrics`).
 * `fromTimestamp` is always sent (ISO with offset), because operators can make it mandatory.
 */
export class LangfuseTraceList {
  private readonly auth: string;
  constructor(private readonly o: { url: string; publicKey: string; secretKey: string; timeoutMs: number }) {
    this.auth = langfuseAuth(o);
  }

  private async page(q: {
    from: Date;
    tags?: string;
    page: number;
    limit: number;
    fields: string;
  }): Promise<z.infer<typeof TraceList>> {
    const params = new URLSearchParams({
      fromTimestamp: q.from.toISOString(),
      page: String(q.page),
      limit: String(q.limit),
      fields: q.fields,
      orderBy: 'timestamp.desc',
    });
    if (q.tags) params.set('tags', q.tags);
    const url = `${this.o.url}/api/public/traces?${params}`;
    const res = await send(url, { headers: { authorization: this.auth }, timeoutMs: this.o.timeoutMs });
    if (res.status !== 200) throw new LangfuseApiError(url, res.status, excerptOf(res.text));
    const parsed = TraceList.safeParse(jsonOf(res, 'a trace list'));
    if (!parsed.success)
      throw new UnexpectedResponseError(
        'GET',
        url,
        res.status,
        '{data:[{id,timestamp,latency}],meta:{totalItems}}',
        res.text,
      );
    return parsed.data;
  }

  /** How many traces carry `tag` since `from` (one request: `limit=1`, `meta.totalItems`). */
  async countTagged(tag: string, from: Date): Promise<number> {
    return (await this.page({ from, tags: tag, page: 1, limit: 1, fields: 'core' })).meta.totalItems;
  }

  /**
   * Traces since `from`, newest first, with latency, up to `maxPages` pages of 100. `truncated`
   * says more existed: the caller then works with the most recent ones.
   */
  async since(from: Date, maxPages: number): Promise<{ traces: TraceRow[]; truncated: boolean }> {
    const traces: TraceRow[] = [];
    for (let page = 1; page <= maxPages; page++) {
      const res = await this.page({ from, page, limit: 100, fields: 'core,metrics' });
      traces.push(...res.data);
      if (page >= res.meta.totalPages || res.data.length === 0) return { traces, truncated: false };
    }
    return { traces, truncated: true };
  }
}
