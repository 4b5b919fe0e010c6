"""Per-key RPM for the reference LiteLLM proxy, without a database.

`/key/generate` needs Prisma, whose engines cannot be downloaded here, so the prod_customer key
of runbook §5.1 is defined by this `general_settings.custom_auth` hook instead. It only says who
the caller is and what its `rpm_limit` is; the limiter that enforces the limit is LiteLLM's own
(`parallel_request_limiter_v3`). Every other key raises, and with
`custom_auth_settings.mode: auto` LiteLLM then falls back to its own auth (the master key).
"""

import os

from litellm.proxy._types import UserAPIKeyAuth


async def user_api_key_auth(request, api_key: str) -> UserAPIKeyAuth:
    if api_key and api_key == os.environ.get("CUTOVER_REFERENCE_QUOTA_KEY"):
        return UserAPIKeyAuth(
            api_key=api_key,
            key_alias="prod_customer",
            rpm_limit=int(os.environ.get("CUTOVER_REFERENCE_QUOTA_RPM", "100")),
        )
    # Not a ProxyException: mode "auto" treats any other exception as "not mine".
    raise ValueError("not the prod_customer key")
