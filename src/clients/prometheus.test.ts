import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closePools } from './http.ts';
import {
  bucketsOf,
  counterDelta,
  histogramQuantile,
  MetricsAuthError,
  MetricsUnavailableError,
  parsePrometheus,
  scrapeMetrics,
  sumBy,
  sumOf,
} from './prometheus.ts';

const T0 = `# HELP litellm_proxy_total_requests_metric Total number of requests
# TYPE litellm_proxy_total_requests_metric counter
litellm_proxy_total_requests_metric_total{api_key_alias="agent:a",status_code="200"} 10
litellm_proxy_total_requests_metric_total{api_key_alias="agent:a",status_code="500"} 1
litellm_cache_hits_metric_total{api_key_alias="agent:a",model="gpt-4o-mini"} 4
litellm_request_total_latency_metric_bucket{le="0.1",model="m"} 4
litellm_request_total_latency_metric_bucket{le="0.5",model="m"} 9
litellm_request_total_latency_metric_bucket{le="1.0",model="m"} 10
litellm_request_total_latency_metric_bucket{le="+Inf",model="m"} 10
`;
const T1 = `litellm_proxy_total_requests_metric_total{status_code="200",api_key_alias="agent:a"} 30
litellm_proxy_total_requests_metric_total{api_key_alias="agent:a",status_code="500"} 1
litellm_proxy_total_requests_metric_total{api_key_alias="agent:b",status_code="200"} 5 1712345678000
litellm_cache_hits_metric_total{api_key_alias="agent:a",model="gpt-4o-mini"} 2
weird_label{path="a\\"b\\\\c",x="1"} NaN
litellm_request_total_latency_metric_bucket{le="0.1",model="m"} 14
litellm_request_total_latency_metric_bucket{le="0.5",model="m"} 19
litellm_request_total_latency_metric_bucket{le="1.0",model="m"} 30
litellm_request_total_latency_metric_bucket{le="+Inf",model="m"} 30
`;

describe('Prometheus text format', () => {
  test('parses series regardless of label order, with escapes and timestamps', () => {
    const s = parsePrometheus(T1);
    expect(sumOf(s, 'litellm_proxy_total_requests_metric_total')).toBe(36);
    expect([...s.values()].find((x) => x.name === 'weird_label')?.labels.path).toBe('a"b\\c');
  });

  test('deltas: label order does not split a series, new series count from 0, a reset counts its whole value', () => {
    const d = counterDelta(parsePrometheus(T0), parsePrometheus(T1));
    expect(sumBy(d, 'litellm_proxy_total_requests_metric_total', 'status_code')).toEqual(
      new Map([
        ['200', 25],
        ['500', 0],
      ]),
    );
    expect(sumOf(d, 'litellm_cache_hits_metric_total')).toBe(2);
  });

  test('histogram quantile interpolates inside the bucket like PromQL', () => {
    const d = counterDelta(parsePrometheus(T0), parsePrometheus(T1));
    const b = bucketsOf(d, 'litellm_request_total_latency_metric');
    // 20 requests: 10 ≤ 0.1, 0 in (0.1, 0.5], 10 in (0.5, 1.0]; rank 19 → 0.5 + 0.5 × 9/10.
    expect(histogramQuantile(0.95, b)).toBeCloseTo(0.95, 6);
    expect(histogramQuantile(0.5, b)).toBeCloseTo(0.1, 6);
    expect(histogramQuantile(0.95, [])).toBeNull();
    expect(
      histogramQuantile(0.95, [
        { le: 1, count: 1 },
        { le: Infinity, count: 10 },
      ]),
    ).toBe(1);
  });

  test('a malformed line is an error, not a missing counter', () => {
    expect(() => parsePrometheus('good 1\nbad{x="1" 2\n')).toThrow(/line 2/);
  });

  describe('scrape over HTTP', () => {
    // LiteLLM 1.103.10: the Prometheus app is mounted at /metrics (so /metrics is a 307 to
    // /metrics/), behind PrometheusAuthMiddleware, which answers 401 with a JSON string.
    const ADMIN = 'sk-admin-0123456789abcdef';
    const seen: { url: string | undefined; authorization: string | undefined }[] = [];
    let server: Server;
    let url: string;
    beforeAll(async () => {
      server = createServer((req, res) => {
        seen.push({ url: req.url, authorization: req.headers.authorization });
        const path = req.url?.replace(/^\/(open|moved|off|gated|fresh)/, '') ?? '';
        if (path !== '/metrics' && path !== '/metrics/')
          return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
        if (!req.url?.startsWith('/open') && req.headers.authorization !== `Bearer ${ADMIN}`) {
          const message =
            'Unauthorized access to metrics endpoint: Authentication Error, Invalid proxy server token passed. To allow unauthenticated access, set `litellm_settings.require_auth_for_metrics_endpoint: false` in your proxy_config.yaml.';
          return void res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify(message));
        }
        if (path === '/metrics' || req.url?.startsWith('/moved'))
          return void res.writeHead(307, { location: `http://${req.headers.host}/elsewhere/` }).end();
        const body = req.url?.startsWith('/off')
          ? '# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1.0\n'
          : req.url?.startsWith('/gated')
            ? '# TYPE litellm_not_a_premium_user_metric_total counter\nlitellm_not_a_premium_user_metric_total 1.0\n'
            : req.url?.startsWith('/fresh')
              ? '# HELP litellm_cache_hits_metric_total Total cache hits\n# TYPE litellm_cache_hits_metric_total counter\n'
              : T0;
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await closePools();
      await new Promise<void>((r) => server.close(() => r()));
    });

    test('reads /metrics/ with the admin key, never the redirecting /metrics', async () => {
      seen.length = 0;
      expect(
        sumOf(await scrapeMetrics(url, { adminKey: ADMIN, timeoutMs: 2000 }), 'litellm_cache_hits_metric_total'),
      ).toBe(4);
      expect(seen).toEqual([{ url: '/metrics/', authorization: `Bearer ${ADMIN}` }]);
      // A gateway with require_auth_for_metrics_endpoint: false ignores the key.
      expect(
        sumOf(
          await scrapeMetrics(`${url}/open`, { adminKey: ADMIN, timeoutMs: 2000 }),
          'litellm_cache_hits_metric_total',
        ),
      ).toBe(4);
    });

    test('a refused key names the endpoint and the setting, never the key', async () => {
      const err = await scrapeMetrics(url, { adminKey: 'sk-wrong-0123456789', timeoutMs: 2000 }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(MetricsAuthError);
      expect((err as Error).message).toMatch(
        /^GET http:\/\/127\.0\.0\.1:\d+\/metrics\/: HTTP 401: the gateway refused the admin key \(GATEWAY_ADMIN_KEY\) .*require_auth_for_metrics_endpoint is false/,
      );
      expect((err as Error).message).not.toContain('sk-wrong');
    });

    test('no litellm_* family is missing data, named; a family declared before its first sample is not', async () => {
      await expect(scrapeMetrics(`${url}/off`, { adminKey: ADMIN, timeoutMs: 2000 })).rejects.toThrow(
        MetricsUnavailableError,
      );
      await expect(scrapeMetrics(`${url}/off`, { adminKey: ADMIN, timeoutMs: 2000 })).rejects.toThrow(
        /no litellm_\* family: the prometheus callback is off .*not the same as zero traffic/,
      );
      await expect(scrapeMetrics(`${url}/gated`, { adminKey: ADMIN, timeoutMs: 2000 })).rejects.toThrow(
        /only litellm_not_a_premium_user_metric: this LiteLLM build gates Prometheus behind an Enterprise licence/,
      );
      expect(
        sumOf(
          await scrapeMetrics(`${url}/fresh`, { adminKey: ADMIN, timeoutMs: 2000 }),
          'litellm_cache_hits_metric_total',
        ),
      ).toBe(0);
    });

    test('a redirect is not followed, a missing route names what to enable', async () => {
      await expect(scrapeMetrics(`${url}/moved`, { adminKey: ADMIN, timeoutMs: 2000 })).rejects.toThrow(
        /\/moved\/metrics\/: HTTP 307, expected 200 with Prometheus text, not a redirect to http:\/\/127\.0\.0\.1:\d+\/elsewhere\/ \(redirects are not followed with credentials\)/,
      );
      await expect(scrapeMetrics(`${url}/nope`, { adminKey: ADMIN, timeoutMs: 2000 })).rejects.toThrow(
        /GET http:\/\/127\.0\.0\.1:\d+\/nope\/metrics\/: HTTP 404, expected 200 with Prometheus text \(is litellm_settings\.callbacks: \["prometheus"\] set\?\)/,
      );
    });
  });
});
