import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { sendJson } from '../http.ts';
import { authorizeRead } from './auth.ts';
import { sendInvalidQuery } from './errors.ts';
import type { ReadContext } from './observations.ts';
import { isoWithOffset, pagination, paginate, queryObject, stringList } from './query.ts';

const dailyQuery = z.object({
  ...pagination,
  traceName: z.string().optional(),
  userId: z.string().optional(),
  tags: stringList.optional(),
  environment: stringList.optional(),
  fromTimestamp: isoWithOffset.optional(),
  toTimestamp: isoWithOffset.optional(),
});

interface ModelUsage {
  model: string | null;
  inputUsage: number;
  outputUsage: number;
  totalUsage: number;
  countObservations: number;
  countTraces: number;
  totalCost: number;
}

/**
 * `GET /api/public/metrics/daily`: one row per UTC day of trace timestamp, newest first, with
 * trace and observation counts, total cost and per-model usage (`usage[].model` is the model
 * name the client sent). Filters by trace name, user, tags (all-of), environment and window.
 */
export function handleDailyMetrics(req: IncomingMessage, res: ServerResponse, url: URL, c: ReadContext): void {
  if (!authorizeRead(req, res, c.keys)) return;
  const q = dailyQuery.safeParse(queryObject(url));
  if (!q.success) return sendInvalidQuery(res, q.error.issues);
  const f = q.data;
  c.store.processDue();
  const from = f.fromTimestamp ? Date.parse(f.fromTimestamp) : undefined;
  const to = f.toTimestamp ? Date.parse(f.toTimestamp) : undefined;
  const days = new Map<
    string,
    { traces: number; observations: number; cost: number; models: Map<string, ModelUsage & { traceIds: Set<string> }> }
  >();
  for (const t of c.store.traces.values()) {
    if (f.traceName !== undefined && t.name !== f.traceName) continue;
    if (f.userId !== undefined && t.userId !== f.userId) continue;
    if (f.tags !== undefined && !f.tags.every((tag) => t.tags.includes(tag))) continue;
    if (f.environment !== undefined && !f.environment.includes(t.environment)) continue;
    if ((from !== undefined && t.timestamp < from) || (to !== undefined && t.timestamp >= to)) continue;
    const date = new Date(t.timestamp).toISOString().slice(0, 10);
    const day = days.get(date) ?? { traces: 0, observations: 0, cost: 0, models: new Map() };
    days.set(date, day);
    day.traces += 1;
    for (const o of c.store.observationsOf(t.id)) {
      const cost = Number(o.costDetails.total ?? 0);
      day.observations += 1;
      day.cost += cost;
      if (o.type !== 'GENERATION') continue;
      const key = o.model ?? '';
      const m = day.models.get(key) ?? {
        model: o.model,
        inputUsage: 0,
        outputUsage: 0,
        totalUsage: 0,
        countObservations: 0,
        countTraces: 0,
        totalCost: 0,
        traceIds: new Set<string>(),
      };
      day.models.set(key, m);
      m.inputUsage += o.usageDetails.input ?? 0;
      m.outputUsage += o.usageDetails.output ?? 0;
      m.totalUsage += o.usageDetails.total ?? 0;
      m.countObservations += 1;
      m.traceIds.add(t.id);
      m.countTraces = m.traceIds.size;
      m.totalCost += cost;
    }
  }
  const rows = [...days.entries()]
    .sort(([a], [b]) => (a < b ? 1 : -1))
    .map(([date, d]) => ({
      date,
      countTraces: d.traces,
      countObservations: d.observations,
      totalCost: d.cost,
      usage: [...d.models.values()].map(({ traceIds: _ids, ...usage }) => usage),
    }));
  const page = paginate(rows, f.page, f.limit);
  sendJson(res, 200, page);
}

/**
 * `GET /api/public/v2/observations` and `/api/public/v2/metrics`: v3 ships them but answers
 * 404 unless `LANGFUSE_MIGRATION_V4_ALLOW_PREVIEW_OPT_IN=true` (the SDK v5's non-legacy
 * methods call these, which is the pitfall the suite must avoid).
 */
export function handleV2NotAvailable(
  req: IncomingMessage,
  res: ServerResponse,
  api: 'observations' | 'metrics',
  c: ReadContext,
): void {
  if (!authorizeRead(req, res, c.keys)) return;
  sendJson(res, 404, {
    message: `The ${api} v2 API is only available in a Langfuse v4 write mode. Learn more at: https://langfuse.com/docs/v4`,
    error: 'LangfuseNotFoundError',
  });
}
