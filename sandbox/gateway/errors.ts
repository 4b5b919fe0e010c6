/**
 * A failure the proxy answers with LiteLLM's `ProxyException` JSON. LiteLLM renders `type`,
 * `param` and `code` as strings, and uses the literal string `"None"` where Python had `None`;
 * suites match on those exact strings, so the sandbox does too.
 */
export class ProxyError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string = 'None',
    readonly headers: Readonly<Record<string, string>> = {},
    /** The Python exception class, as Prometheus' `exception_class` label shows it. */
    readonly exceptionClass: string = 'ProxyException',
  ) {
    super(message);
  }

  /** The response body, `{"error":{message,type,param,code}}`. */
  body(): { error: { message: string; type: string; param: string; code: string } } {
    return { error: { message: this.message, type: this.type, param: 'None', code: String(this.status) } };
  }
}
