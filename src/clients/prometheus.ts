import { CutoverHttpError, excerptOf, safeUrl, UnexpectedResponseError } from './errors.ts';
import { send } from './http.ts';
import { errorMessage } from '../evidence/error-text.ts';

/** One sample line of the Prometheus text format: `name{labels} value`. */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A scrape: every sample, keyed by its series (name + sorted labels) for deltas. */
export type PromScrape = ReadonlyMap<string, PromSample>;

/** Stable identity of a series: the name and its labels in sorted order. */
export function seriesKey(name: string, labels: Readonly<Record<string, string>>): string {
  return `${name}{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',')}}`;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?\s*$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/gy;

function parseValue(v: string): number {
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}

function unescapeLabel(v: string): string {
  return v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/**
 * Parses the Prometheus text exposition format (0.0.4): comments and blank lines are skipped,
 * label values are unescaped (`\\`, `\"`, `\n`), timestamps are ignored, `+Inf`/`NaN` are
 * numbers. A malformed line throws with its line number, because a silently dropped counter
 * would read as "no errors".
 */
export function parsePrometheus(text: string): PromScrape {
  const out = new Map<string, PromSample>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = LINE.exec(line);
    if (!m) throw new Error(`Prometheus text line ${i + 1} is malformed: ${JSON.stringify(excerptOf(line, 120))}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? '';
    LABEL.lastIndex = 0;
    let consumed = 0;
    for (let l = LABEL.exec(body); l; l = LABEL.exec(body)) {
      labels[l[1]!] = unescapeLabel(l[2]!);
      consumed = LABEL.lastIndex;
    }
    if (body.slice(consumed).trim() !== '')
      throw new Error(`Prometheus text line ${i + 1} has malformed labels: ${JSON.stringify(excerptOf(line, 120))}`);
    const value = parseValue(m[3]!);
    if (Number.isNaN(value) && m[3] !== 'NaN')
      throw new Error(`Prometheus text line ${i + 1} has a non-numeric value: ${JSON.stringify(m[3])}`);
    out.set(seriesKey(m[1]!, labels), { name: m[1]!, labels, value });
  });
  return out;
}

/**
 * Counter increase from `before` to `after`, series by series. A series that is new in `after`
 * counts from 0; a series whose value went down was reset (a worker restarted), so its whole
 * `after` value is the increase, as Prometheus' `increase()` assumes. Series gone from `after`
 * contribute nothing.
 */
export function counterDelta(before: PromScrape, after: PromScrape): PromScrape {
  const out = new Map<string, PromSample>();
  for (const [key, s] of after) {
    const prev = before.get(key)?.value ?? 0;
    out.set(key, { ...s, value: s.value >= prev ? s.value - prev : s.value });
  }
  return out;
}

/** Sum of the samples named `name` whose labels satisfy `where` (all series when omitted). */
export function sumOf(
  scrape: PromScrape,
  name: string,
  where: (labels: Readonly<Record<string, string>>) => boolean = () => true,
): number {
  let total = 0;
  for (const s of scrape.values()) if (s.name === name && where(s.labels)) total += s.value;
  return total;
}

/** Sum per value of one label, e.g. requests per `status_code` or hits per `api_key_alias`. */
export function sumBy(scrape: PromScrape, name: string, label: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of scrape.values())
    if (s.name === name) out.set(s.labels[label] ?? '', (out.get(s.labels[label] ?? '') ?? 0) + s.value);
  return out;
}

/** Cumulative histogram buckets (`le` upper bound → count), summed over every series of `<name>_bucket`. */
export function bucketsOf(scrape: PromScrape, name: string): { le: number; count: number }[] {
  const byLe = new Map<number, number>();
  for (const s of scrape.values()) {
    if (s.name !== `${name}_bucket` || s.labels.le === undefined) continue;
    const le = parseValue(s.labels.le);
    byLe.set(le, (byLe.get(le) ?? 0) + s.value);
  }
  return [...byLe].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}

/**
 * The q-quantile of a cumulative histogram, computed as PromQL's `histogram_quantile`: find the
 * bucket holding rank q×total and interpolate linearly inside it (the first bucket starts at 0).
 * If the rank falls in the `+Inf` bucket the highest finite bound is returned. `null` when the
 * histogram is empty. The result is only as precise as the buckets: LiteLLM's jump from 0.1 s
 * to 0.5 s, so below half a second it says little.
 */
export function histogramQuantile(q: number, buckets: readonly { le: number; count: number }[]): number | null {
  const total = buckets.find((b) => b.le === Infinity)?.count ?? buckets.at(-1)?.count ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return prevLe;
      const inBucket = b.count - prevCount;
      return inBucket <= 0 ? b.le : prevLe + (b.le - prevLe) * ((rank - prevCount) / inBucket);
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

/**
 * The gateway refused its Prometheus metrics (401/403): LiteLLM requires a key on `/metrics/`
 * by default and the admin key was not accepted. The message names the endpoint and the
 * setting that opens it; it never carries the key.
 */
export class MetricsAuthError extends CutoverHttpError {
  readonly status: number;
  constructor(url: string, status: number, body: string) {
    super(
      'GET',
      url,
      `HTTP ${status}: the gateway refused the admin key (GATEWAY_ADMIN_KEY) for its Prometheus metrics; LiteLLM requires the master key on /metrics/ unless litellm_settings.require_auth_for_metrics_endpoint is false. It said: ${JSON.stringify(excerptOf(body, 200))}`,
    );
    this.status = status;
  }
}

/**
 * The gateway answered its metrics route, but with none of LiteLLM's usage families: the
 * `prometheus` callback is off, or an enterprise-era build without a licence registers only
 * `litellm_not_a_premium_user_metric`. Missing metrics are missing data, never zero traffic, so
 * this is an error, not an empty scrape. The message names which case and the fix.
 */
export class MetricsUnavailableError extends CutoverHttpError {
  constructor(url: string, what: string) {
    super(
      'GET',
      url,
      `${what}; without them the gateway's request, error and cache counts are unknown, which is not the same as zero traffic`,
    );
  }
}

/** Why a scrape holds no usable litellm_* family, or undefined when it does. Families are declared by `# TYPE` even before their first sample. */
function missingFamilies(text: string, scrape: PromScrape): string | undefined {
  const declared = new Set([...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!));
  for (const s of scrape.values()) declared.add(s.name);
  const litellm = [...declared].filter((f) => f.startsWith('litellm_'));
  if (litellm.length === 0)
    return 'the metrics have no litellm_* family: the prometheus callback is off (litellm_settings.callbacks: ["prometheus"])';
  if (litellm.every((f) => f.startsWith('litellm_not_a_premium_user_metric'))) {
    return 'the metrics hold only litellm_not_a_premium_user_metric: this LiteLLM build gates Prometheus behind an Enterprise licence';
  }
  return undefined;
}

/**
 * Scrapes the gateway's Prometheus metrics at `GET <gateway>/metrics/`, with the admin key.
 * LiteLLM mounts the Prometheus app at `/metrics`, so `/metrics` only answers 307 to `/metrics/`
 * and the suite, which never follows a redirect with credentials, asks `/metrics/` directly.
 * The key is always sent: LiteLLM requires it by default (`require_auth_for_metrics_endpoint`),
 * and a gateway with auth switched off ignores it. Throws `MetricsAuthError` on 401/403,
 * `MetricsUnavailableError` when no litellm_* usage family is declared (callback off, or gated),
 * `UnexpectedResponseError` on any other non-200 (404 when the `prometheus` callback is not
 * enabled; a redirect, which is not followed) or an unparseable body.
 */
export async function scrapeMetrics(
  gatewayUrl: string,
  o: { adminKey: string; timeoutMs: number; headers?: Readonly<Record<string, string>> },
): Promise<PromScrape> {
  const url = `${gatewayUrl}/metrics/`;
  const res = await send(url, {
    timeoutMs: o.timeoutMs,
    headers: { ...o.headers, authorization: `Bearer ${o.adminKey}` },
    maxBodyBytes: 64 * 1024 * 1024,
  });
  if (res.status === 401 || res.status === 403) throw new MetricsAuthError(url, res.status, res.text);
  if (res.status >= 300 && res.status < 400) {
    throw new UnexpectedResponseError(
      'GET',
      url,
      res.status,
      `200 with Prometheus text, not a redirect to ${safeUrl(res.headers.location ?? '(no location)')} (redirects are not followed with credentials)`,
      res.text,
    );
  }
  if (res.status !== 200)
    throw new UnexpectedResponseError(
      'GET',
      url,
      res.status,
      '200 with Prometheus text (is litellm_settings.callbacks: ["prometheus"] set?)',
      res.text,
    );
  let scrape: PromScrape;
  try {
    scrape = parsePrometheus(res.text);
  } catch (err) {
    throw new UnexpectedResponseError(
      'GET',
      url,
      res.status,
      `Prometheus text format (${errorMessage(err)})`,
      res.text,
    );
  }
  const missing = missingFamilies(res.text, scrape);
  if (missing) throw new MetricsUnavailableError(url, missing);
  return scrape;
}
