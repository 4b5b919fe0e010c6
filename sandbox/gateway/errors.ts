/**
 * Where a failure was raised, which decides how LiteLLM logs it (`proxy/utils.py`
 * `post_call_failure_hook`, `router.py`, `utils.py`'s `client` wrapper):
 *
 * - `proxy`: an `HTTPException`/`ProxyException` of the proxy itself (auth, the rate limiter,
 *   request validation). `_handle_logging_proxy_only_error` logs it with the request fields as
 *   optional params (`messages` stringified).
 * - `router`: the router rejected the call before any deployment ran (pre-call checks);
 *   `async_get_available_deployment` dispatches the failure handlers, with no optional params yet.
 * - `provider`: the deployment's call failed; the `client` wrapper logs it.
 */
export type ErrorOrigin = 'proxy' | 'router' | 'provider';

/** The less common parts of a failure. */
export interface ErrorExtras {
  readonly origin?: ErrorOrigin;
  /**
   * Python's `str(exception)`, which becomes the logged `error_str`, when it is not the message:
   * a Starlette `HTTPException` (the v3 rate limiter's 429) reads `"<status>: <detail>"`.
   */
  readonly str?: string;
  /** Fields the error body carries besides `message/type/param/code` (`provider_specific_fields`). */
  readonly bodyExtras?: Readonly<Record<string, unknown>>;
}

/**
 * A failure the proxy answers with LiteLLM's `ProxyException` JSON. `code` is always a string;
 * `type` and `param` are strings too, the literal `"None"` where LiteLLM passed the *string*
 * `"None"`, or JSON `null` where it passed Python `None` (the 429 and `invalid_request_error`s);
 * suites match on those exact values, so the sandbox keeps each route's own.
 */
export class ProxyError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string = 'None',
    readonly headers: Readonly<Record<string, string>> = {},
    /** The Python exception class, as Prometheus' `exception_class` label shows it. */
    readonly exceptionClass: string = 'ProxyException',
    /** `param`: which input the error is about; `"None"` or `null` when there is none (see above). */
    readonly param: string | null = 'None',
    readonly extras: ErrorExtras = {},
  ) {
    super(message);
  }

  get origin(): ErrorOrigin {
    return this.extras.origin ?? 'proxy';
  }

  /** `str(exception)`, before LiteLLM redacts it into the logged `error_str`. */
  get pythonStr(): string {
    return this.extras.str ?? this.message;
  }

  /** The response body, `{"error":{message,type,param,code,…}}`. */
  body(): { error: Record<string, unknown> } {
    return {
      error: {
        message: this.message,
        type: this.type,
        param: this.param,
        code: String(this.status),
        ...this.extras.bodyExtras,
      },
    };
  }
}
