// How the §1–2 checks reach the private parts of the stack: through Fly (Machines API or
// flyctl, FLY_TRANSPORT) or directly when an operator opened a tunnel (CLICKHOUSE_URL,
// MINIO_URL). Shared by the infra test files so each check reads as its runbook step.
import type { CutoverConfig } from '../../src/config/index.ts';
import type { CheckRecorder } from '../../src/harness/recorder.ts';
import { ClickHouseHttp, ClickHouseViaFly, type ClickHouse } from '../../src/clients/clickhouse.ts';
import type { FlyClient, FlyMachine } from '../../src/clients/fly.ts';
import { probeMachine } from '../../src/harness/fly-fleet.ts';
import { flyClient } from '../../src/clients/fly-transport.ts';
import { MinioHttp, MinioViaFly, type MinioProbe } from '../../src/clients/minio.ts';

/** The Fly client for this run, or undefined with the reason it cannot exist (recorded by the caller). */
export function flyOrReason(config: CutoverConfig): { fly: FlyClient } | { reason: string } {
  const fly = flyClient({ ...config.fly, timeoutMs: config.httpTimeoutMs });
  return fly
    ? { fly }
    : { reason: 'FLY_API_TOKEN is not set (FLY_TRANSPORT=api); create one with `fly tokens create readonly -o <org>`' };
}

/** The Fly client, or the check is skipped for lack of the token. */
export function flyFor(c: CheckRecorder, config: CutoverConfig): FlyClient {
  const r = flyOrReason(config);
  if ('reason' in r) c.skip(r.reason);
  c.observe('flyTransport', r.fly.transport);
  return r.fly;
}

/** Seconds a command inside a machine may run: the HTTP budget, at least 2 s. */
export function execTimeoutS(config: CutoverConfig): number {
  return Math.max(2, Math.floor(config.httpTimeoutMs / 1000));
}

/** A started machine of `app` (of `group`, when given) to run a probe on; fails the check when there is none. */
async function machineFor(c: CheckRecorder, fly: FlyClient, app: string, group?: string): Promise<FlyMachine> {
  const machine = probeMachine(await fly.machines(app), group);
  if (!machine) c.fail(`${app} has no started machine${group ? ` in process group ${group}` : ''} to run the probe on`);
  c.observe('probeMachine', `${app}/${machine.id}`);
  return machine;
}

/** ClickHouse over CLICKHOUSE_URL, else clickhouse-client on the ClickHouse app's machine; skips without either. */
export async function clickhouseFor(c: CheckRecorder, config: CutoverConfig): Promise<ClickHouse> {
  const ch = config.clickhouse;
  if (ch.url)
    return new ClickHouseHttp({ url: ch.url, user: ch.user, password: ch.password, timeoutMs: config.httpTimeoutMs });
  const r = flyOrReason(config);
  if ('reason' in r) c.skip(`neither CLICKHOUSE_URL nor Fly access: ${r.reason}`);
  const app = config.fly.apps.clickhouse;
  const m = await machineFor(c, r.fly, app);
  return new ClickHouseViaFly({ fly: r.fly, app, machineId: m.id, timeoutS: execTimeoutS(config) });
}

/** MinIO over MINIO_URL, else curl on the MinIO app's machine; skips without either. */
export async function minioFor(c: CheckRecorder, config: CutoverConfig): Promise<MinioProbe> {
  if (config.minio.url) return new MinioHttp({ url: config.minio.url, timeoutMs: config.httpTimeoutMs });
  const r = flyOrReason(config);
  if ('reason' in r) c.skip(`neither MINIO_URL nor Fly access: ${r.reason}`);
  const app = config.fly.apps.minio;
  const m = await machineFor(c, r.fly, app);
  return new MinioViaFly({ fly: r.fly, app, machineId: m.id, timeoutS: execTimeoutS(config) });
}
