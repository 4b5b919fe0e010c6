import { describe, expect, test } from 'vitest';
import { esc } from './charts.ts';
import { criticalPathText, ganttChart } from './gantt.ts';
import { healthy, timed } from './html-fixtures.ts';
import { criticalPath, type Span, type TimedCheck } from './timeline.ts';

const RUN = { startedAt: '2026-11-27T07:00:00.000Z', endedAt: '2026-11-27T07:00:10.000Z' };

/** A check that started `atMs` after RUN started and lasted `durationMs`. */
const timedCheck = (id: string, atMs: number, durationMs: number, spans: Span[] = []): TimedCheck => ({
  id,
  durationMs,
  timeline: { startedAt: new Date(Date.parse(RUN.startedAt) + atMs).toISOString(), spans },
});

const sp = (kind: Span['kind'], label: string, startMs: number, endMs: number): Span => ({
  kind,
  label,
  startMs,
  endMs,
});

/** The attributes of the rect whose tooltip starts with `tip`. */
function rectOf(svg: string, tip: string): Record<string, string> {
  const m = new RegExp(`<rect ([^>]*)><title>${tip.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).exec(svg);
  if (!m) throw new Error(`no rect titled ${tip}`);
  return Object.fromEntries([...m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!]));
}

const chartOf = (checks: readonly TimedCheck[], run = RUN): string =>
  ganttChart({ title: 'run timeline', run, checks });

describe('ganttChart', () => {
  test('an accessible, self-contained SVG: title, desc, one tooltip per rect', () => {
    const svg = chartOf(timed.sections.flatMap((s) => s.checks));
    expect(svg).toMatch(/^<svg class="chart" [^>]*viewBox="0 0 760 [\d.]+" width="760" height="[\d.]+" role="img"/);
    expect(svg).toContain('aria-label="run timeline"><title>run timeline</title><desc>');
    expect(svg.match(/<rect /g)!.length).toBe(svg.match(/<rect [^>]*><title>[^<]+<\/title><\/rect>/g)!.length);
    expect(svg).not.toMatch(/href|<script|<image|<use|<foreignObject|url\(/i);
  });

  test('bars are placed in proportion to the run clock, with second ticks', () => {
    // Plot from x = 156 to x = 744: 588 px for 10 s.
    const svg = chartOf([
      timedCheck('a', 0, 5000, [sp('langfuse', 'trace a', 1000, 3500)]),
      timedCheck('b', 5000, 2500),
    ]);
    expect(rectOf(svg, 'a: check')).toMatchObject({ x: '156', width: '294' });
    expect(rectOf(svg, 'b: check')).toMatchObject({ x: '450', width: '147' });
    expect(rectOf(svg, 'trace a (Langfuse wait): starts 1 s into the check, lasts 2.5 s')).toMatchObject({
      x: '214.8',
      width: '147',
    });
    for (const s of ['0 s', '2 s', '4 s', '6 s', '8 s', '10 s']) expect(svg).toContain(`>${s}</text>`);
    // The rows come in start order.
    expect(svg.indexOf('>a</text>')).toBeLessThan(svg.indexOf('>b</text>'));
  });

  test('setup and report are shaded bands before the first check and after the last', () => {
    const svg = chartOf([timedCheck('a', 2000, 6000)]);
    expect(rectOf(svg, 'setup: from 0 ms to 2 s, 2 s')).toMatchObject({ x: '156', width: '117.6' });
    expect(rectOf(svg, 'report: from 8 s to 10 s, 2 s')).toMatchObject({ x: '626.4', width: '117.6' });
  });

  test('the critical-path check is outlined and its label bold; the others are not', () => {
    const svg = chartOf([timedCheck('short', 0, 1000), timedCheck('long', 500, 8000)]);
    expect(rectOf(svg, 'long: check')).toMatchObject({ stroke: '#24292f', 'stroke-width': '2' });
    expect(rectOf(svg, 'short: check')['stroke-width']).toBe('1');
    expect(svg).toContain('class="val">long</text>');
    expect(svg).toContain('class="lbl">short</text>');
    expect(svg).toContain('<title>long: check, starts at 500 ms, lasts 8 s; the critical path</title>');
  });

  test('three waits at once get three lanes; a settle and requests keep their kinds', () => {
    const [check] = timed.sections.flatMap((s) => s.checks).filter((c) => c.id === '4.2/semantic-cache');
    const svg = chartOf([check!], timed.run);
    const ys = ['trace of the seed', 'trace of the paraphrase', 'trace of the unrelated prompt'].map(
      (l) => rectOf(svg, `${l} (Langfuse wait)`).y,
    );
    expect(new Set(ys).size).toBe(3);
    expect(rectOf(svg, 'LiteLLM cache write (settle)').fill).toBe('#bf8700');
    expect(rectOf(svg, 'POST /v1/chat/completions (seed) (request)').fill).toBe('#0550ae');
    for (const k of ['request', 'burst', 'settle', 'Langfuse wait', 'pause', 'setup / report', 'critical path'])
      expect(svg).toContain(`<title>legend: ${k}</title>`);
  });

  test('hundreds of tiny requests merge into a few ticks that count them; dropped spans are told', () => {
    const spans = Array.from({ length: 200 }, (_, i) => sp('request', `GET /health #${i}`, i * 5, i * 5 + 3));
    const check = timedCheck('busy', 0, 10_000, spans);
    const svg = chartOf([{ ...check, timeline: { ...check.timeline!, droppedSpans: 57 } }]);
    const ticks = svg.match(/<rect [^>]*><title>\d+ requests \(request\)/g) ?? [];
    expect(ticks.length).toBeGreaterThan(0);
    expect(ticks.length).toBeLessThan(20);
    const counted = [...svg.matchAll(/<title>(\d+) requests \(request\)/g)].reduce((n, m) => n + Number(m[1]), 0);
    const single = (svg.match(/<title>GET \/health #\d+ \(request\)/g) ?? []).length;
    expect(counted + single).toBe(200);
    expect(svg).toContain('200 requests; 57 more spans not recorded');
  });

  test('hostile labels are escaped: a check id or span label cannot open an element', () => {
    const hostile = '<script>alert("x")</script>';
    const svg = chartOf([timedCheck(hostile, 0, 5000, [sp('request', `<img src=x onerror="alert(1)">`, 0, 100)])]);
    expect(svg).not.toMatch(/<script|<img/);
    expect(svg).toContain(esc('<script>alert("x")</script>').slice(0, 20));
    expect(svg).toContain(esc('<img src=x onerror="alert(1)">'));
    expect(chartOf([timedCheck('a\u001b[31mred\u202e', 0, 100)])).not.toMatch(/[\u001b\u202e]/);
  });

  test('a bundle without timelines renders no chart', () => {
    expect(chartOf(healthy.sections.flatMap((s) => s.checks))).toBe('');
    expect(chartOf([])).toBe('');
  });

  test('rows are bounded: past 40 checks the chart says how many it left out', () => {
    const svg = chartOf(
      Array.from({ length: 50 }, (_, i) => timedCheck(`c${String(i).padStart(2, '0')}`, i * 10, 100)),
    );
    expect(svg.match(/<title>c\d\d: check/g)).toHaveLength(40);
    expect(svg).toContain('10 more checks not drawn');
  });

  test('pure: the same checks render the same bytes', () => {
    const checks = timed.sections.flatMap((s) => s.checks);
    expect(chartOf(checks, timed.run)).toBe(chartOf(structuredClone(checks), timed.run));
  });
});

describe('criticalPathText', () => {
  test('setup → the longest check with what it waited on, largest first → report', () => {
    const path = criticalPath(
      timed.run,
      timed.sections.flatMap((s) => s.checks),
    )!;
    expect(criticalPathText(path)).toBe(
      'Critical path 15.2 s of 16 s wall: setup 1.9 s → 4.2/semantic-cache 13 s (Langfuse wait 9.8 s, requests 1.6 s, settle 1 s, other 600 ms) → report 300 ms',
    );
  });

  test('times that do not parse read "?", and the check id loses its control characters', () => {
    const path = criticalPath({ startedAt: RUN.startedAt, endedAt: 'not a time' }, [timedCheck('a\u0007b', 0, 100)])!;
    expect(criticalPathText(path)).toBe('Critical path ? of ? wall: setup 0 ms → ab 100 ms (other 100 ms) → report ?');
  });
});
