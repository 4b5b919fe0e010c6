import { FlyMachinesApi, type FlyClient } from './fly.ts';
import { FlyctlClient } from './fly-flyctl.ts';

/** What choosing a Fly transport needs: `config.fly` plus the HTTP budget. */
export interface FlyTransportOptions {
  readonly transport: 'api' | 'flyctl';
  readonly apiUrl: string;
  readonly token?: string;
  readonly timeoutMs: number;
}

/**
 * The Fly client for FLY_TRANSPORT: the Machines REST API (needs FLY_API_TOKEN), or flyctl
 * (uses FLY_API_TOKEN when set, otherwise flyctl's own login). Returns `undefined` when the API
 * transport has no token, so the caller can skip with the reason instead of sending a request
 * that can only answer 401.
 */
export function flyClient(o: FlyTransportOptions): FlyClient | undefined {
  if (o.transport === 'flyctl') return new FlyctlClient({ token: o.token, timeoutMs: o.timeoutMs });
  return o.token ? new FlyMachinesApi({ apiUrl: o.apiUrl, token: o.token, timeoutMs: o.timeoutMs }) : undefined;
}
