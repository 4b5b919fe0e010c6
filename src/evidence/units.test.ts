import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { CheckRecorder } from '../harness/recorder.ts';
import { Measurement } from './model.ts';
import { suffixProblem, unitProblem, UNITS, type Unit } from './units.ts';

const ROOT = join(import.meta.dirname, '../..');

/** One `c.measure(name, value, unit, …)` as written: run-time parts of the name stand as `X`. */
interface CallSite {
  readonly where: string;
  readonly name: string | undefined;
  readonly unit: string | undefined;
}

function files(): string[] {
  return ['src', 'tests', 'selftest', 'conformance'].flatMap((dir) =>
    readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts') && !(dir === 'src' && e.name.endsWith('.test.ts')))
      .map((e) => relative(ROOT, join(e.parentPath, e.name))),
  );
}

/** A string as written, with each `${…}` as `X`; undefined when it is not a literal or template. */
function literal(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node))
    return node.head.text + node.templateSpans.map((s) => `X${s.literal.text}`).join('');
  return undefined;
}

/**
 * Every measurement call in the project's code, read with the TypeScript parser. A name held in
 * a constant (`BASELINE_MEASUREMENT`, `measured`) is resolved through its `const` declaration
 * anywhere in the code; one that cannot be is returned with `name` undefined, so the test fails
 * rather than skip it.
 */
function callSites(): CallSite[] {
  const sources = files().map((file) => ({
    file,
    sf: ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true),
  }));
  const constants = new Map<string, string>();
  const calls: { where: string; args: readonly ts.Expression[] }[] = [];
  for (const { file, sf } of sources) {
    const visit = (node: ts.Node): void => {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
        const text = literal(node.initializer);
        if (text !== undefined) constants.set(node.name.text, text);
      }
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        node.expression.name.text === 'measure' &&
        node.arguments.length >= 3
      ) {
        calls.push({
          where: `${file}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`,
          args: node.arguments,
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return calls.map(({ where, args }) => {
    const [nameArg, , unitArg] = args as [ts.Expression, ts.Expression, ts.Expression];
    const name = literal(nameArg) ?? (ts.isIdentifier(nameArg) ? constants.get(nameArg.text) : undefined);
    return { where, name, unit: literal(unitArg) };
  });
}

describe('measurement units', () => {
  const sites = callSites();

  test('every call site names its measurement and unit in a form this test can read', () => {
    expect(sites.length).toBeGreaterThan(40);
    expect(sites.filter((s) => s.name === undefined || s.unit === undefined).map((s) => s.where)).toEqual([]);
  });

  test('every name carries its unit one way', () => {
    const problems = sites.flatMap((s) => {
      const problem = unitProblem(s.name!, s.unit as Unit) ?? suffixProblem(s.name!, s.unit as Unit);
      return problem ? [`${s.where}: ${problem}`] : [];
    });
    expect(problems).toEqual([]);
  });

  test('the union holds exactly the units the code records', () => {
    expect([...new Set(sites.map((s) => s.unit))].sort()).toEqual([...UNITS].sort());
  });

  test('a name whose unit word is missing, contradicted or spelt another way is refused', () => {
    expect(unitProblem('total_ms', 'ms')).toBeUndefined();
    expect(unitProblem('cache_hit_rate_order_tracker', 'ratio')).toBeUndefined();
    expect(unitProblem('agents_found', 'agents')).toBeUndefined();
    expect(unitProblem('total_time', 'ms')).toMatch(/^measurement total_time is in ms, so its name must carry _ms/);
    expect(unitProblem('cache_hits', 'ratio')).toMatch(/must carry _rate/);
    expect(unitProblem('escalation_cost', 'µUSD')).toMatch(/must carry _microusd/);
    expect(suffixProblem('error_rate', 'ms')).toBe(
      'measurement error_rate ends in _rate, which means ratio, but its unit is ms',
    );
    expect(suffixProblem('hit_pct', 'ratio')).toBe(
      'measurement hit_pct ends in _pct: write _rate (a ratio, 0.3 for 30 %)',
    );
    expect(suffixProblem('wait_seconds', 'ms')).toMatch(/write _ms/);
    expect(suffixProblem('traces_X', 'traces')).toBeUndefined();
  });

  test('the recorder refuses a misnamed measurement before recording it', () => {
    const c = new CheckRecorder('0/units', 'units');
    expect(() => c.measure('total_time', 1, 'ms')).toThrow(TypeError);
    expect(c.measure('total_ms', 1, 'ms', { op: '<', value: 2 })).toBe(true);
  });

  test('the evidence schema accepts exactly these units', () => {
    for (const unit of UNITS) expect(Measurement.safeParse({ name: 'n', value: 1, unit }).success, unit).toBe(true);
    expect(Measurement.safeParse({ name: 'n', value: 1, unit: 'request' }).success).toBe(false);
  });
});
