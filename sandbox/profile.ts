import { createHash } from 'node:crypto';

/**
 * Latency profiles of the sandbox. `default` is the stack as fast as it can be (the components'
 * own constants: 150 ms upstream, 5 ms embeddings, 0.3 s Langfuse ingestion, instant Fly API and
 * admin routes), for rehearsals and selftests. `production` gives every component the latency
 * the real stack has, each figure below with its source, jittered by a seeded generator so two
 * runs with the same seed wait exactly as long.
 */
const SANDBOX_PROFILES = {
  default: 'as fast as the sandbox can be: rehearsals and selftests',
  production:
    'realistic, seeded, jittered latencies: upstream, embeddings, Langfuse ingestion lag with spikes, Fly API, gateway admin routes',
} as const;

/** A profile's name: a key of {@link SANDBOX_PROFILES}. */
export type SandboxProfileName = keyof typeof SANDBOX_PROFILES;

/** The profile a run uses when `SANDBOX_PROFILE` is unset or empty. */
const DEFAULT_PROFILE: SandboxProfileName = 'default';

/** The seed when neither `SANDBOX_SEED` nor a run id names one (`pnpm sandbox` on its own). */
export const DEFAULT_SEED = 'gateway-cutover-sandbox';

/** A closed range in milliseconds; a draw is uniform inside it. */
export interface RangeMs {
  readonly min: number;
  readonly max: number;
}

/**
 * The production profile's figures. Each range is what one request (or one ingested batch) of
 * the real stack takes, as the cited source measured or documented it.
 */
export const PRODUCTION = {
  /**
   * Chat completion, up to the first token: gpt-4o-mini's time to first token is ~0.4 s
   * (apikeyhealth.com/blogs/the-latency-tradeoff), gpt-4o's 200–400 ms at launch
   * (michaeljohnpena.com/blog/2024-05-08-gpt4o-speed-improvements).
   */
  chatBase: { min: 300, max: 600 },
  /**
   * Per completion token: gpt-4o-mini streams 46–70 tokens/s, 59 on average (community.openai.com
   * thread 1307310, `tacho` over 500 tokens), i.e. 14–22 ms a token.
   */
  chatPerToken: { min: 14, max: 22 },
  /**
   * One embedding of a short prompt by a small model next to the gateway: "tens of ms per text on
   * CPU" for bge-small under Hugging Face TEI (deployable.sh/apps/tei). A hosted embedding API is
   * 300 ms and more (embabel/dice PR #78), which is the `embedding-slow` fault, not production:
   * every semantic-cache lookup pays one, and §4.1's 100 ms hit holds only with fast embeddings
   * (notes/litellm.md, Corrections).
   */
  embedding: { min: 20, max: 50 },
  /**
   * Langfuse v3 API ingestion until readable: SDK flush (~1 s for LiteLLM) + the 5 s queue delay
   * (`min(5000, LANGFUSE_INGESTION_QUEUE_DELAY_MS)`) + S3 and merge + up to 1 s ClickHouse flush,
   * "about 6–10 s" (notes/langfuse.md §3, from `processEventBatch.ts` and `ingestionQueue.ts`).
   */
  ingestionLag: { min: 6_000, max: 10_000 },
  /**
   * A lag spike: between 23:45 and 00:15 UTC the full 15 s `LANGFUSE_INGESTION_QUEUE_DELAY_MS`
   * applies (notes/langfuse.md §3), 16–20 s end to end; Langfuse's FAQ allows "0-60 seconds"
   * (langfuse.com/faq/all/self-hosting-missing-events-after-ingestion).
   */
  ingestionSpike: { min: 16_000, max: 20_000 },
  /**
   * How often a batch meets a spike: the 30-minute window is 2 % of a day; 5 % also covers
   * backed-up queues, so a run of ~50 traces usually meets one or two.
   */
  ingestionSpikeChance: 0.05,
  /**
   * The Machines API from outside Fly (api.machines.dev, an envoy proxy in front of flaps): a
   * median of 190 ms in Fly's own perf test, p90 643 ms before they added proxy machines
   * (community.fly.io/t/we-made-the-machines-api-faster-by-adding-machines/19135).
   */
  flyApi: { min: 100, max: 300 },
  /**
   * The gateway's admin routes (`/key/*`, `/cache/ping`, `/active/callbacks`, `/settings`,
   * `/health/readiness`): LiteLLM's own load tests answer `/health/readiness` in a median of
   * 25–67 ms inside their cluster (release notes v1.34.0, v1.34.23); from an operator's laptop
   * add the internet round trip to the Fly region and, for `/key/*`, the Postgres (Supabase)
   * round trips the key table costs.
   */
  adminRoute: { min: 100, max: 300 },
} as const;

/**
 * The latencies one sandbox run applies. A missing sampler means "the component's own
 * default" (the `default` profile has none). Faults that change a latency (`upstream-slow`,
 * `embedding-slow`, `ingestion-slow`, `latency-doubled`) apply on top of either profile.
 */
export interface LatencyProfile {
  readonly name: SandboxProfileName;
  /** The seed the samplers were built from; `undefined` for the `default` profile, which draws nothing. */
  readonly seed?: string;
  /** Chat completion time for an answer of `completionTokens` tokens. */
  readonly chatMs?: (completionTokens: number) => number;
  /** One embeddings request. */
  readonly embeddingMs?: () => number;
  /** From an accepted ingestion batch until its events are readable. */
  readonly ingestionLagMs?: () => number;
  /** One Fly Machines API request. */
  readonly flyApiMs?: () => number;
  /** One request to a gateway admin route. */
  readonly adminRouteMs?: () => number;
}

/**
 * `SANDBOX_PROFILE` as a profile name: unset or empty is `default`; an unknown name throws,
 * naming the known ones, so a typo never silently rehearses the fast stack.
 */
export function parseProfile(value: string | undefined): SandboxProfileName {
  const name = value?.trim() || DEFAULT_PROFILE;
  if (Object.hasOwn(SANDBOX_PROFILES, name)) return name as SandboxProfileName;
  throw new Error(`unknown sandbox profile "${name}"; known: ${Object.keys(SANDBOX_PROFILES).join(', ')}`);
}

/**
 * The seed of a run's draws: `SANDBOX_SEED` when set, else the run id (`CUTOVER_RUN_ID`, which
 * the evidence records, so a run's latencies can be replayed from its bundle), else a constant
 * for `pnpm sandbox` started on its own.
 */
export function profileSeed(env: Readonly<Record<string, string | undefined>>): string {
  return env.SANDBOX_SEED?.trim() || env.CUTOVER_RUN_ID?.trim() || DEFAULT_SEED;
}

/**
 * Builds the latencies of `name`. Every sampler draws from its own stream, derived from the
 * seed and the sampler's name, so one component's traffic never shifts another's draws: the
 * n-th embedding of two runs with the same seed takes the same time, however the requests
 * interleave. Within one component, concurrent requests take the draws in arrival order.
 */
export function latencyProfile(name: SandboxProfileName, seed: string): LatencyProfile {
  if (name === 'default') return { name };
  const p = PRODUCTION;
  const chatBase = uniform(stream(seed, 'chat'), p.chatBase);
  const chatToken = uniform(stream(seed, 'chat-token'), p.chatPerToken);
  const lagRandom = stream(seed, 'ingestion');
  const lag = uniform(lagRandom, p.ingestionLag);
  const spike = uniform(lagRandom, p.ingestionSpike);
  return {
    name,
    seed,
    chatMs: (completionTokens) => Math.round(chatBase() + Math.max(0, completionTokens) * chatToken()),
    embeddingMs: uniform(stream(seed, 'embedding'), p.embedding),
    ingestionLagMs: () => (lagRandom() < p.ingestionSpikeChance ? spike() : lag()),
    flyApiMs: uniform(stream(seed, 'fly-api'), p.flyApi),
    adminRouteMs: uniform(stream(seed, 'admin-route'), p.adminRoute),
  };
}

/** Whole milliseconds drawn uniformly from `range`, ends included. */
function uniform(random: () => number, range: RangeMs): () => number {
  return () => Math.round(range.min + random() * (range.max - range.min));
}

/**
 * A deterministic generator of floats in [0, 1): sfc32 seeded with the first 16 bytes of
 * sha256(`seed/name`). Not cryptographic; it only has to be reproducible and well spread.
 */
export function stream(seed: string, name: string): () => number {
  const h = createHash('sha256').update(`${seed}/${name}`).digest();
  let a = h.readUInt32LE(0);
  let b = h.readUInt32LE(4);
  let c = h.readUInt32LE(8);
  let d = h.readUInt32LE(12);
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4_294_967_296;
  };
}
