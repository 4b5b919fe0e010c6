import { parseConfig, sandboxConflicts, type ConfigProblem } from './schema.ts';

/** Stand-ins for the target variables the sandbox will supply, so the rest can be validated first. */
const SANDBOX_PLACEHOLDERS = {
  GATEWAY_URL: 'http://127.0.0.1:1',
  GATEWAY_ADMIN_KEY: 'placeholder',
  LANGFUSE_URL: 'http://127.0.0.1:1',
  LANGFUSE_PUBLIC_KEY: 'placeholder',
  LANGFUSE_SECRET_KEY: 'placeholder',
};

/**
 * Every configuration problem knowable before anything starts or is sent. Without
 * `GATEWAY_URL` the target will be the sandbox: the user's other settings are validated with
 * placeholders for the target, and target variables set without `GATEWAY_URL` are refused as
 * contradictory. With `GATEWAY_URL` the whole configuration is validated as is.
 */
export function preflight(env: Record<string, string | undefined>): ConfigProblem[] {
  if (env.GATEWAY_URL?.trim()) {
    const r = parseConfig(env, 'deployment');
    return r.ok ? [] : r.problems;
  }
  const r = parseConfig({ ...env, ...SANDBOX_PLACEHOLDERS }, 'sandbox');
  return [...sandboxConflicts(env), ...(r.ok ? [] : r.problems)];
}
