/** What a secret is replaced with (`REDACTED` in `litellm_core_utils/secret_redaction.py`). */
const REDACTED = 'REDACTED';

/** `MINIMUM_CUSTOM_KEY_LENGTH` (`litellm/constants.py`): an `sk-` key this long or longer is a secret. */
const MINIMUM_CUSTOM_KEY_LENGTH = 16;

/**
 * The credential patterns of LiteLLM's `_build_secret_patterns` (`secret_redaction.py`) that
 * can occur in what the sandbox logs: bearer/basic credentials, `sk-` keys, `api_key: <value>`
 * and `key=value` pairs named like secrets. Case-insensitive, as LiteLLM compiles them.
 */
const SECRET_RE = new RegExp(
  [
    String.raw`Bearer\s+[A-Za-z0-9\-._~+/]{10,}=*`,
    String.raw`Basic\s+[A-Za-z0-9+/]{10,}={0,2}`,
    String.raw`sk-[A-Za-z0-9\-_]{${MINIMUM_CUSTOM_KEY_LENGTH - 3},}`,
    String.raw`(?<=[?&])(?:api[_-]?key|\w*(?:token|password|passwd|client_secret|secret_key|_secret))=[^\s&'"]+`,
    String.raw`(?:api[_-]?key)['"]?\s*[:=]\s*['"]?[^\s,'"})\]{}>]{8,}`,
    String.raw`(?:x-api-key|api-key)['"]?\s*[:=]\s*['"]?[^\s,'"})\]{}>]+`,
    String.raw`(?:^|(?<=\W))\w*(?:password|passwd|client_secret|secret_key|_secret)['"]?\s*[:=]\s*['"]?[^\s,'"})\]{}>]+`,
    String.raw`(?<=://)[^\s'":]{0,4096}:[^\s'"]{1,4096}(?=@)`,
    String.raw`(?:master_key|database_url|db_url|connection_string|auth_token|access_token|refresh_token|webhook_url|jwt_secret)['"]?\s*[:=]\s*['"]?[^\s,'"})\]{}>]+`,
    String.raw`\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`,
  ].join('|'),
  'gi',
);

/**
 * LiteLLM's `redact_string`: every secret-looking span becomes `REDACTED`. LiteLLM runs it over
 * the error string of every failed call before callbacks see it (`error_str` in
 * `litellm_logging.py`), which is why a throttled call reaches Langfuse as
 * `429: Rate limit exceeded for REDACTED Limit type: …`: the `api_key: <hash>.` span matches.
 */
export function redactSecrets(text: string): string {
  return text.replace(SECRET_RE, REDACTED);
}
