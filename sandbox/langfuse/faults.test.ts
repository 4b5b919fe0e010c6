import { afterEach, describe, expect, it } from 'vitest';
import type { FaultName } from '../faults.ts';
import { event, signIn, startTestLangfuse, uid, until, type TestLangfuse } from './testing.ts';

let t: TestLangfuse | undefined;
afterEach(async () => {
  await t?.lf.close();
  t = undefined;
});
async function start(fault: FaultName): Promise<TestLangfuse> {
  t = await startTestLangfuse([fault]);
  return t;
}

async function loggedInCookie(s: TestLangfuse): Promise<string> {
  const r = await signIn(s.lf.url, { email: s.email, password: s.password });
  return (r.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
}

describe('Langfuse faults', () => {
  it('trace-dropped: ingestion says 207/201 but the trace and its observations never appear', async () => {
    const s = await start('trace-dropped');
    const traceId = uid('tr');
    const r = await s.ingest([
      event('trace-create', { id: traceId }),
      event('generation-create', { id: uid('gen'), traceId }),
      event('score-create', { traceId, name: 'q', value: 1 }),
    ]);
    expect(r.status).toBe(207);
    expect(r.body.successes).toHaveLength(3);
    expect(r.body.errors).toEqual([]);
    await new Promise((res) => setTimeout(res, 150));
    expect((await s.get(`/api/public/traces/${traceId}`)).status).toBe(404);
    expect((await s.get(`/api/public/observations?traceId=${traceId}`)).body.meta.totalItems).toBe(0);
  });

  it('ingestion-slow: events are not readable after the normal delay', async () => {
    const s = await start('ingestion-slow');
    const traceId = uid('tr');
    await s.ingest([event('trace-create', { id: traceId })]);
    await new Promise((res) => setTimeout(res, 500));
    expect((await s.get(`/api/public/traces/${traceId}`)).status).toBe(404);
  });

  it('langfuse-login-broken: correct credentials get the 401 error url and no session', async () => {
    const s = await start('langfuse-login-broken');
    const r = await signIn(s.lf.url, { email: s.email, password: s.password });
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ url: `${s.lf.url}/api/auth/error?error=Invalid%20credentials` });
    expect(r.headers.getSetCookie()).toEqual([]);
  });

  it('migration-pending: a locked, unfinished, non-dormant migration is listed', async () => {
    const s = await start('migration-pending');
    const cookie = await loggedInCookie(s);
    const all = await s.get('/api/trpc/backgroundMigrations.all', { cookie });
    const rows = all.body.result.data.json.migrations as {
      name: string;
      finishedAt: unknown;
      workerId: unknown;
      lockedAt: unknown;
      args: Record<string, unknown>;
    }[];
    const active = rows.filter((m) => m.finishedAt === null && !m.args.envGate);
    expect(active).toMatchObject([
      { name: '20250519_traces_to_events', workerId: expect.any(String), lockedAt: expect.any(String) },
    ]);
    expect((await s.get('/api/trpc/backgroundMigrations.status', { cookie })).body.result.data.json.status).toBe(
      'ACTIVE',
    );
  });

  it('langfuse-v4-events-only: v4 version, v1 reads 404, trace events rejected, session says events_only', async () => {
    const s = await start('langfuse-v4-events-only');
    expect((await s.get('/api/public/health', {})).body).toEqual({ status: 'OK', version: '4.16.0' });
    for (const path of [
      '/api/public/traces',
      '/api/public/traces/x',
      '/api/public/observations',
      '/api/public/observations/x',
      '/api/public/metrics/daily',
    ]) {
      const r = await s.get(path);
      expect(r.status, path).toBe(404);
      expect(r.body.message).toMatch(
        /^This endpoint is not available on deployments running in Langfuse v4 events_only mode\./,
      );
    }
    const trace = event('trace-create', { id: uid('tr') });
    const gen = event('generation-create', { id: uid('gen') });
    const score = event('score-create', { traceId: 'x', name: 'q', value: 1 });
    const r = await s.ingest([trace, gen, score]);
    expect(r.status).toBe(207);
    expect(r.body.successes).toEqual([{ id: score.id, status: 201 }]);
    expect(r.body.errors).toEqual([
      {
        id: trace.id,
        status: 400,
        message: 'Event type not accepted',
        error:
          'Event type "trace-create" is not accepted by /api/public/ingestion when LANGFUSE_MIGRATION_V4_WRITE_MODE is events_only. This endpoint only accepts score, log, and dataset-run-item events.',
      },
      expect.objectContaining({ id: gen.id, status: 400 }),
    ]);
    const session = await s.get('/api/auth/session', { cookie: await loggedInCookie(s) });
    expect(session.body.environment.v4WriteMode).toBe('events_only');
  });

  it('echo-secret: 401 bodies carry the presented credentials', async () => {
    const s = await start('echo-secret');
    const presented = `${s.publicKey}:${s.secretKey}-typo`;
    const r = await s.get('/api/public/traces', {
      authorization: `Basic ${Buffer.from(presented).toString('base64')}`,
    });
    expect(r.status).toBe(401);
    expect(r.body.message).toContain(presented);
  });

  it('a healthy instance stores what it acknowledges (control for trace-dropped)', async () => {
    t = await startTestLangfuse([]);
    const traceId = uid('tr');
    await t.ingest([event('trace-create', { id: traceId })]);
    await until(async () => ((await t?.get(`/api/public/traces/${traceId}`))?.status === 200 ? true : undefined));
  });
});
