import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { digestOf } from '../evidence/digest.ts';
import { latencyLimit, resolveBaseline } from './baseline.ts';
import {
  hitRate,
  judgeWindow,
  progressLine,
  runWatch,
  windowOf,
  type TrafficSnapshot,
  type WatchPoint,
  type WatchRules,
} from './watch.ts';

const rules: WatchRules = {
  errorRate: 0.02,
  errorWindowMs: 100,
  minSamples: 30,
  latency: { limitMs: 300, baselineP95Ms: 150 },
};
/** The watch without a latency baseline (no pre-cutover bundle, no BASELINE_P95_MS). */
const noBaseline: WatchRules = { ...rules, latency: null };
const snap = (
  atMs: number,
  requests: number,
  errors: number,
  latencies: { atMs: number; ms: number }[] = [],
): TrafficSnapshot => ({
  atMs,
  requests,
  errors,
  throttled: 0,
  hits: requests / 2,
  misses: requests / 2,
  agents: {},
  latencies,
});

describe('baseline', () => {
  test('limit = max(ratio × p95, p95 + floor)', () => {
    expect(latencyLimit(200, 2, 50)).toBe(400);
    expect(latencyLimit(20, 2, 50)).toBe(70);
  });

  test('the pre-cutover bundle wins over BASELINE_P95_MS; without either the reason names both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baseline-'));
    const file = join(dir, 'evidence.json');
    expect(resolveBaseline({ evidencePath: file })).toEqual({
      ok: false,
      reason: expect.stringMatching(/no pre-cutover evidence at .*BASELINE_P95_MS is not set/),
    });
    expect(resolveBaseline({ evidencePath: file, envP95Ms: 180 })).toEqual({
      ok: true,
      baseline: { p95Ms: 180, source: expect.stringMatching(/^BASELINE_P95_MS \(no pre-cutover evidence at /) },
    });
    writeBaseline(file, {});
    expect(
      resolveBaseline({
        evidencePath: file,
        envP95Ms: 180,
        gatewayUrl: 'https://gw.example/',
        now: Date.parse('2026-12-02T11:00:00Z'),
      }),
    ).toEqual({
      ok: true,
      baseline: {
        p95Ms: 123.4,
        source: `${file} (7/rollback-readiness gateway_p95_ms)`,
        run: {
          id: 'pre-1',
          digest: expect.stringMatching(/^sha256:/),
          verdict: 'go',
          gatewayUrl: 'https://gw.example',
          endedAt: '2026-12-02T10:00:00.000Z',
          ageMs: 3_600_000,
        },
      },
    });
    writeBaseline(file, { sections: [] });
    expect(resolveBaseline({ evidencePath: file })).toEqual({
      ok: false,
      reason: expect.stringContaining('has no 7/rollback-readiness check'),
    });
  });

  test.each([
    [
      'a rehearsal',
      { run: { kind: 'rehearsal' }, verdict: 'rehearsal-go' },
      /is a rehearsal run \(verdict rehearsal-go\), not a cutover gate/,
    ],
    ['the config gate', { run: { kind: 'config-gate' }, verdict: 'config-ok' }, /is a config-gate run/],
    ['a no-go', { verdict: 'no-go' }, /ended no-go: only a go may be the baseline/],
    ['a filtered run', { verdict: 'incomplete' }, /ended incomplete/],
    [
      'another gateway',
      { environment: { gateway: { url: 'https://other.example' } } },
      /was measured against another gateway \(https:\/\/other\.example, this run watches https:\/\/gw\.example\)/,
    ],
    ['an edited bundle', { tamper: true }, /fails its digest/],
  ])('%s is refused as the baseline, naming why', (_name, over, why) => {
    const file = join(mkdtempSync(join(tmpdir(), 'baseline-')), 'evidence.json');
    writeBaseline(file, over);
    // The default latest-pre falls back to BASELINE_P95_MS, saying what it passed over ...
    expect(resolveBaseline({ evidencePath: file, envP95Ms: 180, gatewayUrl: 'https://gw.example' })).toEqual({
      ok: true,
      baseline: { p95Ms: 180, source: expect.stringMatching(why) },
    });
    // ... a pinned one does not: the latency rule then cannot decide.
    expect(
      resolveBaseline({ evidencePath: file, pinned: true, envP95Ms: 180, gatewayUrl: 'https://gw.example' }),
    ).toEqual({ ok: false, reason: expect.stringMatching(why) });
  });
});

/** A pre-cutover bundle as the writer signs it: a cutover gate's go against https://gw.example, with `over` merged in. */
function writeBaseline(
  file: string,
  over: Record<string, unknown> & { tamper?: boolean; run?: Record<string, unknown> },
): void {
  const { tamper, run, ...rest } = over;
  const b: Record<string, unknown> = {
    run: { id: 'pre-1', phase: 'pre', kind: 'cutover', endedAt: '2026-12-02T10:00:00.000Z', ...run },
    verdict: 'go',
    environment: { gateway: { url: 'https://gw.example' } },
    sections: [{ checks: [{ id: '7/rollback-readiness', measurements: [{ name: 'gateway_p95_ms', value: 123.4 }] }] }],
    ...rest,
  };
  b.digest = digestOf(b);
  if (tamper) b.verdict = 'go-with-waivers';
  writeFileSync(file, JSON.stringify(b));
}

describe('rolling window', () => {
  test('counters are differences against the last snapshot at or before the window start', () => {
    const history = [snap(0, 0, 0), snap(50, 100, 0), snap(100, 200, 1), snap(150, 300, 10)];
    expect(windowOf(history, [], 100)).toMatchObject({ requests: 200, errors: 10 });
  });

  test('too few samples never decides; enough samples over the limit is a rollback with one line', () => {
    expect(judgeWindow({ requests: 10, errors: 5, p95Ms: 900, latencySamples: 10 }, rules, 1)).toBeUndefined();
    expect(
      judgeWindow(
        { requests: 412, errors: 13, p95Ms: 100, latencySamples: 412 },
        { ...rules, errorWindowMs: 300_000 },
        1,
      )?.line,
    ).toBe('ROLLBACK: error rate 3.2 % > 2.0 % over 412 requests (window 5 min)');
    expect(judgeWindow({ requests: 412, errors: 0, p95Ms: 450, latencySamples: 40 }, rules, 1)?.line).toMatch(
      /^ROLLBACK: p95 latency 450 ms > limit 300 ms \(baseline p95 150 ms\)/,
    );
    expect(judgeWindow({ requests: 412, errors: 8, p95Ms: 300, latencySamples: 40 }, rules, 1)).toBeUndefined();
  });

  test('a breach carries what was measured: value, limit and samples', () => {
    expect(judgeWindow({ requests: 412, errors: 13, p95Ms: 100, latencySamples: 412 }, rules, 7)).toMatchObject({
      rule: 'error-rate',
      atMs: 7,
      value: 13 / 412,
      limit: 0.02,
      samples: 412,
    });
    expect(judgeWindow({ requests: 412, errors: 0, p95Ms: 450, latencySamples: 40 }, rules, 7)).toMatchObject({
      rule: 'latency',
      value: 450,
      limit: 300,
      samples: 40,
    });
  });

  test('without a baseline the latency rule never fires, however slow; the error-rate rule still does', () => {
    expect(
      judgeWindow({ requests: 412, errors: 0, p95Ms: 90_000, latencySamples: 412 }, noBaseline, 1),
    ).toBeUndefined();
    expect(judgeWindow({ requests: 412, errors: 13, p95Ms: 90_000, latencySamples: 412 }, noBaseline, 1)?.rule).toBe(
      'error-rate',
    );
  });

  test('hit rate with no cacheable request is null, not 0', () => {
    expect(hitRate({ hits: 0, misses: 0 }, { hits: 0, misses: 0 })).toBeNull();
    expect(hitRate({ hits: 1, misses: 1 }, { hits: 4, misses: 2 })).toBe(0.75);
  });
});

describe('runWatch', () => {
  test('stops at the first breach, long before the duration', async () => {
    let n = 0;
    const lines: string[] = [];
    const res = await runWatch({
      durationMs: 5000,
      intervalMs: 20,
      rules,
      progress: (l) => lines.push(l),
      sample: async (at) => {
        n += 1;
        return snap(at, n * 20, n >= 4 ? n * 2 : 0, [{ atMs: at, ms: 100 }]);
      },
    });
    expect(res.breach?.rule).toBe('error-rate');
    expect(res.elapsedMs).toBeLessThan(1000);
    expect(lines.length).toBe(res.points.length);
    expect(lines[0]).toMatch(/^watch 00:00\/00:05 · 40 requests \(20 in window\) · errors 0.0 % \(too few samples\)/);
  });

  test('a healthy run lasts the duration, decides windows, and keeps every point', async () => {
    let n = 0;
    const res = await runWatch({
      durationMs: 200,
      intervalMs: 20,
      rules,
      sample: async (at) => {
        n += 1;
        return snap(
          at,
          n * 40,
          0,
          Array.from({ length: 40 }, () => ({ atMs: at, ms: 120 })),
        );
      },
    });
    expect(res.breach).toBeUndefined();
    expect(res.elapsedMs).toBeGreaterThanOrEqual(190);
    expect(res.points.length).toBeGreaterThanOrEqual(8);
    expect(res.decidedErrorWindows).toBeGreaterThan(0);
    expect(res.decidedLatencyWindows).toBeGreaterThan(0);
    expect(res.maxWindowP95Ms).toBe(120);
  });

  test('without a baseline: error windows decided, latency windows not, p95 still recorded, progress says so', async () => {
    let n = 0;
    const lines: string[] = [];
    const res = await runWatch({
      durationMs: 100,
      intervalMs: 20,
      rules: noBaseline,
      progress: (l) => lines.push(l),
      sample: async (at) => {
        n += 1;
        return snap(
          at,
          n * 40,
          0,
          Array.from({ length: 40 }, () => ({ atMs: at, ms: 5000 })),
        );
      },
    });
    expect(res.breach).toBeUndefined();
    expect(res.decidedErrorWindows).toBeGreaterThan(0);
    expect(res.decidedLatencyWindows).toBe(0);
    expect(res.maxWindowP95Ms).toBe(5000);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) {
      expect(l).toContain('latency: no baseline (p95 5000 ms, last 5000)');
      expect(l).not.toMatch(/Infinity|NaN|limit/);
    }
  });

  test('polls that keep failing abort the watch with the last error', async () => {
    let n = 0;
    const res = await runWatch({
      durationMs: 2000,
      intervalMs: 10,
      rules,
      sample: async (at) => {
        if (n++ > 0) throw new Error('GET http://gw/metrics: unreachable');
        return snap(at, 0, 0);
      },
    });
    expect(res.aborted).toMatch(/3 polls in a row failed; last: GET http:\/\/gw\/metrics/);
  });
});

describe('progressLine', () => {
  const point: WatchPoint = {
    atMs: 6000,
    requests: 123,
    windowRequests: 45,
    windowErrorRate: 0,
    windowP95Ms: 182,
    windowLatencySamples: 45,
    intervalP95Ms: 190,
    histogramP95Ms: null,
    hitRate: 0.41,
    throttled: 0,
    source: 'metrics',
  };

  test('with a baseline: p95 against its limit', () => {
    expect(progressLine(point, 20_000, rules)).toBe(
      'watch 00:06/00:20 · 123 requests (45 in window) · errors 0.0 % · p95 182 ms (last 190) / limit 300 ms · hit rate 41.0 %',
    );
  });

  test('without one: latency: no baseline, never a limit of Infinity', () => {
    expect(progressLine(point, 20_000, noBaseline)).toBe(
      'watch 00:06/00:20 · 123 requests (45 in window) · errors 0.0 % · latency: no baseline (p95 182 ms, last 190) · hit rate 41.0 %',
    );
    expect(progressLine({ ...point, windowP95Ms: null, intervalP95Ms: null }, 20_000, noBaseline)).toContain(
      '· latency: no baseline ·',
    );
  });

  test('a poll counted from Langfuse says so', () => {
    expect(progressLine({ ...point, source: 'langfuse' }, 20_000, rules)).toMatch(/· counted from Langfuse$/);
  });
});

describe('windows never mix sources', () => {
  const snap = (
    atMs: number,
    source: 'metrics' | 'langfuse',
    metrics: [number, number] | null,
    langfuse: [number, number] | null,
  ): TrafficSnapshot => {
    const c = (x: [number, number] | null) =>
      x ? { requests: x[0], errors: x[1], throttled: 0, hits: 0, misses: 0 } : null;
    const chosen = c(source === 'metrics' ? metrics : langfuse)!;
    return {
      atMs,
      source,
      ...chosen,
      agents: {},
      latencies: [],
      bySource: { metrics: c(metrics), langfuse: c(langfuse) },
    };
  };

  test('a switch to Langfuse takes the window from Langfuse counts on both ends', () => {
    // Metrics count 1,000 requests where Langfuse saw 100: a mixed window would read 100 - 1,000.
    const h = [
      snap(0, 'metrics', [0, 0], [0, 0]),
      snap(5000, 'metrics', [1000, 0], [100, 0]),
      snap(10_000, 'langfuse', null, [200, 10]),
    ];
    expect(windowOf(h, [], 5000)).toMatchObject({ requests: 100, errors: 10 });
  });

  test("a base poll where the source did not answer falls back to the source's last earlier reading", () => {
    const h = [
      snap(0, 'metrics', [0, 0], [0, 0]),
      snap(2000, 'metrics', [50, 0], [40, 0]),
      snap(5000, 'langfuse', null, [100, 1]),
      snap(10_000, 'metrics', [300, 3], [250, 2]),
    ];
    expect(windowOf(h, [], 5000)).toMatchObject({ requests: 250, errors: 3 });
  });

  test("hit rate reads the later snapshot's source on both ends", () => {
    const a = {
      ...snap(0, 'metrics', [0, 0], [0, 0]),
      bySource: {
        metrics: { requests: 10, errors: 0, throttled: 0, hits: 90, misses: 10 },
        langfuse: { requests: 10, errors: 0, throttled: 0, hits: 1, misses: 1 },
      },
    };
    const b = {
      ...snap(10_000, 'langfuse', null, [0, 0]),
      bySource: { metrics: null, langfuse: { requests: 20, errors: 0, throttled: 0, hits: 5, misses: 3 } },
    };
    expect(hitRate(a, b)).toBeCloseTo(4 / 6);
  });
});
