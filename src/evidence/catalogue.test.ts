import { describe, expect, test } from 'vitest';
import { CATALOGUE, catalogueEntry, expectedChecks, SECTION_TITLES } from './catalogue.ts';

// That tests/ declares every entry is proven by running them: an entry no test declares is
// `not run` in the verdict, so a healthy rehearsal cannot end go (selftest/plan-matches-run.test.ts
// and every selftest's healthy run). Here: the registry's own consistency.
describe('the check registry', () => {
  test('names each check once, by an id whose prefix is a runbook section with a title', () => {
    const ids = CATALOGUE.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of CATALOGUE) {
      expect(c.id).toMatch(/^\d+(\.\d+)?\/[a-z][a-z0-9-]+$/);
      expect(c.section).toBe(c.id.split('/')[0]);
      expect(SECTION_TITLES[c.section], c.id).toBeTruthy();
      expect(c.title.trim().length, c.id).toBeGreaterThan(10);
      expect(c.title, c.id).not.toMatch(/\n/);
    }
  });

  test("holds the runbook's sixteen pre-cutover checks and two post-cutover ones; the config gate runs one", () => {
    expect(expectedChecks('pre')).toHaveLength(16);
    expect(expectedChecks('post')).toEqual(['6/live-traffic', '7/watch']);
    expect(expectedChecks('pre', 'config-gate')).toEqual(['6/agent-config']);
    for (const id of expectedChecks('pre', 'config-gate')) expect(catalogueEntry(id)?.phase).toBe('pre');
  });

  test('the checks the issue names can never be waived, and each such check says why', () => {
    for (const id of ['3/smoke', '7/rollback-readiness', '7/watch']) expect(catalogueEntry(id)?.waivable).toBe(false);
    for (const c of CATALOGUE) expect(c.waivable || (c.why ?? '').length > 20).toBe(true);
  });

  test('knows only its own ids', () => {
    expect(catalogueEntry('4.1/exact-cache')?.title).toMatch(/three times/);
    expect(catalogueEntry('4.1/exact')).toBeUndefined();
  });
});
