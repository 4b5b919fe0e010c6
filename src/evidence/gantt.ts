import { clip, esc, r, svg } from './charts.ts';
import { bound, LIMITS, stripControl } from './sanitize.ts';
import {
  type CriticalPath,
  criticalPath,
  type PlacedCheck,
  placeChecks,
  type Span,
  type SpanKind,
  SpanKind as SpanKinds,
  type TimedCheck,
} from './timeline.ts';
import { duration, num } from '../measure/format.ts';

// The run's timeline as an inline-SVG Gantt chart, in the conventions of charts.ts: a pure
// string builder, no scripts or external resources, every bundle string stripped of control
// characters, bounded and escaped (a span's label is a method and path the check sent, and an
// edited bundle can put anything there). Sizes are bounded whatever the bundle holds: at most
// `MAX_ROWS` checks, `MAX_LANES` lanes of waits per check, and request ticks closer than a
// pixel merged into one mark, so a check that sent 200 requests draws tens of rects, not 200.

/** How each kind of span is named and filled; the order is the legend's. */
const KINDS: Readonly<Record<SpanKind, { name: string; fill: string }>> = {
  request: { name: 'request', fill: '#0550ae' },
  burst: { name: 'burst', fill: '#8250df' },
  settle: { name: 'settle', fill: '#bf8700' },
  langfuse: { name: 'Langfuse wait', fill: '#1b7c83' },
  pause: { name: 'pause', fill: '#8c959f' },
};

const BAR_FILL = '#eef1f4';
const BAR_STROKE = '#afb8c1';
const CRITICAL_STROKE = '#24292f';
const BAND_FILL = '#f3e8d2';
const GRID = '#d8dde3';

/** Checks drawn; a run with more says how many were left out. */
const MAX_ROWS = 40;
/** Lanes of overlapping waits in one check; a wait that fits none is drawn half-transparent in the last. */
const MAX_LANES = 4;
/** Waits (every kind but requests) drawn per check; more are counted in the check's tooltip. */
const MAX_WAITS = 100;

const TICK_H = 6;
const LANE_H = 8;
const ROW_GAP = 6;

/**
 * The run as a Gantt chart: one row per check with a timeline (label = check id, in start
 * order), x = seconds since the run started. A check's bar spans its start to its end; its
 * requests are ticks along the top of the bar (ticks less than a pixel apart merge into one
 * mark whose tooltip counts them), its other spans (burst, settle, Langfuse wait, pause) are
 * bars below, overlapping ones in sub-lanes. The check on the critical path (`criticalPath`)
 * is outlined and its label bold; setup (run start to the first check) and report (last check
 * to run end) are shaded bands. Every rect has a `<title>` tooltip. Returns '' when no check
 * has a timeline (a bundle written before timelines were recorded). Pure: same input, same bytes.
 */
export function ganttChart(o: {
  title: string;
  run: { readonly startedAt: string; readonly endedAt: string };
  checks: readonly TimedCheck[];
  width?: number;
}): string {
  const all = placeChecks(o.run.startedAt, o.checks);
  const path = criticalPath(o.run, o.checks);
  if (all.length === 0 || !path) return '';
  const placed = all.slice(0, MAX_ROWS);
  const critical = path.segments[1];
  const firstStart = Math.min(...all.map((c) => c.startMs));
  const lastEnd = Math.max(...all.map((c) => c.endMs));
  const wallMs = Number.isFinite(path.wallMs) ? path.wallMs : lastEnd;
  const t0 = Math.min(0, firstStart);
  const t1 = Math.max(wallMs, lastEnd, t0 + 1);
  // Times that parse but are absurd (a hand-edited bundle) draw nothing rather than a broken axis.
  if (!Number.isFinite(t1 - t0)) return '';
  const W = o.width ?? 760;
  const m = { top: 22, right: 16, left: 156 };
  const plotW = W - m.left - m.right;
  const X = (ms: number): number => m.left + ((Math.min(t1, Math.max(t0, ms)) - t0) / (t1 - t0)) * plotW;
  const dropped = new Map<string, number>();
  for (const c of o.checks) if (c.timeline && !dropped.has(c.id)) dropped.set(c.id, c.timeline.droppedSpans ?? 0);
  const rows = placed.map((c) => ({ c, lanes: lanesOf(c.spans.filter((s) => s.kind !== 'request')) }));
  const heights = rows.map((row) => TICK_H + 1 + Math.max(1, row.lanes.count) * LANE_H);
  const plotH = heights.reduce((t, h) => t + h + ROW_GAP, 0) + ROW_GAP;
  const plotBottom = m.top + plotH;
  const parts: string[] = [];

  // Setup and report first, so the grid and the bars draw over them.
  const bands: [string, number, number, string][] = [
    ['setup', 0, firstStart, 'configuration, sandbox, workers starting, up to the first check'],
    ['report', lastEnd, wallMs, 'after the last check: writing the evidence'],
  ];
  for (const [name, from, to, why] of bands) {
    if (!(to > from)) continue;
    const x = X(from);
    const w = X(to) - x;
    parts.push(
      `<rect x="${r(x)}" y="${m.top}" width="${r(Math.max(1, w))}" height="${r(plotH)}" fill="${BAND_FILL}"><title>${esc(`${name}: from ${duration(from)} to ${duration(to)}, ${duration(to - from)} (${why})`)}</title></rect>`,
    );
    if (w >= 40)
      parts.push(`<text x="${r(x + w / 2)}" y="${m.top - 6}" text-anchor="middle" class="muted">${name}</text>`);
  }

  const step = tickStep(t1 - t0);
  for (let i = Math.ceil(t0 / step); i * step <= t1; i++) {
    const ms = i * step;
    const x = r(X(ms));
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${m.top}" y2="${r(plotBottom)}" stroke="${GRID}" stroke-width="1"/>`,
      `<text x="${x}" y="${r(plotBottom + 14)}" text-anchor="middle" class="muted">${esc(`${num(Number((ms / 1000).toPrecision(6)))} s`)}</text>`,
    );
  }

  let y = m.top + ROW_GAP;
  rows.forEach(({ c, lanes }, i) => {
    const h = heights[i]!;
    const isCritical = critical !== undefined && c.id === critical.name && c.endMs - c.startMs === critical.ms;
    parts.push(...row(c, lanes, { y, h, X, labelX: m.left - 8, isCritical, dropped: dropped.get(c.id) ?? 0 }));
    y += h + ROW_GAP;
  });

  const axisY = plotBottom + 30;
  let legendY = axisY + 8;
  if (all.length > placed.length) {
    parts.push(
      `<text x="${m.left}" y="${r(axisY)}" class="muted">${all.length - placed.length} more checks not drawn (the first ${MAX_ROWS} by start time are)</text>`,
    );
    legendY += 16;
  }
  parts.push(...legend(m.left - 150, legendY));
  return svg(
    W,
    legendY + 18,
    o.title,
    parts,
    'One row per check, x = seconds since the run started; requests are ticks on top of each bar, waits are bars below it.',
  );
}

/** The rects and text of one check's row. */
function row(
  c: PlacedCheck,
  lanes: Lanes,
  o: { y: number; h: number; X: (ms: number) => number; labelX: number; isCritical: boolean; dropped: number },
): string[] {
  const { y, h, X } = o;
  const id = shown(c.id);
  const requests = c.spans.filter((s) => s.kind === 'request');
  const x0 = X(c.startMs);
  const tip = [
    `${id}: check, starts at ${duration(c.startMs)}, lasts ${duration(c.endMs - c.startMs)}`,
    o.isCritical ? 'the critical path' : '',
    requests.length > 0 ? `${requests.length} request${requests.length === 1 ? '' : 's'}` : '',
    o.dropped > 0 ? `${o.dropped} more spans not recorded` : '',
    lanes.undrawn ? `${lanes.undrawn} more waits not drawn` : '',
  ]
    .filter((s) => s !== '')
    .join('; ');
  const parts: string[] = [
    `<text x="${r(o.labelX)}" y="${r(y + h / 2 + 4)}" text-anchor="end" class="${o.isCritical ? 'val' : 'lbl'}">${esc(clip(id, 22))}</text>`,
    `<rect x="${r(x0)}" y="${r(y)}" width="${r(Math.max(1, X(c.endMs) - x0))}" height="${h}" fill="${BAR_FILL}" stroke="${o.isCritical ? CRITICAL_STROKE : BAR_STROKE}" stroke-width="${o.isCritical ? 2 : 1}"><title>${esc(tip)}</title></rect>`,
  ];
  for (const t of ticks(requests, X)) {
    const title =
      t.spans.length === 1
        ? spanTip(t.spans[0]!, c.startMs)
        : `${t.spans.length} requests (request): start ${duration(t.spans[0]!.startMs - c.startMs)} into the check, last ${duration(t.endMs - t.spans[0]!.startMs)} in all; the first: ${shown(t.spans[0]!.label)}`;
    parts.push(
      `<rect x="${r(t.x)}" y="${r(y + 1)}" width="${r(t.w)}" height="${TICK_H - 1}" fill="${KINDS.request.fill}"><title>${esc(title)}</title></rect>`,
    );
  }
  for (const { span, lane, extra } of lanes.placed) {
    const x = X(span.startMs);
    parts.push(
      `<rect x="${r(x)}" y="${r(y + TICK_H + 1 + lane * LANE_H + 1)}" width="${r(Math.max(1, X(span.endMs) - x))}" height="${LANE_H - 2}" fill="${KINDS[span.kind].fill}"${extra ? ' fill-opacity="0.6"' : ''}><title>${esc(spanTip(span, c.startMs))}</title></rect>`,
    );
  }
  return parts;
}

/** `label (kind): starts at …, lasts …`, the start counted from the check's own start. */
function spanTip(s: Span, checkStartMs: number): string {
  return `${shown(s.label)} (${KINDS[s.kind].name}): starts ${duration(s.startMs - checkStartMs)} into the check, lasts ${duration(s.endMs - s.startMs)}`;
}

interface Lanes {
  placed: { span: Span; lane: number; extra: boolean }[];
  count: number;
  undrawn: number;
}

/**
 * Overlapping waits in sub-lanes: each goes into the first lane free at its start (interval
 * partitioning, in start order), so three trace waits that ran at once read as three bars.
 */
function lanesOf(spans: readonly Span[]): Lanes {
  const sorted = spans
    .filter((s) => Number.isFinite(s.startMs) && Number.isFinite(s.endMs))
    .sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  const ends: number[] = [];
  const placed: Lanes['placed'] = [];
  for (const span of sorted.slice(0, MAX_WAITS)) {
    let lane = ends.findIndex((end) => end <= span.startMs);
    const extra = lane < 0 && ends.length >= MAX_LANES;
    if (lane < 0) lane = extra ? MAX_LANES - 1 : ends.length;
    ends[lane] = Math.max(ends[lane] ?? -Infinity, span.endMs);
    placed.push({ span, lane, extra });
  }
  return { placed, count: ends.length, undrawn: spans.length - placed.length };
}

/** Request spans as ticks: spans that start within a pixel and a half of the mark before them join it. */
function ticks(
  spans: readonly Span[],
  X: (ms: number) => number,
): { x: number; w: number; endMs: number; spans: Span[] }[] {
  const sorted = spans
    .filter((s) => Number.isFinite(s.startMs) && Number.isFinite(s.endMs))
    .sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  const out: { x: number; w: number; endMs: number; spans: Span[] }[] = [];
  for (const s of sorted) {
    const x = X(s.startMs);
    const end = Math.max(x + 1, X(s.endMs));
    const last = out.at(-1);
    if (last && x <= last.x + last.w + 1.5) {
      last.w = Math.max(last.w, end - last.x);
      last.endMs = Math.max(last.endMs, s.endMs);
      last.spans.push(s);
    } else out.push({ x, w: end - x, endMs: s.endMs, spans: [s] });
  }
  return out;
}

/** The legend: a swatch per kind, the setup/report band and the critical path's outline. */
function legend(x: number, y: number): string[] {
  const items: [string, string][] = [
    ...SpanKinds.options.map((k) => [`fill="${KINDS[k].fill}"`, KINDS[k].name] as [string, string]),
    [`fill="${BAND_FILL}"`, 'setup / report'],
    [`fill="${BAR_FILL}" stroke="${CRITICAL_STROKE}" stroke-width="2"`, 'critical path'],
  ];
  const parts: string[] = [];
  let lx = x;
  for (const [paint, text] of items) {
    parts.push(
      `<rect x="${r(lx)}" y="${r(y)}" width="12" height="12" ${paint}><title>${esc(`legend: ${text}`)}</title></rect>`,
      `<text x="${r(lx + 17)}" y="${r(y + 10)}" class="lbl">${esc(text)}</text>`,
    );
    lx += 30 + text.length * 6.5;
  }
  return parts;
}

/** Segment names as the critical-path line words them. */
const SEGMENT_KIND_NAMES: Readonly<Record<SpanKind | 'other', string>> = {
  request: 'requests',
  burst: 'burst',
  settle: 'settle',
  langfuse: 'Langfuse wait',
  pause: 'pause',
  other: 'other',
};

/**
 * The critical path in one line of plain text, e.g. `Critical path 15.2 s of 16 s wall: setup
 * 1.9 s → 4.2/semantic-cache 13 s (Langfuse wait 9.8 s, requests 1.6 s, settle 1 s, other
 * 0.6 s) → report 0.3 s`. The check's breakdown is largest first, `other` (time in no span)
 * last. The check id is stripped of control characters and bounded; the caller escapes the
 * line for where it lands (HTML, Markdown, a terminal).
 */
export function criticalPathText(cp: CriticalPath): string {
  const segments = cp.segments.map((s) => {
    const b = s.breakdown;
    if (!b) return `${shown(s.name)} ${span(s.ms)}`;
    const kinds = (Object.keys(SEGMENT_KIND_NAMES) as (SpanKind | 'other')[])
      .filter((k) => k !== 'other' && (b[k] ?? 0) > 0)
      .sort((p, q) => b[q]! - b[p]!);
    if ((b.other ?? 0) > 0) kinds.push('other');
    const parts = kinds.map((k) => `${SEGMENT_KIND_NAMES[k]} ${span(b[k]!)}`);
    return `${shown(s.name)} ${span(s.ms)}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
  });
  return `Critical path ${span(cp.ms)} of ${span(cp.wallMs)} wall: ${segments.join(' → ')}`;
}

/** A duration, or `?` when a hand-edited bundle's times do not parse. */
function span(ms: number): string {
  return Number.isFinite(ms) ? duration(ms) : '?';
}

/** A tick step of 1, 2, 2.5 or 5 × 10^n ms that puts at most 8 ticks on the axis. */
function tickStep(spanMs: number): number {
  const raw = spanMs / 8;
  const p = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 2.5, 5, 10].find((k) => k * p >= raw) ?? 10) * p;
}

/** A bundle string on one line: control characters stripped, bounded. */
function shown(s: unknown): string {
  return bound(stripControl(s), LIMITS.name).trim();
}
