import type { Faults } from '../faults.ts';
import { pyFloat } from './python-repr.ts';
/**
 * LiteLLM's Prometheus histogram buckets (`LATENCY_BUCKETS` in `litellm/types/integrations/prometheus.py`),
 * in seconds.
 */
const LATENCY_BUCKETS = [
  0.005, 0.00625, 0.0125, 0.025, 0.05, 0.1, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5, 9, 9.5,
  10, 15, 20, 25, 30, 60, 120, 180, 240, 300,
];

type Labels = Readonly<Record<string, string>>;

/** The labels LiteLLM attaches to per-request metrics, from the caller and the model group. */
export interface RequestLabels {
  readonly model: string;
  readonly hashedApiKey: string;
  readonly apiKeyAlias: string;
  readonly modelId: string;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function render(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

const seriesKey = (l: RequestLabels): string => `${l.model}|${l.hashedApiKey}|${l.apiKeyAlias}|${l.modelId}`;

/**
 * Series are looked up by a cheap caller-built key and their label set is only built and
 * rendered the first time: metrics run on every request, including cache hits that must stay
 * in the thousands per second.
 */
class Counter {
  private readonly series = new Map<string, { rendered: string; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(seriesKey: string, labels: () => Labels): void {
    const s = this.series.get(seriesKey);
    if (s) s.value += 1;
    else this.series.set(seriesKey, { rendered: render(labels()), value: 1 });
  }
  /** prometheus_client's 0.0.4 text format names a counter family after its `_total` samples. */
  lines(): string[] {
    const name = `${this.name}_total`;
    return [
      `# HELP ${name} ${this.help}`,
      `# TYPE ${name} counter`,
      ...[...this.series.values()].map((s) => `${name}${s.rendered} ${s.value}`),
    ];
  }
}

class Histogram {
  private readonly series = new Map<string, { labels: Labels; buckets: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  observe(seriesKey: string, labels: () => Labels, seconds: number): void {
    let s = this.series.get(seriesKey);
    if (!s) {
      s = { labels: labels(), buckets: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.series.set(seriesKey, s);
    }
    for (let i = 0; i < LATENCY_BUCKETS.length; i++)
      if (seconds <= (LATENCY_BUCKETS[i] ?? 0)) s.buckets[i] = (s.buckets[i] ?? 0) + 1;
    s.sum += seconds;
    s.count += 1;
  }
  lines(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      LATENCY_BUCKETS.forEach((le, i) =>
        out.push(`${this.name}_bucket${render({ ...s.labels, le: String(le) })} ${s.buckets[i] ?? 0}`),
      );
      out.push(`${this.name}_bucket${render({ ...s.labels, le: '+Inf' })} ${s.count}`);
      out.push(`${this.name}_sum${render(s.labels)} ${s.sum}`, `${this.name}_count${render(s.labels)} ${s.count}`);
    }
    return out;
  }
}

/** A context-window fallback that succeeded: the group asked for, the group that answered, and why. */
export interface FallbackLabels {
  readonly requestedModel: string;
  readonly fallbackModel: string;
  readonly exceptionClass: string;
  readonly exceptionStatus: number;
}

/**
 * One proxy process's Prometheus registry (`integrations/prometheus.py`; without multiprocess
 * mode every worker of every machine has its own): cache hits, total and failed
 * proxy requests, end-to-end latency, successful fallbacks. Counters render with the `_total`
 * suffix the Python client adds; label names are LiteLLM's, `api_key_alias` and `model` among
 * them so per-agent rates can be computed.
 *
 * Cache misses: `litellm_cache_misses_metric` is registered (its HELP and TYPE lines show) but
 * 1.103.10 never increments it for a proxied call: `_increment_cache_metrics` counts a miss only
 * when the standard logging payload's `cache_hit` is `False`, and on a miss it is `None`. A hit
 * rate must therefore be read as hits over total requests, as it must on the real proxy.
 */
export class Metrics {
  private readonly cacheHits = new Counter('litellm_cache_hits_metric', 'Total number of LiteLLM cache hits');
  private readonly cacheMisses = new Counter('litellm_cache_misses_metric', 'Total number of LiteLLM cache misses');
  private readonly totalRequests = new Counter(
    'litellm_proxy_total_requests_metric',
    'Total number of requests made to the proxy server',
  );
  private readonly failedRequests = new Counter(
    'litellm_proxy_failed_requests_metric',
    'Total number of failed responses from proxy',
  );
  private readonly latency = new Histogram(
    'litellm_request_total_latency_metric',
    'Total latency (seconds) for a request to LiteLLM',
  );
  private readonly fallbacks = new Counter(
    'litellm_deployment_successful_fallbacks',
    'LLM Deployment Analytics - Number of successful fallback requests from primary model -> fallback model',
  );

  /** Records a chat request served from the response cache (see the class comment for misses). */
  cacheHit(l: RequestLabels): void {
    this.cacheHits.inc(seriesKey(l), () => ({
      model: l.model,
      hashed_api_key: l.hashedApiKey,
      api_key_alias: l.apiKeyAlias,
      team: 'None',
      team_alias: 'None',
      end_user: 'None',
      user: 'None',
      model_id: l.modelId,
    }));
  }

  /**
   * `log_success_fallback_event`: one per request a fallback group served. `model_id` is
   * `"None"` and the label set is the one the real 1.103.10 exposes.
   */
  successfulFallback(l: RequestLabels, f: FallbackLabels): void {
    this.fallbacks.inc(
      `${seriesKey(l)}|${f.requestedModel}|${f.fallbackModel}|${f.exceptionClass}|${f.exceptionStatus}`,
      () => ({
        api_key_alias: l.apiKeyAlias,
        exception_class: f.exceptionClass,
        exception_status: String(f.exceptionStatus),
        fallback_model: f.fallbackModel,
        hashed_api_key: l.hashedApiKey,
        model_id: 'None',
        requested_model: f.requestedModel,
        team: 'None',
        team_alias: 'None',
      }),
    );
  }

  /** Records a finished request: its status, and on success its end-to-end latency. */
  request(l: RequestLabels, status: number, seconds: number, exceptionClass = 'ProxyException'): void {
    const key = seriesKey(l);
    const common = (): Labels => ({
      end_user: 'None',
      hashed_api_key: l.hashedApiKey,
      api_key_alias: l.apiKeyAlias,
      requested_model: l.model,
      model: l.model,
      team: 'None',
      team_alias: 'None',
      user: 'None',
      user_email: 'None',
      route: '/chat/completions',
    });
    this.totalRequests.inc(`${key}|${status}`, () => ({ ...common(), status_code: String(status) }));
    if (status >= 400) {
      this.failedRequests.inc(`${key}|${status}|${exceptionClass}`, () => ({
        ...common(),
        exception_status: String(status),
        exception_class: exceptionClass,
      }));
    } else {
      this.latency.observe(
        key,
        () => ({
          model: l.model,
          hashed_api_key: l.hashedApiKey,
          api_key_alias: l.apiKeyAlias,
          team: 'None',
          team_alias: 'None',
          requested_model: l.model,
          end_user: 'None',
          user: 'None',
          model_id: l.modelId,
        }),
        seconds,
      );
    }
  }

  /** Prometheus text exposition format 0.0.4. */
  render(): string {
    return (
      [this.cacheHits, this.cacheMisses, this.totalRequests, this.failedRequests, this.latency, this.fallbacks]
        .flatMap((m) => m.lines())
        .join('\n') + '\n'
    );
  }
}

/**
 * A sample value as prometheus_client writes it (`floatToGoString` in `prometheus_client/utils.py`):
 * Python's `repr(float)`, except that a positive value with more than six integer digits is
 * rewritten in Go's exponent form, because Go switches to exponents sooner than Python. So a
 * process start time `1733187362.45` is written `1.73318736245e+09`, as real scrapes show it.
 */
export function goFloat(n: number): string {
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  if (Number.isNaN(n)) return 'NaN';
  const s = pyFloat(n);
  const dot = s.indexOf('.');
  if (n > 0 && dot > 6) {
    // Python's `.rstrip('0.')` strips any trailing mix of zeros and dots.
    const mantissa = `${s[0]}.${s.slice(1, dot)}${s.slice(dot + 1)}`.replace(/[0.]+$/, '');
    return `${mantissa}e+0${dot - 1}`;
  }
  return s;
}

/**
 * The Python client's process collector (`ProcessCollector`, registered on the default registry
 * that LiteLLM's `/metrics/` app serves outside multiprocess mode), in its collection order. Only
 * the two families a watch could use: the start time, which tells one process (and one restart)
 * from another, and the CPU time.
 */
function processFamilies(startTimeSeconds: number): string[] {
  return [
    '# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.',
    '# TYPE process_start_time_seconds gauge',
    `process_start_time_seconds ${goFloat(startTimeSeconds)}`,
    '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.',
    '# TYPE process_cpu_seconds_total counter',
    'process_cpu_seconds_total 1.25',
  ];
}

/**
 * The exposition a scrape of one gateway process gets: the process families first (the collector
 * is registered when prometheus_client is imported, before LiteLLM registers its own), then the
 * litellm_* families. Faults `metrics-off` (no `prometheus` callback: only the Python client's own
 * process families) and `metrics-gated` (an enterprise-era build without a licence registers only
 * `litellm_not_a_premium_user_metric`, notes/litellm.md Corrections) leave the route up but drop
 * every litellm_* family a watch reads.
 */
export function exposition(metrics: Metrics, faults: Faults, startTimeSeconds: number): string {
  const process = processFamilies(startTimeSeconds);
  if (faults.has('metrics-off')) return `${process.join('\n')}\n`;
  if (faults.has('metrics-gated')) {
    const gated = [
      '# HELP litellm_not_a_premium_user_metric_total Metrics are gated: this build needs a LiteLLM Enterprise licence.',
      '# TYPE litellm_not_a_premium_user_metric_total counter',
      'litellm_not_a_premium_user_metric_total 1.0',
    ];
    return `${[...process, ...gated].join('\n')}\n`;
  }
  return `${process.join('\n')}\n${metrics.render()}`;
}
