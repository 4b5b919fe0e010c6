import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { GatewayAdmin } from '../clients/gateway-admin.ts';
import { cacheCannotServe, readGatewayCache, type GatewayCache } from '../clients/gateway-cache.ts';
import type { ChatResult } from '../clients/gateway.ts';
import { isChatGeneration } from '../clients/langfuse-generation.ts';
import type { LangfuseObservation } from '../clients/langfuse.ts';
import type { CheckRecorder } from './recorder.ts';

/**
 * Concrete nouns that name no customer-service topic. They make a prompt unique in a way an
 * embedding model notices: a hex nonce is mostly ignored by embeddings (and by the sandbox's
 * stand-in model, on purpose), so a prompt that differs from an earlier run's only by a nonce
 * can still be a semantic hit. Different content words move the embedding away.
 */
const PROBE_WORDS = [
  'giraffe',
  'lantern',
  'kettle',
  'walrus',
  'violin',
  'cactus',
  'anchor',
  'pebble',
  'tulip',
  'saddle',
  'compass',
  'marble',
  'otter',
  'thimble',
  'lighthouse',
  'accordion',
  'pelican',
  'turnip',
  'hammock',
  'glacier',
  'comet',
  'mango',
  'badger',
  'quill',
  'harp',
  'igloo',
  'kayak',
  'lobster',
  'meadow',
  'nutmeg',
  'origami',
  'parsnip',
  'quartz',
  'raccoon',
  'sapphire',
  'tambourine',
  'umbrella',
  'vulture',
  'whistle',
  'yak',
  'zucchini',
  'acorn',
  'bagpipe',
  'chimney',
  'dolphin',
  'easel',
  'falcon',
  'gondola',
  'hedgehog',
  'iguana',
  'jigsaw',
  'koala',
  'ladle',
  'mosaic',
  'narwhal',
  'oboe',
  'penguin',
  'quokka',
  'rhubarb',
  'scarecrow',
  'teapot',
  'unicycle',
  'volcano',
  'wombat',
] as const;

/** How many probe words a prompt carries: enough that two runs' probes share few words. */
const WORDS_PER_PROBE = 6;

/** Picks `n` distinct probe words from the bytes of a digest (n ≤ the list size). */
function wordsFrom(bytes: Buffer, n: number): string[] {
  const pool: string[] = [...PROBE_WORDS];
  const out: string[] = [];
  for (let i = 0; i < n && pool.length > 0; i++) out.push(pool.splice((bytes[i] ?? 0) % pool.length, 1)[0] as string);
  return out;
}

/**
 * The run's probe words, derived from `seed` (the run id): the same run id always gives the
 * same words. That is deliberate: the run id is the unit of cache isolation, so repeating a
 * run id reproduces a warmed cache, and a new run id gives a prompt no earlier run sent.
 */
export function runWords(seed: string, n = WORDS_PER_PROBE): string[] {
  return wordsFrom(createHash('sha256').update(`cutover-cache-probe:${seed}`).digest(), n);
}

/** Fresh random probe words, for prompts that must never have been sent before (the §4.2 control). */
export function freshWords(n = WORDS_PER_PROBE): string[] {
  return wordsFrom(randomBytes(32), n);
}

/**
 * The per-run cache namespace sent as `cache.namespace`. LiteLLM puts it in front of the cache
 * key, so an exact-cache entry written by another run cannot answer this run's requests (unless
 * the gateway ignores the namespace, e.g. a key with `metadata.cache`, which §4.1 detects).
 */
export function cacheNamespace(runId: string): string {
  return `cutover-${runId}`;
}

/**
 * The §4.1 prompt: a run nonce (the run id and the run's probe words) and a tiny instruction,
 * so that the three identical requests are cheap and no earlier run sent the same text.
 */
export function exactCachePrompt(runId: string): string {
  return `Reply with OK. Cache probe ${runId}: ${runWords(runId).join(' ')}.`;
}

/** A control prompt made unique with fresh probe words (see `freshWords`). */
export function uniqueControl(control: string): string {
  return `${control} Mention ${freshWords(3).join(', ')}.`;
}

/** What a response says about the cache, from LiteLLM's headers. */
export interface CacheSignal {
  /** `x-litellm-cache-key` is present: LiteLLM sets it only on hits (exact or semantic). */
  readonly hit: boolean;
  /** The key's presence, never its value: the evidence must not depend on (or leak) key material. */
  readonly cacheKey: 'present' | 'absent';
  /** `x-litellm-semantic-similarity`; also `0.0` on misses and embedding timeouts, so not a hit signal alone. */
  readonly similarity: number | null;
}

/** Reads the cache headers of one response. */
export function cacheSignal(res: ChatResult): CacheSignal {
  const hit = res.litellm.cacheKey !== undefined;
  return { hit, cacheKey: hit ? 'present' : 'absent', similarity: res.litellm.semanticSimilarity ?? null };
}

/**
 * Records one cache request under `label` (e.g. `request_2`): its latency to the full body and
 * to the headers as measurements (with `maxMs` as the threshold when given), and as
 * observations the status, trace id, cache-key presence, similarity, and the
 * `x-litellm-response-cost` header, which is recorded but not trusted (on hits LiteLLM computes
 * it before it knows the answer came from cache).
 */
export function recordCacheRequest(c: CheckRecorder, label: string, res: ChatResult, maxMs?: number): CacheSignal {
  const s = cacheSignal(res);
  c.measure(`${label}_ms`, res.timing.totalMs, 'ms', maxMs === undefined ? undefined : { op: '<', value: maxMs });
  c.measure(`${label}_headers_ms`, res.timing.headersMs, 'ms');
  c.observe(label, {
    status: res.status,
    traceId: res.traceId,
    cacheKey: s.cacheKey,
    semanticSimilarity: s.similarity,
    responseCostHeader: res.litellm.responseCost ?? null,
    responseId: res.completion?.id ?? null,
  });
  return s;
}

/**
 * Reads the type of the gateway's one response cache (`GET /cache/ping`) and records it as the
 * `gatewayCache` observation, so the evidence shows what the check's result rests on. When that
 * type can never serve `request` (no cache; an exact cache and a paraphrase), the check fails
 * with LiteLLM's reason: a true no-go, whatever the requests then show. An unknown type is
 * recorded with its reason and decides nothing; the check rests on its own measurements.
 */
export async function recordGatewayCache(
  c: CheckRecorder,
  admin: Pick<GatewayAdmin, 'cachePing'>,
  request: 'repeat' | 'paraphrase',
): Promise<GatewayCache> {
  const cache = await readGatewayCache(admin);
  c.observe('gatewayCache', cache);
  const impossible = cacheCannotServe(cache, request);
  if (impossible) c.expect(false, impossible);
  return cache;
}

/**
 * Why hits of a semantic cache are slow: the lookup itself makes an embedding call. Added to a
 * §4.1 failure on time, so the engineer looks at the embedding model, not at Redis.
 */
export function semanticHitTime(type: string, slowestMs: number, thresholdMs: number): string {
  return (
    `cache hits took up to ${Math.round(slowestMs)} ms: the gateway's one response cache is the semantic \`${type}\` type, so every lookup, identical repeats included, ` +
    `first embeds the prompt (an embedding round trip) and then searches the vector index; a hit under ${thresholdMs} ms needs embeddings well under that ` +
    '(an exact `redis` cache skips the embedding, but then no paraphrase can hit, §4.2)'
  );
}

/**
 * The documented protocol wait between filling the cache and reading it back: LiteLLM writes
 * the cache in a fire-and-forget task after answering (`caching_handler.py`; its docs sleep
 * 1 s), so an immediate repeat can miss. Bounded by `CACHE_WRITE_SETTLE_MS`.
 */
export function settleCacheWrite(c: CheckRecorder, ms: number): Promise<void> {
  return c.timed(
    'settle',
    `cache write settle (CACHE_WRITE_SETTLE_MS=${ms})`,
    () => new Promise((r) => setTimeout(r, ms)),
  );
}

/** What LiteLLM logged about the cache on one Langfuse generation. */
export interface GenerationCacheFacts {
  /** `metadata.cache_hit`; undefined when the generation carries no such key. */
  readonly cacheHit: boolean | undefined;
  /** `metadata["semantic-similarity"]`, logged by semantic caches. */
  readonly similarity: number | undefined;
  /**
   * The logged cost: `costDetails.total`, else `calculatedTotalCost`. Langfuse reports 0 (not
   * null) when no cost was sent, so 0 means "free or not logged"; null means neither field exists.
   */
  readonly cost: number | null;
}

/** Langfuse stores metadata values as strings and JSON-parses them on read; accept both forms. */
function asBool(v: unknown): boolean | undefined {
  if (v === true || v === 'true' || v === 'True') return true;
  if (v === false || v === 'false' || v === 'False') return false;
  return undefined;
}

function asNumber(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Reads `cache_hit`, `semantic-similarity` and the cost from a generation logged by LiteLLM. */
export function generationCacheFacts(o: LangfuseObservation): GenerationCacheFacts {
  const md = o.metadata && typeof o.metadata === 'object' ? (o.metadata as Record<string, unknown>) : {};
  const cost = asNumber(o.costDetails?.total) ?? asNumber(o.calculatedTotalCost) ?? null;
  return { cacheHit: asBool(md.cache_hit), similarity: asNumber(md['semantic-similarity']), cost };
}

/** A generation on which LiteLLM logged its cache outcome: what the cache checks wait for in Langfuse. */
export function isCacheLoggedGeneration(o: LangfuseObservation): boolean {
  // The embedding calls of a semantic cache log cache_hit false in the same trace.
  return isChatGeneration(o) && generationCacheFacts(o).cacheHit !== undefined;
}

const Paraphrases = z.object({
  pairs: z.array(z.tuple([z.string().min(1), z.string().min(1)])).min(4, 'needs the runbook pair and at least 3 more'),
  controls: z.array(z.string().min(1)).min(1, 'needs at least one control prompt'),
});

/** The §4.2 fixture: paraphrase pairs (the runbook's first) and unrelated control prompts. */
export type ParaphraseFixture = z.infer<typeof Paraphrases>;

/**
 * Reads and validates the paraphrase fixture. Throws naming the file when it is malformed, has
 * fewer than four pairs or no control: a broken fixture must stop the check, not weaken it.
 */
export function loadParaphrases(path: string | URL): ParaphraseFixture {
  const parsed = Paraphrases.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`${String(path)}: ${i ? `${i.path.join('.') || 'file'}: ${i.message}` : 'invalid'}`);
  }
  return parsed.data;
}
