import { startSandbox, type Sandbox, type SandboxOptions } from '../index.ts';
import { startQdrant } from '../qdrant/index.ts';
import type { Listening } from '../types.ts';
import { type ReferenceCacheType, type ReferenceGateway, startReferenceGateway } from './litellm.ts';
import { type RedisServer, startRedis } from './redis.ts';
import { ensureVenv } from './venv.ts';

export type { ReferenceCacheType } from './litellm.ts';
export { pinnedLitellmVersion } from './venv.ts';

/** The sandbox with the real LiteLLM proxy as its gateway. */
export interface ReferenceStack {
  /** The sandbox's `.env` lines with the gateway variables pointing at the real proxy. */
  readonly env: Record<string, string>;
  readonly sandbox: Sandbox;
  readonly gateway: ReferenceGateway;
  stop(): Promise<void>;
}

/**
 * Starts the sandbox and, in front of its upstream and Langfuse, the real LiteLLM proxy in one
 * cache configuration: `redis` (Debian's redis-server, exact cache, rate-limit counters shared
 * through it) or `qdrant-semantic` (our Qdrant stand-in; LiteLLM's own semantic-cache logic,
 * embeddings from the sandbox upstream). The sandbox's own gateway keeps running, unused, so the
 * rest of the stack (Fly, TLS fronts) is exactly what a rehearsal sees. §5.1 runs in customer-key
 * mode against the `custom_auth.py` prod_customer key: without Prisma the proxy cannot mint
 * ephemeral keys, so those are proven only against the sandbox.
 */
export async function startReferenceStack(
  cacheType: ReferenceCacheType,
  o: SandboxOptions & { log?: (line: string) => void } = {},
): Promise<ReferenceStack> {
  ensureVenv(o.log);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const sandbox = await startSandbox(o);
    stops.push(() => sandbox.stop());
    let redis: RedisServer | undefined;
    let qdrant: Listening | undefined;
    if (cacheType === 'redis') {
      redis = await startRedis();
      stops.push(() => redis!.stop());
    } else {
      qdrant = await startQdrant({ counter: sandbox.counter });
      stops.push(() => qdrant!.close());
    }
    const gateway = await startReferenceGateway(
      {
        upstreamUrl: sandbox.urls.upstream,
        upstreamKey: sandbox.env.OPENAI_DIRECT_KEY!,
        langfuse: {
          url: sandbox.env.LANGFUSE_URL!,
          publicKey: sandbox.env.LANGFUSE_PUBLIC_KEY!,
          secretKey: sandbox.env.LANGFUSE_SECRET_KEY!,
        },
        redis,
        qdrantUrl: qdrant?.url,
      },
      cacheType,
    );
    stops.push(() => gateway.stop());
    const env = {
      ...sandbox.env,
      GATEWAY_URL: gateway.url,
      GATEWAY_ADMIN_KEY: gateway.masterKey,
      GATEWAY_QUOTA_KEY: gateway.quotaKey,
      QUOTA_USE_CUSTOMER_KEY: 'true',
      QUOTA_RPM_LIMIT: String(gateway.quotaRpm),
    };
    return { env, sandbox, gateway, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
