import { listen, readJson, sendJson } from '../http.ts';
import type { Listening, RequestCounter } from '../types.ts';

/**
 * A Qdrant stand-in with exactly the REST calls LiteLLM's `qdrant-semantic` cache makes
 * (`litellm/caching/qdrant_semantic_cache.py`, 1.103.10): `GET /collections/{c}/exists`,
 * `GET`/`PUT /collections/{c}`, `PUT /collections/{c}/index` (the payload index on the cache
 * key), `PUT /collections/{c}/points` and `POST /collections/{c}/points/search`. It lets the
 * real proxy run its own semantic-cache logic on loopback: the embedding, the scope filter and
 * the threshold stay LiteLLM's, only the vector store is ours. Search is exact cosine (the real
 * server's quantisation with `rescore: true` ranks the same way); the `filter` understands the
 * one shape LiteLLM sends, `must: [{ key, match: { value } }]`.
 */
export async function startQdrant(o: { counter: RequestCounter }): Promise<Listening> {
  const collections = new Map<string, Collection>();
  const server = await listen('qdrant', o.counter, async (req, res, url) => {
    const m = /^\/collections\/([^/]+)(\/exists|\/index|\/points|\/points\/search)?$/.exec(url.pathname);
    if (!m) return sendJson(res, 404, { status: { error: `Not found: ${url.pathname}` }, time: 0 });
    const name = decodeURIComponent(m[1]!);
    const sub = m[2] ?? '';
    const found = collections.get(name);
    const ok = (result: unknown): void => sendJson(res, 200, { result, status: 'ok', time: 0.0001 });
    const missing = (): void =>
      sendJson(res, 404, { status: { error: `Not found: Collection \`${name}\` doesn't exist!` }, time: 0 });

    if (sub === '/exists' && req.method === 'GET') return ok({ exists: found !== undefined });
    if (sub === '' && req.method === 'GET') return found ? ok(collectionInfo(found)) : missing();
    if (sub === '' && req.method === 'PUT') {
      const body = (await readJson(req)) as { vectors?: { size?: number; distance?: string } } | undefined;
      const size = body?.vectors?.size;
      if (typeof size !== 'number' || size <= 0)
        return sendJson(res, 400, { status: { error: 'Bad request: vectors.size is required' }, time: 0 });
      if (!found) collections.set(name, { size, points: new Map() });
      return ok(true);
    }
    if (!found) return missing();
    if (sub === '/index' && req.method === 'PUT') return ok({ operation_id: 0, status: 'acknowledged' });
    if (sub === '/points' && req.method === 'PUT') {
      const body = (await readJson(req)) as { points?: PointIn[] } | undefined;
      for (const p of body?.points ?? []) {
        if (!Array.isArray(p.vector) || p.vector.length !== found.size) {
          return sendJson(res, 400, {
            status: {
              error: `Wrong input: Vector dimension error: expected dim: ${found.size}, got ${Array.isArray(p.vector) ? p.vector.length : 0}`,
            },
            time: 0,
          });
        }
        found.points.set(String(p.id), { vector: normalise(p.vector), payload: p.payload ?? {} });
      }
      return ok({ operation_id: found.points.size, status: 'acknowledged' });
    }
    if (sub === '/points/search' && req.method === 'POST') {
      const body = (await readJson(req)) as SearchIn | undefined;
      if (!body || !Array.isArray(body.vector))
        return sendJson(res, 400, { status: { error: 'Bad request: vector is required' }, time: 0 });
      const q = normalise(body.vector);
      const must = body.filter?.must ?? [];
      const hits = [...found.points.entries()]
        .filter(([, p]) => must.every((c) => String(p.payload[c.key]) === String(c.match?.value)))
        .map(([id, p]) => ({
          id,
          version: 0,
          score: dot(q, p.vector),
          payload: body.with_payload ? p.payload : undefined,
        }))
        .sort((a, b) => b.score - a.score)
        .slice(0, body.limit ?? 10);
      return ok(hits);
    }
    sendJson(res, 405, { status: { error: 'Method Not Allowed' }, time: 0 });
  });
  return { url: server.url, close: server.close };
}

interface Collection {
  readonly size: number;
  readonly points: Map<string, { vector: number[]; payload: Record<string, unknown> }>;
}
interface PointIn {
  id?: unknown;
  vector?: number[];
  payload?: Record<string, unknown>;
}
interface SearchIn {
  vector?: number[];
  limit?: number;
  with_payload?: boolean;
  filter?: { must?: { key: string; match?: { value?: unknown } }[] };
}

function collectionInfo(c: Collection): unknown {
  return {
    status: 'green',
    optimizer_status: 'ok',
    points_count: c.points.size,
    indexed_vectors_count: 0,
    segments_count: 1,
    config: { params: { vectors: { size: c.size, distance: 'Cosine' } } },
    payload_schema: { litellm_cache_key: { data_type: 'keyword', points: c.points.size } },
  };
}

function normalise(v: readonly number[]): number[] {
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / n);
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
}
