import { expect, test } from 'vitest';
import { FAULTS } from '../sandbox/faults.ts';
import { CATALOGUE, catalogueEntry } from '../src/evidence/catalogue.ts';
import { MATRIX } from './matrix.ts';

// The checks come from the registry `check()` declares them from, not from scanning tests/: a
// registry entry no test declares leaves every healthy run short of go (it is `not run`).

test('every runbook check has a matrix row that turns it red (a check nothing can fail is a defect)', () => {
  expect(CATALOGUE.length).toBeGreaterThan(10);
  const covered = new Set(MATRIX.flatMap((r) => r.fails));
  expect(CATALOGUE.map((c) => c.id).filter((id) => !covered.has(id))).toEqual([]);
});

test('every sandbox fault is used by a row, and every row names only real faults and checks of its phase', () => {
  const used = new Set(MATRIX.flatMap((r) => r.faults));
  // echo-secret is exercised by the secret-redaction selftest, not by the matrix.
  expect(Object.keys(FAULTS).filter((f) => !used.has(f) && f !== 'echo-secret')).toEqual([]);
  for (const r of MATRIX) {
    for (const f of r.faults) expect(Object.keys(FAULTS)).toContain(f);
    for (const id of r.fails)
      expect(catalogueEntry(id)?.phase, `${r.name ?? r.faults.join('+')}: ${id}`).toBe(r.phase ?? 'pre');
  }
});
