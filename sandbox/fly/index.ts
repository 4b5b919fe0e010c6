import { createHash, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { delay, listen, readJson, sendJson } from '../http.ts';
import type { ComponentContext, Listening } from '../types.ts';
import { execRequest } from './exec.ts';
import { buildFleet, type FlyApp, type FlyAppNames, type FlyRelease, type MachineRole } from './fleet.ts';
import type { Resolve, Vm } from './vm.ts';

export type { FlyAppNames, FlyMachine } from './fleet.ts';

/** The runbook's app names (§1). */
export const DEFAULT_APPS: FlyAppNames = {
  gateway: 'hotdash-llm-gateway',
  clickhouse: 'hotdash-langfuse-clickhouse',
  minio: 'hotdash-langfuse-minio',
};

/**
 * What the Fly certificates API knows about one custom host name. Pass the TLS stand-in's
 * `leaf` (it has these fields) so the API and the served certificate agree.
 */
interface FlyCertificateInput {
  /** ISO-8601 expiry of the issued certificate. */
  readonly notAfter: string;
  /** ISO-8601 issuance; defaults to 60 days before `notAfter`. */
  readonly notBefore?: string;
  /** The issuer's distinguished name, reported as `certificates[].issuer`. */
  readonly issuer: string;
}

/** Options of `startFly`. */
export interface FlyOptions extends ComponentContext {
  /** The API token the suite is configured with: `FlyV1 fm2_…` (sent whole) or a plain token (sent as Bearer). */
  readonly token: string;
  readonly region?: 'ord';
  /** The ClickHouse stand-in that `clickhouse-client` on the ClickHouse machine talks to. */
  readonly clickhouse: { readonly url: string; readonly user: string; readonly password: string };
  /** The MinIO stand-in, `localhost:9000` on the MinIO machine. */
  readonly minioUrl: string;
  /** The Langfuse worker's health server, `localhost:3030` on the gateway app's worker machines. */
  readonly langfuseWorkerUrl: string;
  /** The LiteLLM stand-in, `localhost:4000` on the gateway app's gateway machines. */
  readonly gatewayUrl: string;
  /** Custom host names of the gateway app (it serves both the gateway and the Langfuse UI). */
  readonly certificates: Readonly<Record<string, FlyCertificateInput>>;
  readonly apps?: FlyAppNames;
  /** Time each Machines API request takes before it is answered (the production profile's); default none. */
  readonly apiLatencyMs?: () => number;
}

/** A running Fly stand-in: `url` is the Machines API base (`FLY_API_BASE_URL`-like, no `/v1`). */
export interface FlySandbox extends Listening {
  readonly apps: FlyAppNames;
  /** The release each app is deployed at: what every healthy machine runs. */
  readonly releases: Readonly<Record<keyof FlyAppNames, FlyRelease>>;
}

const SECRETS: Record<keyof FlyAppNames, string[]> = {
  gateway: [
    'LITELLM_MASTER_KEY',
    'DATABASE_URL',
    'REDIS_URL',
    'LANGFUSE_PUBLIC_KEY',
    'LANGFUSE_SECRET_KEY',
    'OPENAI_API_KEY',
    'TEAM_KEY_prod_customer',
  ],
  clickhouse: ['CLICKHOUSE_PASSWORD'],
  minio: ['MINIO_ROOT_USER', 'MINIO_ROOT_PASSWORD'],
};

function hex(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

/**
 * Whether an `Authorization` header carries `token`. flyctl sends macaroon tokens (`fm1r_`,
 * `fm1a_`, `fm2_`) as `FlyV1 <token>` and everything else as `Bearer <token>`; the docs' curl
 * examples send `Bearer FlyV1 fm2_…`, which the API accepts too. `Bearer Bearer …` (a client
 * that prefixed an already-prefixed token) and `FlyV1` on a non-macaroon token are refused.
 */
export function flyAuthorized(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const raw = token.replace(/^(Bearer |FlyV1 )/, '');
  let presented = header.startsWith('Bearer ') ? header.slice(7) : header;
  if (presented.startsWith('FlyV1 ')) {
    if (!/^fm(1r|1a|2)_/.test(raw)) return false;
    presented = presented.slice(6);
  } else if (presented === header) return false;
  return presented === raw;
}

/**
 * Starts a stand-in for the Fly Machines REST API (`https://api.machines.dev/v1`). Routes:
 * `GET /v1/apps/{app}`; `GET /v1/apps/{app}/machines` (filters `region=` and
 * `metadata.{key}=`); `GET /v1/apps/{app}/machines/{id}`; `POST …/machines/{id}/exec` (200 with
 * `{exit_code?, stdout?, stderr?}`, all omitempty as in fly-go; 408 `deadline_exceeded` past the
 * timeout); `GET /v1/apps/{app}/certificates[/{host}]` and `POST …/certificates/{host}/check`
 * (fly-go's `CertificateDetailResponse`); `GET /v1/apps/{app}/secrets` (names and digests,
 * never values). Errors are fly-go's `{"error": "…"}`: 401 without a valid token, 404 for an
 * unknown app, machine, host or route. Exec runs the stand-in commands of `exec.ts` against the
 * other stand-ins, so a ClickHouse or MinIO fault shows through exec exactly as it would in the
 * VM. Faults `machine-unhealthy`, `process-missing`, `wrong-region`, `image-mismatch` shape
 * the fleet (see `buildFleet`).
 */
export async function startFly(o: FlyOptions): Promise<FlySandbox> {
  const names = o.apps ?? DEFAULT_APPS;
  const region = o.region ?? 'ord';
  const fleet = buildFleet(names, o.faults, region);
  const byName = new Map(fleet.map((a) => [a.name, a]));
  const kindOf = (app: FlyApp): keyof FlyAppNames =>
    app.name === names.gateway ? 'gateway' : app.name === names.clickhouse ? 'clickhouse' : 'minio';

  const localPorts = (role: MachineRole): Record<number, string> => {
    switch (role) {
      case 'gateway':
        return { 4000: o.gatewayUrl };
      case 'worker':
        return { 3030: o.langfuseWorkerUrl };
      case 'clickhouse':
        return { 8123: o.clickhouse.url };
      case 'minio':
        return { 9000: o.minioUrl };
      case 'ui':
        return {};
    }
  };
  const appPorts = (app: FlyApp): Record<number, string> =>
    Object.assign({}, ...app.machines.map((m) => localPorts(m.role)));

  const vmFor = (app: FlyApp, entry: FlyApp['machines'][number]): Vm => {
    const own = localPorts(entry.role);
    const resolve: Resolve = (host, port) => {
      let ports: Record<number, string> | undefined;
      if (['localhost', '127.0.0.1', '::1', '0.0.0.0'].includes(host)) ports = own;
      else {
        // 6PN names: <app>.internal and <app>.flycast reach the app's machines from any VM of the org.
        const target = fleet.find((a) => host === `${a.name}.internal` || host === `${a.name}.flycast`);
        if (target) ports = appPorts(target);
      }
      if (!ports) return 'unresolved';
      const url = ports[port];
      return url ? { url: url.replace(/\/$/, '') } : 'refused';
    };
    const m = entry.machine;
    return {
      tools: new Set(
        entry.role === 'clickhouse'
          ? ['curl', 'clickhouse-client']
          : entry.role === 'minio'
            ? ['curl', 'mc']
            : ['curl'],
      ),
      env: {
        FLY_APP_NAME: app.name,
        FLY_MACHINE_ID: m.id,
        FLY_REGION: m.region,
        FLY_PROCESS_GROUP: m.config.metadata['fly_process_group'] ?? '',
        FLY_IMAGE_REF: `${m.image_ref.registry}/${m.image_ref.repository}:${m.image_ref.tag}`,
        FLY_MACHINE_VERSION: m.instance_id,
        PRIMARY_REGION: region,
        ...(entry.role === 'clickhouse'
          ? { CLICKHOUSE_USER: o.clickhouse.user, CLICKHOUSE_PASSWORD: o.clickhouse.password }
          : {}),
      },
      resolve,
    };
  };

  const reply = (res: ServerResponse, status: number, body: unknown): void =>
    sendJson(res, status, body, {
      'fly-request-id': `01J${randomBytes(12).toString('hex').toUpperCase().slice(0, 23)}-${region}`,
    });
  const notFound = (res: ServerResponse, what: string): void => reply(res, 404, { error: `${what} not found` });

  const issuedAt = (c: FlyCertificateInput): string =>
    c.notBefore ?? new Date(Date.parse(c.notAfter) - 60 * 86_400_000).toISOString();
  // Fly renews 30 days ahead, so an expired certificate means renewal failed; the value is ours.
  const statusOf = (c: FlyCertificateInput): string => (Date.parse(c.notAfter) <= Date.now() ? 'expired' : 'active');
  const certificate = (app: FlyApp, host: string, c: FlyCertificateInput): Record<string, unknown> => {
    const status = statusOf(c);
    const createdAt = issuedAt(c);
    return {
      hostname: host,
      configured: true,
      acme_requested: true,
      status,
      dns_provider: 'cloudflare',
      rate_limited_until: null,
      certificates: [
        {
          source: 'fly',
          status,
          created_at: createdAt,
          expires_at: c.notAfter,
          issuer: c.issuer,
          issued: [{ type: 'ecdsa', expires_at: c.notAfter, certificate_authority: 'lets_encrypt' }],
        },
      ],
      validation: {
        dns_configured: true,
        alpn_configured: true,
        http_configured: true,
        ownership_txt_configured: true,
      },
      dns_requirements: {
        a: ['66.241.124.17'],
        aaaa: [`2a09:8280:1::${hex(`${app.name}/v6`, 4)}:0`],
        cname: `${app.name}.fly.dev`,
        acme_challenge: { name: `_acme-challenge.${host}`, target: `${host}.${hex(`${app.name}/acme`, 6)}.flydns.net` },
        ownership: {
          name: `_fly-ownership.${host}`,
          app_value: `app-${hex(`${app.name}/app`, 8)}`,
          org_value: `org-${hex('org', 8)}`,
        },
      },
      validation_errors: [],
    };
  };

  const server = await listen('fly', o.counter, async (req, res, url) => {
    if (o.apiLatencyMs) await delay(o.apiLatencyMs());
    const auth = req.headers.authorization;
    if (!flyAuthorized(auth, o.token)) return reply(res, 401, { error: 'unauthorized' });
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== 'v1' || parts[1] !== 'apps' || !parts[2]) return notFound(res, 'route');
    const app = byName.get(parts[2]);
    if (!app) return notFound(res, 'app');
    const [, , , resource, id, action, extra] = parts;
    const method = req.method ?? 'GET';

    if (resource === undefined && method === 'GET') {
      return reply(res, 200, {
        id: app.id,
        name: app.name,
        status: 'deployed',
        organization: { name: 'Hot Rod AN', slug: 'hotrodan' },
        internal_numeric_id: parseInt(hex(app.name, 6), 16),
        network: 'default',
        machine_count: app.machines.length,
        volume_count: kindOf(app) === 'gateway' ? 0 : 1,
        cname_target: `${hex(app.name, 6)}.${app.name}.fly.dev`,
      });
    }
    if (resource === 'machines') {
      if (id === undefined && method === 'GET') {
        const filters = [...url.searchParams].filter(([k]) => k === 'region' || k.startsWith('metadata.'));
        const machines = app.machines
          .map((m) => m.machine)
          .filter((m) =>
            filters.every(([k, v]) =>
              k === 'region' ? m.region === v : m.config.metadata[k.slice('metadata.'.length)] === v,
            ),
          );
        return reply(res, 200, machines);
      }
      const entry = app.machines.find((m) => m.machine.id === id);
      if (!entry) return notFound(res, 'machine');
      if (action === undefined && method === 'GET') return reply(res, 200, entry.machine);
      if (action === 'exec' && method === 'POST') {
        const answer = await execRequest(await readJson(req), vmFor(app, entry));
        return reply(res, answer.status, answer.body);
      }
    }
    if (resource === 'certificates') {
      // All custom host names live on the gateway app (its ui group serves the Langfuse UI).
      const certs = kindOf(app) === 'gateway' ? o.certificates : {};
      if (id === undefined && method === 'GET') {
        const list = Object.entries(certs).map(([hostname, c]) => ({
          hostname,
          status: statusOf(c),
          configured: true,
          acme_dns_configured: true,
          acme_alpn_configured: true,
          has_fly_certificate: true,
          has_custom_certificate: false,
          created_at: issuedAt(c),
          updated_at: issuedAt(c),
        }));
        return reply(res, 200, { certificates: list, total_count: list.length });
      }
      const c = id === undefined ? undefined : certs[id];
      if (id === undefined || !c) return notFound(res, 'certificate');
      const read = action === undefined && method === 'GET';
      const check = action === 'check' && extra === undefined && method === 'POST';
      if (read || check) return reply(res, 200, certificate(app, id, c));
    }
    if (resource === 'secrets' && id === undefined && method === 'GET') {
      // Never values, even with ?show_secrets=true: the sandbox has no business handing them out.
      const names = SECRETS[kindOf(app)].filter(
        (name) => !(o.faults.has('secret-missing') && kindOf(app) === 'gateway' && name === 'REDIS_URL'),
      );
      const secrets = names.map((name) => ({ name, digest: hex(`${app.name}/${name}`, 16) }));
      return reply(res, 200, { secrets });
    }
    return notFound(res, 'route');
  });

  const releaseOf = (kind: keyof FlyAppNames): FlyRelease => (byName.get(names[kind]) as FlyApp).release;
  return {
    url: server.url,
    close: server.close,
    apps: names,
    releases: { gateway: releaseOf('gateway'), clickhouse: releaseOf('clickhouse'), minio: releaseOf('minio') },
  };
}
