import { describe, expect, test } from 'vitest';
import { checkConsistency, VIEW_RENDERERS, type VerdictRule } from './consistency.ts';
import { failedHostile, healthy, incomplete, postWatch } from './html-fixtures.ts';
import type { CheckRecord, EvidenceBundle } from './model.ts';

const FIXTURES = { healthy, failedHostile, incomplete, postWatch };

/** A deep copy of `b` with `edit` applied to the check `id`. */
function withCheck(b: EvidenceBundle, id: string, edit: (c: CheckRecord) => void): EvidenceBundle {
  const copy = structuredClone(b);
  const c = copy.sections.flatMap((s) => s.checks).find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in the fixture`);
  edit(c);
  return copy;
}

const renderedViews = (b: EvidenceBundle): Record<string, string> =>
  Object.fromEntries(Object.entries(VIEW_RENDERERS).map(([name, render]) => [name, render(b)]));

describe('checkConsistency: measurements and check statuses', () => {
  test.each(Object.entries(FIXTURES))('the %s fixture is consistent with itself and its views', (_, b) => {
    expect(checkConsistency(b, { views: renderedViews(b) })).toEqual([]);
  });

  test("a measurement's pass flipped to true while its value misses the threshold is caught", () => {
    const forged = withCheck(failedHostile, '4.1/exact-cache', (c) => {
      c.measurements[1]!.pass = true;
    });
    expect(checkConsistency(forged)).toEqual([
      '4.1/exact-cache: measurement request_2_ms records pass true, but 180.5 < 100 is false',
    ]);
  });

  test("a measurement's pass flipped to false while its value meets the threshold is caught", () => {
    const forged = withCheck(healthy, '3/smoke', (c) => {
      c.measurements[0]!.pass = false;
    });
    expect(checkConsistency(forged)).toEqual([
      '3/smoke: measurement http_status records pass false, but 200 == 200 is true',
      '3/smoke is passed, but its measurement http_status failed its threshold',
    ]);
  });

  test('a value that was not measured never passes, whatever the file claims', () => {
    const forged = withCheck(incomplete, '4.1/exact-cache', (c) => {
      c.measurements[1]!.pass = true;
    });
    expect(checkConsistency(forged)).toEqual([
      '4.1/exact-cache: measurement request_2_ms records pass true, but not measured (null never passes)',
    ]);
  });

  test('each threshold operator is judged as the recorder judges it, boundaries included', () => {
    const cases: [CheckRecord['measurements'][number]['threshold'] & object, number, boolean][] = [
      [{ op: '<', value: 100 }, 100, false],
      [{ op: '<=', value: 100 }, 100, true],
      [{ op: '>', value: 0.3 }, 0.3, false],
      [{ op: '>=', value: 0.3 }, 0.3, true],
      [{ op: '==', value: 101 }, 101, true],
      [{ op: '==', value: 101 }, 100, false],
    ];
    for (const [threshold, value, pass] of cases) {
      const ok = withCheck(healthy, '3/smoke', (c) => {
        c.measurements = [{ name: 'm', value, unit: 'requests', threshold, pass }];
      });
      expect(checkConsistency(ok), `${value} ${threshold.op} ${threshold.value}`).toEqual(
        pass ? [] : ['3/smoke is passed, but its measurement m failed its threshold'],
      );
      const flipped = withCheck(ok, '3/smoke', (c) => {
        c.measurements[0]!.pass = !pass;
      });
      expect(checkConsistency(flipped)[0]).toBe(
        `3/smoke: measurement m records pass ${!pass}, but ${value} ${threshold.op} ${threshold.value} is ${pass}`,
      );
    }
  });

  test('an outcome without a threshold, or a threshold without an outcome, is not what the recorder writes', () => {
    const forged = withCheck(healthy, '3/smoke', (c) => {
      c.measurements[2]!.pass = true;
      delete c.measurements[1]!.pass;
    });
    expect(checkConsistency(forged)).toEqual([
      '3/smoke: measurement total_ms has a threshold (< 2000) but no recorded outcome',
      '3/smoke: measurement headers_ms records pass true without a threshold',
    ]);
  });

  test('a check flipped to passed while a measurement failed its threshold is caught, even with the measurement left honest', () => {
    const forged = withCheck(failedHostile, '4.1/exact-cache', (c) => {
      c.status = 'passed';
      delete c.error;
    });
    expect(checkConsistency(forged)).toEqual([
      '4.1/exact-cache is passed, but its measurement request_2_ms failed its threshold',
    ]);
  });

  test('a passed check that records an error is caught', () => {
    const forged = withCheck(postWatch, '7/watch', (c) => {
      c.status = 'passed';
      c.measurements = [];
    });
    expect(checkConsistency(forged)).toEqual([
      '7/watch is passed, but it records an error: error rate 3.1 % over the last 5 min > 2 % at 22 min of 30 min. Runbook §7, "LiteLLM unavailable": roll back.',
    ]);
  });
});

describe('checkConsistency: the injected verdict rule', () => {
  const noGo: VerdictRule = () => ({ verdict: failedHostile.verdict, reasons: failedHostile.verdictReasons });

  test('a verdict the rule does not give is a problem; one it gives is not', () => {
    expect(checkConsistency(failedHostile, { decide: noGo })).toEqual([]);
    const forged = { ...structuredClone(failedHostile), verdict: 'go' as const };
    expect(checkConsistency(forged, { decide: noGo })).toEqual([
      `verdict is go, but its checks decide ${failedHostile.verdict}`,
    ]);
  });

  test('the rule sees the bundle under test', () => {
    const seen: EvidenceBundle[] = [];
    checkConsistency(healthy, { decide: (b) => (seen.push(b), { verdict: b.verdict }) });
    expect(seen).toEqual([healthy]);
  });

  test('when the rule gives reasons, an edited or deleted reason is a problem', () => {
    const forged = { ...structuredClone(failedHostile), verdictReasons: failedHostile.verdictReasons.slice(1) };
    expect(checkConsistency(forged, { decide: noGo })).toEqual([
      `verdict reasons differ from what its checks give, from reason 1: the file says ${JSON.stringify(failedHostile.verdictReasons[1])}, the checks give "4.1/exact-cache failed"`,
    ]);
    expect(checkConsistency(forged, { decide: () => ({ verdict: failedHostile.verdict }) })).toEqual([]);
  });

  test('a rule that throws is reported, not thrown', () => {
    const broken: VerdictRule = () => {
      throw new Error('unknown phase');
    };
    expect(checkConsistency(healthy, { decide: broken })).toEqual([
      'the verdict rule failed on this bundle: unknown phase',
    ]);
  });
});

describe('checkConsistency: views', () => {
  test('a missing view is named', () => {
    const { 'summary.md': _gone, ...rest } = renderedViews(healthy);
    expect(checkConsistency(healthy, { views: { ...rest, 'summary.md': undefined } })).toEqual([
      'summary.md is missing',
    ]);
  });

  test.each(Object.keys(VIEW_RENDERERS))('an edited %s is caught, with the line where it starts to differ', (name) => {
    const views = renderedViews(failedHostile);
    const lines = views[name]!.split('\n');
    lines[2] = `${lines[2]} edited`;
    expect(checkConsistency(failedHostile, { views: { ...views, [name]: lines.join('\n') } })).toEqual([
      `${name} differs from what evidence.json renders to (first at line 3); it was edited or is from another run`,
    ]);
  });

  test("another run's view is caught", () => {
    expect(
      checkConsistency(healthy, {
        views: { ...renderedViews(healthy), 'junit.xml': VIEW_RENDERERS['junit.xml']!(failedHostile) },
      }),
    ).toEqual([
      'junit.xml differs from what evidence.json renders to (first at line 2); it was edited or is from another run',
    ]);
  });
});
