/**
 * Who asked, as the proxy puts it into the request's logging metadata: the hashed key (or the
 * `litellm_proxy_master_key` alias for the master key), the key's alias, and the ids the key
 * carries.
 */
export interface LoggedCaller {
  readonly hash: string | null;
  readonly alias: string | null;
  readonly userId: string | null;
  readonly teamId: string | null;
  readonly orgId: string | null;
}

/** One proxied request as every logging callback sees it, whatever calls it led to. */
export interface RequestContext {
  /** `litellm_call_id`: `x-litellm-call-id`, and the trace id when the request names none. */
  readonly callId: string;
  readonly startTime: Date;
  readonly body: Readonly<Record<string, unknown>>;
  /** The request's `metadata` object, with the request headers added as the proxy adds them. */
  readonly requesterMetadata: Readonly<Record<string, unknown>>;
  readonly clientIp: string | null;
  readonly userAgent: string | null;
  /** Undefined when authentication failed: the proxy then logs no caller identity. */
  readonly caller: LoggedCaller | undefined;
  /**
   * False for an authentication failure: `_handle_logging_proxy_only_error` then logs none of
   * the request's metadata (`_proxy_only_error_logged_metadata_keys`), so no trace id, session,
   * generation name or tags of the caller's; the failure lands on a trace of its own.
   */
  readonly authenticated: boolean;
}

/** Headers the proxy strips before it stores the request headers in the metadata (`clean_headers`). */
const SECRET_HEADERS = new Set([
  'authorization',
  'x-litellm-api-key',
  'api-key',
  'x-api-key',
  'cookie',
  'proxy-authorization',
]);

/** The request headers as the proxy logs them under `metadata.headers`, credentials removed. */
export function loggedHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || SECRET_HEADERS.has(k.toLowerCase())) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** What one logged call adds to the request's standard metadata. */
export interface CallMetadata {
  /** `usage_object`: the call's usage as the provider reported it (zeros for a failure). */
  readonly usageObject: unknown;
  /** `litellm_response_cost`: what the call is billed (0 for a cache hit or a failure). */
  readonly responseCost: number;
  readonly hiddenParams: Readonly<Record<string, unknown>>;
  /** Top-level `api_base` (success only; a miss logs it with a trailing `/`, a hit without). */
  readonly apiBase?: string;
  /** `cache_hit` (success only; failures carry no such key). */
  readonly cacheHit?: boolean;
}

/**
 * The metadata every callback receives for one call: LiteLLM's `StandardLoggingMetadata`
 * (`StandardLoggingPayloadSetup.get_standard_logging_metadata`, `litellm_core_utils/litellm_logging.py`)
 * followed by the Langfuse logger's enrichments (`litellm_response_cost`, `hidden_params`,
 * `api_base`, `cache_hit`; `_log_langfuse_v2` in `integrations/langfuse/langfuse.py`), in the
 * order the real 1.103.10 sends them. The request's own metadata keys are not at the top
 * level: they are in `requester_metadata` only (`log_requester_metadata`), and free-form keys a
 * cache puts into the request metadata (`semantic-similarity`) are not logged at all.
 */
export function standardMetadata(r: RequestContext, call: CallMetadata): Record<string, unknown> {
  const c = r.caller;
  const md: Record<string, unknown> = {
    user_api_key_hash: c?.hash ?? null,
    user_api_key_alias: c?.alias ?? null,
    user_api_key_spend: 0,
    user_api_key_max_budget: null,
    user_api_key_budget_reset_at: null,
    user_api_key_user_spend: null,
    user_api_key_user_max_budget: null,
    user_api_key_team_spend: null,
    user_api_key_team_max_budget: null,
    user_api_key_team_id: c?.teamId ?? null,
    user_api_key_org_id: c?.orgId ?? null,
    user_api_key_org_alias: null,
    user_api_key_project_id: null,
    user_api_key_project_alias: null,
    user_api_key_user_id: c?.userId ?? null,
    user_api_key_team_alias: null,
    user_api_key_user_email: null,
    user_api_key_end_user_id: typeof r.body.user === 'string' ? r.body.user : null,
    user_api_key_request_route: '/chat/completions',
    spend_logs_metadata: null,
    requester_ip_address: r.clientIp,
    user_agent: r.userAgent,
    requester_metadata: r.authenticated ? r.requesterMetadata : {},
    prompt_management_metadata: null,
    applied_guardrails: [],
    mcp_tool_call_metadata: null,
    vector_store_request_metadata: null,
    routing_decision: null,
    usage_object: call.usageObject,
    requester_custom_headers: {},
    cold_storage_object_key: null,
    user_api_key_auth_metadata: {},
    team_alias: null,
    team_id: null,
    litellm_response_cost: call.responseCost,
    hidden_params: call.hiddenParams,
  };
  if (call.apiBase !== undefined) md.api_base = call.apiBase;
  if (call.cacheHit !== undefined) md.cache_hit = call.cacheHit;
  return md;
}

/** `usage_object` of a failed call: nothing was used. */
export const NO_USAGE = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } as const;
