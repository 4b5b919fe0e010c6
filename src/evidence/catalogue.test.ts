import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CATALOGUE } from './catalogue.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** Every check id declared in tests/, with its phase (tests/monitor is the post-cutover project). */
function declaredChecks(): { id: string; phase: 'pre' | 'post' }[] {
  const out: { id: string; phase: 'pre' | 'post' }[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.test.ts')) {
        const text = readFileSync(path, 'utf8');
        const phase = relative(join(ROOT, 'tests'), path).startsWith('monitor') ? 'post' : 'pre';
        // `check('id', …)` or `const ID = 'id'` … `check(ID, …)`.
        for (const m of text.matchAll(/check\(\s*'([^']+)'/g)) out.push({ id: m[1]!, phase });
        if (/check\(\s*ID\b/.test(text)) for (const m of text.matchAll(/const ID = '([^']+)'/g)) out.push({ id: m[1]!, phase });
      }
    }
  };
  walk(join(ROOT, 'tests'));
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

describe('the check catalogue', () => {
  test('names exactly the checks tests/ declares, each in its phase', () => {
    const catalogue = CATALOGUE.map((c) => ({ id: c.id, phase: c.phase })).sort((a, b) => a.id.localeCompare(b.id));
    expect(catalogue).toEqual(declaredChecks());
  });

  test('the checks the issue names can never be waived, and each such check says why', () => {
    for (const id of ['3/smoke', '7/rollback-readiness', '7/watch']) expect(CATALOGUE.find((c) => c.id === id)?.waivable).toBe(false);
    for (const c of CATALOGUE) expect(c.waivable || (c.why ?? '').length > 20).toBe(true);
  });
});
