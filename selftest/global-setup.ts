import { slotCount } from './concurrency.ts';
import { serveSlots } from './slots.ts';

/**
 * The selftest project's global setup: serves the machine-wide selftest slots from Vitest's main
 * process, which outlives every worker, so the slots rarely change hands during a run. When
 * another run on this machine serves them already, this run joins it instead.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const server = await serveSlots(slotCount());
  return async () => {
    await server?.close();
  };
}
