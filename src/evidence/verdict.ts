import { expectedChecks } from './catalogue.ts';
import {
  ROLLBACK_TRIGGER,
  RollbackTrigger,
  verdictWord,
  type CheckRecord,
  type Decision,
  type RunKind,
  type Verdict,
} from './model.ts';

type EndReason = 'passed' | 'failed' | 'interrupted';

/**
 * Runbook §6 step 4 ("monitor Langfuse for live traffic … verify steady cache hit rate"): an
 * agent without traffic or a low hit rate needs action, but is no §7 rollback trigger.
 */
const FINDING_SECTIONS: ReadonlySet<string> = new Set(['6']);

/**
 * Decides the run's verdict from its checks, with the reasons an auditor reads. `expected` is
 * the catalogue of checks a full run holds (`catalogue.ts`): one that did not run is open, so a
 * filtered run can never pass for the whole runbook.
 * Pre-cutover: `go` only when every expected check passed; `go-with-waivers` when the rest were
 * waived on purpose (CUTOVER_SKIP, each with its reason); any failure is `no-go`; an
 * inconclusive check, a check skipped for lack of inputs or not run at all, an interrupted run
 * or a run with no checks is `incomplete`, because no data is never a pass.
 * Post-cutover: see `decidePost`; `rollback` only for a measured §7 trigger.
 */
export function decideVerdict(
  phase: 'pre' | 'post',
  checks: readonly CheckRecord[],
  endReason: EndReason,
  runErrors: readonly string[],
  expected: readonly string[] = [],
): { verdict: Decision; reasons: string[]; notRun: string[] } {
  const ran = new Set(checks.map((c) => c.id));
  const notRun = expected.filter((id) => !ran.has(id));
  const missing =
    notRun.length > 0
      ? [
          `not run: ${notRun.join(', ')} (a verdict covers only the checks that ran; run the whole runbook without filters)`,
        ]
      : [];
  const d =
    phase === 'pre'
      ? decidePre(checks, endReason, [...runErrors], missing)
      : decidePost(checks, endReason, [...runErrors], missing);
  return { ...d, notRun };
}

/**
 * The verdict word of a run of this phase and kind, against its catalogue: what the writer
 * records and what `evidence:verify` recomputes from the bundle, so the two cannot drift.
 */
export function verdictOf(
  run: { readonly phase: 'pre' | 'post'; readonly kind: RunKind },
  checks: readonly CheckRecord[],
  endReason: EndReason,
  runErrors: readonly string[],
): { verdict: Verdict; reasons: string[]; notRun: string[] } {
  const d = decideVerdict(run.phase, checks, endReason, runErrors, expectedChecks(run.phase, run.kind));
  return { ...d, verdict: verdictWord(d.verdict, run.kind) };
}

function decidePre(
  checks: readonly CheckRecord[],
  endReason: EndReason,
  runErrors: readonly string[],
  missing: readonly string[],
): { verdict: Decision; reasons: string[] } {
  const failed = checks.filter((c) => c.status === 'failed');
  const open = openChecks(checks);
  const reasons = [
    ...byCause(failed, (c) => `${c.id} failed`),
    ...open.map(openReason),
    ...missing,
    ...runErrors.map(runErrorReason),
  ];
  if (failed.length > 0) return { verdict: 'no-go', reasons };
  const waived = checks.some((c) => c.status === 'skipped' && c.skip?.explicit);
  return undecidedOr(
    waived ? 'go-with-waivers' : 'go',
    checks,
    endReason,
    open.length > 0 || missing.length > 0 || runErrors.length > 0,
    reasons,
  );
}

/**
 * Post-cutover, after the runbook's §7 ("if error rate exceeds 2 % or latency doubles, initiate
 * rollback immediately"), in this order:
 * - `rollback`: a failed check carries a `RollbackTrigger` that shows a breach (a measured value
 *   over its limit over at least `minSamples`), even in an interrupted run: a breach is a fact.
 *   Nothing else rolls back: a failed check without a trigger, missing inputs, a crash.
 * - `incomplete`: interrupted, no checks, an inconclusive check, a check skipped for lack of
 *   inputs, a run error, or a failed check outside §6 without a trigger (the watch could not
 *   decide). §6 findings are still listed.
 * - `hold-with-findings`: only §6 checks failed; each failure line is a finding in the reasons
 *   (which agent, which rate).
 * - `hold`: every check passed or was skipped on purpose.
 */
function decidePost(
  checks: readonly CheckRecord[],
  endReason: EndReason,
  runErrors: readonly string[],
  missing: readonly string[],
): { verdict: Decision; reasons: string[] } {
  const triggers = checks.flatMap((c) => {
    const t = triggerOf(c);
    return t ? [`${c.id}: ${t.line}`] : [];
  });
  const failed = checks.filter((c) => c.status === 'failed' && !triggerOf(c));
  const findings = failed
    .filter((c) => FINDING_SECTIONS.has(c.section))
    .flatMap((c) => (c.error ?? 'failed').split('\n').map((line) => `${c.id}: ${line}`));
  const undecided = failed
    .filter((c) => !FINDING_SECTIONS.has(c.section))
    .map((c) => `${c.id} failed without a measured rollback trigger: ${firstLine(c.error ?? 'no error recorded')}`);
  const open = openChecks(checks);
  const reasons = [
    ...triggers,
    ...findings,
    ...undecided,
    ...open.map(openReason),
    ...missing,
    ...runErrors.map(runErrorReason),
  ];
  if (triggers.length > 0) return { verdict: 'rollback', reasons };
  return undecidedOr(
    findings.length > 0 ? 'hold-with-findings' : 'hold',
    checks,
    endReason,
    undecided.length > 0 || open.length > 0 || missing.length > 0 || runErrors.length > 0,
    reasons,
  );
}

/** `incomplete` when the run cannot decide, else `decided` with the reasons that still apply (findings, explicit skips). */
function undecidedOr(
  decided: Decision,
  checks: readonly CheckRecord[],
  endReason: EndReason,
  open: boolean,
  reasons: string[],
): { verdict: Decision; reasons: string[] } {
  if (endReason === 'interrupted')
    return { verdict: 'incomplete', reasons: ['the run was interrupted before every check finished', ...reasons] };
  if (checks.length === 0) return { verdict: 'incomplete', reasons: ['no check ran', ...reasons] };
  if (open) return { verdict: 'incomplete', reasons };
  const explicit = checks
    .filter((c) => c.status === 'skipped')
    .map((c) => `${c.id} waived: ${(c.skip?.reason ?? '').replace(/^waived by CUTOVER_SKIP: /, '')}`);
  return { verdict: decided, reasons: [...reasons, ...explicit] };
}

/** The check's rollback trigger, if it failed with one whose numbers show a breach over enough samples. */
export function triggerOf(c: CheckRecord): RollbackTrigger | undefined {
  if (c.status !== 'failed') return undefined;
  const parsed = RollbackTrigger.safeParse(c.observations[ROLLBACK_TRIGGER]);
  if (!parsed.success) return undefined;
  const t = parsed.data;
  return t.value > t.limit && t.samples >= t.minSamples ? t : undefined;
}

/** Checks that ran but could not decide: inconclusive, or skipped for lack of inputs (not on purpose). */
function openChecks(checks: readonly CheckRecord[]): CheckRecord[] {
  return checks.filter((c) => c.status === 'inconclusive' || (c.status === 'skipped' && !c.skip?.explicit));
}

/**
 * Causes that fail many checks at once, as their messages name them: an endpoint that cannot be
 * reached (one DNS failure fails every check that talks to the gateway) and a Langfuse that
 * stores nothing of the run. Each becomes one reason naming the checks, not one echo per check.
 */
const SHARED_CAUSES: readonly { readonly pattern: RegExp; readonly cause: (m: RegExpExecArray) => string }[] = [
  {
    pattern: /\b[A-Z]+ (https?:\/\/[^/\s]+)\S*: unreachable \(([A-Z_]+)/,
    cause: (m) => `${m[1]} unreachable (${m[2]})`,
  },
  {
    pattern: /no trace of this run \(tag run:\S+\) reached Langfuse/,
    cause: () => 'no trace of this run reached Langfuse (Langfuse is not storing what LiteLLM sends)',
  },
];

function causeOf(c: CheckRecord): string | undefined {
  for (const s of SHARED_CAUSES) {
    const m = s.pattern.exec(c.error ?? '');
    if (m) return s.cause(m);
  }
  return undefined;
}

/** One reason per shared cause met by two or more checks (`<cause>: 11 checks failed for this reason (…)`), the rest one each. */
function byCause(checks: readonly CheckRecord[], each: (c: CheckRecord) => string): string[] {
  const groups = new Map<string, CheckRecord[]>();
  for (const c of checks) {
    const cause = causeOf(c);
    if (cause) groups.set(cause, [...(groups.get(cause) ?? []), c]);
  }
  const out: string[] = [];
  const said = new Set<string>();
  for (const c of checks) {
    const cause = causeOf(c);
    const group = cause ? groups.get(cause)! : [];
    if (!cause || group.length < 2) out.push(each(c));
    else if (!said.has(cause)) {
      said.add(cause);
      out.push(`${cause}: ${group.length} checks failed for this reason (${group.map((g) => g.id).join(', ')})`);
    }
  }
  return out;
}

function openReason(c: CheckRecord): string {
  // The harness prefixes an inconclusive check's error with "inconclusive: "; the reason already says so.
  const why = c.skip ? c.skip.reason : c.error ? firstLine(c.error).replace(/^inconclusive: /, '') : '';
  return `${c.id} ${c.status}${why ? `: ${why}` : ''}`;
}

function runErrorReason(e: string): string {
  return `run error: ${firstLine(e)}`;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? '';
}
