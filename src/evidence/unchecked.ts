import type { CheckRecord } from './model.ts';

/**
 * The parts of a check that were not checked, as the check recorded them: an observation whose
 * value starts with `not checked` (e.g. `1/langfuse-schema`'s `postgresMigrations`, `7/rollback-readiness`'s
 * `pooledDatabase`). A check can pass with such a part; every view shows it next to the check,
 * so a pass never reads as more than was checked.
 */
export function uncheckedParts(c: CheckRecord): { part: string; why: string }[] {
  return Object.entries(c.observations)
    .filter((e): e is [string, string] => typeof e[1] === 'string' && /^not checked\b/.test(e[1]))
    .map(([part, value]) => ({ part, why: value.replace(/^not checked:?\s*/, '') }));
}
