import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { listen } from '../http.ts';
import type { ComponentContext, Listening } from '../types.ts';

// A single-node, single-drive deployment (one Fly machine, one volume): quorum is that one drive.
const WRITE_QUORUM = '1';
const READ_QUORUM = '1';

/** Headers every MinIO response carries (cmd/generic-handlers.go, cmd/api-headers.go). */
function commonHeaders(): Record<string, string> {
  return {
    server: 'MinIO',
    'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(),
    'x-content-type-options': 'nosniff',
    'x-xss-protection': '1; mode=block',
    'strict-transport-security': 'max-age=31536000; includeSubDomains',
    vary: 'Origin',
    'accept-ranges': 'bytes',
  };
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body = ''): void {
  res.writeHead(status, { ...commonHeaders(), 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/**
 * Starts a stand-in for MinIO's unauthenticated health routes on the S3 port (9000 in
 * production), GET and HEAD, empty bodies. `/minio/health/live` and `/ready` are 200;
 * `/minio/health/cluster` (write quorum) and `/cluster/read` (read quorum) are 200 with
 * `x-minio-write-quorum` / `x-minio-read-quorum`; `?maintenance=true` is 412 because taking
 * down the only node loses quorum. Fault `minio-not-ready` models a MinIO whose object layer
 * is offline: live and ready still answer 200 (only `x-minio-server-status: offline` tells),
 * while cluster and cluster/read answer 503. Any other path gets S3's anonymous AccessDenied.
 */
export async function startMinio(o: ComponentContext): Promise<Listening> {
  return listen('minio', o.counter, (req, res, url) => {
    const offline = o.faults.has('minio-not-ready');
    const status: Record<string, string> = offline ? { 'x-minio-server-status': 'offline' } : {};
    if (req.method !== 'GET' && req.method !== 'HEAD' && url.pathname.startsWith('/minio/health/')) {
      return send(res, 405, {});
    }
    switch (url.pathname) {
      case '/minio/health/live':
      case '/minio/health/ready':
        return send(res, 200, status);
      case '/minio/health/cluster':
      case '/minio/health/cluster/read': {
        const read = url.pathname.endsWith('/read');
        if (offline) return send(res, 503, status);
        const headers: Record<string, string> = read
          ? { 'x-minio-read-quorum': READ_QUORUM }
          : { 'x-minio-write-quorum': WRITE_QUORUM, 'x-minio-storage-class-defaults': 'true' };
        return send(res, url.searchParams.get('maintenance') === 'true' ? 412 : 200, headers);
      }
      default: {
        const body =
          '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied.</Message>' +
          `<Resource>${url.pathname}</Resource><RequestId></RequestId><HostId></HostId></Error>`;
        return send(res, 403, { 'content-type': 'application/xml' }, body);
      }
    }
  });
}
