import { excerptOf } from './errors.ts';
import type { FlyClient } from './fly.ts';

/** The Langfuse worker's own health (Postgres `SELECT 1` and Redis `PING`, 2 s timeout, notes §5). */
export interface WorkerHealth {
  readonly healthy: boolean;
  readonly detail: string;
}

/**
 * Asks the Langfuse worker's health server (`localhost:3030/api/health`) from inside a worker
 * machine through Fly exec. The worker answers 200 `{"status":"ok"}` only after both its
 * Postgres query and its Redis PING succeed, so this is the one probe that proves the private
 * Redis (reachable only over 6PN) answers. `curl --fail` makes a 500 exit 22.
 */
export async function langfuseWorkerHealth(
  fly: FlyClient,
  app: string,
  machineId: string,
  timeoutS: number,
): Promise<WorkerHealth> {
  const maxTime = String(Math.max(1, timeoutS - 1));
  const r = await fly.exec(
    app,
    machineId,
    ['curl', '-sS', '--fail', '--max-time', maxTime, 'http://localhost:3030/api/health'],
    timeoutS,
  );
  const out = excerptOf(r.stdout.trim() || r.stderr.trim() || '(no output)', 200);
  if (r.exitCode !== 0)
    return {
      healthy: false,
      detail: `curl --fail http://localhost:3030/api/health in ${machineId} exited ${r.exitCode}: ${out}`,
    };
  let status: unknown;
  try {
    status = (JSON.parse(r.stdout) as { status?: unknown }).status;
  } catch {
    status = undefined;
  }
  return status === 'ok'
    ? { healthy: true, detail: `worker ${machineId}: /api/health {"status":"ok"} (Postgres and Redis answered)` }
    : { healthy: false, detail: `worker ${machineId}: /api/health answered ${out}, expected {"status":"ok"}` };
}
