import { randomBytes } from 'node:crypto';
import { parseFaults, type FaultName } from './faults.ts';
import { startGateway } from './gateway/index.ts';
import { startLangfuse } from './langfuse/index.ts';
import type { RequestCounter } from './types.ts';
import { startUpstream } from './upstream/index.ts';

export { FAULTS, parseFaults, type FaultName } from './faults.ts';

/** Knobs for a sandbox run; every one has a realistic default. */
export interface SandboxOptions {
  /** Faults to switch on: an array, or the `SANDBOX_FAULTS` comma format. */
  faults?: string | readonly string[];
  /** Upstream model latency (default 150 ms, like a small real completion). */
  upstreamLatencyMs?: number;
  /** Delay before ingested Langfuse events become readable (default 300 ms). */
  ingestDelayMs?: number;
}

/** A running sandbox: the environment that points the suite at it, and how to stop it. */
export interface Sandbox {
  /** `.env`-style variables; exactly what `pnpm sandbox` prints. */
  readonly env: Record<string, string>;
  readonly faults: FaultName[];
  /** Requests received by every component; bad-config selftests prove it stays 0. */
  readonly counter: RequestCounter;
  stop(): Promise<void>;
}

/** A credential shaped like the real thing (so redaction by shape is exercised too) but random per run. */
function credential(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

/**
 * Starts the whole stand-in stack on ephemeral loopback ports: an OpenAI-compatible upstream,
 * a LiteLLM-compatible gateway in front of it, and a Langfuse v3 stand-in the gateway logs to.
 * Components talk to each other only over HTTP, as the real stack does.
 */
export async function startSandbox(o: SandboxOptions = {}): Promise<Sandbox> {
  const faults = parseFaults(o.faults);
  const counter: RequestCounter = { total: 0, byComponent: {} };
  const ctx = { faults, counter };
  const secrets = {
    masterKey: credential('sk-sandbox-master-'),
    upstreamKey: credential('sk-sandbox-upstream-'),
    publicKey: credential('pk-lf-sandbox-'),
    secretKey: credential('sk-lf-sandbox-'),
    uiPassword: credential('pw-'),
  };
  const closers: (() => Promise<void>)[] = [];
  try {
    const upstream = await startUpstream({ ...ctx, apiKey: secrets.upstreamKey, latencyMs: o.upstreamLatencyMs });
    closers.push(() => upstream.close());
    const langfuse = await startLangfuse({
      ...ctx,
      publicKey: secrets.publicKey,
      secretKey: secrets.secretKey,
      ingestDelayMs: o.ingestDelayMs,
      ui: { email: 'cutover@sandbox.test', password: secrets.uiPassword },
    });
    closers.push(() => langfuse.close());
    const gateway = await startGateway({
      ...ctx,
      masterKey: secrets.masterKey,
      upstreamUrl: upstream.url,
      upstreamKey: secrets.upstreamKey,
      langfuse: { url: langfuse.url, publicKey: secrets.publicKey, secretKey: secrets.secretKey },
    });
    closers.push(() => gateway.close());
    const env: Record<string, string> = {
      GATEWAY_URL: gateway.url,
      GATEWAY_ADMIN_KEY: secrets.masterKey,
      LANGFUSE_URL: langfuse.url,
      LANGFUSE_PUBLIC_KEY: secrets.publicKey,
      LANGFUSE_SECRET_KEY: secrets.secretKey,
    };
    return {
      env,
      faults: [...faults],
      counter,
      stop: async () => {
        await Promise.all(closers.reverse().map((c) => c().catch(() => undefined)));
      },
    };
  } catch (err) {
    await Promise.all(closers.map((c) => c().catch(() => undefined)));
    throw err;
  }
}
