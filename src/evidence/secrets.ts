import { readEnvironment, SECRET_VARIABLES, secretValues } from '../config/index.ts';
import { SecretSet } from './redact.ts';

let cached: { signature: string; set: SecretSet } | undefined;

/** A cheap fingerprint of the secret-bearing variables in `process.env`, to notice when setup adds some. */
function signature(): string {
  let sig = '';
  for (const name of SECRET_VARIABLES) sig += `${name}=${process.env[name]?.length ?? -1};`;
  for (const name of Object.keys(process.env)) if (name.startsWith('TEAM_KEY_')) sig += `${name};`;
  return sig;
}

/**
 * The secrets of this run, read from the same environment the config comes from (`.env` under
 * the process environment). Re-read when the secret variables change, because the global setup
 * adds the sandbox's freshly generated keys after the reporter has started; otherwise cached,
 * so it is cheap enough to call on every write to stdout.
 */
export function runSecrets(): SecretSet {
  const sig = signature();
  if (cached?.signature !== sig) cached = { signature: sig, set: new SecretSet().addAll(secretValues(readEnvironment())) };
  return cached.set;
}
