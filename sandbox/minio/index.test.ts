import { afterEach, describe, expect, it } from 'vitest';
import { parseFaults, type FaultName } from '../faults.ts';
import type { Listening, RequestCounter } from '../types.ts';
import { startMinio } from './index.ts';

const open: Listening[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

async function start(faults: FaultName[] = []): Promise<{ minio: Listening; counter: RequestCounter }> {
  const counter: RequestCounter = { total: 0, byComponent: {} };
  const minio = await startMinio({ faults: parseFaults(faults), counter });
  open.push(minio);
  return { minio, counter };
}

describe('startMinio', () => {
  it('answers live, ready, cluster and cluster/read with 200, empty bodies and quorum headers', async () => {
    const { minio, counter } = await start();
    for (const path of ['live', 'ready']) {
      const res = await fetch(`${minio.url}/minio/health/${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('server')).toBe('MinIO');
      expect(res.headers.get('x-minio-server-status')).toBeNull();
      expect(await res.text()).toBe('');
    }
    const cluster = await fetch(`${minio.url}/minio/health/cluster`);
    expect(cluster.status).toBe(200);
    expect(cluster.headers.get('x-minio-write-quorum')).toBe('1');
    const read = await fetch(`${minio.url}/minio/health/cluster/read`, { method: 'HEAD' });
    expect(read.status).toBe(200);
    expect(read.headers.get('x-minio-read-quorum')).toBe('1');
    expect(counter.byComponent['minio']).toBe(4);
  });

  it('answers ?maintenance=true with 412 on a single node', async () => {
    const { minio } = await start();
    expect((await fetch(`${minio.url}/minio/health/cluster?maintenance=true`)).status).toBe(412);
  });

  it('denies anonymous S3 requests and other methods on health routes', async () => {
    const { minio } = await start();
    const s3 = await fetch(`${minio.url}/langfuse/events/x.json`);
    expect(s3.status).toBe(403);
    expect(await s3.text()).toContain('<Code>AccessDenied</Code>');
    expect((await fetch(`${minio.url}/minio/health/live`, { method: 'POST' })).status).toBe(405);
  });

  it('minio-not-ready: live and ready stay 200 (offline only in a header), cluster is 503', async () => {
    const { minio } = await start(['minio-not-ready']);
    for (const path of ['live', 'ready']) {
      const res = await fetch(`${minio.url}/minio/health/${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-minio-server-status')).toBe('offline');
    }
    for (const path of ['cluster', 'cluster/read']) {
      const res = await fetch(`${minio.url}/minio/health/${path}`);
      expect(res.status).toBe(503);
      expect(res.headers.get('x-minio-server-status')).toBe('offline');
    }
  });
});
