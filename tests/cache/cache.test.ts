// Runbook §4 — Cache verification: §4.1 exact cache and §4.2 semantic cache.
// The two checks run at the same time: each spends most of its time waiting (the cache-write
// settle, then Langfuse's ingestion lag), and they share nothing that could make one read the
// other's answers: each has its own prompts, and §4.1 a per-run cache namespace. The settle
// stays inside each check, between its own write and its own read.
import { describe } from 'vitest';
import { check } from '../../src/harness/check.ts';
import { exactCache } from './exact-cache.ts';
import { semanticCache } from './semantic-cache.ts';

describe.concurrent('§4 Cache verification', () => {
  check('4.1/exact-cache', exactCache);
  check('4.2/semantic-cache', semanticCache);
});
