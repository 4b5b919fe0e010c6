import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, startTestLangfuse, uid, until, type TestLangfuse } from './testing.ts';

let t: TestLangfuse;
beforeAll(async () => {
  t = await startTestLangfuse();
});
afterAll(() => t.lf.close());

describe('auth', () => {
  it('answers 401 "No authorization header" without a header', async () => {
    const r = await t.get('/api/public/traces', {});
    expect(r).toMatchObject({ status: 401, body: { message: 'No authorization header' } });
  });

  it('answers 401 with the host hint for a wrong key, without echoing it', async () => {
    const bad = `Basic ${Buffer.from(`${t.publicKey}:wrong-secret`).toString('base64')}`;
    const r = await t.get('/api/public/traces', { authorization: bad });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ message: "Invalid credentials. Confirm that you've configured the correct host." });
  });

  it('gives a Bearer public key 403 on read routes', async () => {
    const r = await t.get('/api/public/traces', { authorization: `Bearer ${t.publicKey}` });
    expect(r).toMatchObject({
      status: 403,
      body: { message: 'Access denied - insufficient permissions for this endpoint' },
    });
  });

  it('lets a Bearer public key ingest scores but not traces', async () => {
    const res = await fetch(`${t.lf.url}/api/public/ingestion`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.publicKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        batch: [event('trace-create', { id: uid('tr') }), event('score-create', { traceId: 'x', name: 's', value: 1 })],
      }),
    });
    const body = (await res.json()) as { successes: unknown[]; errors: { status: number }[] };
    expect(res.status).toBe(207);
    expect(body.successes).toHaveLength(1);
    expect(body.errors).toMatchObject([{ status: 401, message: 'Authentication error' }]);
  });
});

describe('ingestion', () => {
  it('answers 207 with per-event successes and errors', async () => {
    const good = event('trace-create', { id: uid('tr') });
    const noId = { timestamp: new Date().toISOString(), type: 'trace-create', body: {} };
    const badTime: Record<string, unknown> = { ...event('trace-create', {}), timestamp: '2026-01-01' };
    const badType = event('nonsense-create', {});
    const r = await t.ingest([good, noId, badTime, badType]);
    expect(r.status).toBe(207);
    expect(r.body.successes).toEqual([{ id: good.id, status: 201 }]);
    expect(r.body.errors.map((e: { id: string }) => e.id)).toEqual(['unknown', badTime.id, badType.id]);
    for (const e of r.body.errors)
      expect(e).toMatchObject({ status: 400, message: 'Invalid request data', error: expect.any(String) });
  });

  it('answers 400 to a body without batch', async () => {
    const r = await fetch(`${t.lf.url}/api/public/ingestion`, {
      method: 'POST',
      headers: { authorization: t.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ events: [] }),
    });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ message: 'Invalid request data', errors: [expect.any(String)] });
  });

  it('rejects a generation without id and a half prompt reference', async () => {
    const r = await t.ingest([
      event('generation-create', { traceId: 'x' }),
      event('generation-create', { id: uid('g'), promptName: 'p' }),
    ]);
    expect(r.body.successes).toEqual([]);
    expect(r.body.errors).toHaveLength(2);
  });

  it('acknowledges sdk-log events without storing anything', async () => {
    const log = event('sdk-log', { log: { msg: 'hi' } });
    const r = await t.ingest([log]);
    expect(r.body).toEqual({ successes: [{ id: log.id, status: 201 }], errors: [] });
  });

  it('answers 405 to GET', async () => {
    const r = await t.get('/api/public/ingestion');
    expect(r.status).toBe(405);
  });
});

describe('eventual consistency and GET /api/public/traces/{id}', () => {
  it('404s until the ingest delay has passed, then returns the trace with full observations', async () => {
    const slow = await startTestLangfuse([], 300);
    try {
      const traceId = uid('tr');
      const start = new Date(Date.now() - 2000);
      const end = new Date(start.getTime() + 1500);
      const ingestedAt = Date.now();
      await slow.ingest([
        event('trace-create', { id: traceId, name: 'litellm-acompletion', userId: 'u1', tags: ['cutover'] }),
        event('generation-create', {
          id: uid('gen'),
          traceId,
          name: 'chat',
          model: 'gpt-4o-mini',
          startTime: start.toISOString(),
          completionStartTime: new Date(start.getTime() + 250).toISOString(),
          endTime: end.toISOString(),
          usage: { input: 12, output: 8, total: 20, unit: 'TOKENS', totalCost: 0.0042 },
          metadata: { cache_hit: false },
          level: 'DEFAULT',
        }),
      ]);
      const early = await slow.get(`/api/public/traces/${traceId}`);
      expect(early.status).toBe(404);
      expect(early.body).toEqual({
        message: `Trace ${traceId} not found within authorized project`,
        error: 'LangfuseNotFoundError',
      });
      const trace = await until(async () => {
        const r = await slow.get(`/api/public/traces/${traceId}`);
        return r.status === 200 ? r.body : undefined;
      });
      expect(Date.now() - ingestedAt).toBeGreaterThanOrEqual(290);
      expect(trace).toMatchObject({
        id: traceId,
        name: 'litellm-acompletion',
        userId: 'u1',
        tags: ['cutover'],
        htmlPath: `/project/cutover-sandbox-project/traces/${traceId}`,
        totalCost: 0.0042,
        latency: 1.5,
        scores: [],
      });
      expect(trace.observations).toHaveLength(1);
      expect(trace.observations[0]).toMatchObject({
        type: 'GENERATION',
        model: 'gpt-4o-mini',
        level: 'DEFAULT',
        statusMessage: null,
        usage: { unit: 'TOKENS', input: 12, output: 8, total: 20 },
        usageDetails: { input: 12, output: 8, total: 20 },
        costDetails: { total: 0.0042 },
        calculatedTotalCost: 0.0042,
        calculatedInputCost: null,
        latency: 1.5,
        timeToFirstToken: 0.25,
        metadata: { cache_hit: false },
      });
    } finally {
      await slow.lf.close();
    }
  });

  it('reports -1 metrics and empty io when fields leaves them out', async () => {
    const traceId = uid('tr');
    await t.ingest([event('trace-create', { id: traceId, input: 'hi', metadata: { a: 1 } })]);
    const r = await until(async () => {
      const res = await t.get(`/api/public/traces/${traceId}?fields=core,scores`);
      return res.status === 200 ? res : undefined;
    });
    expect(r.body).toMatchObject({ latency: -1, totalCost: -1, metadata: {}, input: null, observations: [] });
  });
});

describe('health, ready, projects, v2, worker', () => {
  it('reports health with the v3 version', async () => {
    expect(await t.get('/api/public/health', {})).toMatchObject({
      status: 200,
      body: { status: 'OK', version: '3.225.4' },
    });
    expect(await t.get('/api/public/ready', {})).toMatchObject({
      status: 200,
      body: { status: 'OK', version: '3.225.4' },
    });
  });

  it('fails health with failIfNoRecentEvents on an idle instance', async () => {
    const idle = await startTestLangfuse();
    try {
      const r = await idle.get('/api/public/health?failIfNoRecentEvents=true', {});
      expect(r).toMatchObject({ status: 503, body: { status: 'No traces within the last 3 minutes' } });
    } finally {
      await idle.lf.close();
    }
  });

  it("lists the key's project", async () => {
    const r = await t.get('/api/public/projects');
    expect(r.body).toEqual({
      data: [
        {
          id: 'cutover-sandbox-project',
          name: 'cutover-sandbox',
          organization: { id: 'sandbox-org', name: 'Sandbox' },
          metadata: {},
        },
      ],
    });
  });

  it('404s the v2 observations and metrics APIs as v3 does', async () => {
    const obs = await t.get('/api/public/v2/observations');
    expect(obs.status).toBe(404);
    expect(obs.body.message).toMatch(/^The observations v2 API is only available in a Langfuse v4 write mode/);
    const metrics = await t.get('/api/public/v2/metrics');
    expect(metrics.body).toMatchObject({
      error: 'LangfuseNotFoundError',
      message: expect.stringMatching(/^The metrics v2 API/),
    });
  });

  it('serves the worker health on a second listener', async () => {
    expect(t.lf.workerUrl).not.toBe(t.lf.url);
    for (const path of ['/api/health', '/api/ready']) {
      const r = await fetch(`${t.lf.workerUrl}${path}`);
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ status: 'ok' });
    }
  });
});
