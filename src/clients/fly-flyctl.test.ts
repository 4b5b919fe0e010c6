import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FlyctlClient,
  FlyctlError,
  flyctlEnvironment,
  parseFlyExec,
  parseFlySecrets,
  parseFlyStatus,
  shellQuote,
} from './fly-flyctl.ts';

// Recorded shapes, built from notes/infra.md §1–2: `fly status --json` renders a Go struct
// without json tags (PascalCase, 4-space indent) around fly-go machines (snake_case).
const MACHINE = {
  id: '148ed193b95589',
  name: 'aged-wind-2649',
  state: 'started',
  region: 'ord',
  instance_id: '01HRQ9Z3MTQ1DBD6PK8G0Y2Y0N',
  private_ip: 'fdaa:0:18:a7b:196:e274:9ce1:2',
  image_ref: {
    registry: 'registry.fly.io',
    repository: 'hotdash-llm-gateway',
    tag: 'deployment-01J',
    digest: 'sha256:597c3e12aa',
  },
  config: {
    image: 'registry.fly.io/hotdash-llm-gateway:deployment-01J',
    metadata: { fly_process_group: 'worker', fly_release_version: '12', fly_platform_version: 'v2' },
  },
  checks: [
    { name: 'worker-health', status: 'passing', output: 'HTTP GET …: 200 OK', updated_at: '2026-11-27T07:00:00Z' },
  ],
  host_status: 'ok',
};
const STATUS = JSON.stringify(
  {
    ID: 'hotdash-llm-gateway',
    Name: 'hotdash-llm-gateway',
    Deployed: true,
    Status: 'deployed',
    Hostname: 'hotdash-llm-gateway.fly.dev',
    Version: 12,
    AppURL: '',
    Organization: {
      ID: 'o1',
      InternalNumericID: '1',
      Name: 'Hot Rod AN',
      Slug: 'hotrodan',
      RawSlug: 'hotrodan',
      PaidPlan: true,
    },
    PlatformVersion: 'machines',
    Machines: [MACHINE],
  },
  null,
  4,
);

describe('parsing flyctl JSON', () => {
  it('reads fly status --json: PascalCase around snake_case machines', () => {
    const { machines, releaseVersion } = parseFlyStatus(STATUS);
    expect(releaseVersion).toBe(12);
    expect(machines).toEqual([
      {
        id: '148ed193b95589',
        name: 'aged-wind-2649',
        state: 'started',
        region: 'ord',
        hostStatus: 'ok',
        processGroup: 'worker',
        releaseVersion: '12',
        image: 'registry.fly.io/hotdash-llm-gateway:deployment-01J',
        digest: 'sha256:597c3e12aa',
        checks: [{ name: 'worker-health', status: 'passing', output: 'HTTP GET …: 200 OK' }],
      },
    ]);
  });

  it('reads fly machine list --json (a bare array) and an app with no machines (Machines: null)', () => {
    expect(parseFlyStatus(JSON.stringify([MACHINE])).machines).toHaveLength(1);
    expect(parseFlyStatus(JSON.stringify({ Name: 'x', Machines: null })).machines).toEqual([]);
  });

  it('refuses other shapes and non-JSON output, quoting what it saw', () => {
    expect(() => parseFlyStatus('{"machines": 3}')).toThrow(FlyctlError);
    expect(() => parseFlyStatus('Error: no access token available')).toThrow(/did not print JSON.*no access token/);
  });

  it('reads fly machine exec --json with omitempty fields', () => {
    expect(parseFlyExec('{}')).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    expect(parseFlyExec('{\n    "stdout": "1\\n"\n}')).toEqual({ exitCode: 0, stdout: '1\n', stderr: '' });
    expect(parseFlyExec('{"exit_code": 210, "stderr": "Code: 210"}')).toEqual({
      exitCode: 210,
      stdout: '',
      stderr: 'Code: 210',
    });
  });

  it('reads fly secrets list --json in both casings, names only', () => {
    expect(parseFlySecrets('[{"Name":"REDIS_URL","Digest":"abc","CreatedAt":"2026-01-01T00:00:00Z"}]')).toEqual([
      'REDIS_URL',
    ]);
    expect(parseFlySecrets('[{"name":"REDIS_URL","digest":"abc","created_at":"2026-01-01T00:00:00Z"}]')).toEqual([
      'REDIS_URL',
    ]);
    expect(() => parseFlySecrets('{"Name":"x"}')).toThrow(FlyctlError);
  });

  it('quotes argv into the single command string fly machine exec takes', () => {
    expect(shellQuote(['curl', '-sS', '-w', '%{http_code}', 'http://localhost:9000/minio/health/cluster'])).toBe(
      "curl -sS -w '%{http_code}' http://localhost:9000/minio/health/cluster",
    );
    expect(shellQuote(['clickhouse-client', '--query', "SELECT 'a', 1"])).toBe(
      `clickhouse-client --query 'SELECT '\\''a'\\'', 1'`,
    );
  });
});

describe('FlyctlClient', () => {
  it('fails clearly, naming FLY_TRANSPORT, when flyctl is not installed', async () => {
    const client = new FlyctlClient({ timeoutMs: 2000, bin: 'flyctl-not-installed-here' });
    await expect(client.machines('app')).rejects.toThrow(
      /FLY_TRANSPORT=flyctl, but the flyctl-not-installed-here binary was not found on PATH/,
    );
  });

  /** A stand-in flyctl: records its argv and FLY_API_TOKEN, prints the recorded sample for the subcommand. */
  function fakeFlyctl(): { bin: string; log: string } {
    const dir = mkdtempSync(join(tmpdir(), 'fake-flyctl-'));
    const log = join(dir, 'calls.jsonl');
    const bin = join(dir, 'flyctl');
    writeFileSync(
      bin,
      `#!/usr/bin/env node
const fs = require('node:fs');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args, token: process.env.FLY_API_TOKEN, noUpdate: process.env.FLY_NO_UPDATE_CHECK, env: Object.keys(process.env) }) + '\\n');
if (args[0] === 'status') process.stdout.write(${JSON.stringify(STATUS)});
else if (args[0] === 'machine') process.stdout.write('{"exit_code": 22, "stderr": "curl: (22) 503"}');
else if (args[0] === 'secrets') process.stdout.write('[{"Name":"A","Digest":"d"}]');
else { process.stderr.write('Error: unknown command'); process.exit(1); }
`,
    );
    chmodSync(bin, 0o755);
    return { bin, log };
  }

  it('runs flyctl with the token in its environment, never on its command line', async () => {
    const { bin, log } = fakeFlyctl();
    const client = new FlyctlClient({ token: 'FlyV1 fm2_tok', timeoutMs: 5000, bin });
    expect((await client.machines('hotdash-llm-gateway'))[0]?.processGroup).toBe('worker');
    expect(await client.exec('app', 'm1', ['curl', '-sf', 'http://localhost:9000/minio/health/cluster'], 7)).toEqual({
      exitCode: 22,
      stdout: '',
      stderr: 'curl: (22) 503',
    });
    expect(await client.secretNames('app')).toEqual(['A']);
    const calls = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { args: string[]; token: string; noUpdate: string });
    expect(calls.map((c) => c.args)).toEqual([
      ['status', '-a', 'hotdash-llm-gateway', '--json'],
      [
        'machine',
        'exec',
        'm1',
        'curl -sf http://localhost:9000/minio/health/cluster',
        '-a',
        'app',
        '--timeout',
        '7',
        '--json',
      ],
      ['secrets', 'list', '-a', 'app', '--json'],
    ]);
    expect(calls.every((c) => c.token === 'FlyV1 fm2_tok' && c.noUpdate === '1')).toBe(true);
    expect(JSON.stringify(calls.map((c) => c.args))).not.toContain('fm2_tok');
  });

  it('hands flyctl a scrubbed environment: no credential of the run, only what flyctl needs', async () => {
    const { bin, log } = fakeFlyctl();
    const planted = {
      GATEWAY_ADMIN_KEY: 'sk-flyctl-env-admin-7c1e',
      LANGFUSE_SECRET_KEY: 'sk-lf-flyctl-env-9d2f',
      CLICKHOUSE_PASSWORD: 'ch-flyctl-env-4b8a',
      FLY_ORG: 'hotrodan',
      HTTPS_PROXY: 'http://proxy.internal:3128',
    };
    const saved = { ...process.env };
    Object.assign(process.env, planted, { FLY_API_TOKEN: 'FlyV1 fm2_from-the-environment' });
    try {
      await new FlyctlClient({ token: 'FlyV1 fm2_configured', timeoutMs: 5000, bin }).secretNames('app');
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
    const [call] = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { token: string; env: string[] });
    expect(call!.token).toBe('FlyV1 fm2_configured');
    expect(call!.env).not.toEqual(expect.arrayContaining(['GATEWAY_ADMIN_KEY']));
    expect(call!.env.filter((k) => !/^(PATH|HOME|TMPDIR|FLY_[A-Z_]+|[A-Za-z_]*_PROXY|[a-z_]*_proxy)$/.test(k))).toEqual(
      [],
    );
    expect(call!.env).toEqual(
      expect.arrayContaining(['PATH', 'FLY_ORG', 'HTTPS_PROXY', 'FLY_NO_UPDATE_CHECK', 'FLY_API_TOKEN']),
    );
  });
});

describe('flyctlEnvironment', () => {
  const base = {
    PATH: '/usr/bin',
    HOME: '/home/op',
    TMPDIR: '/tmp',
    SHELL: '/bin/bash',
    no_proxy: 'localhost',
    FLY_ORG: 'hotrodan',
    FLY_API_TOKEN: 'FlyV1 fm2_env',
    GATEWAY_ADMIN_KEY: 'sk-admin',
    AWS_SECRET_ACCESS_KEY: 'x',
    LANGFUSE_DATABASE_URL: 'postgres://u:p@h/db',
  };

  it('keeps PATH, HOME, TMPDIR, proxies and FLY_* settings, and drops everything else', () => {
    expect(flyctlEnvironment(base, undefined)).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/op',
      TMPDIR: '/tmp',
      no_proxy: 'localhost',
      FLY_ORG: 'hotrodan',
      FLY_NO_UPDATE_CHECK: '1',
    });
  });

  it('passes FLY_API_TOKEN only as the configured token', () => {
    expect(flyctlEnvironment(base, 'FlyV1 fm2_configured').FLY_API_TOKEN).toBe('FlyV1 fm2_configured');
    expect(flyctlEnvironment(base, undefined)).not.toHaveProperty('FLY_API_TOKEN');
  });
});
