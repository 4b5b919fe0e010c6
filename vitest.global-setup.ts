import type { TestProject } from 'vitest/node';
import { sandboxSettingProblems } from './sandbox/settings.ts';
import { refuseConfig } from './src/evidence/refusal.ts';
import { serveGatewayQuiet } from './src/harness/gateway-quiet-server.ts';
import { plannedTokenCounts } from './src/harness/plan.ts';
import {
  newRunId,
  parseConfig,
  preflight,
  readEnvironment,
  TARGET_VARIABLES,
  type CutoverConfig,
} from './src/config/index.ts';

/**
 * The composition root of a cutover run. It validates the configuration before anything is
 * sent, starts the bundled sandbox when no target is configured, and exports the resulting
 * environment to `process.env`, from where test workers and the evidence reporter read the
 * same values. It is the only place besides selftests that may import `sandbox/`, and it
 * loads the sandbox lazily: a run against a real deployment never starts it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const env = readEnvironment();
  env.CUTOVER_RUN_ID ||= newRunId();
  const problems = [...preflight(env), ...sandboxSettingProblems(env)];
  if (problems.length > 0) refuseConfig(problems);
  const ignored = processOnlyWarning(env, process.env);
  if (ignored) process.stderr.write(`${ignored}\n`);
  // Latency measurements and §5.1's burst take turns on the gateway (src/harness/gateway-quiet.ts).
  const quiet = await serveGatewayQuiet();
  project.provide('gatewayQuietSocket', quiet.path);
  let stop = async (): Promise<void> => undefined;

  if (!env.GATEWAY_URL?.trim()) {
    // Started by `pnpm test:cutover` before Vitest when it could be (sandbox/process.ts).
    const { sandboxOptions, takeSandbox } = await import('./sandbox/process.ts');
    const sandbox = await takeSandbox(sandboxOptions(env));
    // The sandbox's target variables always apply (conflicts were refused above). Its other
    // values (Fly token, monitor duration …) are defaults: a variable the user set, even to the
    // empty string, wins, so a rehearsal can drop one input (OPENAI_DIRECT_KEY=) on purpose.
    for (const [k, v] of Object.entries(sandbox.env))
      if (k === 'GATEWAY_URL' || TARGET_VARIABLES.includes(k as never) || !(k in env)) env[k] = v;
    env.CUTOVER_TARGET = 'sandbox';
    stop = () => sandbox.stop();
    process.stdout.write(
      `Target: bundled sandbox (no GATEWAY_URL configured)${sandbox.profile === 'default' ? '' : `, profile: ${sandbox.profile}`}${sandbox.faults.length ? `, faults: ${sandbox.faults.join(', ')}` : ''}\n`,
    );
  } else {
    env.CUTOVER_TARGET = 'deployment';
  }

  const result = parseConfig(env, env.CUTOVER_TARGET === 'sandbox' ? 'sandbox' : 'deployment');
  if (!result.ok) {
    await stop();
    await quiet.close();
    refuseConfig(result.problems);
  }
  if (result.config.target === 'deployment') process.stdout.write(`${deploymentTarget(result.config)}\n`);
  for (const [k, v] of Object.entries(env)) if (v !== undefined) process.env[k] = v;
  // The planned prompts counted once, here, for every worker (src/harness/plan.ts).
  project.provide('tokenCounts', plannedTokenCounts(result.config));
  return async () => {
    await stop();
    await quiet.close();
  };
}

/**
 * The `Target:` line of a run against a deployment, the counterpart of the sandbox's: where the
 * requests go (gateway and Langfuse base URLs, which the schema keeps free of credentials,
 * queries and fragments) and which Fly apps are inspected. Never a key.
 */
export function deploymentTarget(config: CutoverConfig): string {
  const { apps, region } = config.fly;
  return `Target: deployment (gateway ${config.gateway.url}, Langfuse ${config.langfuse.url}, Fly apps ${apps.gateway}, ${apps.clickhouse}, ${apps.minio} in ${region})`;
}

/**
 * `CUTOVER_MAX_WORKERS` set in `.env` only: vitest.config.ts read the process environment
 * before `.env` was loaded, so the run uses the default. A warning, not a refusal: the run is
 * as valid, only slower or faster than asked.
 */
export function processOnlyWarning(
  env: Record<string, string | undefined>,
  processEnv: Record<string, string | undefined>,
): string | undefined {
  if (!env.CUTOVER_MAX_WORKERS?.trim() || processEnv.CUTOVER_MAX_WORKERS !== undefined) return undefined;
  return 'Warning: CUTOVER_MAX_WORKERS is set in .env, but vitest.config.ts reads it from the process environment only (before .env is loaded): this run uses the default. Set it on the command line instead, e.g. CUTOVER_MAX_WORKERS=4 pnpm test:cutover.';
}
