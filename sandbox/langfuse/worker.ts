import { listen, sendJson } from '../http.ts';
import type { Faults } from '../faults.ts';
import type { Listening, RequestCounter } from '../types.ts';

/**
 * Starts the stand-in for the Langfuse worker's health server (port 3030 in production): a
 * separate listener, because the web container's health says nothing about the worker.
 * `GET /api/health` and `GET /api/ready` answer `{"status":"ok"}` after the worker's Postgres
 * `SELECT 1` and Redis `PING`; under `worker-redis-down` the PING fails and they answer 500
 * `{"status":"error"}`, as the real worker does.
 */
export async function startWorkerHealth(counter: RequestCounter, faults: Faults): Promise<Listening> {
  return listen('langfuse-worker', counter, (req, res, url) => {
    if (req.method === 'GET' && (url.pathname === '/api/health' || url.pathname === '/api/ready')) {
      return faults.has('worker-redis-down')
        ? sendJson(res, 500, { status: 'error' })
        : sendJson(res, 200, { status: 'ok' });
    }
    sendJson(res, 404, { message: 'Not found' });
  });
}
