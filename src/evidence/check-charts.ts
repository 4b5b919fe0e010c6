// Which chart a check gets. A chart is drawn only from data the check actually recorded,
// matched by shape and name pattern rather than by exact key, so a renamed measurement loses
// its chart (and keeps its table row) instead of producing a broken one.
import { barChart, lineChart, statusStrip, type Point } from './charts.ts';
import type { CheckRecord, Measurement } from './model.ts';
import { num, pct } from '../measure/format.ts';

/** A rendered chart: the SVG markup and the caption printed under it. */
export interface Chart {
  caption: string;
  svg: string;
}

/**
 * The charts for one check, in display order; empty when the check recorded nothing chartable.
 * Specific charts by check id (4.1 exact-cache latencies, 5.1 quota burst strip, 5.2 failover
 * token sizes, time series of the post-cutover watch), then, for a check with none of those, a
 * generic bar chart of measurements sharing a unit and a threshold value. `others` are the
 * run's other checks: a time series whose threshold is measured by a sibling check (the watch's
 * hit rate, judged in 6/live-traffic) takes its line from there.
 */
export function chartsFor(c: CheckRecord, others: readonly CheckRecord[] = []): Chart[] {
  const charts = [cacheLatency(c), quotaStrip(c), failoverTokens(c), ...timeSeries(c, others)].filter(
    (x): x is Chart => x !== undefined && x.svg !== '',
  );
  if (charts.length > 0) return charts;
  return genericBars(c).filter((x) => x.svg !== '');
}

/** §4.1: request #1 (the miss) and the repeats (the hits) against THRESHOLD_CACHE_HIT_MS. */
function cacheLatency(c: CheckRecord): Chart | undefined {
  if (!/exact-cache/.test(c.id)) return undefined;
  const reqs = c.measurements
    .map((m) => ({ m, n: /^request_(\d+)_ms$/.exec(m.name)?.[1] }))
    .filter((x): x is { m: Measurement; n: string } => x.n !== undefined)
    .sort((a, b) => Number(a.n) - Number(b.n));
  if (reqs.length === 0) return undefined;
  const limit = reqs.map((x) => x.m.threshold).find((t) => t && (t.op === '<' || t.op === '<='));
  const title = `Exact cache: latency of ${reqs.length} identical requests${limit ? ` against the ${num(limit.value)} ms hit limit` : ''}`;
  return {
    caption: title,
    svg: barChart({
      title,
      unit: 'ms',
      bars: reqs.map(({ m, n }) => ({ label: `request #${n}`, value: m.value, ok: m.pass })),
      lines: limit ? [{ value: limit.value, label: `${num(limit.value)} ms hit limit` }] : [],
    }),
  };
}

/** §5.1: the burst as one cell per request; the sequence is the observation holding HTTP statuses. */
function quotaStrip(c: CheckRecord): Chart | undefined {
  if (!/rpm|quota/.test(c.id)) return undefined;
  const entries = Object.entries(c.observations).filter((e): e is [string, number[]] => isStatusArray(e[1]));
  const [key, statuses] = entries.find(([k]) => /status/i.test(k)) ?? entries[0] ?? [];
  if (!key || !statuses) return undefined;
  const title = `Quota burst: HTTP status of each of the ${statuses.length} requests, in send order`;
  return { caption: title, svg: statusStrip({ title, statuses }) };
}

/** §5.2: prompt sizes (escalation prompt and control prompt) against the model's token limit. */
function failoverTokens(c: CheckRecord): Chart | undefined {
  if (!/failover/.test(c.id)) return undefined;
  const tokens = c.measurements.filter((m) => /^tokens?$/i.test(m.unit));
  if (tokens.length === 0) return undefined;
  const limits = [
    ...new Set(tokens.flatMap((m) => (m.threshold && m.threshold.op !== '==' ? [m.threshold.value] : []))),
  ];
  const title = `Failover: prompt sizes${limits.length ? ` against the ${limits.map(num).join(' / ')}-token limit` : ''}`;
  return {
    caption: title,
    svg: barChart({
      title,
      unit: 'tokens',
      bars: tokens.map((m) => ({
        label: m.name.replace(/_(prompt_)?tokens$/, '').replace(/_/g, ' '),
        value: m.value,
        ok: m.pass,
      })),
      lines: limits.map((v) => ({ value: v, label: `limit ${num(v)}` })),
    }),
  };
}

/** A metric the post-cutover watch plots, recognised by its key in a time-series sample. */
interface SeriesSpec {
  key: RegExp;
  /** Matches the measurement that carries this metric's threshold. */
  measurement: RegExp;
  title: string;
  unit: string;
  ratio: boolean;
}

const SERIES: readonly SeriesSpec[] = [
  { key: /^(window_?)?error_?rate$/i, measurement: /error_?rate/i, title: 'Error rate', unit: '%', ratio: true },
  {
    key: /^(window_?)?p95(_?ms)?$|^latency_?p95(_?ms)?$/i,
    measurement: /p95/i,
    title: 'p95 latency',
    unit: 'ms',
    ratio: false,
  },
  { key: /^(cache_?)?hit_?rate$/i, measurement: /hit_?rate/i, title: 'Cache hit rate', unit: '%', ratio: true },
];

const TIME_KEYS = [
  'atMs',
  'elapsedMs',
  'elapsed_ms',
  'tMs',
  't_ms',
  'atMs',
  'elapsedS',
  't',
  'at',
  'time',
  'timestamp',
  'ts',
];

/**
 * Post-cutover watch: one line chart per known metric (error rate, p95, hit rate) found in an
 * observation that is an array of samples with a time key (the watch's `series` of
 * `WatchPoint`s: `atMs`, `windowErrorRate`, `windowP95Ms`, `hitRate`). The threshold line comes
 * from the check's measurement of the same metric, else from a sibling check's; its op says
 * which side is bad. Per-sample `limit` style keys (`p95LimitMs`) override it.
 */
function timeSeries(c: CheckRecord, others: readonly CheckRecord[]): Chart[] {
  const out: Chart[] = [];
  for (const [obsKey, value] of Object.entries(c.observations)) {
    if (!Array.isArray(value) || value.length < 2 || !value.every(isPlainObject)) continue;
    const samples = value as Record<string, unknown>[];
    const timeKey = TIME_KEYS.find((k) => samples.every((s) => toSeconds(k, s[k]) !== undefined));
    if (!timeKey) continue;
    const t0 = Math.min(...samples.map((s) => toSeconds(timeKey, s[timeKey])!));
    for (const spec of SERIES) {
      const key = Object.keys(samples[0]!).find((k) => spec.key.test(k));
      if (!key) continue;
      const points: Point[] = samples.map((s) => ({
        x: toSeconds(timeKey, s[timeKey])! - t0,
        y: typeof s[key] === 'number' ? s[key] : null,
      }));
      const thresholded = (mm: Measurement): boolean =>
        spec.measurement.test(mm.name) && mm.threshold !== undefined && mm.threshold.op !== '==';
      const m = c.measurements.find(thresholded) ?? others.flatMap((o) => o.measurements).find(thresholded);
      const limitKey = Object.keys(samples[0]!).find((k) => spec.measurement.test(k) && /limit|threshold/i.test(k));
      const limitValue =
        limitKey && typeof samples[0]![limitKey] === 'number' ? (samples[0]![limitKey] as number) : m?.threshold?.value;
      const direction = m?.threshold && (m.threshold.op === '>' || m.threshold.op === '>=') ? 'below' : 'above';
      const show = (v: number): string => (spec.ratio ? pct(v) : `${num(v)} ${spec.unit}`);
      const title = `${spec.title} over the watch${limitValue !== undefined ? ` (${direction === 'above' ? 'limit' : 'minimum'} ${show(limitValue)})` : ''}${obsKey === 'samples' || obsKey === 'series' ? '' : ` — ${obsKey}`}`;
      const svg = lineChart({
        title,
        unit: spec.unit,
        points,
        format: spec.ratio ? pct : num,
        ...(limitValue !== undefined
          ? {
              threshold: {
                value: limitValue,
                label: `${direction === 'above' ? 'limit' : 'min'} ${show(limitValue)}`,
                direction,
              },
            }
          : {}),
      });
      out.push({ caption: title, svg });
    }
  }
  return out;
}

/** Any check: measurements of one unit whose thresholds share one value, as bars against that line. */
function genericBars(c: CheckRecord): Chart[] {
  const byUnit = new Map<string, Measurement[]>();
  for (const m of c.measurements) {
    if (!m.threshold || m.threshold.op === '==') continue;
    byUnit.set(m.unit, [...(byUnit.get(m.unit) ?? []), m]);
  }
  const out: Chart[] = [];
  for (const [unit, ms] of byUnit) {
    const limits = new Set(ms.map((m) => m.threshold!.value));
    if (ms.length < 2 || limits.size !== 1) continue;
    const limit = [...limits][0]!;
    // Bars and line must share a scale: counts against a minimum of 1 (a line on the axis) or
    // waits against a 90 s deadline (bars too small to see) show nothing.
    const top = Math.max(...ms.map((m) => m.value ?? 0));
    if (!(limit > 0) || top > limit * 10 || top < limit / 10) continue;
    const show = unit === 'ratio' ? pct : (v: number): string => `${num(v)} ${unit}`;
    const title = `${c.id}: ${ms.map((m) => m.name).join(', ')} against ${show(limit)}`;
    out.push({
      caption: title,
      svg: barChart({
        title,
        unit: unit === 'ratio' ? '%' : unit,
        format: unit === 'ratio' ? pct : num,
        bars: ms.map((m) => ({ label: m.name, value: m.value, ok: m.pass })),
        lines: [{ value: limit, label: show(limit) }],
      }),
    });
  }
  return out;
}

function isStatusArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.length >= 2 && v.every((x) => Number.isInteger(x) && x >= 100 && x <= 599);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A sample's time in seconds: `*Ms` keys and epoch-ms values are milliseconds, ISO strings are dates, other numbers seconds. */
function toSeconds(key: string, v: unknown): number | undefined {
  // Epoch milliseconds (Date.now()) are recognised by size whatever the key is called.
  if (typeof v === 'number' && Number.isFinite(v)) return /ms$/i.test(key) || v > 1e11 ? v / 1000 : v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t / 1000;
  }
  return undefined;
}
