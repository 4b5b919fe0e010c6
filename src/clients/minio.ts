import { excerptOf } from './errors.ts';
import type { FlyClient } from './fly.ts';
import { send } from './http.ts';

/** The path MinIO answers 200 on only while write quorum is available (live/ready say 200 even offline). */
const CLUSTER_HEALTH_PATH = '/minio/health/cluster';

/**
 * One reading of MinIO's cluster health. `healthy` is true only for a 200 from the cluster
 * route (or `mc ready` succeeding). `status` is the HTTP status when it was seen; `detail`
 * says what was observed in words, for the evidence.
 */
export interface MinioClusterHealth {
  readonly healthy: boolean;
  readonly status?: number;
  readonly detail: string;
  /** `x-minio-write-quorum` / `x-minio-server-status` when answered over HTTP. */
  readonly writeQuorum?: string;
  readonly serverStatus?: string;
}

/** A way to ask MinIO for its cluster health. */
export interface MinioProbe {
  readonly where: string;
  readonly via: 'http' | 'fly-exec';
  /** Asks once. Throws only when the question could not be asked (transport, Fly API error). */
  cluster(): Promise<MinioClusterHealth>;
}

/** `GET {MINIO_URL}/minio/health/cluster` (anonymous), e.g. through `fly proxy 9000 -a <minio app>`. */
export class MinioHttp implements MinioProbe {
  readonly via = 'http' as const;
  readonly where: string;

  constructor(private readonly o: { url: string; timeoutMs: number }) {
    this.where = `${o.url}${CLUSTER_HEALTH_PATH}`;
  }

  async cluster(): Promise<MinioClusterHealth> {
    const res = await send(this.where, { timeoutMs: this.o.timeoutMs });
    const serverStatus = res.headers['x-minio-server-status'];
    return {
      healthy: res.status === 200,
      status: res.status,
      detail: `GET ${this.where} answered ${res.status}${serverStatus ? ` (x-minio-server-status: ${serverStatus})` : ''}`,
      writeQuorum: res.headers['x-minio-write-quorum'],
      serverStatus,
    };
  }
}

/**
 * The cluster route asked from inside the MinIO machine through Fly exec: `curl` against
 * `localhost:9000`, printing only the status code. Images without curl (exit 127) fall back to
 * `timeout N mc ready local`: mc polls the same route and never gives up on its own, so it is
 * bounded, and exit 0 is the only healthy outcome (124 = still not ready at the deadline).
 */
export class MinioViaFly implements MinioProbe {
  readonly via = 'fly-exec' as const;
  readonly where: string;

  constructor(private readonly o: { fly: FlyClient; app: string; machineId: string; timeoutS: number }) {
    this.where = `fly exec ${o.app}/${o.machineId}: http://localhost:9000${CLUSTER_HEALTH_PATH}`;
  }

  async cluster(): Promise<MinioClusterHealth> {
    const { fly, app, machineId } = this.o;
    // Leave the exec deadline a second more than curl's own, so curl reports its timeout (28).
    const maxTime = String(Math.max(1, this.o.timeoutS - 1));
    const r = await fly.exec(
      app,
      machineId,
      [
        'curl',
        '-sS',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '--max-time',
        maxTime,
        `http://localhost:9000${CLUSTER_HEALTH_PATH}`,
      ],
      this.o.timeoutS,
    );
    if (r.exitCode === 127) {
      const mc = await fly.exec(app, machineId, ['timeout', maxTime, 'mc', 'ready', 'local'], this.o.timeoutS);
      const said = (mc.stdout || mc.stderr).trim().split('\n').at(-1) ?? '';
      return {
        healthy: mc.exitCode === 0,
        detail: `curl is not installed; mc ready local exited ${mc.exitCode}${mc.exitCode === 124 ? ' (still not ready when the timeout hit)' : ''}${said ? `: ${said}` : ''}`,
      };
    }
    const status = Number(r.stdout.trim());
    if (r.exitCode !== 0 || !Number.isInteger(status) || status === 0) {
      return {
        healthy: false,
        detail: `curl exited ${r.exitCode}: ${excerptOf(r.stderr.trim() || r.stdout.trim() || '(no output)', 200)}`,
      };
    }
    return {
      healthy: status === 200,
      status,
      detail: `curl ${CLUSTER_HEALTH_PATH} inside ${machineId} answered ${status}`,
    };
  }
}
