import { LangfuseClient } from '@langfuse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOpenApiContract, type OpenApiContract } from '../contract/openapi.ts';
import { event, startTestLangfuse, uid, until, type TestLangfuse } from './testing.ts';

// Every route the suite reads, validated against the published v3.225.4 OpenAPI contract,
// and the unmodified `@langfuse/client` v5 driving the stand-in.

const CONTRACT = '/work/shared/contracts/langfuse-v3.225.4-openapi.yml';

let t: TestLangfuse;
let contract: OpenApiContract;
const traceId = uid('tr');
const genId = uid('gen');

beforeAll(async () => {
  [t, contract] = await Promise.all([startTestLangfuse(), loadOpenApiContract(CONTRACT)]);
  const start = new Date(Date.now() - 5000);
  await t.ingest([
    event('trace-create', {
      id: traceId,
      name: 'contract',
      userId: 'u',
      sessionId: 's',
      tags: ['contract'],
      input: { q: 1 },
      metadata: { a: '1' },
    }),
    event('generation-create', {
      id: genId,
      traceId,
      model: 'gpt-4o-mini',
      startTime: start.toISOString(),
      endTime: new Date(start.getTime() + 800).toISOString(),
      usage: { input: 3, output: 4, totalCost: 0.5 },
      modelParameters: { temperature: 0 },
    }),
    event('span-create', { id: uid('sp'), traceId, name: 'no-end' }),
    event('score-create', { traceId, name: 'numeric', value: 1 }),
    event('score-create', { traceId, name: 'category', value: 'good' }),
    event('score-create', { traceId, name: 'bool', value: 1, dataType: 'BOOLEAN' }),
  ]);
  await until(async () =>
    (await t.get(`/api/public/observations?traceId=${traceId}`)).body.meta?.totalItems === 2 ? true : undefined,
  );
});
afterAll(() => t.lf.close());

function expectValid(method: string, template: string, status: number, body: unknown): void {
  const result = contract.validateResponse(method, template, status, body);
  expect(result.errors).toEqual([]);
}

describe('responses validate against the v3.225.4 OpenAPI contract', () => {
  it('health', async () => {
    const r = await t.get('/api/public/health', {});
    expectValid('GET', '/api/public/health', r.status, r.body);
  });

  it('ingestion (successes and errors)', async () => {
    const r = await t.ingest([event('trace-create', { id: uid('tr') }), { id: 'broken', type: 'trace-create' }]);
    expect(r.body.errors).toHaveLength(1);
    expectValid('POST', '/api/public/ingestion', r.status, r.body);
  });

  it('traces list and get', async () => {
    const list = await t.get('/api/public/traces?tags=contract');
    expect(list.body.data).toHaveLength(1);
    expectValid('GET', '/api/public/traces', list.status, list.body);
    const one = await t.get(`/api/public/traces/${traceId}`);
    expect(one.body.scores).toHaveLength(3);
    expectValid('GET', '/api/public/traces/{traceId}', one.status, one.body);
  });

  it('observations list and get', async () => {
    const list = await t.get(`/api/public/observations?traceId=${traceId}`);
    expectValid('GET', '/api/public/observations', list.status, list.body);
    const one = await t.get(`/api/public/observations/${genId}`);
    expectValid('GET', '/api/public/observations/{observationId}', one.status, one.body);
  });

  it('projects', async () => {
    const r = await t.get('/api/public/projects');
    expectValid('GET', '/api/public/projects', r.status, r.body);
  });

  it('metrics/daily (absent from the contract: checked against the shape in the notes)', async () => {
    expect(() => contract.validateResponse('GET', '/api/public/metrics/daily', 200, {})).toThrow(/has no schema/);
    const r = await t.get('/api/public/metrics/daily?tags=contract');
    expect(r.body).toEqual({
      data: [
        {
          date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
          countTraces: 1,
          countObservations: 2,
          totalCost: 0.5,
          usage: [
            {
              model: 'gpt-4o-mini',
              inputUsage: 3,
              outputUsage: 4,
              totalUsage: 7,
              countObservations: 1,
              countTraces: 1,
              totalCost: 0.5,
            },
          ],
        },
      ],
      meta: { page: 1, limit: 50, totalItems: 1, totalPages: 1 },
    });
  });

  it('the validator catches a contract violation (control)', async () => {
    const r = await t.get(`/api/public/traces/${traceId}`);
    const broken = { ...r.body, observations: [{ ...r.body.observations[0], usage: null }] };
    expect(contract.validateResponse('GET', '/api/public/traces/{traceId}', 200, broken).valid).toBe(false);
  });

  it('observations carry exactly the APIObservation keys of the notes', async () => {
    const r = await t.get(`/api/public/observations/${genId}`);
    expect(Object.keys(r.body).sort()).toEqual(
      [
        'id',
        'projectId',
        'traceId',
        'parentObservationId',
        'name',
        'type',
        'environment',
        'startTime',
        'endTime',
        'version',
        'createdAt',
        'updatedAt',
        'input',
        'output',
        'metadata',
        'level',
        'statusMessage',
        'model',
        'modelParameters',
        'completionStartTime',
        'promptId',
        'promptName',
        'promptVersion',
        'usageDetails',
        'costDetails',
        'usage',
        'unit',
        'promptTokens',
        'completionTokens',
        'totalTokens',
        'usagePricingTierName',
        'usagePricingTierId',
        'modelId',
        'inputPrice',
        'outputPrice',
        'totalPrice',
        'calculatedInputCost',
        'calculatedOutputCost',
        'calculatedTotalCost',
        'latency',
        'timeToFirstToken',
      ].sort(),
    );
  });
});

describe('@langfuse/client v5, unmodified', () => {
  const client = () => new LangfuseClient({ publicKey: t.publicKey, secretKey: t.secretKey, baseUrl: t.lf.url });

  it('reads health, traces and v1 observations through the SDK', async () => {
    const c = client();
    expect(await c.api.health.health()).toEqual({ status: 'OK', version: '3.225.4' });
    const trace = await c.api.trace.get(traceId);
    expect(trace.observations.find((o) => o.id === genId)).toMatchObject({
      calculatedTotalCost: 0.5,
      usageDetails: { input: 3, output: 4, total: 7 },
    });
    const list = await c.api.trace.list({ tags: ['contract'], fromTimestamp: '2020-01-01T00:00:00Z' });
    expect(list.data.map((x) => x.id)).toEqual([traceId]);
    const gens = await c.api.legacy.observationsV1.getMany({ traceId, type: 'GENERATION' });
    expect(gens.data.map((o) => o.id)).toEqual([genId]);
    expect((await c.api.legacy.observationsV1.get(genId)).model).toBe('gpt-4o-mini');
    expect((await c.api.projects.get()).data[0]?.id).toBe('cutover-sandbox-project');
  });

  it('surfaces a not-yet-ingested trace as the SDK NotFoundError', async () => {
    await expect(client().api.trace.get('missing')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('hits the v3 404 on the non-legacy observations API, the pitfall the notes describe', async () => {
    await expect(client().api.observations.getMany({ traceId })).rejects.toMatchObject({ statusCode: 404 });
  });

  it('rejects wrong keys with UnauthorizedError', async () => {
    const bad = new LangfuseClient({ publicKey: t.publicKey, secretKey: 'wrong', baseUrl: t.lf.url });
    await expect(bad.api.trace.list()).rejects.toMatchObject({ statusCode: 401 });
  });
});
