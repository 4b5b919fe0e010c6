import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Listening } from '../types.ts';
import { startQdrant } from './index.ts';

// The calls in the order LiteLLM's QdrantSemanticCache makes them (qdrant_semantic_cache.py):
// exists, create, payload index, upsert on a write, filtered search on a lookup.
describe('Qdrant stand-in, as LiteLLM qdrant-semantic uses it', () => {
  let q: Listening;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${q.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as { result: any; status: unknown } };
  };
  beforeAll(async () => {
    q = await startQdrant({ counter: { total: 0, byComponent: {} } });
  });
  afterAll(() => q.close());

  it('creates a collection once and reports it', async () => {
    expect((await call('GET', '/collections/c/exists')).json.result).toEqual({ exists: false });
    expect(
      (
        await call('PUT', '/collections/c', {
          vectors: { size: 3, distance: 'Cosine' },
          quantization_config: { binary: { always_ram: false } },
        })
      ).json.result,
    ).toBe(true);
    expect((await call('GET', '/collections/c/exists')).json.result).toEqual({ exists: true });
    expect((await call('GET', '/collections/c')).json.result.config.params.vectors).toEqual({
      size: 3,
      distance: 'Cosine',
    });
    expect(
      (await call('PUT', '/collections/c/index', { field_name: 'litellm_cache_key', field_schema: 'keyword' })).status,
    ).toBe(200);
  });

  it('searches by cosine within the cache-key filter only', async () => {
    await call('PUT', '/collections/c/points', {
      points: [{ id: 'a', vector: [1, 0, 0], payload: { litellm_cache_key: 'k1', text: 'x', response: 'r1' } }],
    });
    await call('PUT', '/collections/c/points', {
      points: [{ id: 'b', vector: [0, 1, 0], payload: { litellm_cache_key: 'k2', text: 'y', response: 'r2' } }],
    });
    const search = (key: string) =>
      call('POST', '/collections/c/points/search', {
        vector: [2, 0.2, 0],
        limit: 1,
        with_payload: true,
        filter: { must: [{ key: 'litellm_cache_key', match: { value: key } }] },
      });
    const hit = (await search('k1')).json.result;
    expect(hit).toHaveLength(1);
    expect(hit[0].payload.response).toBe('r1');
    expect(hit[0].score).toBeCloseTo(2 / Math.hypot(2, 0.2), 6);
    expect((await search('k2')).json.result[0].score).toBeCloseTo(0.2 / Math.hypot(2, 0.2), 6);
    expect((await search('other')).json.result).toEqual([]);
  });

  it('refuses vectors of the wrong size and unknown collections', async () => {
    expect((await call('PUT', '/collections/c/points', { points: [{ id: 'z', vector: [1, 0] }] })).status).toBe(400);
    expect((await call('POST', '/collections/nope/points/search', { vector: [1, 0, 0] })).status).toBe(404);
  });
});
