import type { ServerResponse } from 'node:http';
import { sendJson } from '../http.ts';
import type { Store } from './store.ts';

const RECENT_MS = 3 * 60_000;

/**
 * `GET /api/public/health` (no auth): `{status: "OK", version}`. The sandbox's database is
 * always reachable, so `failIfDatabaseUnavailable` changes nothing; `failIfNoRecentEvents`
 * answers 503 when no trace (then no observation) was processed in the last 3 minutes, as
 * v3's health service does against ClickHouse.
 */
export function handleHealth(res: ServerResponse, url: URL, version: string, store: Store): void {
  if (url.searchParams.get('failIfNoRecentEvents') === 'true') {
    store.processDue();
    const since = Date.now() - RECENT_MS;
    if (![...store.traces.values()].some((t) => t.createdAt >= since)) {
      return sendJson(res, 503, { status: 'No traces within the last 3 minutes' });
    }
    if (![...store.observations.values()].some((o) => o.createdAt >= since)) {
      return sendJson(res, 503, { status: 'No observations within the last 3 minutes' });
    }
  }
  sendJson(res, 200, { status: 'OK', version });
}

/** `GET /api/public/ready` (no auth): 200 `{status: "OK", version}` while the web container runs. */
export function handleReady(res: ServerResponse, version: string): void {
  sendJson(res, 200, { status: 'OK', version });
}
