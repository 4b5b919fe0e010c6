import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox/index.ts';
import { runCutover } from './run-cutover.ts';

// A cache warmed before the run must never make §4.1 pass, nor a pair cached before it make
// §4.2 pass: the matrix starts a fresh sandbox per row, so this needs its own sandbox shared
// by consecutive runs. The run id is the unit of isolation (namespace and prompt nonce derive
// from it); repeating it reproduces a run whose namespace the gateway did not isolate.
// File filters are refused (a verdict covers the whole runbook); -t runs the two cache checks and
// the evidence records the rest as not run.
const CACHE_TESTS = ['-t', '4\\.[12]/'];

describe.sequential('cache warmed before the run', () => {
  let sandbox: Sandbox;
  const warmId = `warm-${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    sandbox = await startSandbox({});
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  test('a first run warms the cache and passes both checks', async () => {
    const run = await runCutover({ ...sandbox.env, CUTOVER_RUN_ID: warmId }, { args: CACHE_TESTS });
    expect(run.check('4.1/exact-cache').status, run.check('4.1/exact-cache').error).toBe('passed');
    expect(run.check('4.2/semantic-cache').status, run.check('4.2/semantic-cache').error).toBe('passed');
  });

  // LiteLLM 1.103 scopes semantic entries by namespace as well (the scope key carries it), so
  // a new run id misses the warm run's pair too.
  test('a new run id is isolated: both checks pass from a clean miss', async () => {
    const run = await runCutover(
      { ...sandbox.env, CUTOVER_RUN_ID: `other-${randomBytes(4).toString('hex')}` },
      { args: CACHE_TESTS },
    );
    expect(run.check('4.1/exact-cache').status, run.check('4.1/exact-cache').error).toBe('passed');
    const semantic = run.check('4.2/semantic-cache');
    expect(semantic.status, semantic.error).toBe('passed');
    expect(semantic.observations.alreadyCachedPrompts).toEqual([]);
  });

  test('the same run id again: request 1 is already a hit, so 4.1 fails and the verdict is no-go', async () => {
    const run = await runCutover({ ...sandbox.env, CUTOVER_RUN_ID: warmId }, { args: CACHE_TESTS });
    const exact = run.check('4.1/exact-cache');
    expect(exact.status).toBe('failed');
    expect(exact.error).toMatch(/cache not isolated: namespace ignored\?/);
    expect(exact.observations.request_1).toMatchObject({ cacheKey: 'present' });
    // The same namespace: 4.2 skips the pair the warm run cached and passes with the next one.
    const semantic = run.check('4.2/semantic-cache');
    expect(semantic.status, semantic.error).toBe('passed');
    expect(semantic.observations.alreadyCachedPrompts).toEqual([
      expect.objectContaining({ prompt: 'What is the return policy?' }),
    ]);
    expect(run.bundle!.verdict).toBe('no-go');
    expect(run.exitCode).toBe(1);
  });
});
