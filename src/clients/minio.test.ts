import { afterEach, describe, expect, it } from 'vitest';
import { parseFaults, type FaultName } from '../../sandbox/faults.ts';
import { startMinio } from '../../sandbox/minio/index.ts';
import type { FlyClient, FlyExecResult } from './fly.ts';
import { closePools } from './http.ts';
import { MinioHttp, MinioViaFly } from './minio.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  await closePools();
});

async function minio(faults: FaultName[] = []): Promise<string> {
  const m = await startMinio({ faults: parseFaults(faults), counter: { total: 0, byComponent: {} } });
  closers.push(() => m.close());
  return m.url;
}

describe('MinioHttp against the sandbox MinIO', () => {
  it('is healthy with write quorum', async () => {
    expect(await new MinioHttp({ url: await minio(), timeoutMs: 3000 }).cluster()).toMatchObject({
      healthy: true,
      status: 200,
      writeQuorum: '1',
    });
  });

  it('is not healthy while the object layer is offline, even though live answers 200', async () => {
    const h = await new MinioHttp({ url: await minio(['minio-not-ready']), timeoutMs: 3000 }).cluster();
    expect(h).toMatchObject({ healthy: false, status: 503, serverStatus: 'offline' });
    expect(h.detail).toMatch(/answered 503 \(x-minio-server-status: offline\)/);
  });
});

describe('MinioViaFly', () => {
  /** Answers each exec with the next result and records the argv it was given. */
  const fly = (...results: FlyExecResult[]): FlyClient & { calls: (readonly string[])[] } => {
    const calls: (readonly string[])[] = [];
    return {
      transport: 'api',
      calls,
      machines: async () => [],
      secretNames: async () => [],
      exec: async (_a, _m, argv) => (calls.push(argv), results.shift()!),
    };
  };

  it('reads the status curl printed', async () => {
    const f = fly({ exitCode: 0, stdout: '503', stderr: '' });
    expect(await new MinioViaFly({ fly: f, app: 'minio', machineId: 'm1', timeoutS: 5 }).cluster()).toMatchObject({
      healthy: false,
      status: 503,
    });
    expect(f.calls[0]).toEqual([
      'curl',
      '-sS',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '--max-time',
      '4',
      'http://localhost:9000/minio/health/cluster',
    ]);
  });

  it('reports a refused connection', async () => {
    const h = await new MinioViaFly({
      fly: fly({
        exitCode: 7,
        stdout: '000',
        stderr: "curl: (7) Failed to connect to localhost port 9000: Couldn't connect to server",
      }),
      app: 'minio',
      machineId: 'm1',
      timeoutS: 5,
    }).cluster();
    expect(h).toMatchObject({ healthy: false });
    expect(h.detail).toMatch(/^curl exited 7: curl: \(7\) Failed to connect/);
  });

  it('falls back to a bounded mc ready local when the image has no curl', async () => {
    const f = fly(
      { exitCode: 127, stdout: '', stderr: 'sh: 1: curl: not found' },
      { exitCode: 124, stdout: "The cluster 'local' is not ready\n", stderr: '' },
    );
    const h = await new MinioViaFly({ fly: f, app: 'minio', machineId: 'm1', timeoutS: 5 }).cluster();
    expect(f.calls[1]).toEqual(['timeout', '4', 'mc', 'ready', 'local']);
    expect(h).toEqual({
      healthy: false,
      detail:
        "curl is not installed; mc ready local exited 124 (still not ready when the timeout hit): The cluster 'local' is not ready",
    });
  });
});
