import { describe, expect, test } from 'vitest';
import { barChart, esc, lineChart, statusStrip } from './charts.ts';
import { chartsFor } from './check-charts.ts';
import { failedHostile, healthy, incomplete, postWatch } from './html-fixtures.ts';
import type { CheckRecord } from './model.ts';

const checkOf = (b: typeof healthy, id: string): CheckRecord =>
  b.sections.flatMap((s) => s.checks).find((c) => c.id === id)!;

/** The attributes every chart must carry to be sized and announced. */
function expectAccessibleSvg(svg: string, label: RegExp): void {
  expect(svg).toMatch(
    /^<svg [^>]*viewBox="0 0 \d+(\.\d)? \d+(\.\d)?"[^>]* width="\d+" height="\d+(\.\d)?" role="img" aria-label="[^"]+">/,
  );
  expect(svg).toMatch(label);
  expect(svg).toMatch(/<title>[^<]+<\/title>/);
}

describe('chart builders', () => {
  test('a bar chart draws one bar per value, the threshold line, and pass/fail colours', () => {
    const svg = barChart({
      title: 'latency',
      unit: 'ms',
      bars: [
        { label: 'a', value: 400 },
        { label: 'b', value: 12, ok: true },
        { label: 'c', value: 150, ok: false },
      ],
      lines: [{ value: 100, label: '100 ms' }],
    });
    expectAccessibleSvg(svg, /aria-label="latency"/);
    expect(svg.match(/<rect /g)).toHaveLength(3);
    expect(svg).toContain('stroke-dasharray');
    expect(svg).toContain('#1a7f37');
    expect(svg).toContain('#c62828');
  });

  test('no value at all draws nothing; a missing bar says "not measured" instead of zero', () => {
    expect(barChart({ title: 't', unit: 'ms', bars: [{ label: 'a', value: null }] })).toBe('');
    const svg = barChart({
      title: 't',
      unit: 'ms',
      bars: [
        { label: 'a', value: null },
        { label: 'b', value: 5 },
      ],
    });
    expect(svg).toContain('not measured');
    expect(svg.match(/<rect /g)).toHaveLength(1);
  });

  test('a status strip has one cell per request and counts each kind', () => {
    const svg = statusStrip({ title: 'burst', statuses: [...Array<number>(100).fill(200), 429] });
    expectAccessibleSvg(svg, /aria-label="burst"/);
    expect(svg.match(/<title>request #/g)).toHaveLength(101);
    expect(svg).toContain('100 × 2xx');
    expect(svg).toContain('1 × 429 (first at #101)');
    expect(statusStrip({ title: 'x', statuses: [] })).toBe('');
  });

  test('a line chart breaks at intervals without data and marks points on the bad side of the threshold', () => {
    const svg = lineChart({
      title: 'err',
      unit: '%',
      points: [
        { x: 0, y: 0.01 },
        { x: 1, y: 0.01 },
        { x: 2, y: null },
        { x: 3, y: 0.05 },
        { x: 4, y: 0.01 },
      ],
      threshold: { value: 0.02, label: 'limit', direction: 'above' },
    });
    expectAccessibleSvg(svg, /aria-label="err"/);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(4);
    expect(svg.match(/fill="#c62828"/g)).toHaveLength(1);
    expect(lineChart({ title: 'x', unit: '%', points: [{ x: 0, y: null }] })).toBe('');
  });

  test('labels are escaped', () => {
    const svg = barChart({ title: '<script>x</script>', unit: '"ms"', bars: [{ label: '<b>', value: 1 }] });
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain(esc('<script>x</script>'));
  });
});

describe('chartsFor', () => {
  test('§4.1 gets the three request latencies against the hit limit', () => {
    const [chart, ...rest] = chartsFor(checkOf(healthy, '4.1/exact-cache'));
    expect(rest).toHaveLength(0);
    expect(chart!.caption).toMatch(/3 identical requests against the 100 ms hit limit/);
    expect(chart!.svg.match(/<rect /g)).toHaveLength(3);
  });

  test('§5.1 gets the burst strip from the observed status sequence', () => {
    const [chart] = chartsFor(checkOf(healthy, '5.1/rpm-limit'));
    expect(chart!.caption).toMatch(/each of the 101 requests/);
  });

  test('§5.2 gets both prompt sizes against the 2,000-token limit', () => {
    const [chart] = chartsFor(checkOf(healthy, '5.2/failover'));
    expect(chart!.caption).toMatch(/2,000-token limit/);
    expect(chart!.svg.match(/<rect /g)).toHaveLength(2);
  });

  test('the watch gets one line chart per metric, with its threshold and direction (hit rate: from 6/live-traffic)', () => {
    const charts = chartsFor(checkOf(postWatch, '7/watch'), [checkOf(postWatch, '6/live-traffic')]);
    expect(charts.map((c) => c.caption)).toEqual([
      'Error rate over the watch (limit 2.0 %)',
      'p95 latency over the watch (limit 1,640 ms)',
      'Cache hit rate over the watch (minimum 30.0 %)',
    ]);
  });

  test('no chart without data: nothing measured, no status array, no thresholds to compare', () => {
    expect(chartsFor(checkOf(incomplete, '4.1/exact-cache'))).toEqual([]);
    expect(chartsFor(checkOf(incomplete, '2/fly-processes'))).toEqual([]);
    // 3/smoke: its ms thresholds differ (2 s vs Langfuse wait), and == 200 is not a bar.
    expect(chartsFor(checkOf(healthy, '3/smoke'))).toEqual([]);
  });

  test('a sequence with non-status values is not drawn as a strip', () => {
    const c = { ...checkOf(healthy, '5.1/rpm-limit'), observations: { statusSequence: [200, 'timeout', 429] } };
    expect(chartsFor(c)).toEqual([]);
    expect(chartsFor(checkOf(failedHostile, '5.1/rpm-limit'))).toHaveLength(1);
  });

  test('6/live-traffic: hit rates (overall and per agent) against 30 %; trace counts against a minimum of 1 get no chart', () => {
    const charts = chartsFor(checkOf(postWatch, '6/live-traffic'));
    expect(charts.map((c) => c.caption)).toEqual([
      '6/live-traffic: cache_hit_rate, cache_hit_rate_support-bot, cache_hit_rate_order-tracker against 30.0 %',
    ]);
    expect(charts[0]!.svg).toContain('>41.0 % ✓<');
  });

  test('generic fallback skips bars too small to see against their line (waits against a 90 s deadline)', () => {
    const c: CheckRecord = {
      ...checkOf(healthy, '3/smoke'),
      id: '9/x',
      measurements: [
        { name: 'a_wait_ms', value: 120, unit: 'ms', threshold: { op: '<=', value: 90_000 }, pass: true },
        { name: 'b_wait_ms', value: 420, unit: 'ms', threshold: { op: '<=', value: 90_000 }, pass: true },
      ],
    };
    expect(chartsFor(c)).toEqual([]);
  });

  test('generic fallback: measurements sharing a unit and one threshold get bars', () => {
    const c: CheckRecord = {
      ...checkOf(healthy, '3/smoke'),
      id: '9/x',
      measurements: [
        { name: 'a_ms', value: 10, unit: 'ms', threshold: { op: '<', value: 50 }, pass: true },
        { name: 'b_ms', value: 70, unit: 'ms', threshold: { op: '<', value: 50 }, pass: false },
      ],
    };
    const [chart] = chartsFor(c);
    expect(chart!.caption).toBe('9/x: a_ms, b_ms against 50 ms');
  });
});
