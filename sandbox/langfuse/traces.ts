import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { sendJson } from '../http.ts';
import { authorizeRead } from './auth.ts';
import { sendInvalidQuery, sendNotFound } from './errors.ts';
import { toApiObservation, type ReadContext } from './observations.ts';
import { isoWithOffset, pagination, paginate, queryObject, stringList } from './query.ts';
import { readIo, readMetadata } from './serialization.ts';
import type { ObservationRecord, ScoreRecord, Store, TraceRecord } from './store.ts';

const FIELD_GROUPS = ['core', 'io', 'scores', 'observations', 'metrics'] as const;
type FieldGroup = (typeof FIELD_GROUPS)[number];

// `fields` is a comma list; unknown groups are dropped and no list means every group.
const fields = z
  .string()
  .optional()
  .transform(
    (v): Set<FieldGroup> =>
      v === undefined
        ? new Set(FIELD_GROUPS)
        : new Set(
            ['core', ...v.split(',').map((s) => s.trim())].filter((s): s is FieldGroup =>
              (FIELD_GROUPS as readonly string[]).includes(s),
            ),
          ),
  );

const ORDER_COLUMNS = [
  'id',
  'timestamp',
  'name',
  'userId',
  'release',
  'version',
  'public',
  'bookmarked',
  'sessionId',
] as const;

const listQuery = z.object({
  ...pagination,
  userId: z.string().optional(),
  name: z.string().optional(),
  sessionId: z.string().optional(),
  version: z.string().optional(),
  release: z.string().optional(),
  tags: stringList.optional(),
  environment: stringList.optional(),
  fromTimestamp: isoWithOffset.optional(),
  toTimestamp: isoWithOffset.optional(),
  orderBy: z
    .string()
    .regex(new RegExp(`^(${ORDER_COLUMNS.join('|')})\\.(asc|desc)$`), 'orderBy must be <column>.<asc|desc>')
    .optional(),
  fields,
});

/** Trace latency in seconds: from the earliest observation start to the latest end (or start). */
function latencySeconds(observations: readonly ObservationRecord[]): number {
  if (observations.length === 0) return 0;
  const start = Math.min(...observations.map((o) => o.startTime));
  const end = Math.max(...observations.map((o) => o.endTime ?? o.startTime));
  return (end - start) / 1000;
}

const totalCost = (observations: readonly ObservationRecord[]) =>
  observations.reduce((s, o) => s + Number(o.costDetails.total ?? 0), 0);

function scoreV1(s: ScoreRecord): Record<string, unknown> {
  return {
    id: s.id,
    traceId: s.traceId,
    observationId: s.observationId,
    name: s.name,
    source: 'API',
    dataType: s.dataType,
    value: s.value,
    ...(s.dataType === 'NUMERIC' ? {} : { stringValue: s.stringValue }),
    timestamp: new Date(s.timestamp).toISOString(),
    createdAt: new Date(s.createdAt).toISOString(),
    updatedAt: new Date(s.updatedAt).toISOString(),
    authorUserId: null,
    comment: s.comment,
    metadata: readMetadata(s.metadata),
    configId: s.configId,
    queueId: null,
    environment: s.environment,
  };
}

/** The trace fields list and get share; `observations`, `scores` and metrics are added per route. */
function traceCore(t: TraceRecord, c: ReadContext, groups: ReadonlySet<FieldGroup>): Record<string, unknown> {
  const io = groups.has('io');
  return {
    id: t.id,
    externalId: null,
    timestamp: new Date(t.timestamp).toISOString(),
    name: t.name,
    userId: t.userId,
    metadata: io ? readMetadata(t.metadata) : {},
    release: t.release,
    version: t.version,
    projectId: c.projectId,
    environment: t.environment,
    public: t.public,
    bookmarked: t.bookmarked,
    tags: t.tags,
    input: io ? readIo(t.input) : null,
    output: io ? readIo(t.output) : null,
    sessionId: t.sessionId,
    createdAt: new Date(t.createdAt).toISOString(),
    updatedAt: new Date(t.updatedAt).toISOString(),
    htmlPath: `/project/${c.projectId}/traces/${t.id}`,
  };
}

function compare(a: TraceRecord, b: TraceRecord, column: (typeof ORDER_COLUMNS)[number]): number {
  const x = a[column];
  const y = b[column];
  if (x === y) return 0;
  if (x === null) return -1;
  if (y === null) return 1;
  return x < y ? -1 : 1;
}

function filterTraces(store: Store, f: z.infer<typeof listQuery>): TraceRecord[] {
  const from = f.fromTimestamp ? Date.parse(f.fromTimestamp) : undefined;
  const to = f.toTimestamp ? Date.parse(f.toTimestamp) : undefined;
  const [column, direction] = (f.orderBy ?? 'timestamp.desc').split('.') as [(typeof ORDER_COLUMNS)[number], string];
  return [...store.traces.values()]
    .filter(
      (t) =>
        (f.userId === undefined || t.userId === f.userId) &&
        (f.name === undefined || t.name === f.name) &&
        (f.sessionId === undefined || t.sessionId === f.sessionId) &&
        (f.version === undefined || t.version === f.version) &&
        (f.release === undefined || t.release === f.release) &&
        (f.tags === undefined || f.tags.every((tag) => t.tags.includes(tag))) &&
        (f.environment === undefined || f.environment.includes(t.environment)) &&
        (from === undefined || t.timestamp >= from) &&
        (to === undefined || t.timestamp < to),
    )
    .sort((a, b) => (direction === 'asc' ? 1 : -1) * compare(a, b, column));
}

/**
 * `GET /api/public/traces`: exact-match filters, `tags` all-of (one value split on commas),
 * `fromTimestamp` inclusive and `toTimestamp` exclusive (both ISO with offset), `orderBy`
 * `<col>.<dir>` (default newest first). `observations`/`scores` are ID arrays here.
 */
export function handleTraceList(req: IncomingMessage, res: ServerResponse, url: URL, c: ReadContext): void {
  if (!authorizeRead(req, res, c.keys)) return;
  const q = listQuery.safeParse(queryObject(url));
  if (!q.success) return sendInvalidQuery(res, q.error.issues);
  c.store.processDue();
  const groups = q.data.fields;
  const page = paginate(filterTraces(c.store, q.data), q.data.page, q.data.limit);
  const data = page.data.map((t) => {
    const observations = c.store.observationsOf(t.id);
    const metrics = groups.has('metrics');
    return {
      ...traceCore(t, c, groups),
      observations: groups.has('observations') ? observations.map((o) => o.id) : [],
      scores: groups.has('scores') ? c.store.scoresOf(t.id).map((s) => s.id) : [],
      totalCost: metrics ? totalCost(observations) : -1,
      latency: metrics ? latencySeconds(observations) : -1,
    };
  });
  sendJson(res, 200, { data, meta: page.meta });
}

/**
 * `GET /api/public/traces/{id}`: 404 `LangfuseNotFoundError` until the trace job has been
 * processed; then the trace with full observation objects and `ScoreV1` scores. A trace can
 * be readable before its observations are, exactly as with separate queue jobs in v3.
 */
export function handleTraceGet(req: IncomingMessage, res: ServerResponse, id: string, url: URL, c: ReadContext): void {
  if (!authorizeRead(req, res, c.keys)) return;
  const q = z.object({ fields }).safeParse(queryObject(url));
  if (!q.success) return sendInvalidQuery(res, q.error.issues);
  c.store.processDue();
  const t = c.store.traces.get(id);
  if (!t) return sendNotFound(res, `Trace ${id} not found within authorized project`);
  const groups = q.data.fields;
  const observations = c.store.observationsOf(id);
  const metrics = groups.has('metrics');
  sendJson(res, 200, {
    ...traceCore(t, c, groups),
    scores: groups.has('scores') ? c.store.scoresOf(id).map(scoreV1) : [],
    latency: metrics ? latencySeconds(observations) : -1,
    observations: groups.has('observations') ? observations.map((o) => toApiObservation(o, c.projectId)) : [],
    totalCost: metrics ? totalCost(observations) : -1,
  });
}
