import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CachePing } from '../clients/gateway-admin.ts';
import type { ChatResult } from '../clients/gateway.ts';
import type { LangfuseObservation } from '../clients/langfuse.ts';
import { parseLitellmHeaders } from '../clients/litellm-headers.ts';
import {
  cacheNamespace,
  cacheSignal,
  exactCachePrompt,
  freshWords,
  generationCacheFacts,
  isCacheLoggedGeneration,
  loadParaphrases,
  recordGatewayCache,
  runWords,
  semanticHitTime,
  uniqueControl,
} from './cache-probe.ts';
import { CheckRecorder } from './recorder.ts';

const FIXTURE = new URL('../../fixtures/paraphrases.json', import.meta.url);

describe('run nonce', () => {
  it('derives the same distinct words from the same run id, and other words from another', () => {
    const a = runWords('20260101T000000Z-abc123');
    expect(runWords('20260101T000000Z-abc123')).toEqual(a);
    expect(new Set(a).size).toBe(a.length);
    expect(a).toHaveLength(6);
    expect(runWords('20260101T000000Z-abc124')).not.toEqual(a);
  });

  it('puts the run id and its words in the §4.1 prompt and the run id in the namespace', () => {
    const prompt = exactCachePrompt('run-1');
    expect(prompt).toContain('run-1');
    for (const w of runWords('run-1')) expect(prompt).toContain(w);
    expect(cacheNamespace('run-1')).toBe('cutover-run-1');
  });

  it('makes each control unique with fresh words', () => {
    expect(new Set(freshWords(4)).size).toBe(4);
    const seen = new Set(Array.from({ length: 20 }, () => uniqueControl('Why do cats purr?')));
    expect(seen.size).toBeGreaterThan(15);
  });
});

describe('cacheSignal', () => {
  const result = (headers: Record<string, string>): ChatResult =>
    ({ litellm: parseLitellmHeaders(headers) }) as ChatResult;

  it('calls a response a hit only when x-litellm-cache-key is present, and never keeps its value', () => {
    expect(cacheSignal(result({ 'x-litellm-cache-key': 'ns:abc' }))).toEqual({
      hit: true,
      cacheKey: 'present',
      similarity: null,
    });
    expect(cacheSignal(result({}))).toEqual({ hit: false, cacheKey: 'absent', similarity: null });
  });

  it('reads a similarity of 0.0 on a miss without calling it a hit', () => {
    expect(cacheSignal(result({ 'x-litellm-semantic-similarity': '0.0' }))).toEqual({
      hit: false,
      cacheKey: 'absent',
      similarity: 0,
    });
  });
});

describe('generationCacheFacts', () => {
  const gen = (o: Partial<LangfuseObservation>): LangfuseObservation => ({ id: 'g', type: 'GENERATION', ...o });

  it('reads cache_hit and semantic-similarity as booleans and numbers, also after Langfuse stringified them', () => {
    expect(generationCacheFacts(gen({ metadata: { cache_hit: true, 'semantic-similarity': 0.93 } }))).toMatchObject({
      cacheHit: true,
      similarity: 0.93,
    });
    expect(generationCacheFacts(gen({ metadata: { cache_hit: 'false', 'semantic-similarity': '0.5' } }))).toMatchObject(
      { cacheHit: false, similarity: 0.5 },
    );
    expect(generationCacheFacts(gen({ metadata: {} }))).toMatchObject({ cacheHit: undefined, similarity: undefined });
  });

  it('takes the cost from costDetails.total, else calculatedTotalCost, else null', () => {
    expect(generationCacheFacts(gen({ costDetails: { total: 0 }, calculatedTotalCost: 5 })).cost).toBe(0);
    expect(generationCacheFacts(gen({ calculatedTotalCost: 0.00001 })).cost).toBe(0.00001);
    expect(generationCacheFacts(gen({})).cost).toBeNull();
  });

  it('waits only for generations that logged a cache outcome', () => {
    expect(isCacheLoggedGeneration(gen({ metadata: { cache_hit: false } }))).toBe(true);
    expect(isCacheLoggedGeneration(gen({ metadata: {} }))).toBe(false);
    expect(isCacheLoggedGeneration({ id: 's', type: 'SPAN', metadata: { cache_hit: true } })).toBe(false);
  });
});

describe('loadParaphrases', () => {
  it('loads the fixture: the runbook pair first, at least three more, and controls', () => {
    const f = loadParaphrases(FIXTURE);
    expect(f.pairs[0]).toEqual(['What is the return policy?', 'How do I get a refund?']);
    expect(f.pairs.length).toBeGreaterThanOrEqual(4);
    expect(f.controls.length).toBeGreaterThan(0);
  });

  it('refuses a fixture with too few pairs, naming the file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'paraphrases-')), 'bad.json');
    writeFileSync(file, JSON.stringify({ pairs: [['a', 'b']], controls: ['c'] }));
    expect(() => loadParaphrases(file)).toThrow(/bad\.json: pairs: needs the runbook pair and at least 3 more/);
  });
});

describe('the gateway cache type on record', () => {
  // `cachePing` is the one admin call these read; a `GatewayAdmin` over HTTP is tested in src/clients.
  const answering = (ping: CachePing) => ({ cachePing: () => Promise.resolve(ping) });
  const exactRedis: CachePing = { ok: true, status: 'healthy', cacheType: 'redis', redisPing: true, params: {} };

  it('records the type, and fails a paraphrase check against an exact cache with the reason', async () => {
    const c = new CheckRecorder('4.2/semantic-cache', 't');
    expect(await recordGatewayCache(c, answering(exactRedis), 'paraphrase')).toMatchObject({
      kind: 'exact',
      type: 'redis',
    });
    expect(c.toRecord('failed').observations.gatewayCache).toMatchObject({
      kind: 'exact',
      type: 'redis',
      route: '/cache/ping',
    });
    expect(c.failed).toEqual([
      expect.stringMatching(
        /^the gateway's one response cache is the exact `redis` type: .*a paraphrase can never hit/,
      ),
    ]);
  });

  it('an exact cache passes a repeat check; an unreadable type is recorded with its reason and fails nothing', async () => {
    const repeat = new CheckRecorder('4.1/exact-cache', 't');
    await recordGatewayCache(repeat, answering(exactRedis), 'repeat');
    expect(repeat.failed).toEqual([]);
    const unknown = new CheckRecorder('4.2/semantic-cache', 't');
    await recordGatewayCache(
      unknown,
      { cachePing: () => Promise.reject(new Error('GET http://gw/cache/ping: HTTP 401: Authentication Error')) },
      'paraphrase',
    );
    expect(unknown.failed).toEqual([]);
    expect(unknown.toRecord('passed').observations.gatewayCache).toEqual({
      kind: 'unknown',
      type: null,
      reason: 'GET http://gw/cache/ping: HTTP 401: Authentication Error',
      route: '/cache/ping',
    });
  });

  it('explains a slow hit of a semantic cache by its embedding round trip', () => {
    expect(semanticHitTime('redis-semantic', 312.4, 100)).toMatch(
      /^cache hits took up to 312 ms: the gateway's one response cache is the semantic `redis-semantic` type, .*embedding round trip.*under 100 ms/,
    );
  });
});
