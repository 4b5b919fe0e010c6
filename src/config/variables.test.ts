import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { renderEnvExample } from '../../scripts/env-example.ts';
import { misspeltVariables } from './misspelt.ts';
import { INTERNAL_PREFIXES, KNOWN_VARIABLES, TOOL_VARIABLES, VARIABLE_PATTERNS, VARIABLES } from './variables.ts';

const ROOT = join(import.meta.dirname, '../..');

/** Where the project's code lives; colocated unit tests are left out, since they set made-up names on purpose. */
const SOURCE_DIRS = ['src', 'sandbox', 'selftest', 'bench', 'scripts', 'reporters', 'tests', 'conformance'];

function sources(dir: string): string[] {
  return (
    readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && /\.(ts|mjs)$/.test(e.name))
      .map((e) => relative(ROOT, join(e.parentPath, e.name)))
      .filter((file) => !file.endsWith('.test.ts') || file.startsWith('tests/'))
      // scripts/boundaries.test.ts writes short-lived probe files into these folders while it runs.
      .filter((file) => !file.includes('zz-boundary-probe-'))
  );
}

/**
 * Every `process.env.NAME`, `env.NAME`, `env['NAME']` or `env[CONSTANT]` in the project, by name,
 * with the files it is in; a constant is resolved through its `const CONSTANT = 'NAME'`, and one
 * that cannot be is reported under its own name, so it fails the test rather than hide a read.
 * Reads the sandbox as text: the sandbox never imports src/, so it cannot use the table, and
 * this is how the table learns its names.
 */
function environmentReads(): Map<string, Set<string>> {
  const rootFiles = readdirSync(ROOT).filter((f) => /^vitest.*\.ts$/.test(f));
  const texts = [...SOURCE_DIRS.flatMap(sources), ...rootFiles].map((file) => ({
    file,
    text: readFileSync(join(ROOT, file), 'utf8'),
  }));
  const constants = new Map<string, string>();
  for (const { text } of texts)
    for (const m of text.matchAll(/\bconst ([A-Z][A-Z0-9_]*) = '([A-Z][A-Z0-9_]*)'/g)) constants.set(m[1]!, m[2]!);
  const reads = new Map<string, Set<string>>();
  for (const { file, text } of texts) {
    for (const m of text.matchAll(
      /\b(?:process\.env|processEnv|env)(?:\.([A-Z][A-Z0-9_]*)\b|\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]|\[([A-Z][A-Z0-9_]*)\])/g,
    )) {
      const name = m[1] ?? m[2] ?? constants.get(m[3]!) ?? `${m[3]} (a constant not resolved to a name)`;
      reads.set(name, (reads.get(name) ?? new Set()).add(file));
    }
  }
  return reads;
}

const listed = (name: string): boolean =>
  KNOWN_VARIABLES.has(name) ||
  INTERNAL_PREFIXES.some((p) => name.startsWith(p)) ||
  VARIABLE_PATTERNS.some((p) => name.startsWith(p.prefix));

describe('the variable table', () => {
  test('lists every variable any part of the project reads', () => {
    const reads = environmentReads();
    // The scan must see the reads it exists for, or an empty scan would pass.
    for (const name of [
      'SANDBOX_FAULTS',
      'SELFTEST_SLOTS',
      'CHROMIUM_PATH',
      'CUTOVER_MAX_WORKERS',
      'CUTOVER_ENV_FILE',
      'GATEWAY_URL',
      'CUTOVER_SIGNING_KEY',
    ])
      expect(reads.has(name), name).toBe(true);
    const missing = [...reads]
      .filter(([name]) => !listed(name))
      .map(([name, files]) => `${name} (${[...files].join(', ')})`);
    expect(missing).toEqual([]);
  });

  test('each tool variable is read where the table says, so the table lists no variable nobody reads', () => {
    const reads = environmentReads();
    for (const v of TOOL_VARIABLES)
      for (const file of v.readBy.split(', ')) expect([...(reads.get(v.name) ?? [])], v.name).toContain(file);
  });

  test('names each variable once, across its groups', () => {
    const names = [...VARIABLES, ...TOOL_VARIABLES].map((v) => v.name);
    expect(names.length).toBe(new Set(names).size);
  });

  test('the sandbox reads only names the table lists as tool variables or configuration', () => {
    const sandboxReads = [...environmentReads()]
      .filter(([, files]) => [...files].some((f) => f.startsWith('sandbox/')))
      .map(([name]) => name);
    expect(sandboxReads).toEqual(expect.arrayContaining(['SANDBOX_FAULTS', 'SANDBOX_CACHE_TYPE', 'CUTOVER_PYTHON']));
    for (const name of sandboxReads) expect(listed(name), name).toBe(true);
  });

  test('tool variables are documented in .env.example and known to the misspelt-name check', () => {
    const example = renderEnvExample();
    for (const v of TOOL_VARIABLES) {
      expect(example, v.name).toMatch(new RegExp(`^# ${v.name}=`, 'm'));
      expect(misspeltVariables({ [v.name]: 'x' }), v.name).toEqual([]);
    }
    expect(misspeltVariables({ CHROMIUM_PTH: '/usr/bin/chromium', SELFTEST_SLOT: '2' })).toEqual([
      { variable: 'CHROMIUM_PTH', problem: 'is not a variable this suite reads: did you mean CHROMIUM_PATH?' },
      { variable: 'SELFTEST_SLOT', problem: 'is not a variable this suite reads: did you mean SELFTEST_SLOTS?' },
    ]);
  });
});
