import { z } from 'zod';
import { excerptOf, UnexpectedResponseError } from './errors.ts';
import { jsonOf, send } from './http.ts';
import { LangfuseApiError, langfuseAuth } from './langfuse.ts';

const GenerationRow = z.object({
  id: z.string(),
  traceId: z.string().nullable().optional(),
  type: z.string(),
  name: z.string().nullable().optional(),
  model: z.string().nullable().optional(),
  level: z.string().optional(),
  statusMessage: z.string().nullable().optional(),
  metadata: z.unknown().optional(),
  startTime: z.string(),
  endTime: z.string().nullable().optional(),
});
const GenerationList = z.object({
  data: z.array(GenerationRow),
  meta: z.object({ page: z.number(), limit: z.number(), totalItems: z.number(), totalPages: z.number() }),
});
export type GenerationRow = z.infer<typeof GenerationRow>;

/**
 * `GET /api/public/observations?type=GENERATION` (Langfuse v3 v1 list) over raw HTTP with Basic
 * auth: what each request of live traffic came to (its level, status message and LiteLLM's
 * `cache_hit`), read in pages of 100 by start time. The watch joins these to the trace list's
 * tags and latencies when it takes traffic from Langfuse.
 */
export class LangfuseGenerationList {
  private readonly auth: string;
  constructor(private readonly o: { url: string; publicKey: string; secretKey: string; timeoutMs: number }) {
    this.auth = langfuseAuth(o);
  }

  /** Generations started since `from`, newest first, up to `maxPages` pages; `truncated` says more existed. */
  async since(from: Date, maxPages: number): Promise<{ generations: GenerationRow[]; truncated: boolean }> {
    const generations: GenerationRow[] = [];
    for (let page = 1; page <= maxPages; page++) {
      const params = new URLSearchParams({
        type: 'GENERATION',
        fromStartTime: from.toISOString(),
        page: String(page),
        limit: '100',
      });
      const url = `${this.o.url}/api/public/observations?${params}`;
      const res = await send(url, { headers: { authorization: this.auth }, timeoutMs: this.o.timeoutMs });
      if (res.status !== 200) throw new LangfuseApiError(url, res.status, excerptOf(res.text));
      const parsed = GenerationList.safeParse(jsonOf(res, 'an observation list'));
      if (!parsed.success)
        throw new UnexpectedResponseError(
          'GET',
          url,
          res.status,
          '{data:[{id,traceId,type,level,startTime}],meta:{totalPages}}',
          res.text,
        );
      generations.push(...parsed.data.data);
      if (page >= parsed.data.meta.totalPages || parsed.data.data.length === 0)
        return { generations, truncated: false };
    }
    return { generations, truncated: true };
  }
}
