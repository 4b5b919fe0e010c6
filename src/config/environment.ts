import { existsSync, readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';

/**
 * The environment the suite sees: `.env` (from `CUTOVER_ENV_FILE` or `./.env`) under the
 * process environment, so `FOO=1 pnpm test:cutover` always beats the file. A module of its own,
 * with nothing but dotenv: vitest.config.ts reads it to choose the worker count, and Vitest loads
 * the config apart from the run's modules, so whatever this imported would be loaded twice
 * (through load.ts it brought zod and the schema: ~35 MB more at a rehearsal's peak).
 */
export function readEnvironment(
  processEnv: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): Record<string, string | undefined> {
  const file = processEnv.CUTOVER_ENV_FILE ?? `${cwd}/.env`;
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  return { ...fromFile, ...processEnv };
}
