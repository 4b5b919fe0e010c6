import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, test } from 'vitest';
import { exitCodeFor } from '../src/evidence/exit-codes.ts';
import { runCutover, type CutoverRun } from './run-cutover.ts';
import { sharedSandbox } from './shared-sandbox.ts';

/**
 * The post-cutover watch with one of its inputs missing. Runbook §7 rolls back when "error rate
 * exceeds 2 % or latency doubles": only a measured breach may end `rollback`. A missing input
 * ends `incomplete` (saying which input), or the watch decides from what remains; never
 * `rollback`. The evidence dirs are fresh, so no pre-cutover baseline exists unless
 * BASELINE_P95_MS is set.
 */

/**
 * A baseline that lets every rule decide, with room for load. The shared stack's live traffic
 * is generated in this test process, next to every other selftest, so its p95 follows the
 * machine's load (one full `pnpm test` saw it at over twice the healthy p95): these tests are
 * about a missing input, and a loaded machine must not read as a doubled latency.
 */
const BASELINE = { BASELINE_P95_MS: '2000' };

/** The run ended as its verdict says, and with that verdict's exit code. */
function endedWith(run: CutoverRun, verdict: string): void {
  expect(run.bundle, run.stderr.slice(0, 800)).toBeDefined();
  expect(run.bundle!.verdict, run.bundle!.verdictReasons.join('\n')).toBe(verdict);
  expect(run.exitCode).toBe(exitCodeFor(run.bundle!.verdict));
}

/**
 * A source the watch could not read: never a rollback. The watch falls back to the other source
 * and decides what that source can decide; what it cannot is `incomplete`, naming what failed.
 * Only a measured breach could roll back, and the healthy sandbox has none.
 */
function neverRollsBack(run: CutoverRun, names: RegExp): void {
  expect(run.bundle, run.stderr.slice(0, 800)).toBeDefined();
  const b = run.bundle!;
  expect(
    ['incomplete', 'hold', 'hold-with-findings', 'rehearsal-hold', 'rehearsal-hold-with-findings'],
    b.verdictReasons.join('\n'),
  ).toContain(b.verdict);
  expect(run.exitCode).toBe(exitCodeFor(b.verdict));
  const watch = run.check('7/watch');
  expect(watch.status).not.toBe('failed');
  if (b.verdict === 'incomplete') expect(b.verdictReasons.join('\n')).toMatch(names);
}

/** A loopback URL nothing listens on: connection refused, at once. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

describe.concurrent('the watch with an input missing ends incomplete or decides from the rest, never rollback', () => {
  test('no baseline: latency 5x slower is not a rollback; the latency rule is inconclusive and says why', async () => {
    const run = await runCutover({ SANDBOX_FAULTS: 'latency-doubled' }, { phase: 'post' });
    endedWith(run, 'incomplete');
    const watch = run.check('7/watch');
    expect(watch.status).toBe('inconclusive');
    expect(watch.error).toMatch(
      /^inconclusive: the latency rule cannot decide: no latency baseline: .*BASELINE_P95_MS is not set.*\. The error-rate rule did decide: at most 0\.0 % <= 2\.0 % over \d+ windows$/,
    );
    // The slow p95 is still on record, against no threshold, and the baseline reads "not measured".
    expect(watch.measurements.find((m) => m.name === 'max_window_p95_ms')).toMatchObject({ value: expect.any(Number) });
    expect(watch.measurements.find((m) => m.name === 'max_window_p95_ms')?.threshold).toBeUndefined();
    expect(watch.measurements.find((m) => m.name === 'baseline_p95_ms')?.value).toBeNull();
    const progress = run.stdout.split('\n').filter((l) => l.startsWith('watch 00:'));
    expect(progress.length).toBeGreaterThan(3);
    for (const line of progress) expect(line).toMatch(/ · latency: no baseline[ ·]/);
    expect(run.stdout).not.toMatch(/Infinity|NaN/);
  });

  test('no baseline: the error-rate rule, which needs none, still triggers a rollback', async () => {
    const run = await runCutover({ SANDBOX_FAULTS: 'error-burst' }, { phase: 'post' });
    endedWith(run, 'rehearsal-rollback');
    const watch = run.check('7/watch');
    expect(watch.status).toBe('failed');
    expect(watch.error).toMatch(/^ROLLBACK: error rate \d+\.\d % > 2\.0 % over \d+ requests \(window 10 s\)/);
    expect(watch.observations.rollbackTrigger).toMatchObject({ rule: 'error-rate', limit: 0.02, minSamples: 30 });
    expect(run.bundle!.verdictReasons[0]).toMatch(/^7\/watch: ROLLBACK: error rate/);
  });

  describe('against a running stack whose metrics or Langfuse cannot be read', () => {
    // A deployment-style run (GATEWAY_URL set) against a sandbox with live traffic, so that one
    // input can be taken away while the traffic goes on.
    const sandboxOf = sharedSandbox({ liveTraffic: true });

    test('no metrics: /metrics/ answers 401 to the key the suite holds; the watch decides from Langfuse', async () => {
      const run = await runCutover(
        { ...sandboxOf().env, ...BASELINE, GATEWAY_ADMIN_KEY: 'sk-not-the-master-key-0123456789' },
        { phase: 'post' },
      );
      neverRollsBack(run, /\/metrics\/.*HTTP 401/);
      endedWith(run, 'hold');
      expect(run.check('7/watch').observations.trafficSource).toMatch(
        /^gateway metrics not used: GET .*\/metrics\/: HTTP 401: the gateway refused the admin key .*; Langfuse decided \d+ polls/,
      );
      const progress = run.stdout.split('\n').filter((l) => l.startsWith('watch 00:'));
      expect(progress.length).toBeGreaterThan(3);
      for (const line of progress) expect(line).toMatch(/ · counted from Langfuse$/);
    });

    test('the gateway unreachable from here (a dropped VPN): never rollback; the watch reads Langfuse and says the gateway was not observed', async () => {
      const gateway = await closedPortUrl();
      const run = await runCutover({ ...sandboxOf().env, ...BASELINE, GATEWAY_URL: gateway }, { phase: 'post' });
      neverRollsBack(run, /./);
      expect(run.check('7/watch').observations.trafficSource).toMatch(
        /^GATEWAY NOT OBSERVED: every scrape of its metrics failed \(\d+ polls; last: .*\); an unreachable gateway from here is not evidence that it is down/,
      );
      expect(run.stdout).toMatch(/watch: GATEWAY NOT OBSERVED/);
    });

    test('no Langfuse: its URL refuses connections; errors are still judged from the metrics, latency is not', async () => {
      const langfuse = await closedPortUrl();
      const run = await runCutover({ ...sandboxOf().env, ...BASELINE, LANGFUSE_URL: langfuse }, { phase: 'post' });
      neverRollsBack(run, new RegExp(langfuse.replace('http://', '').replace(/\./g, '\\.')));
      endedWith(run, 'incomplete');
      const watch = run.check('7/watch');
      expect(watch.status).toBe('inconclusive');
      expect(watch.error).toMatch(
        /the latency rule cannot decide: Langfuse, the source of per-request latencies, never answered .*The error-rate rule did decide: at most 0\.0 % <= 2\.0 % over \d+ windows$/,
      );
      expect(watch.observations.trafficSource).toMatch(
        /^metrics from \d+ gateway machines?.* decided \d+ polls; Langfuse decided 0 polls/,
      );
    });
  });
});
