import { num } from '../measure/format.ts';

// Inline-SVG chart builders for the HTML evidence view. Pure string builders: no DOM, no
// scripts, no external resources, so a report opened from a decision log years later still
// renders exactly as it did, and a CSP of `default-src 'none'` costs nothing. Every string that
// reaches the SVG goes through `esc`, because labels come from the bundle (server-provided).

/** Escapes text for HTML/SVG element content and double- or single-quoted attribute values. */
export function esc(s: unknown): string {
  return String(s).replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );
}

/** Chart colours, shared with the page's CSS so a green bar means what a green badge means. */
const COLOURS = {
  pass: '#1a7f37',
  fail: '#c62828',
  neutral: '#5b6b7f',
  other: '#9aa4b1',
  line: '#b26a00',
  grid: '#d8dde3',
  text: '#24292f',
  muted: '#57606a',
} as const;

/** One bar: `ok` colours it (true pass, false fail, undefined neutral); `null` value = not measured. */
export interface Bar {
  label: string;
  value: number | null;
  ok?: boolean;
}

/** A reference line drawn across a chart (a threshold), with the words printed next to it. */
export interface RefLine {
  value: number;
  label: string;
}

/**
 * A vertical bar chart with optional horizontal reference lines (thresholds). Returns '' when no
 * bar has a value: a chart of nothing would read as "zero", and no data must never look like a
 * pass. Bars without a value keep their slot and say "not measured".
 */
export function barChart(o: {
  title: string;
  unit: string;
  bars: readonly Bar[];
  lines?: readonly RefLine[];
  format?: (v: number) => string;
  width?: number;
}): string {
  const values = o.bars.map((b) => b.value).filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0) return '';
  const lines = o.lines ?? [];
  const f = o.format ?? num;
  const W = o.width ?? 450;
  const H = 220;
  const m = { top: 22, right: 118, bottom: 40, left: 56 };
  const plotW = W - m.left - m.right;
  const plotH = H - m.top - m.bottom;
  const top = niceMax(Math.max(...values, ...lines.map((l) => l.value), 0));
  const y = (v: number): number => m.top + plotH - (Math.max(0, v) / top) * plotH;
  const slot = plotW / o.bars.length;
  const barW = Math.min(64, slot * 0.6);
  const parts: string[] = [axisY(top, o.unit, y, m.left, W - m.right, f)];
  o.bars.forEach((b, i) => {
    const cx = m.left + slot * (i + 0.5);
    const x = cx - barW / 2;
    // ~6.5 px per character at 12 px: clip labels to their slot so neighbours never overlap.
    parts.push(
      `<text x="${r(cx)}" y="${H - m.bottom + 16}" text-anchor="middle" class="lbl">${esc(clip(b.label, Math.max(4, Math.floor(slot / 6.5))))}</text>`,
    );
    if (b.value === null || !Number.isFinite(b.value)) {
      parts.push(`<text x="${r(cx)}" y="${r(y(0) - 6)}" text-anchor="middle" class="muted">not measured</text>`);
      return;
    }
    const colour = b.ok === undefined ? COLOURS.neutral : b.ok ? COLOURS.pass : COLOURS.fail;
    const yTop = y(b.value);
    parts.push(
      `<rect x="${r(x)}" y="${r(yTop)}" width="${r(barW)}" height="${r(Math.max(1, y(0) - yTop))}" fill="${colour}"><title>${esc(`${b.label}: ${f(b.value)}${o.format ? '' : ` ${o.unit}`}`)}</title></rect>`,
      `<text x="${r(cx)}" y="${r(yTop - 5)}" text-anchor="middle" class="val">${esc(f(b.value))}${b.ok === false ? ' ✗' : b.ok ? ' ✓' : ''}</text>`,
    );
  });
  for (const l of lines) parts.push(refLine(y(l.value), m.left, W - m.right, l.label));
  return svg(W, H, o.title, parts);
}

/** How one status code in a strip is drawn: 2xx pass, 429 the expected throttle, anything else grey. */
function statusColour(code: number): string {
  if (code >= 200 && code < 300) return COLOURS.pass;
  if (code === 429) return COLOURS.fail;
  return COLOURS.other;
}

/**
 * A strip of one cell per request, in send order (green 2xx, red 429, grey anything else), with
 * a legend counting each kind and the position of the first 429. Wraps after `perRow` cells.
 * Returns '' for an empty sequence.
 */
export function statusStrip(o: {
  title: string;
  statuses: readonly number[];
  perRow?: number;
  width?: number;
}): string {
  const n = o.statuses.length;
  if (n === 0) return '';
  const W = o.width ?? 760;
  const perRow = Math.min(n, o.perRow ?? 101);
  const m = { top: 8, left: 8, right: 8 };
  const cell = (W - m.left - m.right) / perRow;
  const cellH = 26;
  const rows = Math.ceil(n / perRow);
  const parts: string[] = [];
  o.statuses.forEach((code, i) => {
    const x = m.left + (i % perRow) * cell;
    const yy = m.top + Math.floor(i / perRow) * (cellH + 6);
    parts.push(
      `<rect x="${r(x)}" y="${yy}" width="${r(Math.max(1, cell - (cell > 4 ? 1 : 0)))}" height="${cellH}" fill="${statusColour(code)}"><title>request #${i + 1}: HTTP ${esc(code)}</title></rect>`,
    );
  });
  const afterRows = m.top + rows * (cellH + 6);
  parts.push(
    `<text x="${m.left}" y="${afterRows + 12}" class="muted">#1</text>`,
    `<text x="${W - m.right}" y="${afterRows + 12}" text-anchor="end" class="muted">#${n}</text>`,
  );
  const ok = o.statuses.filter((s) => s >= 200 && s < 300).length;
  const throttled = o.statuses.filter((s) => s === 429).length;
  const other = n - ok - throttled;
  const first429 = o.statuses.indexOf(429);
  const legend: [string, string][] = [
    [COLOURS.pass, `${ok} × 2xx`],
    [COLOURS.fail, `${throttled} × 429${first429 >= 0 ? ` (first at #${first429 + 1})` : ''}`],
    [COLOURS.other, `${other} × other`],
  ];
  let lx = m.left;
  const ly = afterRows + 32;
  for (const [colour, text] of legend) {
    parts.push(
      `<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${colour}"/>`,
      `<text x="${lx + 17}" y="${ly}" class="lbl">${esc(text)}</text>`,
    );
    lx += 34 + text.length * 7;
  }
  return svg(W, ly + 8, o.title, parts);
}

/** One point of a time series; `y: null` = no data in that interval (drawn as a gap, never as 0). */
export interface Point {
  x: number;
  y: number | null;
}

/**
 * A line chart of one time series (x = seconds since the start of the watch) with a threshold
 * line. `direction` says which side of the threshold is bad ('above' for error rate and
 * latency, 'below' for hit rate); points on the bad side are drawn red. `format` renders axis
 * and point values (e.g. as percentages). Returns '' when no point has a value.
 */
export function lineChart(o: {
  title: string;
  unit: string;
  points: readonly Point[];
  threshold?: RefLine & { direction: 'above' | 'below' };
  format?: (v: number) => string;
  width?: number;
}): string {
  const pts = o.points.filter((p) => Number.isFinite(p.x));
  const vals = pts.map((p) => p.y).filter((v): v is number => v !== null && Number.isFinite(v));
  if (vals.length === 0) return '';
  const f = o.format ?? num;
  const W = o.width ?? 450;
  const H = 200;
  const m = { top: 18, right: 112, bottom: 34, left: 60 };
  const plotW = W - m.left - m.right;
  const plotH = H - m.top - m.bottom;
  const top = niceMax(Math.max(...vals, o.threshold?.value ?? 0, 0));
  const x0 = Math.min(...pts.map((p) => p.x));
  const x1 = Math.max(...pts.map((p) => p.x));
  const span = x1 - x0 || 1;
  const X = (x: number): number => m.left + ((x - x0) / span) * plotW;
  const Y = (v: number): number => m.top + plotH - (Math.max(0, v) / top) * plotH;
  const parts: string[] = [axisY(top, o.unit, Y, m.left, W - m.right, f)];
  // Split at gaps so an interval without data never gets a line drawn through it.
  const segments: Point[][] = [[]];
  for (const p of pts) {
    if (p.y === null || !Number.isFinite(p.y)) segments.push([]);
    else segments.at(-1)!.push(p);
  }
  for (const seg of segments.filter((s) => s.length > 1)) {
    parts.push(
      `<polyline fill="none" stroke="${COLOURS.neutral}" stroke-width="2" points="${seg.map((p) => `${r(X(p.x))},${r(Y(p.y!))}`).join(' ')}"/>`,
    );
  }
  const bad = (v: number): boolean =>
    o.threshold ? (o.threshold.direction === 'above' ? v > o.threshold.value : v < o.threshold.value) : false;
  for (const p of pts) {
    if (p.y === null || !Number.isFinite(p.y)) continue;
    parts.push(
      `<circle cx="${r(X(p.x))}" cy="${r(Y(p.y))}" r="${bad(p.y) ? 3.5 : 2.5}" fill="${bad(p.y) ? COLOURS.fail : COLOURS.neutral}"><title>${esc(`${elapsed(p.x)}: ${f(p.y)}`)}</title></circle>`,
    );
  }
  if (o.threshold) parts.push(refLine(Y(o.threshold.value), m.left, W - m.right, o.threshold.label));
  parts.push(
    `<text x="${m.left}" y="${H - m.bottom + 16}" class="muted">${esc(elapsed(x0))}</text>`,
    `<text x="${W - m.right}" y="${H - m.bottom + 16}" text-anchor="end" class="muted">${esc(elapsed(x1))}</text>`,
  );
  return svg(W, H, o.title, parts);
}

function elapsed(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Rounds a max up to 1, 2 or 5 × 10^n so the top tick is a number people can read. */
function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const padded = v * 1.12;
  const p = 10 ** Math.floor(Math.log10(padded));
  return ([1, 2, 2.5, 5, 10].find((k) => k * p >= padded) ?? 10) * p;
}

function axisY(
  top: number,
  unit: string,
  y: (v: number) => number,
  x0: number,
  x1: number,
  f: (v: number) => string = num,
): string {
  const ticks = [0, top / 2, top];
  return [
    ...ticks.map(
      (t) =>
        `<line x1="${x0}" x2="${x1}" y1="${r(y(t))}" y2="${r(y(t))}" stroke="${COLOURS.grid}" stroke-width="1"/><text x="${x0 - 6}" y="${r(y(t) + 4)}" text-anchor="end" class="muted">${esc(f(t))}</text>`,
    ),
    `<text x="${x0 - 6}" y="${r(y(top) - 10)}" text-anchor="end" class="muted">${esc(unit)}</text>`,
  ].join('');
}

function refLine(yy: number, x0: number, x1: number, label: string): string {
  return `<line x1="${x0}" x2="${x1}" y1="${r(yy)}" y2="${r(yy)}" stroke="${COLOURS.line}" stroke-width="2" stroke-dasharray="6 4"/><text x="${x1 + 6}" y="${r(yy + 4)}" class="ref">${esc(clip(label, 16))}</text>`;
}

/** The chart's frame: accessible title (and description, when given), fixed size, one class for the page's styles. */
export function svg(W: number, H: number, title: string, parts: readonly string[], desc?: string): string {
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${r(H)}" width="${W}" height="${r(H)}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>${desc ? `<desc>${esc(desc)}</desc>` : ''}${parts.join('')}</svg>`;
}

export function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** A coordinate to one decimal: enough for the screen, and the SVG stays small. */
export function r(v: number): number {
  return Math.round(v * 10) / 10;
}
