import { listen, sendJson } from '../http.ts';
import type { Listening, RequestCounter } from '../types.ts';

/**
 * Starts the stand-in for the Langfuse worker's health server (port 3030 in production): a
 * separate listener, because the web container's health says nothing about the worker.
 * `GET /api/health` and `GET /api/ready` answer `{"status":"ok"}`; Postgres and Redis are
 * always reachable in the sandbox.
 */
export async function startWorkerHealth(counter: RequestCounter): Promise<Listening> {
  return listen('langfuse-worker', counter, (req, res, url) => {
    if (req.method === 'GET' && (url.pathname === '/api/health' || url.pathname === '/api/ready')) {
      return sendJson(res, 200, { status: 'ok' });
    }
    sendJson(res, 404, { message: 'Not found' });
  });
}
