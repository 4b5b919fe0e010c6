import { createHash } from 'node:crypto';
import type { Faults } from '../faults.ts';

/** The three Fly app names of the runbook (§1), overridable for a differently named deployment. */
export interface FlyAppNames {
  readonly gateway: string;
  readonly clickhouse: string;
  readonly minio: string;
}

/** Which stand-in a machine is: decides its checks, its process and which commands `exec` has. */
export type MachineRole = 'gateway' | 'ui' | 'worker' | 'clickhouse' | 'minio';

/** One deploy of an app: what every machine of the app runs when the deploy finished. */
export interface FlyRelease {
  readonly version: number;
  readonly id: string;
  /** `config.image`, e.g. `registry.fly.io/hotdash-llm-gateway:deployment-01J…`. */
  readonly image: string;
  readonly registry: string;
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
}

/** A machine object as `GET /v1/apps/{app}/machines` returns it (fly-go `fly.Machine`, snake_case). */
export interface FlyMachine {
  id: string;
  name: string;
  state: string;
  region: string;
  instance_id: string;
  version: string;
  private_ip: string;
  created_at: string;
  updated_at: string;
  config: Record<string, unknown> & { metadata: Record<string, string> };
  image_ref: { registry: string; repository: string; tag: string; digest: string; labels: Record<string, string> };
  events: { id: string; type: string; status: string; source: string; timestamp: number }[];
  checks: { name: string; status: 'passing' | 'warning' | 'critical'; output: string; updated_at: string }[];
  host_status: 'ok' | 'unknown' | 'unreachable';
  cordoned: boolean;
}

/** An app and its machines, with the role of each machine for `exec`. */
export interface FlyApp {
  readonly name: string;
  readonly id: string;
  readonly release: FlyRelease;
  readonly machines: readonly { machine: FlyMachine; role: MachineRole }[];
}

function hex(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

// Crockford base32, the alphabet of Fly's ULIDs and instance ids.
function base32(seed: string, length: number): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  return [...createHash('sha256').update(seed).digest()]
    .slice(0, length)
    .map((b) => alphabet[b % 32])
    .join('');
}

function flyRelease(app: string, version: number): FlyRelease {
  const tag = `deployment-01J${base32(`${app}/tag/${version}`, 23)}`;
  return {
    version,
    id: base32(`${app}/release/${version}`, 14),
    image: `registry.fly.io/${app}:${tag}`,
    registry: 'registry.fly.io',
    repository: app,
    tag,
    digest: `sha256:${hex(`${app}/digest/${version}`, 64)}`,
  };
}

// ClickHouse and MinIO are deployed straight from Docker Hub images (`fly deploy --image …`).
function hubRelease(app: string, version: number, repository: string, tag: string): FlyRelease {
  return {
    version,
    id: base32(`${app}/release/${version}`, 14),
    image: `${repository}:${tag}`,
    registry: 'registry-1.docker.io',
    repository,
    tag,
    digest: `sha256:${hex(`${repository}:${tag}`, 64)}`,
  };
}

interface RoleSpec {
  group: string;
  cmd?: string[];
  port: number;
  path: string;
  /** Service checks are named `servicecheck-NN-http-PORT`; top-level `[checks]` keep their fly.toml name. */
  check: { kind: 'service' } | { kind: 'top'; name: string };
  mount?: { name: string; path: string };
  okOutput: string;
}

const ROLES: Record<MachineRole, RoleSpec> = {
  gateway: {
    group: 'gateway',
    cmd: ['litellm', '--config', '/app/config.yaml', '--port', '4000'],
    port: 4000,
    path: '/health/liveliness',
    check: { kind: 'service' },
    okOutput: `"I'm alive!"`,
  },
  ui: {
    group: 'ui',
    cmd: ['./web/entrypoint.sh', 'node', 'web/server.js'],
    port: 3000,
    path: '/api/public/health',
    check: { kind: 'service' },
    okOutput: '{"status":"OK","version":"3.225.4"}',
  },
  worker: {
    group: 'worker',
    cmd: ['./worker/entrypoint.sh', 'node', 'worker/dist/index.js'],
    port: 3030,
    path: '/api/health',
    check: { kind: 'top', name: 'worker-health' },
    okOutput: '{"status":"ok"}',
  },
  clickhouse: {
    group: 'app',
    port: 8123,
    path: '/ping',
    check: { kind: 'top', name: 'clickhouse-ping' },
    mount: { name: 'clickhouse_data', path: '/var/lib/clickhouse' },
    okOutput: 'Ok.',
  },
  minio: {
    group: 'app',
    cmd: ['server', '/data', '--console-address', ':9001'],
    port: 9000,
    path: '/minio/health/live',
    check: { kind: 'top', name: 'minio-live' },
    mount: { name: 'minio_data', path: '/data' },
    okOutput: '',
  },
};

const NAMES = ['aged-wind', 'bold-river', 'calm-forest', 'dark-meadow', 'eager-sun', 'fancy-snow', 'gentle-sky'];

interface MachineInput {
  app: string;
  role: MachineRole;
  index: number;
  region: string;
  release: FlyRelease;
  checkStatus: 'passing' | 'critical';
  now: number;
}

function machine(m: MachineInput): FlyMachine {
  const spec = ROLES[m.role];
  const seed = `${m.app}/${m.role}/${m.index}`;
  const id = hex(seed, 14);
  const privateIp = `fdaa:9:4c2e:a7b:${m.region === 'ord' ? '1a3' : '2c7'}:${hex(`${seed}/ip`, 4)}:${hex(`${seed}/ip2`, 4)}:2`;
  const iso = (msAgo: number): string => new Date(m.now - msAgo).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const created = 3 * 86_400_000;
  const started = 2 * 3_600_000;
  const url = `http://[${privateIp}]:${spec.port}${spec.path}`;
  const check = {
    name: spec.check.kind === 'service' ? `servicecheck-00-http-${spec.port}` : spec.check.name,
    status: m.checkStatus,
    output:
      m.checkStatus === 'passing'
        ? `HTTP GET ${url}: 200 OK Output: ${JSON.stringify(spec.okOutput)}`
        : `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    updated_at: iso(m.checkStatus === 'passing' ? started - 30_000 : 240_000),
  };
  const httpCheck = {
    type: 'http',
    interval: '15s',
    timeout: '10s',
    grace_period: '30s',
    method: 'GET',
    path: spec.path,
  };
  const config: FlyMachine['config'] = {
    init: spec.cmd ? { cmd: spec.cmd } : {},
    env: { FLY_PROCESS_GROUP: spec.group, PRIMARY_REGION: 'ord' },
    guest: { cpu_kind: 'shared', cpus: 2, memory_mb: 2048 },
    image: m.release.image,
    metadata: {
      fly_flyctl_version: '0.4.87',
      fly_platform_version: 'v2',
      fly_process_group: spec.group,
      fly_release_id: m.release.id,
      fly_release_version: String(m.release.version),
    },
    restart: { policy: 'on-failure', max_retries: 10 },
    ...(spec.check.kind === 'service'
      ? {
          services: [
            {
              protocol: 'tcp',
              internal_port: spec.port,
              autostop: 'off',
              ports: [
                { port: 80, handlers: ['http'], force_https: true },
                { port: 443, handlers: ['tls', 'http'] },
              ],
              checks: [{ ...httpCheck, protocol: 'http' }],
            },
          ],
        }
      : { checks: { [spec.check.name]: { ...httpCheck, port: spec.port } } }),
    ...(spec.mount
      ? {
          mounts: [
            { volume: `vol_${base32(`${seed}/vol`, 16).toLowerCase()}`, path: spec.mount.path, name: spec.mount.name },
          ],
        }
      : {}),
  };
  return {
    id,
    name: `${NAMES[(m.index + m.role.length) % NAMES.length]}-${parseInt(hex(`${seed}/name`, 4), 16) % 10_000}`,
    state: 'started',
    region: m.region,
    instance_id: base32(`${seed}/instance/${m.release.version}`, 26),
    version: base32(`${seed}/instance/${m.release.version}`, 26),
    private_ip: privateIp,
    created_at: iso(created),
    updated_at: iso(started),
    config,
    image_ref: {
      registry: m.release.registry,
      repository: m.release.repository,
      tag: m.release.tag,
      digest: m.release.digest,
      labels: {},
    },
    // Newest first, as the API lists them; timestamps are Unix milliseconds.
    events: [
      { id: base32(`${seed}/ev2`, 26), type: 'start', status: 'started', source: 'flyd', timestamp: m.now - started },
      { id: base32(`${seed}/ev1`, 26), type: 'launch', status: 'created', source: 'user', timestamp: m.now - created },
    ],
    checks: [check],
    host_status: 'ok',
    cordoned: false,
  };
}

/**
 * Builds the deployed fleet, deterministic for a given fault set: the gateway app runs release
 * 12 with process groups gateway (2 machines), ui (1) and worker (1) in `region`, one image for
 * all; the ClickHouse and MinIO apps run one machine each. Faults bend exactly one thing of
 * the second gateway-group machine (`machine-unhealthy`: its check is critical; `wrong-region`:
 * it runs in iad; `image-mismatch`: it still runs release 11's image) or drop the worker
 * machine (`process-missing`).
 */
export function buildFleet(names: FlyAppNames, faults: Faults, region: string, now = Date.now()): FlyApp[] {
  const gatewayRelease = flyRelease(names.gateway, 12);
  const staleRelease = flyRelease(names.gateway, 11);
  const roles: MachineRole[] = [
    'gateway',
    'gateway',
    'ui',
    ...(faults.has('process-missing') ? [] : ['worker' as const]),
  ];
  const gatewayMachines = roles.map((role, i) => {
    const bent = role === 'gateway' && i === 1;
    return {
      role,
      machine: machine({
        app: names.gateway,
        role,
        index: i,
        region: bent && faults.has('wrong-region') ? 'iad' : region,
        release: bent && faults.has('image-mismatch') ? staleRelease : gatewayRelease,
        checkStatus: bent && faults.has('machine-unhealthy') ? 'critical' : 'passing',
        now,
      }),
    };
  });
  const single = (app: string, role: MachineRole, release: FlyRelease): FlyApp => ({
    name: app,
    id: app,
    release,
    machines: [{ role, machine: machine({ app, role, index: 0, region, release, checkStatus: 'passing', now }) }],
  });
  return [
    { name: names.gateway, id: names.gateway, release: gatewayRelease, machines: gatewayMachines },
    single(names.clickhouse, 'clickhouse', hubRelease(names.clickhouse, 3, 'clickhouse/clickhouse-server', '24.8')),
    single(names.minio, 'minio', hubRelease(names.minio, 2, 'minio/minio', 'RELEASE.2025-04-22T22-12-26Z')),
  ];
}

/**
 * The ids of the gateway app's `gateway` process group, in the order the Machines API lists
 * them: the machines that serve LiteLLM behind Fly's proxy (the `ui` and `worker` groups serve
 * Langfuse). The sandbox gateway runs exactly these, so `fly-force-instance-id` with an id from
 * the API reaches that machine.
 */
export function gatewayMachineIds(names: FlyAppNames, faults: Faults, region: string): string[] {
  const app = buildFleet(names, faults, region).find((a) => a.name === names.gateway);
  return (app?.machines ?? []).filter((m) => m.role === 'gateway').map((m) => m.machine.id);
}
