import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';

/**
 * The import boundaries of design §2 are lint rules (biome.jsonc `overrides`). A rule that
 * cannot fail is a defect, so each is tried here: a probe file that breaks it must be flagged,
 * and one that keeps it must not. The probes live beside real code for a moment (the rules
 * match by path) under names nothing else collects.
 */
const ROOT = resolve(import.meta.dirname, '..');
const tag = `zz-boundary-probe-${process.pid}`;
const written: string[] = [];

function probe(dir: string, name: string, imports: string): string {
  const file = join(dir, `${tag}-${name}.ts`);
  writeFileSync(join(ROOT, file), `${imports}\nexport const probe = 1;\n`);
  written.push(file);
  return file;
}

afterAll(() => {
  for (const f of written) rmSync(join(ROOT, f), { force: true });
});

const CASES: readonly [string, string, string, boolean][] = [
  ['sandbox/gateway', 'sandbox-src', "import '../../src/config/index.ts';", true],
  ['sandbox/gateway', 'sandbox-own', "import './errors.ts';", false],
  ['src/evidence', 'src-sandbox', "import '../../sandbox/faults.ts';", true],
  ['src/evidence', 'src-selftest', "import '../../selftest/slots.ts';", true],
  ['src/evidence', 'src-own', "import './model.ts';", false],
  ['tests/smoke', 'tests-sandbox', "import '../../sandbox/index.ts';", true],
  ['tests/smoke', 'tests-src', "import '../../src/harness/check.ts';", false],
  ['reporters', 'reporters-config', "import '../src/config/index.ts';", true],
  ['reporters', 'reporters-evidence', "import '../src/evidence/model.ts';", false],
  ['scripts', 'scripts-setup', "import '../vitest.global-setup.ts';", true],
  ['selftest', 'selftest-setup', "import '../vitest.config-gate-setup.ts';", true],
];

describe('import boundaries are lint errors', () => {
  test('each boundary flags a probe that crosses it, and only that', async () => {
    const files = CASES.map(([dir, name, imports]) => probe(dir, name, imports));
    const res = await execa(
      'pnpm',
      ['exec', 'biome', 'lint', '--diagnostic-level=error', '--max-diagnostics=none', ...files],
      { cwd: ROOT, reject: false, all: true },
    );
    const flagged = new Set(
      [...res.all.matchAll(/^(\S+\.ts):\d+:\d+ lint\/style\/noRestrictedImports/gm)].map((m) => m[1]!),
    );
    expect(CASES.map(([, name], i) => [name, flagged.has(files[i]!)])).toEqual(
      CASES.map(([, name, , crosses]) => [name, crosses]),
    );
  });
});
