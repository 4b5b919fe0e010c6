import { SIGNING_KEY_VARIABLE, signingKeyFrom } from '../evidence/signing.ts';
import { parseConfig, sandboxConflicts, type ConfigProblem } from './schema.ts';
import { secretStrengthProblems } from './secret-strength.ts';
import { errorMessage } from '../evidence/error-text.ts';

/**
 * Stand-ins for the target variables, so the rest of a configuration can be validated before
 * the target is known (the sandbox supplies it later) or when nothing will be sent to it (the
 * dry-run plan, the offline config gate). Inert: nothing listens on port 1.
 */
export const TARGET_PLACEHOLDERS = {
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
 * contradictory. With `GATEWAY_URL` the whole configuration is validated as is. Either way,
 * secrets too weak to redact safely are refused (`secretStrengthProblems`), and so is a
 * malformed signing key.
 */
export function preflight(env: Record<string, string | undefined>): ConfigProblem[] {
  const secrets = [...secretStrengthProblems(env), ...signingKeyProblems(env)];
  if (env.GATEWAY_URL?.trim()) {
    const r = parseConfig(env, 'deployment');
    return [...(r.ok ? [] : r.problems), ...secrets];
  }
  const r = parseConfig({ ...env, ...TARGET_PLACEHOLDERS }, 'sandbox');
  return [...sandboxConflicts(env), ...(r.ok ? [] : r.problems), ...secrets];
}

/** A malformed CUTOVER_SIGNING_KEY stops the run before anything is sent: the operator asked for signed evidence. */
function signingKeyProblems(env: Record<string, string | undefined>): ConfigProblem[] {
  try {
    signingKeyFrom(env);
    return [];
  } catch (err) {
    return [
      {
        variable: SIGNING_KEY_VARIABLE,
        problem: errorMessage(err).replace(new RegExp(`^${SIGNING_KEY_VARIABLE}:?\\s*`), ''),
      },
    ];
  }
}
