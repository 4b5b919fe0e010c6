import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChatResult } from '../clients/gateway.ts';
import type { LangfuseObservation } from '../clients/langfuse.ts';
import { parseLitellmHeaders } from '../clients/litellm-headers.ts';
import { cacheNamespace, cacheSignal, exactCachePrompt, freshWords, generationCacheFacts, isCacheLoggedGeneration, loadParaphrases, runWords, uniqueControl } from './cache-probe.ts';

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
  const result = (headers: Record<string, string>): ChatResult => ({ litellm: parseLitellmHeaders(headers) }) as ChatResult;

  it('calls a response a hit only when x-litellm-cache-key is present, and never keeps its value', () => {
    expect(cacheSignal(result({ 'x-litellm-cache-key': 'ns:abc' }))).toEqual({ hit: true, cacheKey: 'present', similarity: null });
    expect(cacheSignal(result({}))).toEqual({ hit: false, cacheKey: 'absent', similarity: null });
  });

  it('reads a similarity of 0.0 on a miss without calling it a hit', () => {
    expect(cacheSignal(result({ 'x-litellm-semantic-similarity': '0.0' }))).toEqual({ hit: false, cacheKey: 'absent', similarity: 0 });
  });
});

describe('generationCacheFacts', () => {
  const gen = (o: Partial<LangfuseObservation>): LangfuseObservation => ({ id: 'g', type: 'GENERATION', ...o });

  it('reads cache_hit and semantic-similarity as booleans and numbers, also after Langfuse stringified them', () => {
    expect(generationCacheFacts(gen({ metadata: { cache_hit: true, 'semantic-similarity': 0.93 } }))).toMatchObject({ cacheHit: true, similarity: 0.93 });
    expect(generationCacheFacts(gen({ metadata: { cache_hit: 'false', 'semantic-similarity': '0.5' } }))).toMatchObject({ cacheHit: false, similarity: 0.5 });
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
