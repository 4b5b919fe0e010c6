import type { Reporter, SerializedError, TestCase, TestModule, TestRunEndReason } from 'vitest/node';
import { newRunId } from '../src/config/index.ts';
import EvidenceReporter from '../reporters/evidence-reporter.ts';

/**
 * The evidence reporter of `pnpm test:cutover:ui`. The UI keeps one Vitest process open and lets
 * the engineer re-run the runbook, a file or one check; the evidence reporter writes one bundle
 * per process. So every run gets a fresh evidence reporter and, from the second run on, a fresh
 * run id: each run leaves its own bundle, and a re-run of part of the runbook is judged against
 * the whole catalogue (the checks it left out are open, so it never ends `go`).
 */
export default class UiEvidenceReporter implements Reporter {
  private current = new EvidenceReporter();
  private runs = 0;

  onInit(): void {
    this.current.onInit();
  }

  onTestRunStart(): void {
    if (this.runs++ === 0) return;
    process.env.CUTOVER_RUN_ID = newRunId();
    this.current = new EvidenceReporter();
    // Registers the new run's output guard and interrupt handler; the earlier runs' stay
    // attached, but have written their bundles, so they only redact and exit on a signal.
    this.current.onInit();
  }

  onTestModuleCollected(m: TestModule): void {
    this.current.onTestModuleCollected(m);
  }

  onTestCaseResult(t: TestCase): void {
    this.current.onTestCaseResult(t);
  }

  onTestRunEnd(
    modules: ReadonlyArray<TestModule>,
    unhandled: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): Promise<void> {
    return this.current.onTestRunEnd(modules, unhandled, reason);
  }
}
