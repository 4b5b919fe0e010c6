import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProxyError } from './errors.ts';
import { pyDumps } from './python-json.ts';

/** The two paths the Prometheus app answers: its mount point and the app's root. */
export const METRICS_PATHS: ReadonlySet<string> = new Set(['/metrics', '/metrics/']);

/**
 * Prometheus `/metrics` as the proxy serves it. The Python client's ASGI app is *mounted* at
 * `/metrics` (`integrations/prometheus.py`), so the app lives at `/metrics/` and Starlette
 * answers `/metrics` with a 307 to it (query kept). In front of both runs
 * `PrometheusAuthMiddleware` (`proxy/middleware/prometheus_auth_middleware.py`): auth is on by
 * default (`require_auth_for_metrics_endpoint`), and it runs before the redirect, so even the
 * bare `/metrics` answers 401 without a key (observed on the real 1.103.10). Its 401 body is a
 * JSON *string* carrying the auth error's message.
 *
 * `authorize` throws the auth error (`ProxyError`) of a caller who may not read metrics.
 */
export function serveMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  authorize: () => void,
  render: () => string,
): void {
  try {
    authorize();
  } catch (err) {
    if (!(err instanceof ProxyError)) throw err;
    const body = pyDumps(
      `Unauthorized access to metrics endpoint: ${err.message} To allow unauthenticated access, set \`litellm_settings.require_auth_for_metrics_endpoint: false\` in your proxy_config.yaml.`,
    );
    res.writeHead(401, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  if (url.pathname === '/metrics') {
    // Starlette builds the absolute URL from the request's scheme and Host header; uvicorn
    // trusts `x-forwarded-proto` from a loopback proxy, as the sandbox's TLS fronts are.
    const proto = req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
    res.writeHead(307, {
      location: `${proto}://${req.headers.host ?? '127.0.0.1'}/metrics/${url.search}`,
      'content-length': 0,
    });
    res.end();
    return;
  }
  const text = render();
  res.writeHead(200, {
    'content-type': 'text/plain; version=0.0.4; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
