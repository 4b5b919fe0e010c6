import type { CutoverConfig } from '../config/index.ts';
import { GatewayAdmin } from '../clients/gateway-admin.ts';
import { GatewayClient } from '../clients/gateway.ts';
import { LangfuseReader } from '../clients/langfuse.ts';

/** The clients a runbook check talks through, built from the config by each check (`stackFor`). */
export interface Stack {
  readonly gateway: GatewayClient;
  /** The gateway's admin API, with the admin key: virtual keys, callbacks, cache and readiness. */
  readonly admin: GatewayAdmin;
  readonly langfuse: LangfuseReader;
}

/** Builds the clients for a config; no request is sent until a client method is called. */
export function stackFor(config: CutoverConfig): Stack {
  return {
    gateway: new GatewayClient({ url: config.gateway.url, runId: config.runId, timeoutMs: config.httpTimeoutMs }),
    admin: new GatewayAdmin({
      url: config.gateway.url,
      adminKey: config.gateway.adminKey,
      timeoutMs: config.httpTimeoutMs,
    }),
    langfuse: new LangfuseReader({ ...config.langfuse, timeoutMs: config.httpTimeoutMs }),
  };
}
