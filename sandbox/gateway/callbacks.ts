import { randomBytes } from 'node:crypto';
import type { Faults } from '../faults.ts';

/**
 * One entry of LiteLLM's callback lists as Python holds it: a string (`"cache"`), a logger or
 * hook object, or a bound method of the router.
 */
type Callback =
  | { readonly kind: 'string'; readonly name: string }
  | { readonly kind: 'object'; readonly module: string; readonly cls: string; readonly addr: string }
  | { readonly kind: 'router-method'; readonly method: string };

/** Which integrations sit in which of LiteLLM's callback lists, as `/active/callbacks` reports them. */
export interface CallbackConfig {
  readonly callbacks: readonly string[];
  readonly inputCallback: readonly string[];
  readonly failureCallback: readonly string[];
  readonly successCallback: readonly string[];
  readonly asyncSuccessCallback: readonly string[];
  readonly asyncFailureCallback: readonly string[];
  /** `callback_name()` of each success callback, as `/health/readiness/details` lists them. */
  readonly successCallbackNames: readonly string[];
  /**
   * Whether failures (429s, auth errors, router and provider errors) reach Langfuse. When they
   * do, each failure is logged twice: LiteLLM runs the async failure handler and then the sync
   * one (`Logging.dispatch_failure_handlers`, `proxy/utils.py` `_dispatch_proxy_only_failure_handlers`,
   * `utils.py`'s `client` wrapper), and the Langfuse logger sits in both failure lists.
   */
  readonly langfuseLogsFailures: boolean;
}

/** A CPython-looking heap address, fixed per object for the life of the proxy. */
function address(): string {
  return `0x7f${randomBytes(5).toString('hex')}`;
}

const object = (module: string, cls: string): Callback => ({ kind: 'object', module, cls, addr: address() });

/** `str(callback)`: the string itself, or the object's default `repr`. */
function pyStr(c: Callback, router: string): string {
  if (c.kind === 'string') return c.name;
  if (c.kind === 'router-method')
    return `<bound method Router.${c.method} of <litellm.router.Router object at ${router}>>`;
  return `<${c.module}.${c.cls} object at ${c.addr}>`;
}

/** `callback_name()` in `proxy/health_endpoints/_health_endpoints.py`: a string, a function's `__name__`, else the class name. */
function callbackName(c: Callback): string {
  return c.kind === 'string' ? c.name : c.kind === 'router-method' ? c.method : c.cls;
}

/**
 * The callback lists of a proxy configured like the reference (`sandbox/reference/litellm.ts`):
 * `callbacks: ["prometheus"]`, `success_callback` and `failure_callback: ["langfuse"]`, a
 * response cache. What LiteLLM 1.103.10 then holds (observed via `/active/callbacks`): the
 * proxy's own hooks and the Prometheus logger in every list, the router's deployment callbacks,
 * `"cache"` in the input and success lists when a cache is configured, and one
 * `LangfusePromptManagement` object (what the `langfuse` callback is instantiated as) in the
 * success, failure and async lists, never in `litellm.callbacks`. Consumers recognise Langfuse by
 * its `litellm.integrations.langfuse.` module path.
 *
 * Fault `throttle-not-logged` is the common misconfiguration `success_callback: ["langfuse"]`
 * alone: the Langfuse object is in the success lists only, so 429s never reach Langfuse.
 */
export function callbackConfig(faults: Faults, hasCache: boolean): CallbackConfig {
  const router = address();
  const hooks: Callback[] = [
    object('litellm.proxy.hooks.model_max_budget_limiter', '_PROXY_VirtualKeyModelMaxBudgetLimiter'),
    object('litellm.integrations.prometheus', 'PrometheusLogger'),
    object('litellm.proxy.hooks.parallel_request_limiter_v3', '_PROXY_MaxParallelRequestsHandler_v3'),
    object('litellm.proxy.hooks.cache_control_check', '_PROXY_CacheControlCheck'),
    object('litellm.proxy.hooks.responses_id_security', 'ResponsesIDSecurity'),
    object('litellm.proxy.hooks.max_iterations_limiter', '_PROXY_MaxIterationsHandler'),
    object('litellm.proxy.hooks.max_budget_per_session_limiter', '_PROXY_MaxBudgetPerSessionHandler'),
    object('litellm._service_logger', 'ServiceLogging'),
  ];
  const langfuse = object('litellm.integrations.langfuse.langfuse_prompt_management', 'LangfusePromptManagement');
  const logsFailures = !faults.has('throttle-not-logged');
  const cache: Callback[] = hasCache ? [{ kind: 'string', name: 'cache' }] : [];
  const method = (m: string): Callback => ({ kind: 'router-method', method: m });
  const success = [...cache, method('sync_deployment_callback_on_success'), ...hooks, langfuse];
  const str = (list: readonly Callback[]): string[] => list.map((c) => pyStr(c, router));
  return {
    callbacks: str(hooks),
    inputCallback: str(cache),
    failureCallback: str([method('deployment_callback_on_failure'), ...hooks, ...(logsFailures ? [langfuse] : [])]),
    successCallback: str(success),
    asyncSuccessCallback: str([...cache, method('deployment_callback_on_success'), ...hooks, langfuse]),
    asyncFailureCallback: str([
      method('async_deployment_callback_on_failure'),
      ...hooks,
      ...(logsFailures ? [langfuse] : []),
    ]),
    successCallbackNames: success.map(callbackName),
    langfuseLogsFailures: logsFailures,
  };
}

/**
 * The `GET /active/callbacks` body (`active_callbacks` in `_health_endpoints.py`): every list
 * as `str()`s, their concatenation, its length, and the alerting settings (none configured).
 */
export function activeCallbacks(c: CallbackConfig): Record<string, unknown> {
  const all = [
    ...c.callbacks,
    ...c.inputCallback,
    ...c.failureCallback,
    ...c.successCallback,
    ...c.asyncSuccessCallback,
    ...c.asyncFailureCallback,
  ];
  return {
    alerting: 'None',
    'litellm.callbacks': c.callbacks,
    'litellm.input_callback': c.inputCallback,
    'litellm.failure_callback': c.failureCallback,
    'litellm.success_callback': c.successCallback,
    'litellm._async_success_callback': c.asyncSuccessCallback,
    'litellm._async_failure_callback': c.asyncFailureCallback,
    'litellm._async_input_callback': [],
    all_litellm_callbacks: all,
    num_callbacks: all.length,
    num_alerting: 0,
    // `litellm.request_timeout`, a Python float (`6000.0`); JSON readers see the number 6000.
    'litellm.request_timeout': 6000,
  };
}
