/**
 * Differences between the sandbox gateway and the real LiteLLM proxy that stay, each with the
 * reason. Keyed by `<config> · <behaviour>`, or `* · <behaviour>` for both configurations. The
 * fidelity test fails on a difference not listed here, and on a listed one that no longer differs.
 */
const NO_DB =
  'the reference runs without a database (Prisma cannot be installed here), so LiteLLM answers its DB-backed path with an error; the sandbox answers as a proxy with a key table does, per the source (notes/litellm.md, Corrections)';

export const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {
  '* · POST /key/delete of a key never issued': `${NO_DB}: delete_verification_tokens raises HTTPException(404, {"error": "No keys found"}) when nothing matched (key_management_endpoints.py), and echoes what it was sent once anything did`,
  '* · GET /key/info of a key never issued': `${NO_DB}: an unknown key is 404`,
  '* · chat with an unknown key': `${NO_DB}: a key that is not the master key is looked up in the key table, which is absent (400 no_db_connection); with a database an unknown key is 401 auth_error`,
  '* · GET /cache/ping (no key)': `${NO_DB}: the reference's custom_auth hook falls back to LiteLLM's own auth, which fails without a database; with one, a missing key is 401 auth_error`,
  'qdrant-semantic · a fresh rpm_limit 100 key, 101 requests, gateway with 2 worker processes: statuses':
    "the sandbox gateway is one process. LiteLLM shares the v3 limiter's counters through Redis only when the response cache is an exact RedisCache (proxy_server._init_cache); with any other cache each worker counts alone, so a gateway of N workers lets up to N × rpm_limit through (seen here: 101 of 101 answered with 2 workers). A production gateway with a semantic cache and several workers or machines cannot enforce the runbook's 100 rpm",
};
