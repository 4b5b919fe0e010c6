import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';
import { FAULTS } from '../sandbox/faults.ts';
import { MATRIX } from './matrix.ts';

const ROOT = resolve(import.meta.dirname, '..');

/** Every check id named in tests/: any quoted `4.1/exact-cache`-shaped string (ids may sit in a constant). */
function declaredChecks(): string[] {
  const ids = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/['"`](\d+(?:\.\d+)?\/[a-z][a-z0-9-]+)['"`]/g)) ids.add(m[1]!);
    }
  };
  walk(join(ROOT, 'tests'));
  return [...ids].sort();
}

test('every runbook check has a matrix row that turns it red (a check nothing can fail is a defect)', () => {
  const declared = declaredChecks();
  expect(declared.length).toBeGreaterThan(10);
  const covered = new Set(MATRIX.flatMap((r) => r.fails));
  expect(declared.filter((id) => !covered.has(id))).toEqual([]);
});

test('every sandbox fault is used by a row, and every row names only real faults and real checks', () => {
  const declared = new Set(declaredChecks());
  const used = new Set(MATRIX.flatMap((r) => r.faults));
  // echo-secret is exercised by the secret-redaction selftest, not by the matrix.
  expect(Object.keys(FAULTS).filter((f) => !used.has(f) && f !== 'echo-secret')).toEqual([]);
  for (const r of MATRIX) {
    for (const f of r.faults) expect(Object.keys(FAULTS)).toContain(f);
    for (const id of r.fails) expect([...declared]).toContain(id);
  }
});
