import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startClickHouse } from './clickhouse/index.ts';
import { parseFaults, type FaultName, type Faults } from './faults.ts';
import { gatewayMachineIds } from './fly/fleet.ts';
import { DEFAULT_APPS, startFly } from './fly/index.ts';
import { parseCacheType, startGateway } from './gateway/index.ts';
import { startLangfuse } from './langfuse/index.ts';
import { startMinio } from './minio/index.ts';
import { DEFAULT_SEED, latencyProfile, parseProfile, type SandboxProfileName } from './profile.ts';
import { createSandboxCa, startTlsProxy, writeCaPem } from './tls/index.ts';
import type { RequestCounter } from './types.ts';
import { startUpstream } from './upstream/index.ts';

export { FAULTS } from './faults.ts';

export { parseProfile, profileSeed } from './profile.ts';

/** The agents of `fixtures/agents/good.json`; the live-traffic simulator plays them. */
const SANDBOX_AGENTS = ['support-bot', 'order-tracker', 'returns-assistant'] as const;

/** Knobs for a sandbox run; every one has a realistic default. */
export interface SandboxOptions {
  /** Faults to switch on: an array, or the `SANDBOX_FAULTS` comma format. */
  faults?: string | readonly string[];
  /** Upstream model latency (default 150 ms, like a small real completion). */
  upstreamLatencyMs?: number;
  /** Delay before ingested Langfuse events become readable (default 300 ms). */
  ingestDelayMs?: number;
  /** Start the live-traffic simulator (the post-cutover phase watches real traffic). */
  liveTraffic?: boolean;
  /**
   * The gateway's `cache_params.type`: `redis` (exact), `redis-semantic` (default) or
   * `qdrant-semantic`, also in a caller's `SANDBOX_CACHE_TYPE` string form (empty = default);
   * an unknown name throws. Faults `cache-off` and `cache-exact-only` override it.
   */
  cacheType?: string;
  /**
   * The latency profile (`SANDBOX_PROFILE`): `default` (empty = default) keeps the stack as fast
   * as it can be; `production` gives each component the real stack's latency (`profile.ts`).
   * An unknown name throws. `upstreamLatencyMs` and `ingestDelayMs` apply to `default` only.
   */
  profile?: string;
  /** The seed of the production profile's draws (`profileSeed`); the same seed, the same latencies. Default `DEFAULT_SEED`. */
  seed?: string;
}

/** A running sandbox: the environment that points the suite at it, and how to stop it. */
export interface Sandbox {
  /** `.env`-style variables; exactly what `pnpm sandbox` prints. */
  readonly env: Record<string, string>;
  readonly faults: FaultName[];
  /** The latency profile it runs with. */
  readonly profile: SandboxProfileName;
  /** The gateway's one response cache (`cache_params.type`), `null` without one (fault `cache-off`). */
  readonly cacheType: string | null;
  /** Requests received by every component; bad-config selftests prove it stays 0. */
  readonly counter: RequestCounter;
  /** Direct URLs of the infra stand-ins, for selftests of the non-default transports. */
  readonly urls: {
    readonly clickhouse: string;
    readonly minio: string;
    readonly fly: string;
    readonly upstream: string;
  };
  stop(): Promise<void>;
}

/** A credential shaped like the real thing (so redaction by shape is exercised too) but random per run. */
function credential(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

/** The Fly region the stand-in fleet runs in; the gateway's machine ids are derived from the same fleet. */
const FLY_REGION = 'ord';

/** What every agent's team key allows: the model group the agents name, and §5.2's escalation target. */
const TEAM_KEY_MODELS = ['gpt-4o-mini', 'gpt-4o'];

/**
 * Imports one rotated team key per agent into the gateway, as an operator does after rotating
 * them in the vault: `POST /key/generate` with the key's own value (`key`), alias
 * `team:<agent>`, the team, the model groups the agents use and per-team limits. Returns the
 * `TEAM_KEY_<agent>` variables the agents config references. Faults: `team-key-revoked` leaves
 * order-tracker's key out (the gateway then answers it 401, as it does a deleted key);
 * `team-key-wrong-model` lets returns-assistant's key call only `gpt-4o`.
 */
async function importTeamKeys(gatewayUrl: string, masterKey: string, faults: Faults): Promise<Record<string, string>> {
  const imported = await Promise.all(
    SANDBOX_AGENTS.map(async (agent) => {
      const key = credential('sk-team-');
      const variable = `TEAM_KEY_${agent.replace(/-/g, '_')}`;
      if (faults.has('team-key-revoked') && agent === 'order-tracker') return [variable, key] as const;
      const models = faults.has('team-key-wrong-model') && agent === 'returns-assistant' ? ['gpt-4o'] : TEAM_KEY_MODELS;
      const r = await fetch(`${gatewayUrl}/key/generate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          key,
          key_alias: `team:${agent}`,
          team_id: `team-${agent}`,
          models,
          rpm_limit: 600,
          tpm_limit: 200_000,
          metadata: { agent },
        }),
        signal: AbortSignal.timeout(5_000),
      });
      await r.arrayBuffer();
      if (!r.ok)
        throw new Error(`sandbox: importing the team key of ${agent} (POST /key/generate) answered ${r.status}`);
      return [variable, key] as const;
    }),
  );
  return Object.fromEntries(imported);
}

/**
 * Starts the whole stand-in stack on ephemeral loopback ports: an OpenAI-compatible upstream,
 * a LiteLLM-compatible gateway in front of it, a Langfuse v3 stand-in the gateway logs to,
 * the Fly Machines API with ClickHouse and MinIO behind it, and HTTPS fronts for the gateway
 * and Langfuse signed by a CA generated for this run. Components talk to each other only over
 * HTTP, as the real stack does.
 */
export async function startSandbox(o: SandboxOptions = {}): Promise<Sandbox> {
  const faults = parseFaults(o.faults);
  const cacheType = parseCacheType(o.cacheType);
  const profile = latencyProfile(parseProfile(o.profile), o.seed ?? DEFAULT_SEED);
  const counter: RequestCounter = { total: 0, byComponent: {} };
  const ctx = { faults, counter };
  const s = {
    masterKey: credential('sk-sandbox-master-'),
    upstreamKey: credential('sk-sandbox-upstream-'),
    publicKey: credential('pk-lf-sandbox-'),
    secretKey: credential('sk-lf-sandbox-'),
    uiPassword: credential('pw-'),
    flyToken: `FlyV1 fm2_${randomBytes(24).toString('base64url')}`,
    clickhousePassword: credential('ch-'),
  };
  const closers: (() => Promise<void>)[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'cutover-sandbox-'));
  closers.push(async () => rmSync(tmp, { recursive: true, force: true }));
  try {
    const [upstream, langfuse, clickhouse, minio, ca] = await Promise.all([
      startUpstream({ ...ctx, apiKey: s.upstreamKey, latencyMs: o.upstreamLatencyMs, profile }),
      startLangfuse({
        ...ctx,
        publicKey: s.publicKey,
        secretKey: s.secretKey,
        ingestDelayMs: o.ingestDelayMs,
        ingestionLagMs: profile.ingestionLagMs,
        ui: { email: 'cutover@sandbox.test', password: s.uiPassword },
      }),
      startClickHouse({ ...ctx, user: 'langfuse', password: s.clickhousePassword }),
      startMinio(ctx),
      createSandboxCa(),
    ]);
    closers.push(
      () => upstream.close(),
      () => langfuse.close(),
      () => clickhouse.close(),
      () => minio.close(),
    );
    const gateway = await startGateway({
      ...ctx,
      masterKey: s.masterKey,
      upstreamUrl: upstream.url,
      upstreamKey: s.upstreamKey,
      langfuse: { url: langfuse.url, publicKey: s.publicKey, secretKey: s.secretKey },
      cacheType,
      // Exactly the machines the Fly stand-in below lists for the gateway group, so a suite can
      // scrape each one by the id the Machines API gives it.
      machineIds: gatewayMachineIds(DEFAULT_APPS, faults, FLY_REGION),
      adminRouteMs: profile.adminRouteMs,
    });
    closers.push(() => gateway.close());
    const [gatewayTls, langfuseTls] = await Promise.all([
      startTlsProxy({ ...ctx, target: gateway.url, hostName: 'localhost', ca, site: 'gateway' }),
      startTlsProxy({ ...ctx, target: langfuse.url, hostName: 'localhost', ca, site: 'langfuse' }),
    ]);
    closers.push(
      () => gatewayTls.close(),
      () => langfuseTls.close(),
    );
    const fly = await startFly({
      ...ctx,
      apps: DEFAULT_APPS,
      region: FLY_REGION,
      token: s.flyToken,
      clickhouse: { url: clickhouse.url, user: 'langfuse', password: s.clickhousePassword },
      minioUrl: minio.url,
      langfuseWorkerUrl: langfuse.workerUrl,
      gatewayUrl: gateway.url,
      certificates: { 'gateway.hotrodan.com': gatewayTls.leaf, 'langfuse.hotrodan.com': langfuseTls.leaf },
      apiLatencyMs: profile.flyApiMs,
    });
    closers.push(() => fly.close());
    const caFile = await writeCaPem(ca, join(tmp, 'sandbox-ca.pem'));

    const teamKeys = await importTeamKeys(gateway.url, s.masterKey, faults);
    if (o.liveTraffic) {
      // Loaded only for the post-cutover phase: the pre-cutover rehearsal needs no traffic.
      const { startTraffic } = await import('./traffic/index.ts');
      const traffic = await startTraffic({
        faults,
        gatewayUrl: gateway.url,
        masterKey: s.masterKey,
        agents: [...SANDBOX_AGENTS],
      });
      closers.push(() => traffic.stop());
    }
    const env: Record<string, string> = {
      GATEWAY_URL: gateway.url,
      GATEWAY_ADMIN_KEY: s.masterKey,
      LANGFUSE_URL: langfuse.url,
      LANGFUSE_PUBLIC_KEY: s.publicKey,
      LANGFUSE_SECRET_KEY: s.secretKey,
      // Default-profile ingestion takes ~0.3 s; polling every second would make rehearsals slow
      // for nothing. The default profile's gateway also writes its cache 50 ms after answering
      // (`cacheWriteDelayMs`), so a quarter second settles it with room to spare where LiteLLM's
      // documented wait is 1 s. The production profile leaves the suite's own interval and
      // settle, as a deployment run has.
      ...(profile.name === 'default' ? { LANGFUSE_POLL_INTERVAL_MS: '200', CACHE_WRITE_SETTLE_MS: '250' } : {}),
      FLY_API_URL: fly.url,
      FLY_API_TOKEN: s.flyToken,
      LANGFUSE_UI_EMAIL: 'cutover@sandbox.test',
      LANGFUSE_UI_PASSWORD: s.uiPassword,
      TLS_GATEWAY_URL: gatewayTls.url,
      TLS_LANGFUSE_URL: langfuseTls.url,
      TLS_CA_FILE: caFile,
      OPENAI_DIRECT_URL: upstream.url,
      OPENAI_DIRECT_KEY: s.upstreamKey,
      AGENTS_CONFIG_PATH: 'fixtures/agents/good.json',
      AGENTS_GATEWAY_URL: 'https://gateway.hotrodan.com',
      ...teamKeys,
      // A short watch for rehearsals. On the production profile a window must outlast Langfuse's
      // 6-10 s ingestion lag, or the latency rule (read from Langfuse) never sees enough samples
      // in a window: a 20 s watch of 10 s windows ended inconclusive there, 0 windows with 30.
      ...(profile.name === 'default'
        ? { MONITOR_DURATION: '20s', MONITOR_ERROR_WINDOW: '10s' }
        : { MONITOR_DURATION: '60s', MONITOR_ERROR_WINDOW: '30s' }),
      MONITOR_INTERVAL: '2s',
      MONITOR_MIN_SAMPLES: '30',
    };
    return {
      env,
      faults: [...faults],
      profile: profile.name,
      cacheType: gateway.cacheType,
      counter,
      urls: { clickhouse: clickhouse.url, minio: minio.url, fly: fly.url, upstream: upstream.url },
      stop: async () => {
        for (const close of closers.reverse()) await close().catch(() => undefined);
      },
    };
  } catch (err) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw err;
  }
}
