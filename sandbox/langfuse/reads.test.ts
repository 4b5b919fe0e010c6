import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, startTestLangfuse, uid, until, type TestLangfuse } from './testing.ts';

let t: TestLangfuse;
beforeAll(async () => {
  t = await startTestLangfuse();
});
afterAll(() => t.lf.close());

/** Ingests and waits until every listed trace is readable. */
async function ingestAndWait(batch: Record<string, unknown>[], traceIds: string[]): Promise<void> {
  const r = await t.ingest(batch);
  expect(r.body.errors).toEqual([]);
  for (const id of traceIds)
    await until(async () => ((await t.get(`/api/public/traces/${id}`)).status === 200 ? true : undefined));
}

describe('stored values', () => {
  it('round-trips metadata and io through string storage, parsing JSON back', async () => {
    const traceId = uid('tr');
    await ingestAndWait(
      [
        event('trace-create', {
          id: traceId,
          input: '42',
          output: { a: 1 },
          metadata: { flag: 'true', n: '42', text: 'hello', obj: { x: 1 }, b: false },
        }),
      ],
      [traceId],
    );
    const { body } = await t.get(`/api/public/traces/${traceId}`);
    expect(body.metadata).toEqual({ flag: true, n: 42, text: 'hello', obj: { x: 1 }, b: false });
    expect(body.input).toBe(42);
    expect(body.output).toEqual({ a: 1 });
  });

  it('wraps non-object metadata as {metadata: …}', async () => {
    const traceId = uid('tr');
    await ingestAndWait([event('trace-create', { id: traceId, metadata: 'plain' })], [traceId]);
    expect((await t.get(`/api/public/traces/${traceId}`)).body.metadata).toEqual({ metadata: 'plain' });
  });

  it('upserts trace-create: later events merge into the trace', async () => {
    const traceId = uid('tr');
    await ingestAndWait(
      [event('trace-create', { id: traceId, name: 'first', tags: ['a'], metadata: { k1: 'v1' } })],
      [traceId],
    );
    await t.ingest([
      event('trace-create', {
        id: traceId,
        userId: 'u9',
        tags: ['b'],
        metadata: { k2: 'v2' },
        environment: 'LangfuseProd',
      }),
    ]);
    const merged = await until(async () => {
      const r = await t.get(`/api/public/traces/${traceId}`);
      return r.body.userId === 'u9' ? r.body : undefined;
    });
    expect(merged).toMatchObject({
      name: 'first',
      userId: 'u9',
      tags: ['a', 'b'],
      metadata: { k1: 'v1', k2: 'v2' },
      environment: 'prod',
    });
  });

  it('applies generation-update to the generation created earlier', async () => {
    const traceId = uid('tr');
    const genId = uid('gen');
    await ingestAndWait(
      [
        event('trace-create', { id: traceId }),
        event('generation-update', { id: genId, traceId, output: 'done', level: 'ERROR', statusMessage: 'boom' }),
        event('generation-create', { id: genId, traceId, name: 'gen', model: 'custom-model' }),
      ],
      [traceId],
    );
    const { body } = await t.get(`/api/public/observations/${genId}`);
    expect(body).toMatchObject({
      name: 'gen',
      output: 'done',
      level: 'ERROR',
      statusMessage: 'boom',
      type: 'GENERATION',
    });
  });
});

describe('usage and cost', () => {
  async function generation(body: Record<string, unknown>) {
    const traceId = uid('tr');
    const id = uid('gen');
    await ingestAndWait(
      [event('trace-create', { id: traceId }), event('generation-create', { id, traceId, ...body })],
      [traceId],
    );
    return (await t.get(`/api/public/observations/${id}`)).body;
  }

  it('takes provided costs from the Langfuse usage form', async () => {
    const o = await generation({
      model: 'gpt-4o',
      usage: { input: 100, output: 50, inputCost: 0.01, outputCost: 0.02 },
    });
    expect(o.usageDetails).toEqual({ input: 100, output: 50, total: 150 });
    expect(o.costDetails).toEqual({ input: 0.01, output: 0.02, total: 0.03 });
    expect(o).toMatchObject({ calculatedInputCost: 0.01, calculatedOutputCost: 0.02, calculatedTotalCost: 0.03 });
  });

  it('drops costs from the OpenAI usage form and prices known models itself', async () => {
    const o = await generation({
      model: 'gpt-4o-mini',
      usage: { promptTokens: 1000, completionTokens: 1000, totalTokens: 2000 },
    });
    expect(o.usageDetails).toEqual({ input: 1000, output: 1000, total: 2000 });
    expect(o.costDetails.total).toBeCloseTo(0.00075, 10);
    expect(o.modelId).not.toBeNull();
  });

  it('reports calculatedTotalCost 0 (not null) for an unknown model without cost', async () => {
    const o = await generation({ model: 'my-private-model', usage: { input: 5, output: 5 } });
    expect(o.costDetails).toEqual({});
    expect(o.calculatedTotalCost).toBe(0);
    expect(o.modelId).toBeNull();
  });

  it('sums usageDetails into total and splits the raw OpenAI form', async () => {
    const plain = await generation({ usageDetails: { input: 3, output: 4, cache_read_input_tokens: 2 } });
    expect(plain.usageDetails).toEqual({ input: 3, output: 4, cache_read_input_tokens: 2, total: 9 });
    expect(plain.usage).toEqual({ unit: 'TOKENS', input: 3, output: 4, total: 9 });
    const openai = await generation({
      usageDetails: {
        prompt_tokens: 10,
        completion_tokens: 5,
        total_tokens: 15,
        prompt_tokens_details: { cached_tokens: 4 },
      },
    });
    expect(openai.usageDetails).toEqual({ input: 6, input_cached_tokens: 4, output: 5, total: 15 });
    expect(openai.promptTokens).toBe(10);
  });

  it('lets costDetails win over usage costs', async () => {
    const o = await generation({ usage: { input: 1, output: 1, totalCost: 9 }, costDetails: { total: 0.5 } });
    expect(o.calculatedTotalCost).toBe(0.5);
  });
});

describe('GET /api/public/traces', () => {
  const run = uid('run');
  const ids = { a: uid('tr'), b: uid('tr'), c: uid('tr') };
  beforeAll(async () => {
    await ingestAndWait(
      [
        event('trace-create', {
          id: ids.a,
          name: run,
          userId: 'alice',
          sessionId: 's1',
          tags: ['x', 'y'],
          timestamp: '2026-03-01T10:00:00.000Z',
        }),
        event('trace-create', {
          id: ids.b,
          name: run,
          userId: 'bob',
          tags: ['x'],
          timestamp: '2026-03-01T11:00:00.000Z',
        }),
        event('trace-create', {
          id: ids.c,
          name: run,
          userId: 'alice',
          tags: ['y'],
          timestamp: '2026-03-01T12:00:00.000Z',
        }),
        event('span-create', {
          id: uid('sp'),
          traceId: ids.a,
          startTime: '2026-03-01T10:00:00.000Z',
          endTime: '2026-03-01T10:00:02.000Z',
        }),
      ],
      Object.values(ids),
    );
  });
  const list = async (qs: string) => t.get(`/api/public/traces?name=${run}&${qs}`);

  it('orders newest first with id arrays and meta', async () => {
    const r = await list('');
    expect(r.body.data.map((x: { id: string }) => x.id)).toEqual([ids.c, ids.b, ids.a]);
    expect(r.body.meta).toEqual({ page: 1, limit: 50, totalItems: 3, totalPages: 1 });
    const a = r.body.data[2];
    expect(a.observations).toEqual([expect.any(String)]);
    expect(a.scores).toEqual([]);
    expect(a.latency).toBe(2);
  });

  it('filters by userId, sessionId and tags (all-of, comma split)', async () => {
    expect((await list('userId=alice')).body.meta.totalItems).toBe(2);
    expect((await list('sessionId=s1')).body.data.map((x: { id: string }) => x.id)).toEqual([ids.a]);
    expect((await list('tags=x,y')).body.data.map((x: { id: string }) => x.id)).toEqual([ids.a]);
    expect((await list('tags=x&tags=y')).body.data.map((x: { id: string }) => x.id)).toEqual([ids.a]);
    expect((await list('tags=x')).body.meta.totalItems).toBe(2);
  });

  it('treats fromTimestamp as inclusive and toTimestamp as exclusive', async () => {
    const r = await list('fromTimestamp=2026-03-01T11:00:00Z&toTimestamp=2026-03-01T12:00:00Z');
    expect(r.body.data.map((x: { id: string }) => x.id)).toEqual([ids.b]);
  });

  it('rejects timestamps without offset and limit over 100 with 400', async () => {
    for (const qs of [
      'fromTimestamp=2026-03-01',
      'toTimestamp=2026-03-01T12:00:00',
      'limit=101',
      'limit=0',
      'page=0',
      'orderBy=cost.asc',
    ]) {
      const r = await list(qs);
      expect(r.status, qs).toBe(400);
      expect(r.body).toMatchObject({
        message: 'Invalid request data',
        error: [expect.objectContaining({ message: expect.any(String) })],
      });
    }
  });

  it('paginates and honours orderBy', async () => {
    const r = await list('orderBy=timestamp.asc&limit=2&page=2');
    expect(r.body.data.map((x: { id: string }) => x.id)).toEqual([ids.c]);
    expect(r.body.meta).toEqual({ page: 2, limit: 2, totalItems: 3, totalPages: 2 });
    const byUser = await list('orderBy=userId.desc');
    expect(byUser.body.data[0].userId).toBe('bob');
  });
});

describe('GET /api/public/observations and metrics/daily', () => {
  const traceId = uid('tr');
  const ids = { gen: uid('gen'), err: uid('gen'), span: uid('sp') };
  beforeAll(async () => {
    await ingestAndWait(
      [
        event('trace-create', {
          id: traceId,
          name: 'daily',
          userId: 'carol',
          timestamp: '2026-02-02T23:30:00.000Z',
          tags: ['daily'],
        }),
        event('generation-create', {
          id: ids.gen,
          traceId,
          name: 'g',
          model: 'm1',
          startTime: '2026-02-02T23:30:00.000Z',
          usage: { input: 10, output: 5, totalCost: 0.1 },
        }),
        event('generation-create', {
          id: ids.err,
          traceId,
          name: 'g',
          model: 'm1',
          startTime: '2026-02-02T23:31:00.000Z',
          level: 'ERROR',
          statusMessage: 'rate limited',
          output: 'rate limited',
        }),
        event('span-create', { id: ids.span, traceId, name: 's', startTime: '2026-02-02T23:29:00.000Z' }),
        event('score-create', { id: uid('sc'), traceId, name: 'quality', value: 0.9 }),
      ],
      [traceId],
    );
  });

  it('filters by traceId, type, level, name, userId and start time, newest first', async () => {
    const all = await t.get(`/api/public/observations?traceId=${traceId}`);
    expect(all.body.data.map((o: { id: string }) => o.id)).toEqual([ids.err, ids.gen, ids.span]);
    const errors = await t.get(`/api/public/observations?traceId=${traceId}&level=ERROR`);
    expect(errors.body.data).toMatchObject([
      { id: ids.err, statusMessage: 'rate limited', usageDetails: {}, calculatedTotalCost: 0 },
    ]);
    expect(
      (await t.get(`/api/public/observations?traceId=${traceId}&type=GENERATION&name=g`)).body.meta.totalItems,
    ).toBe(2);
    expect((await t.get(`/api/public/observations?userId=carol`)).body.meta.totalItems).toBe(3);
    const window = await t.get(
      `/api/public/observations?traceId=${traceId}&fromStartTime=2026-02-02T23:30:00Z&toStartTime=2026-02-02T23:31:00Z`,
    );
    expect(window.body.data.map((o: { id: string }) => o.id)).toEqual([ids.gen]);
    expect((await t.get('/api/public/observations?type=BOGUS')).status).toBe(400);
  });

  it('404s an unknown observation id', async () => {
    const r = await t.get('/api/public/observations/nope');
    expect(r).toMatchObject({ status: 404, body: { error: 'LangfuseNotFoundError' } });
  });

  it('includes scores as ScoreV1 objects on the trace', async () => {
    const { body } = await t.get(`/api/public/traces/${traceId}`);
    expect(body.scores).toMatchObject([{ name: 'quality', value: 0.9, dataType: 'NUMERIC', source: 'API' }]);
    const list = await t.get(`/api/public/traces?tags=daily`);
    expect(list.body.data[0].scores).toEqual([body.scores[0].id]);
  });

  it('aggregates per UTC day and model', async () => {
    const r = await t.get('/api/public/metrics/daily?tags=daily');
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual([
      {
        date: '2026-02-02',
        countTraces: 1,
        countObservations: 3,
        totalCost: 0.1,
        usage: [
          {
            model: 'm1',
            inputUsage: 10,
            outputUsage: 5,
            totalUsage: 15,
            countObservations: 2,
            countTraces: 1,
            totalCost: 0.1,
          },
        ],
      },
    ]);
    expect(r.body.meta).toMatchObject({ page: 1, totalItems: 1 });
    expect((await t.get('/api/public/metrics/daily?tags=daily&toTimestamp=2026-02-02T23:30:00Z')).body.data).toEqual(
      [],
    );
  });
});
