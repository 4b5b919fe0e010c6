import type { Faults } from '../faults.ts';

/** Which LiteLLM callback lists hold which integrations. */
export interface CallbackConfig {
  readonly callbacks: readonly string[];
  readonly successCallback: readonly string[];
  readonly failureCallback: readonly string[];
  /** Whether failures (429s, auth errors, provider errors) reach Langfuse. */
  readonly langfuseLogsFailures: boolean;
}

/**
 * The healthy proxy lists `langfuse` under `litellm_settings.callbacks`, which LiteLLM
 * registers for success *and* failure. Fault `throttle-not-logged` is the common
 * misconfiguration `success_callback: ["langfuse"]`: successes are logged, 429s never are.
 */
export function callbackConfig(faults: Faults): CallbackConfig {
  if (faults.has('throttle-not-logged')) {
    return { callbacks: ['prometheus'], successCallback: ['langfuse', 'prometheus'], failureCallback: ['prometheus'], langfuseLogsFailures: false };
  }
  return { callbacks: ['langfuse', 'prometheus'], successCallback: ['langfuse', 'prometheus'], failureCallback: ['langfuse', 'prometheus'], langfuseLogsFailures: true };
}

/** The `GET /active/callbacks` body. */
export function activeCallbacks(c: CallbackConfig): Record<string, readonly string[]> {
  return {
    'litellm.callbacks': c.callbacks,
    'litellm.input_callback': [],
    'litellm.success_callback': c.successCallback,
    'litellm._async_success_callback': c.successCallback,
    'litellm.failure_callback': c.failureCallback,
    'litellm._async_failure_callback': c.failureCallback,
  };
}
