/**
 * Worker threads of a pre-cutover run when `CUTOVER_MAX_WORKERS` is not set. Against a
 * deployment, or the sandbox's production profile, the checks spend seconds waiting for Langfuse
 * ingestion: three workers let the three sections that wait (§3, §4, §5) wait at the same time,
 * which took a production-profile run from 27.7 to 16.4 s (commit da79602). A
 * default-profile rehearsal waits ~0.3 s per trace and its time goes to starting up: a third
 * worker gains nothing there and costs ~26 MB (259 MB with one worker, 312 MB with three).
 */
export function defaultWorkers(env: Readonly<Record<string, string | undefined>>): number {
  const fastSandbox = !env.GATEWAY_URL?.trim() && (env.SANDBOX_PROFILE?.trim() || 'default') === 'default';
  return fastSandbox ? 2 : 3;
}
