import { afterEach, describe, expect, it } from 'vitest';
import { startClickHouse } from '../clickhouse/index.ts';
import { parseFaults, type FaultName } from '../faults.ts';
import { listen, sendJson } from '../http.ts';
import { startMinio } from '../minio/index.ts';
import type { Listening, RequestCounter } from '../types.ts';
import { DEFAULT_APPS, flyAuthorized, startFly, type FlyMachine, type FlySandbox } from './index.ts';

const TOKEN = 'FlyV1 fm2_lJPECAAAAAAAAAsandboxtoken,fm2_second';
const CH = { user: 'langfuse', password: 'ch-secret-pw' };
const NOT_AFTER = new Date(Date.now() + 80 * 86_400_000).toISOString();
const open: Listening[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

interface Stack {
  fly: FlySandbox;
  counter: RequestCounter;
  worker: { healthy: boolean };
}

async function stack(faults: FaultName[] = [], token = TOKEN): Promise<Stack> {
  const counter: RequestCounter = { total: 0, byComponent: {} };
  const ctx = { faults: parseFaults(faults), counter };
  const worker = { healthy: true };
  const ch = await startClickHouse({ ...ctx, ...CH });
  const minio = await startMinio(ctx);
  const workerServer = await listen('langfuse-worker', counter, (req, res) => {
    if (req.url !== '/api/health') return sendJson(res, 404, {});
    sendJson(res, worker.healthy ? 200 : 500, { status: worker.healthy ? 'ok' : 'error' });
  });
  const gateway = await listen('gateway', counter, (_req, res) => sendJson(res, 200, "I'm alive!"));
  const fly = await startFly({
    ...ctx,
    token,
    clickhouse: { url: ch.url, ...CH },
    minioUrl: minio.url,
    langfuseWorkerUrl: workerServer.url,
    gatewayUrl: gateway.url,
    certificates: {
      'gateway.hotrodan.com': {
        notAfter: NOT_AFTER,
        issuer: 'CN=gateway-cutover sandbox CA, O=gateway-cutover sandbox',
      },
      'langfuse.hotrodan.com': { notAfter: NOT_AFTER, notBefore: '2025-01-01T00:00:00.000Z', issuer: 'CN=x' },
    },
  });
  open.push(ch, minio, workerServer, gateway, fly);
  return { fly, counter, worker };
}

async function api(
  fly: FlySandbox,
  path: string,
  init: RequestInit = {},
  auth: string | null = TOKEN,
): Promise<{ status: number; body: unknown }> {
  const headers = new Headers(init.headers);
  if (auth !== null) headers.set('authorization', auth);
  const res = await fetch(`${fly.url}${path}`, { ...init, headers });
  return { status: res.status, body: await res.json() };
}

async function machines(fly: FlySandbox, app: string, query = ''): Promise<FlyMachine[]> {
  const { status, body } = await api(fly, `/v1/apps/${app}/machines${query}`);
  expect(status).toBe(200);
  return body as FlyMachine[];
}

const group = (m: FlyMachine): string | undefined => m.config.metadata['fly_process_group'];

async function exec(
  fly: FlySandbox,
  app: string,
  m: FlyMachine,
  command: string[],
  timeout?: number,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await api(fly, `/v1/apps/${app}/machines/${m.id}/exec`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ command, ...(timeout ? { timeout } : {}) }),
  });
  return { status: r.status, body: r.body as Record<string, unknown> };
}

async function only(fly: FlySandbox, app: string, processGroup?: string): Promise<FlyMachine> {
  const list = await machines(fly, app, processGroup ? `?metadata.fly_process_group=${processGroup}` : '');
  const [first] = list;
  if (!first) throw new Error(`no machine in ${app} ${processGroup ?? ''}`);
  return first;
}

describe('flyAuthorized', () => {
  it('accepts a FlyV1 token whole or behind Bearer, and a plain token as Bearer only', () => {
    expect(flyAuthorized(TOKEN, TOKEN)).toBe(true);
    expect(flyAuthorized(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(flyAuthorized('Bearer fm2_lJPECAAAAAAAAAsandboxtoken,fm2_second', TOKEN)).toBe(true);
    expect(flyAuthorized(`Bearer Bearer ${TOKEN}`, TOKEN)).toBe(false);
    expect(flyAuthorized('Bearer plain-token', 'plain-token')).toBe(true);
    expect(flyAuthorized('FlyV1 plain-token', 'plain-token')).toBe(false);
    expect(flyAuthorized('plain-token', 'plain-token')).toBe(false);
    expect(flyAuthorized('Bearer Bearer plain-token', 'plain-token')).toBe(false);
    expect(flyAuthorized(undefined, 'plain-token')).toBe(false);
  });
});

describe('startFly', () => {
  it('answers 401 with fly error JSON for a missing or wrong token, and counts the requests', async () => {
    const { fly, counter } = await stack();
    expect(await api(fly, `/v1/apps/${DEFAULT_APPS.gateway}`, {}, null)).toEqual({
      status: 401,
      body: { error: 'unauthorized' },
    });
    expect((await api(fly, `/v1/apps/${DEFAULT_APPS.gateway}`, {}, 'Bearer nope')).status).toBe(401);
    expect((await api(fly, `/v1/apps/${DEFAULT_APPS.gateway}`, {}, `Bearer Bearer ${TOKEN}`)).status).toBe(401);
    expect(counter.byComponent['fly']).toBe(3);
  });

  it('accepts a plain token sent as Bearer', async () => {
    const { fly } = await stack([], 'plain-legacy-token');
    expect((await api(fly, `/v1/apps/${DEFAULT_APPS.minio}`, {}, 'Bearer plain-legacy-token')).status).toBe(200);
  });

  it('GET /v1/apps/{app} describes a deployed app; unknown apps and routes are 404', async () => {
    const { fly } = await stack();
    const { status, body } = await api(fly, `/v1/apps/${DEFAULT_APPS.gateway}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      name: DEFAULT_APPS.gateway,
      status: 'deployed',
      organization: { slug: 'hotrodan' },
      machine_count: 4,
    });
    expect(await api(fly, '/v1/apps/someone-else')).toEqual({ status: 404, body: { error: 'app not found' } });
    expect((await api(fly, `/v1/apps/${DEFAULT_APPS.gateway}/volumes`)).status).toBe(404);
    expect((await api(fly, '/v2/whatever')).status).toBe(404);
  });

  it('lists the gateway fleet: gateway x2, ui, worker in ord on one image and release, all passing', async () => {
    const { fly } = await stack();
    const list = await machines(fly, DEFAULT_APPS.gateway);
    expect(list.map(group).sort()).toEqual(['gateway', 'gateway', 'ui', 'worker']);
    expect(new Set(list.map((m) => m.id)).size).toBe(4);
    for (const m of list) {
      expect(m).toMatchObject({ state: 'started', region: 'ord', host_status: 'ok', cordoned: false });
      expect(m.id).toMatch(/^[0-9a-f]{14}$/);
      expect(m.instance_id).toMatch(/^[0-9A-Z]{26}$/);
      expect(m.image_ref).toEqual({
        registry: 'registry.fly.io',
        repository: DEFAULT_APPS.gateway,
        tag: fly.releases.gateway.tag,
        digest: fly.releases.gateway.digest,
        labels: {},
      });
      expect(m.config['image']).toBe(fly.releases.gateway.image);
      expect(m.config.metadata).toMatchObject({
        fly_platform_version: 'v2',
        fly_release_id: fly.releases.gateway.id,
        fly_release_version: '12',
      });
      expect(m.checks).toHaveLength(1);
      expect(m.checks[0]).toMatchObject({ status: 'passing' });
      expect(m.checks[0]?.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(m.events[0]).toMatchObject({ type: 'start', status: 'started' });
      expect(typeof m.events[0]?.timestamp).toBe('number');
    }
    const checkNames = Object.fromEntries(list.map((m) => [group(m), m.checks[0]?.name]));
    expect(checkNames).toEqual({
      gateway: 'servicecheck-00-http-4000',
      ui: 'servicecheck-00-http-3000',
      worker: 'worker-health',
    });
    expect(fly.releases.gateway.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('filters by metadata and region, and GETs one machine', async () => {
    const { fly } = await stack();
    const workers = await machines(fly, DEFAULT_APPS.gateway, '?metadata.fly_process_group=worker');
    expect(workers.map(group)).toEqual(['worker']);
    expect(await machines(fly, DEFAULT_APPS.gateway, '?region=ord&metadata.fly_process_group=gateway')).toHaveLength(2);
    expect(await machines(fly, DEFAULT_APPS.gateway, '?region=iad')).toHaveLength(0);
    const [w] = workers;
    expect((await api(fly, `/v1/apps/${DEFAULT_APPS.gateway}/machines/${w?.id}`)).body).toEqual(w);
    expect(await api(fly, `/v1/apps/${DEFAULT_APPS.gateway}/machines/0000000000000`)).toEqual({
      status: 404,
      body: { error: 'machine not found' },
    });
  });

  it('runs one machine each for ClickHouse and MinIO', async () => {
    const { fly } = await stack();
    const [ch] = await machines(fly, DEFAULT_APPS.clickhouse);
    const [minio] = await machines(fly, DEFAULT_APPS.minio);
    expect(await machines(fly, DEFAULT_APPS.clickhouse)).toHaveLength(1);
    expect(await machines(fly, DEFAULT_APPS.minio)).toHaveLength(1);
    expect(ch?.image_ref).toMatchObject({
      repository: 'clickhouse/clickhouse-server',
      digest: fly.releases.clickhouse.digest,
    });
    expect(minio?.image_ref).toMatchObject({ repository: 'minio/minio', digest: fly.releases.minio.digest });
    expect(ch?.checks[0]).toMatchObject({ name: 'clickhouse-ping', status: 'passing' });
  });

  describe('exec', () => {
    it('clickhouse-client --query SELECT 1 queries ClickHouse; exit_code is omitted on success', async () => {
      const { fly, counter } = await stack();
      const m = await only(fly, DEFAULT_APPS.clickhouse);
      const direct = await exec(fly, DEFAULT_APPS.clickhouse, m, ['clickhouse-client', '--query', 'SELECT 1']);
      expect(direct).toEqual({ status: 200, body: { stdout: '1\n' } });
      const viaShell = await exec(fly, DEFAULT_APPS.clickhouse, m, [
        'sh',
        '-c',
        "clickhouse-client --query 'SELECT 1'",
      ]);
      expect(viaShell.body).toEqual({ stdout: '1\n' });
      const json = await exec(fly, DEFAULT_APPS.clickhouse, m, [
        'clickhouse',
        'client',
        '-q',
        'SELECT version, dirty FROM schema_migrations ORDER BY sequence DESC LIMIT 1',
        '--format',
        'JSONEachRow',
      ]);
      expect(json.body).toEqual({ stdout: '{"version":"46","dirty":0}\n' });
      expect(counter.byComponent['clickhouse']).toBe(3);
    });

    it('clickhouse-client with a wrong password exits 516 mod 256 = 4', async () => {
      const { fly } = await stack();
      const m = await only(fly, DEFAULT_APPS.clickhouse);
      const { body } = await exec(fly, DEFAULT_APPS.clickhouse, m, [
        'clickhouse-client',
        '--password',
        'wrong',
        '--query',
        'SELECT 1',
      ]);
      expect(body['exit_code']).toBe(4);
      expect(body['stderr']).toMatch(
        /^Received exception from server \(version [\d.]+\):\nCode: 516\. DB::Exception: Received from localhost:9000\. DB::Exception: langfuse: Authentication failed/,
      );
      expect(body['stdout']).toBeUndefined();
    });

    it('clickhouse-down: clickhouse-client fails with NETWORK_ERROR (210)', async () => {
      const { fly } = await stack(['clickhouse-down']);
      const m = await only(fly, DEFAULT_APPS.clickhouse);
      const { status, body } = await exec(fly, DEFAULT_APPS.clickhouse, m, [
        'sh',
        '-c',
        "clickhouse-client --query 'SELECT 1'",
      ]);
      expect(status).toBe(200);
      expect(body['exit_code']).toBe(210);
      expect(body['stderr']).toMatch(/^Code: 210\. DB::NetException: .*\(NETWORK_ERROR\)/);
      const ping = await exec(fly, DEFAULT_APPS.clickhouse, m, ['curl', '-sS', 'http://localhost:8123/ping']);
      expect(ping.body).toEqual({ exit_code: 52, stderr: 'curl: (52) Empty reply from server\n' });
    });

    it('clickhouse-bad-auth: clickhouse-client with the configured credentials exits 4 (AUTHENTICATION_FAILED)', async () => {
      const { fly } = await stack(['clickhouse-bad-auth']);
      const m = await only(fly, DEFAULT_APPS.clickhouse);
      const { body } = await exec(fly, DEFAULT_APPS.clickhouse, m, ['clickhouse-client', '--query', 'SELECT 1']);
      expect(body['exit_code']).toBe(4);
      expect(body['stderr']).toContain('(AUTHENTICATION_FAILED)');
    });

    it('curl -sf and mc ready local probe MinIO cluster health', async () => {
      const { fly } = await stack();
      const m = await only(fly, DEFAULT_APPS.minio);
      expect(
        (await exec(fly, DEFAULT_APPS.minio, m, ['curl', '-sf', 'http://localhost:9000/minio/health/cluster'])).body,
      ).toEqual({});
      const code = await exec(fly, DEFAULT_APPS.minio, m, [
        'curl',
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        'http://localhost:9000/minio/health/cluster',
      ]);
      expect(code.body).toEqual({ stdout: '200' });
      expect((await exec(fly, DEFAULT_APPS.minio, m, ['mc', 'ready', 'local'])).body).toEqual({
        stdout: "The cluster 'local' is ready\n",
      });
    });

    it('minio-not-ready: curl -f exits 22, mc ready blocks until timeout (124) or the exec deadline (408)', async () => {
      const { fly } = await stack(['minio-not-ready']);
      const m = await only(fly, DEFAULT_APPS.minio);
      expect(
        (await exec(fly, DEFAULT_APPS.minio, m, ['curl', '-sf', 'http://localhost:9000/minio/health/cluster'])).body,
      ).toEqual({ exit_code: 22 });
      expect(
        (await exec(fly, DEFAULT_APPS.minio, m, ['curl', '-sSf', 'http://localhost:9000/minio/health/cluster'])).body,
      ).toEqual({
        exit_code: 22,
        stderr: 'curl: (22) The requested URL returned error: 503\n',
      });
      expect(
        (await exec(fly, DEFAULT_APPS.minio, m, ['curl', '-sf', 'http://localhost:9000/minio/health/live'])).body,
      ).toEqual({});
      const bounded = await exec(fly, DEFAULT_APPS.minio, m, ['timeout', '0.3', 'mc', 'ready', 'local']);
      expect(bounded.body).toEqual({ exit_code: 124, stdout: "The cluster 'local' is not ready\n" });
      const unbounded = await exec(fly, DEFAULT_APPS.minio, m, ['mc', 'ready', 'local'], 1);
      expect(unbounded.status).toBe(408);
      expect(unbounded.body['error']).toMatch(/^deadline_exceeded/);
    });

    it('curl --fail on the worker reaches the Langfuse worker health; 500 exits 22', async () => {
      const { fly, worker } = await stack();
      const m = await only(fly, DEFAULT_APPS.gateway, 'worker');
      const healthy = await exec(fly, DEFAULT_APPS.gateway, m, ['curl', '--fail', 'http://localhost:3030/api/health']);
      expect(healthy.body['exit_code']).toBeUndefined();
      expect(healthy.body['stdout']).toBe('{"status":"ok"}');
      expect(healthy.body['stderr']).toContain('% Total'); // curl's progress meter when stdout is not a terminal
      worker.healthy = false;
      const sick = await exec(fly, DEFAULT_APPS.gateway, m, ['curl', '--fail', 'http://localhost:3030/api/health']);
      expect(sick.body['exit_code']).toBe(22);
      expect(sick.body['stdout']).toBeUndefined();
      expect(sick.body['stderr']).toContain('curl: (22) The requested URL returned error: 500');
    });

    it('curl sees only the ports of its own machine, and 6PN names of the org apps', async () => {
      const { fly } = await stack();
      const gw = await only(fly, DEFAULT_APPS.gateway, 'gateway');
      const refused = await exec(fly, DEFAULT_APPS.gateway, gw, ['curl', '-sS', 'http://localhost:3030/api/health']);
      expect(refused.body).toEqual({
        exit_code: 7,
        stderr: "curl: (7) Failed to connect to localhost port 3030 after 0 ms: Couldn't connect to server\n",
      });
      const own = await exec(fly, DEFAULT_APPS.gateway, gw, ['curl', '-s', 'http://127.0.0.1:4000/health/liveliness']);
      expect(own.body).toEqual({ stdout: `"I'm alive!"` });
      const internal = await exec(fly, DEFAULT_APPS.gateway, gw, [
        'curl',
        '-s',
        `http://${DEFAULT_APPS.clickhouse}.internal:8123/ping`,
      ]);
      expect(internal.body).toEqual({ stdout: 'Ok.\n' });
      const unknown = await exec(fly, DEFAULT_APPS.gateway, gw, ['curl', '-sS', 'http://elsewhere.example/']);
      expect(unknown.body).toEqual({ exit_code: 6, stderr: 'curl: (6) Could not resolve host: elsewhere.example\n' });
      const badFlag = await exec(fly, DEFAULT_APPS.gateway, gw, ['curl', '--frobnicate', 'http://localhost:4000/']);
      expect(badFlag.body['exit_code']).toBe(2);
    });

    it('has a small shell: $?, &&, ||, redirections, exit; unknown commands exit 127', async () => {
      const { fly } = await stack();
      const m = await only(fly, DEFAULT_APPS.clickhouse);
      const run = async (script: string): Promise<Record<string, unknown>> =>
        (await exec(fly, DEFAULT_APPS.clickhouse, m, ['sh', '-c', script])).body;
      expect(await run('false; echo "__RC=$?"')).toEqual({ stdout: '__RC=1\n' });
      expect(await run('true && echo yes || echo no')).toEqual({ stdout: 'yes\n' });
      expect(await run('false && echo yes || echo no')).toEqual({ stdout: 'no\n' });
      expect(await run('curl -sS http://localhost:1/ 2>&1')).toEqual({
        exit_code: 7,
        stdout: "curl: (7) Failed to connect to localhost port 1 after 0 ms: Couldn't connect to server\n",
      });
      expect(await run('curl -sS http://localhost:1/ 2>/dev/null; exit 3')).toEqual({ exit_code: 3 });
      expect(await run('echo "$CLICKHOUSE_USER on ${FLY_REGION}"')).toEqual({ stdout: 'langfuse on ord\n' });
      expect(await run('psql -c "select 1"')).toEqual({ exit_code: 127, stderr: 'sh: 1: psql: not found\n' });
      expect(await run('echo a | cat')).toMatchObject({ exit_code: 2 });
      expect((await exec(fly, DEFAULT_APPS.clickhouse, m, ['nosuchtool'])).body).toEqual({
        exit_code: 127,
        stderr: 'sh: 1: nosuchtool: not found\n',
      });
      const minio = await only(fly, DEFAULT_APPS.minio);
      expect(
        (await exec(fly, DEFAULT_APPS.minio, minio, ['clickhouse-client', '--query', 'SELECT 1'])).body,
      ).toMatchObject({ exit_code: 127 });
    });

    it('runs the single-string cmd form through the shell', async () => {
      const { fly } = await stack();
      const m = await only(fly, DEFAULT_APPS.clickhouse);
      const r = await api(fly, `/v1/apps/${DEFAULT_APPS.clickhouse}/machines/${m.id}/exec`, {
        method: 'POST',
        body: JSON.stringify({ cmd: "clickhouse-client --query 'SELECT 1' && echo done" }),
      });
      expect(r).toEqual({ status: 200, body: { stdout: '1\ndone\n' } });
    });

    it('refuses curl and mc flags it does not model instead of ignoring them', async () => {
      const { fly } = await stack();
      const m = await only(fly, DEFAULT_APPS.minio);
      const post = await exec(fly, DEFAULT_APPS.minio, m, [
        'curl',
        '-X',
        'POST',
        'http://localhost:9000/minio/health/cluster',
      ]);
      expect(post.body).toMatchObject({ exit_code: 2, stderr: expect.stringMatching(/^curl: option -X: is unknown/) });
      const json = await exec(fly, DEFAULT_APPS.minio, m, ['mc', 'ready', 'local', '--json']);
      expect(json.body).toMatchObject({
        exit_code: 1,
        stderr: expect.stringMatching(/flag provided but not defined: --json/),
      });
    });

    it('rejects a body without a command', async () => {
      const { fly } = await stack();
      const m = await only(fly, DEFAULT_APPS.minio);
      const r = await api(fly, `/v1/apps/${DEFAULT_APPS.minio}/machines/${m.id}/exec`, {
        method: 'POST',
        body: '{"timeout":5}',
      });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ error: expect.stringMatching(/command/) });
    });
  });

  it('serves certificates of the gateway app read-only, by list and by host, and on /check', async () => {
    const { fly } = await stack();
    const base = `/v1/apps/${DEFAULT_APPS.gateway}/certificates`;
    const detail = await api(fly, `${base}/gateway.hotrodan.com`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      hostname: 'gateway.hotrodan.com',
      configured: true,
      status: 'active',
      certificates: [
        {
          source: 'fly',
          status: 'active',
          expires_at: NOT_AFTER,
          issuer: 'CN=gateway-cutover sandbox CA, O=gateway-cutover sandbox',
          issued: [{ type: 'ecdsa', expires_at: NOT_AFTER }],
        },
      ],
      validation: { dns_configured: true },
      dns_requirements: { cname: `${DEFAULT_APPS.gateway}.fly.dev` },
      validation_errors: [],
    });
    expect((await api(fly, `${base}/langfuse.hotrodan.com/check`, { method: 'POST' })).body).toMatchObject({
      hostname: 'langfuse.hotrodan.com',
      status: 'active',
    });
    const list = await api(fly, base);
    expect(list.body).toMatchObject({
      total_count: 2,
      certificates: [
        { hostname: 'gateway.hotrodan.com', status: 'active' },
        { hostname: 'langfuse.hotrodan.com', created_at: '2025-01-01T00:00:00.000Z' },
      ],
    });
    expect(await api(fly, `${base}/other.hotrodan.com`)).toEqual({
      status: 404,
      body: { error: 'certificate not found' },
    });
    expect((await api(fly, `/v1/apps/${DEFAULT_APPS.clickhouse}/certificates/gateway.hotrodan.com`)).status).toBe(404);
  });

  it('lists secret names and digests per app, never values', async () => {
    const { fly } = await stack();
    const names = async (app: string): Promise<string[]> => {
      const { status, body } = await api(fly, `/v1/apps/${app}/secrets?show_secrets=true`);
      expect(status).toBe(200);
      const secrets = (body as { secrets: Record<string, unknown>[] }).secrets;
      for (const s of secrets) {
        expect(Object.keys(s).sort()).toEqual(['digest', 'name']);
        expect(s['digest']).toMatch(/^[0-9a-f]{16}$/);
      }
      return secrets.map((s) => String(s['name']));
    };
    expect(await names(DEFAULT_APPS.gateway)).toEqual([
      'LITELLM_MASTER_KEY',
      'DATABASE_URL',
      'REDIS_URL',
      'LANGFUSE_PUBLIC_KEY',
      'LANGFUSE_SECRET_KEY',
      'OPENAI_API_KEY',
      'TEAM_KEY_prod_customer',
    ]);
    expect(await names(DEFAULT_APPS.clickhouse)).toEqual(['CLICKHOUSE_PASSWORD']);
    expect(await names(DEFAULT_APPS.minio)).toEqual(['MINIO_ROOT_USER', 'MINIO_ROOT_PASSWORD']);
  });

  describe('faults', () => {
    it('machine-unhealthy: one gateway machine has a critical check, the rest pass', async () => {
      const { fly } = await stack(['machine-unhealthy']);
      const list = await machines(fly, DEFAULT_APPS.gateway);
      const critical = list.filter((m) => m.checks.some((c) => c.status === 'critical'));
      expect(critical).toHaveLength(1);
      expect(group(critical[0] as FlyMachine)).toBe('gateway');
      expect(critical[0]?.checks[0]?.output).toMatch(/context deadline exceeded/);
      expect(critical[0]?.state).toBe('started');
    });

    it('process-missing: there is no worker machine', async () => {
      const { fly } = await stack(['process-missing']);
      expect((await machines(fly, DEFAULT_APPS.gateway)).map(group).sort()).toEqual(['gateway', 'gateway', 'ui']);
      expect(await machines(fly, DEFAULT_APPS.gateway, '?metadata.fly_process_group=worker')).toEqual([]);
    });

    it('wrong-region: one gateway machine runs in iad', async () => {
      const { fly } = await stack(['wrong-region']);
      const list = await machines(fly, DEFAULT_APPS.gateway);
      expect(list.filter((m) => m.region === 'iad').map(group)).toEqual(['gateway']);
      expect(list.filter((m) => m.region === 'ord')).toHaveLength(3);
    });

    it('image-mismatch: one gateway machine runs an older digest and release', async () => {
      const { fly } = await stack(['image-mismatch']);
      const gw = await machines(fly, DEFAULT_APPS.gateway, '?metadata.fly_process_group=gateway');
      const digests = new Set(gw.map((m) => m.image_ref.digest));
      const versions = new Set(gw.map((m) => m.config.metadata['fly_release_version']));
      expect(digests.size).toBe(2);
      expect([...versions].sort()).toEqual(['11', '12']);
      const stale = gw.find((m) => m.image_ref.digest !== fly.releases.gateway.digest);
      expect(stale?.config['image']).not.toBe(fly.releases.gateway.image);
      expect(stale?.checks[0]?.status).toBe('passing');
    });
  });
});
