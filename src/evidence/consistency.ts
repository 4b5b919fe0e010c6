import { meets } from '../harness/recorder.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import type { CheckRecord, EvidenceBundle, Measurement } from './model.ts';
import { errorMessage } from './error-text.ts';

/**
 * The rule that decides a bundle's verdict from its checks, injected so that verification uses
 * the same rule as the writer (`decideVerdict` today). When it also returns `reasons`, those
 * must equal the bundle's `verdictReasons` too.
 */
export type VerdictRule = (bundle: EvidenceBundle) => { verdict: string; reasons?: readonly string[] };

/**
 * The views `writeBundle` writes next to `evidence.json` (the reporter adds `report.html` as an
 * extra view), by file name, with the renderer each was made with.
 */
export const VIEW_RENDERERS: Readonly<Record<string, (b: EvidenceBundle) => string>> = {
  'summary.md': renderMarkdown,
  'report.html': renderHtml,
  'junit.xml': renderJunit,
};

/** What `checkConsistency` compares besides the checks themselves. */
export interface ConsistencyOptions {
  /** The verdict rule; without it the verdict is not re-decided. */
  decide?: VerdictRule;
  /**
   * The text of each file named in `VIEW_RENDERERS` as found on disk, undefined when the file
   * does not exist. Without it the views are not compared.
   */
  views?: Readonly<Record<string, string | undefined>>;
}

/**
 * The ways a parsed bundle contradicts itself, as problem lines (empty when consistent). It
 * catches an edit whose digest was recomputed, because each of these facts follows from others:
 * - each measurement's `pass` is what the recorder (`CheckRecorder.measure`) computes from
 *   `value op threshold.value`: a null value never passes, and a measurement without a
 *   threshold carries no `pass`;
 * - a `passed` check has no measurement with `pass: false` and no `error`;
 * - with `o.decide`, the verdict (and, when the rule returns them, the reasons) are what the
 *   rule decides from the checks;
 * - with `o.views`, each view is byte for byte what the bundle renders to; a missing view is a
 *   problem (it was refused as holding a secret, or deleted: either way it is not evidence).
 * The stored value is what is judged. `CheckRecorder.measure` today judges the value before
 * rounding it to six significant digits for the file, so a value within rounding of its
 * threshold (99.99996 < 100, stored as 100) is reported here although the recorder was right;
 * the fix belongs in the recorder (judge what is stored), not in a tolerance here, which a
 * forger could use. Pure: reads nothing, throws nothing (a throwing rule or renderer is a
 * problem line).
 */
export function checkConsistency(bundle: EvidenceBundle, o: ConsistencyOptions = {}): string[] {
  const checks = bundle.sections.flatMap((s) => s.checks);
  const problems = checks.flatMap(checkProblems);
  if (o.decide) problems.push(...verdictProblems(bundle, o.decide));
  if (o.views) problems.push(...viewProblems(bundle, o.views));
  return problems;
}

function checkProblems(c: CheckRecord): string[] {
  const problems = c.measurements.flatMap((m) => {
    const p = measurementProblem(m);
    return p ? [`${c.id}: measurement ${m.name} ${p}`] : [];
  });
  if (c.status === 'passed') {
    for (const m of c.measurements)
      if (m.pass === false) problems.push(`${c.id} is passed, but its measurement ${m.name} failed its threshold`);
    if (c.error !== undefined) problems.push(`${c.id} is passed, but it records an error: ${firstLine(c.error)}`);
  }
  return problems;
}

/** What is wrong with a measurement's recorded outcome, or undefined when it is what the recorder computes from the stored value. */
function measurementProblem(m: Measurement): string | undefined {
  if (!m.threshold) return m.pass === undefined ? undefined : `records pass ${m.pass} without a threshold`;
  if (m.pass === undefined) return `has a threshold (${m.threshold.op} ${m.threshold.value}) but no recorded outcome`;
  const expected = m.value !== null && meets(m.value, m.threshold);
  if (m.pass === expected) return undefined;
  const value =
    m.value === null
      ? 'not measured (null never passes)'
      : `${m.value} ${m.threshold.op} ${m.threshold.value} is ${expected}`;
  return `records pass ${m.pass}, but ${value}`;
}

function verdictProblems(bundle: EvidenceBundle, decide: VerdictRule): string[] {
  let decided: ReturnType<VerdictRule>;
  try {
    decided = decide(bundle);
  } catch (err) {
    return [`the verdict rule failed on this bundle: ${errorMessage(err)}`];
  }
  const problems: string[] = [];
  if (decided.verdict !== bundle.verdict)
    problems.push(`verdict is ${bundle.verdict}, but its checks decide ${decided.verdict}`);
  if (decided.reasons) {
    const at = firstDifference(bundle.verdictReasons, decided.reasons);
    if (at !== undefined) {
      problems.push(
        `verdict reasons differ from what its checks give, from reason ${at + 1}: the file says ${quote(bundle.verdictReasons[at])}, the checks give ${quote(decided.reasons[at])}`,
      );
    }
  }
  return problems;
}

function viewProblems(bundle: EvidenceBundle, views: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(VIEW_RENDERERS).flatMap(([name, render]) => {
    const found = views[name];
    if (found === undefined) return [`${name} is missing`];
    let expected: string;
    try {
      expected = render(bundle);
    } catch (err) {
      return [`${name} cannot be rendered from evidence.json to compare: ${errorMessage(err)}`];
    }
    if (found === expected) return [];
    const line = (firstDifference(found.split('\n'), expected.split('\n')) ?? 0) + 1;
    return [
      `${name} differs from what evidence.json renders to (first at line ${line}); it was edited or is from another run`,
    ];
  });
}

/** The first index where the two lists differ (including one being longer), or undefined when equal. */
function firstDifference(a: readonly string[], b: readonly string[]): number | undefined {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return undefined;
}

function quote(s: string | undefined): string {
  return s === undefined ? 'nothing' : JSON.stringify(s);
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? '';
}
