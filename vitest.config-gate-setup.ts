import { newRunId, parseConfig, readEnvironment } from './src/config/index.ts';
import { TARGET_PLACEHOLDERS } from './src/config/preflight.ts';
import { refuseConfig } from './src/evidence/refusal.ts';
import { secretStrengthProblems } from './src/config/secret-strength.ts';

/**
 * Setup of the offline agent-config gate (`pnpm test:cutover:config`), the fast check CI runs
 * on agent-config pull requests. It needs no live stack: only `AGENTS_CONFIG_PATH`, the URL
 * agents must use (`AGENTS_GATEWAY_URL`, else `GATEWAY_URL`) and the `TEAM_KEY_*` variables.
 * The other target variables get inert placeholders, because this project sends no request;
 * they exist only so the shared config type is complete.
 */
export default function setup(): void {
  const env = readEnvironment();
  env.CUTOVER_RUN_ID ||= newRunId();
  const gateway = env.AGENTS_GATEWAY_URL?.trim() || env.GATEWAY_URL?.trim();
  const offline = {
    // A trailing /v1 is how agents write the base URL; the schema refuses it on GATEWAY_URL
    // (the suite appends /v1 itself), so the gate compares without it.
    GATEWAY_URL: gateway?.replace(/\/v1\/*$/i, '') ?? '',
    GATEWAY_ADMIN_KEY: env.GATEWAY_ADMIN_KEY || TARGET_PLACEHOLDERS.GATEWAY_ADMIN_KEY,
    LANGFUSE_URL: env.LANGFUSE_URL || TARGET_PLACEHOLDERS.LANGFUSE_URL,
    LANGFUSE_PUBLIC_KEY: env.LANGFUSE_PUBLIC_KEY || TARGET_PLACEHOLDERS.LANGFUSE_PUBLIC_KEY,
    LANGFUSE_SECRET_KEY: env.LANGFUSE_SECRET_KEY || TARGET_PLACEHOLDERS.LANGFUSE_SECRET_KEY,
  };
  // CUTOVER_RUN_KIND tells the evidence reporter this is the config gate: its verdict is
  // config-ok / config-failed, never a cutover go.
  const merged = { ...env, ...offline, CUTOVER_TARGET: 'deployment', CUTOVER_RUN_KIND: 'config-gate' };
  const result = parseConfig(merged, 'deployment');
  const named = env.AGENTS_GATEWAY_URL?.trim() ? 'AGENTS_GATEWAY_URL' : 'GATEWAY_URL';
  const parsed = result.ok
    ? []
    : result.problems.map((p) => {
        if (p.variable !== 'GATEWAY_URL') return p;
        if (!gateway)
          return {
            variable: 'AGENTS_GATEWAY_URL',
            problem: 'is required by the agent-config gate (or GATEWAY_URL): the base URL every agent must use',
          };
        return { ...p, variable: named };
      });
  // Weak secrets are judged on what the operator set, never on the placeholders above.
  const problems = [...parsed, ...secretStrengthProblems(env)];
  if (problems.length > 0) {
    // Recorded like any refused run, as the config gate's: CI keeps the bundle as its artifact.
    process.env.CUTOVER_RUN_KIND = 'config-gate';
    process.env.CUTOVER_RUN_ID = env.CUTOVER_RUN_ID;
    refuseConfig(problems);
  }
  for (const [k, v] of Object.entries(merged)) if (v !== undefined) process.env[k] = v;
}
