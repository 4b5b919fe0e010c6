import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startClickHouse } from '../../sandbox/clickhouse/index.ts';
import { parseFaults, type FaultName } from '../../sandbox/faults.ts';
import { DEFAULT_APPS, startFly } from '../../sandbox/fly/index.ts';
import { startMinio } from '../../sandbox/minio/index.ts';
import { FlyApiError, FlyMachinesApi, flyAuthorization, machineFromJson } from './fly.ts';
import { langfuseWorkerHealth } from './langfuse-worker.ts';
import { closePools } from './http.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  await closePools();
});

/** A tiny Machines API: records what it was sent and answers with `handler`. */
async function tinyApi(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<{ url: string; seen: { auth?: string; path?: string; body: string }[] }> {
  const seen: { auth?: string; path?: string; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({ auth: req.headers.authorization, path: req.url, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('flyAuthorization', () => {
  it.each([
    ['FlyV1 fm2_abc,fm2_def', 'FlyV1 fm2_abc,fm2_def'],
    ['Bearer plain-token', 'Bearer plain-token'],
    ['plain-token', 'Bearer plain-token'],
    ['  FlyV1 fm2_abc\n', 'FlyV1 fm2_abc'],
  ])('%j is sent as %j', (token, header) => {
    expect(flyAuthorization(token)).toBe(header);
  });

  it('never doubles the scheme', () => {
    expect(flyAuthorization(flyAuthorization('tok'))).toBe('Bearer tok');
  });
});

describe('machineFromJson', () => {
  it('reads incomplete_config when the host is not ok, and the legacy process_group key', () => {
    const m = machineFromJson({
      id: 'm1',
      state: 'started',
      region: 'ord',
      host_status: 'unreachable',
      incomplete_config: { image: 'img', metadata: { process_group: 'worker' } },
    });
    expect(m).toMatchObject({ id: 'm1', hostStatus: 'unreachable', processGroup: 'worker', image: 'img', checks: [] });
  });
});

describe('FlyMachinesApi against a tiny server', () => {
  it('sends a FlyV1 token whole and a plain token as Bearer', async () => {
    const api = await tinyApi((_req, res) => json(res, 200, []));
    await new FlyMachinesApi({ apiUrl: api.url, token: 'FlyV1 fm2_x', timeoutMs: 2000 }).machines('a');
    await new FlyMachinesApi({ apiUrl: api.url, token: 'plain', timeoutMs: 2000 }).machines('a');
    expect(api.seen.map((s) => s.auth)).toEqual(['FlyV1 fm2_x', 'Bearer plain']);
  });

  it('reads a missing exit_code as 0 and keeps a non-zero one', async () => {
    let n = 0;
    const api = await tinyApi((_req, res) =>
      json(res, 200, n++ === 0 ? { stdout: '1\n' } : { exit_code: 22, stderr: 'curl: (22)' }),
    );
    const fly = new FlyMachinesApi({ apiUrl: api.url, token: 't', timeoutMs: 2000 });
    expect(await fly.exec('app', 'm1', ['true'], 5)).toEqual({ exitCode: 0, stdout: '1\n', stderr: '' });
    expect(await fly.exec('app', 'm1', ['false'], 5)).toEqual({ exitCode: 22, stdout: '', stderr: 'curl: (22)' });
    expect(JSON.parse(api.seen[0]!.body)).toEqual({ command: ['true'], timeout: 5 });
  });

  it('names the endpoint and the token problem on 401, without the token', async () => {
    const api = await tinyApi((_req, res) => json(res, 401, { error: 'unauthorized' }));
    const err = await new FlyMachinesApi({ apiUrl: api.url, token: 'FlyV1 fm2_secretvalue', timeoutMs: 2000 })
      .machines('app')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlyApiError);
    expect((err as Error).message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/v1\/apps\/app\/machines: HTTP 401: the Fly token was refused/,
    );
    expect((err as Error).message).not.toContain('secretvalue');
  });

  it('retries a rate-limited GET and then succeeds', async () => {
    let n = 0;
    const api = await tinyApi((_req, res) =>
      n++ === 0 ? json(res, 429, { error: 'rate limited' }) : json(res, 200, { secrets: [{ name: 'A', digest: 'x' }] }),
    );
    expect(await new FlyMachinesApi({ apiUrl: api.url, token: 't', timeoutMs: 2000 }).secretNames('app')).toEqual([
      'A',
    ]);
    expect(api.seen).toHaveLength(2);
  });

  it('fails a call that hangs within its budget', async () => {
    const api = await tinyApi(() => undefined);
    const started = performance.now();
    await expect(new FlyMachinesApi({ apiUrl: api.url, token: 't', timeoutMs: 300 }).machines('app')).rejects.toThrow(
      /unreachable/,
    );
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

// The sandbox is an independent reading of the same notes: agreeing with it is evidence, not proof.
describe('FlyMachinesApi against the sandbox Machines API', () => {
  const TOKEN = 'FlyV1 fm2_unitTestToken';
  async function sandboxFly(faults: FaultName[] = []): Promise<string> {
    const ctx = { faults: parseFaults(faults), counter: { total: 0, byComponent: {} } };
    const ch = await startClickHouse({ ...ctx, user: 'langfuse', password: 'pw' });
    const minio = await startMinio(ctx);
    const worker = await tinyApi((_req, res) => json(res, 200, { status: 'ok' }));
    const fly = await startFly({
      ...ctx,
      token: TOKEN,
      clickhouse: { url: ch.url, user: 'langfuse', password: 'pw' },
      minioUrl: minio.url,
      langfuseWorkerUrl: worker.url,
      gatewayUrl: worker.url,
      certificates: {},
    });
    closers.push(
      () => ch.close(),
      () => minio.close(),
      () => fly.close(),
    );
    return fly.url;
  }

  it('lists machines with their group, release, digest and checks', async () => {
    const fly = new FlyMachinesApi({ apiUrl: await sandboxFly(), token: TOKEN, timeoutMs: 5000 });
    const ms = await fly.machines(DEFAULT_APPS.gateway);
    expect(ms.map((m) => m.processGroup).sort()).toEqual(['gateway', 'gateway', 'ui', 'worker']);
    for (const m of ms) {
      expect(m).toMatchObject({ state: 'started', region: 'ord', releaseVersion: '12' });
      expect(m.digest).toMatch(/^sha256:/);
      expect(m.checks.length).toBeGreaterThan(0);
    }
  });

  it('runs clickhouse-client through exec and reports the worker health', async () => {
    const fly = new FlyMachinesApi({ apiUrl: await sandboxFly(), token: TOKEN, timeoutMs: 5000 });
    const [ch] = await fly.machines(DEFAULT_APPS.clickhouse);
    expect(await fly.exec(DEFAULT_APPS.clickhouse, ch!.id, ['clickhouse-client', '--query', 'SELECT 1'], 5)).toEqual({
      exitCode: 0,
      stdout: '1\n',
      stderr: '',
    });
    const worker = (await fly.machines(DEFAULT_APPS.gateway)).find((m) => m.processGroup === 'worker')!;
    expect(await langfuseWorkerHealth(fly, DEFAULT_APPS.gateway, worker.id, 5)).toMatchObject({ healthy: true });
  });

  it('lists secret names only', async () => {
    const fly = new FlyMachinesApi({ apiUrl: await sandboxFly(), token: TOKEN, timeoutMs: 5000 });
    expect(await fly.secretNames(DEFAULT_APPS.minio)).toEqual(['MINIO_ROOT_USER', 'MINIO_ROOT_PASSWORD']);
  });
});
