import { Pool } from 'undici';
import type { Faults } from '../faults.ts';
import { type CallRecord, type IngestionEvent, langfuseEvents } from './langfuse-events.ts';

/** Where and as whom the logger ingests. */
export interface LangfuseTarget {
  readonly url: string;
  readonly publicKey: string;
  readonly secretKey: string;
}

/**
 * Events per ingestion POST. Big batches keep the per-request cost of logging low when the
 * cache serves thousands of hits a second; a few hundred ~1 KB events stay far below
 * Langfuse's 4.5 MB body limit.
 */
const MAX_BATCH_EVENTS = 400;
const FLUSH_INTERVAL_MS = 100;

/**
 * The transport of LiteLLM's `langfuse` callback: the Langfuse Python SDK v2 client (2.60.10 in
 * the reference's lock file) buffers events and posts them to `/api/public/ingestion` in
 * batches, so logging never delays a response. The sandbox flushes every ~100 ms. What the
 * events say is `langfuse-events.ts`.
 */
export class LangfuseLogger {
  private queue: IngestionEvent[] = [];
  private inFlight: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private readonly auth: string;
  /** undici's pool rather than `fetch`: a fraction of the per-call overhead, with keep-alive. */
  private readonly pool: Pool;

  constructor(
    private readonly target: LangfuseTarget,
    private readonly faults: Faults,
  ) {
    this.pool = new Pool(new URL(target.url).origin, { connections: 4 });
    this.auth = `Basic ${Buffer.from(`${target.publicKey}:${target.secretKey}`).toString('base64')}`;
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /** Queues the trace upsert and the generation of one logged call. */
  log(r: CallRecord): void {
    this.queue.push(...langfuseEvents(r, this.faults));
  }

  /**
   * Posts everything queued so far and resolves when those batches were answered. Delivery
   * errors are swallowed (LiteLLM only logs them), so a dead Langfuse never breaks the proxy.
   */
  flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH_EVENTS);
      this.inFlight = this.inFlight.then(() => this.post(batch));
    }
    return this.inFlight;
  }

  /** Stops the timer and delivers what is still queued. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    await this.pool.close();
  }

  private async post(batch: IngestionEvent[]): Promise<void> {
    try {
      const res = await this.pool.request({
        path: `${new URL(this.target.url).pathname.replace(/\/$/, '')}/api/public/ingestion`,
        method: 'POST',
        headers: { authorization: this.auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          batch,
          metadata: {
            sdk_integration: 'litellm',
            sdk_name: 'python',
            sdk_version: '2.60.10',
            public_key: this.target.publicKey,
          },
        }),
        headersTimeout: 5000,
        bodyTimeout: 5000,
      });
      await res.body.dump();
    } catch {
      // Mirrors LiteLLM: a failed Langfuse export is logged by the SDK and dropped.
    }
  }
}
