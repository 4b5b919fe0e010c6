import { join } from 'node:path';
import {
  type CheckRecord,
  decisionOf,
  type EvidenceBundle,
  ROLLBACK_TRIGGER,
  type RollbackTrigger,
  type UnsignedBundle,
} from './model.ts';
import { type HookResult, runHook } from './on-pass.ts';
import { triggerOf } from './verdict.ts';
import { bound, LIMITS, stripControl } from './sanitize.ts';

/** The breach a `rollback` verdict rests on, as the hook is told it. */
export interface RollbackNotice {
  /** The check that measured it, e.g. `7/watch`. */
  readonly checkId: string;
  /** What the on-call engineer read, e.g. `ROLLBACK: error rate 10.0 % > 2.0 % over 40 requests (window 10 s)`. */
  readonly line: string;
  /** The runbook §7 row to follow, e.g. `LiteLLM unavailable`. */
  readonly row: string;
}

/** How a check's failure names the §7 row it applies: `Runbook §7, "LiteLLM unavailable": …`. */
const ROW_NAMED = /Runbook §7, "([^"\n]{1,200})"/;

/**
 * The runbook §7 sentence each rule comes from, for a breach whose check names no row:
 * "If error rate exceeds 2% or latency doubles, initiate rollback immediately."
 */
const RULE_SENTENCE: Record<RollbackTrigger['rule'], string> = {
  'error-rate': 'error rate exceeds the limit',
  latency: 'latency doubles',
};

/**
 * The first breach of the bundle: a failed check whose recorded `RollbackTrigger` shows a
 * measured value over its limit over at least `minSamples` requests, the same test the verdict
 * applies (`src/evidence/verdict.ts`), so the hook is told exactly the breach that decided.
 * `undefined` when no check carries one. The row is the one the check's failure names, else
 * the §7 rule the trigger measured. Text is stripped of control characters and bounded.
 */
export function rollbackNotice(bundle: UnsignedBundle): RollbackNotice | undefined {
  for (const c of bundle.sections.flatMap((s) => s.checks)) {
    const t = triggerOf(c);
    if (!t) continue;
    const named = ROW_NAMED.exec(c.error ?? '')?.[1];
    return {
      checkId: bound(stripControl(c.id), LIMITS.name),
      line: bound(stripControl(t.line), LIMITS.line),
      row: bound(stripControl(named ?? RULE_SENTENCE[t.rule]), LIMITS.name),
    };
  }
  return undefined;
}

/**
 * What the `CUTOVER_ON_ROLLBACK` command gets on top of the scrubbed environment:
 * `CUTOVER_ROLLBACK_LINE`, `CUTOVER_RUNBOOK_ROW`, `CUTOVER_ROLLBACK_CHECK`,
 * `CUTOVER_EVIDENCE_PATH` (`<dir>/evidence.json`), `CUTOVER_VERDICT`, `CUTOVER_RUN_ID` and
 * `CUTOVER_PHASE`.
 */
export function onRollbackVariables(
  bundle: UnsignedBundle,
  dir: string,
  notice: RollbackNotice,
): Record<string, string> {
  return {
    CUTOVER_ROLLBACK_LINE: notice.line,
    CUTOVER_RUNBOOK_ROW: notice.row,
    CUTOVER_ROLLBACK_CHECK: notice.checkId,
    CUTOVER_EVIDENCE_PATH: join(dir, 'evidence.json'),
    CUTOVER_VERDICT: bundle.verdict,
    CUTOVER_RUN_ID: bundle.run.id,
    CUTOVER_PHASE: bundle.run.phase,
  };
}

/**
 * Runs the operator's `CUTOVER_ON_ROLLBACK` command (a page, a post to the incident channel)
 * once, after a post-cutover run against the deployment ends `rollback`, with the variables of
 * `onRollbackVariables` and no secret, like `CUTOVER_ON_PASS` (see `runHook`). The watch stops
 * at its first breach, so the run ends, and this runs, as soon as the breach is known. Never
 * after a rehearsal's `rehearsal-rollback`: a sandbox's simulated traffic must never page
 * anyone. Never throws: a failing command is reported and cannot change the verdict written.
 */
export async function runOnRollback(
  bundle: EvidenceBundle | UnsignedBundle,
  dir: string,
  command: string,
  o: { timeoutMs?: number; cwd?: string } = {},
): Promise<HookResult> {
  if (!command.trim()) return { ran: false, reason: 'CUTOVER_ON_ROLLBACK is empty' };
  if (bundle.verdict !== 'rollback') {
    return {
      ran: false,
      reason:
        decisionOf(bundle.verdict) === 'rollback'
          ? `verdict is ${bundle.verdict}; a rehearsal's simulated traffic never pages anyone`
          : `verdict is ${bundle.verdict}; CUTOVER_ON_ROLLBACK runs only after a rollback`,
    };
  }
  const notice = rollbackNotice(bundle);
  // The verdict is `rollback` only with a measured trigger; a bundle without one was not decided here.
  if (!notice) return { ran: false, reason: 'verdict is rollback but no check records the breach' };
  return runHook('CUTOVER_ON_ROLLBACK', command, onRollbackVariables(bundle, dir, notice), o);
}
