import { loadConfig, readEnvironment } from './load.ts';
import type { CutoverConfig } from './schema.ts';

export type { CutoverConfig, ConfigProblem } from './schema.ts';
export { parseConfig, TARGET_VARIABLES } from './schema.ts';
export { ConfigError, readEnvironment, newRunId, secretValues, targetOf } from './load.ts';
export { preflight } from './preflight.ts';
export { SECRET_VARIABLES } from './variables.ts';

let cached: CutoverConfig | undefined;

/**
 * The run's config inside a test worker. The global setup has already validated it (and
 * started the sandbox if needed) and exported the result to `process.env`, so this cannot
 * fail in a healthy run; it is memoised per worker.
 */
export function runConfig(): CutoverConfig {
  cached ??= loadConfig(readEnvironment());
  return cached;
}
