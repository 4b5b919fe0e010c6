import { parseFaults } from './faults.ts';
import { parseCacheType } from './gateway/response-cache.ts';
import { parseProfile } from './profile.ts';

/**
 * The sandbox's own settings that are wrong: `SANDBOX_FAULTS` naming a fault that does not
 * exist, `SANDBOX_CACHE_TYPE` a cache type the sandbox gateway cannot run, or `SANDBOX_PROFILE`
 * a latency profile that does not exist. A typo would otherwise silently rehearse the default
 * stack. Each problem names its variable, in the shape
 * the suite's configuration problems have, so the entry points can refuse all of them in one message
 * (the sandbox imports nothing of the suite's, so the shape is restated, not imported).
 */
export function sandboxSettingProblems(
  env: Readonly<Record<string, string | undefined>>,
): { variable: string; problem: string }[] {
  const problems: { variable: string; problem: string }[] = [];
  const attempt = (variable: string, parse: () => unknown): void => {
    try {
      parse();
    } catch (err) {
      problems.push({ variable, problem: err instanceof Error ? err.message : String(err) });
    }
  };
  attempt('SANDBOX_FAULTS', () => parseFaults(env.SANDBOX_FAULTS));
  attempt('SANDBOX_CACHE_TYPE', () => parseCacheType(env.SANDBOX_CACHE_TYPE));
  attempt('SANDBOX_PROFILE', () => parseProfile(env.SANDBOX_PROFILE));
  return problems;
}
