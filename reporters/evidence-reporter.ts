import type { Reporter, TestCase, TestModule, TestRunEndReason } from 'vitest/node';
import type { SerializedError } from 'vitest';
import { buildBundle } from '../src/evidence/bundle.ts';
import type { CheckRecord } from '../src/evidence/model.ts';
import { readRunInfo } from '../src/evidence/run-info.ts';
import { runSecrets } from '../src/evidence/secrets.ts';
import { writeBundle } from '../src/evidence/write.ts';

/** The Vitest projects whose tests are runbook checks; unit and selftest runs write no evidence. */
const RUNBOOK_PROJECTS = new Set(['cutover']);

/**
 * Builds the evidence bundle from what the runbook checks recorded in `task.meta.check`, writes
 * it, and prints where it is and the verdict as the run's last lines. A test that crashed
 * before recording still appears, built from Vitest's own result, so nothing measured is lost.
 * A verdict other than go/hold makes the process exit non-zero even if Vitest thought it passed.
 */
export default class EvidenceReporter implements Reporter {
  private startedAt = new Date();

  onInit(): void {
    this.startedAt = new Date();
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    const runbook = modules.filter((m) => RUNBOOK_PROJECTS.has(m.project.name));
    if (runbook.length === 0) return;
    const secrets = runSecrets();
    const info = readRunInfo();
    const checks = runbook.flatMap((m) => [...m.children.allTests()].map(recordOf));
    const runErrors = [
      ...unhandled.map((e) => secrets.redact(e.message ?? String(e))),
      ...runbook.flatMap((m) => m.errors().map((e) => secrets.redact(`${m.relativeModuleId}: ${e.message}`))),
    ];
    const bundle = buildBundle(info, checks, { startedAt: this.startedAt, endedAt: new Date(), endReason: reason, runErrors });
    try {
      const dir = writeBundle(info.evidenceDir, bundle, secrets);
      process.stdout.write(`\nEvidence: ${dir}/evidence.json (and summary.md; latest copy in ${info.evidenceDir}/latest/)\nVerdict: ${bundle.verdict.toUpperCase()}${bundle.verdictReasons.length ? ` (${bundle.verdictReasons.length} reason${bundle.verdictReasons.length === 1 ? '' : 's'}: ${bundle.verdictReasons.map((r) => secrets.redact(r)).join('; ')})` : ''}\n`);
    } catch (err) {
      process.stderr.write(`\nEvidence NOT written: ${secrets.redact((err as Error).message)}\n`);
      process.exitCode = 1;
      return;
    }
    if (bundle.verdict !== 'go' && bundle.verdict !== 'hold') process.exitCode = 1;
  }
}

/** The check's own record, or one reconstructed from Vitest's result when the test died before recording. */
function recordOf(t: TestCase): CheckRecord {
  const recorded = t.meta().check;
  if (recorded) return recorded;
  const r = t.result();
  const [id = t.name, ...rest] = t.name.split(' ');
  const base = { id, section: id.split('/')[0] ?? id, title: rest.join(' '), measurements: [], observations: {}, links: [], durationMs: t.diagnostic()?.duration ?? 0 };
  if (r.state === 'failed') return { ...base, status: 'failed', error: runSecrets().redact(r.errors.map((e) => e.message).join('\n')) };
  if (r.state === 'passed') return { ...base, status: 'failed', error: 'the test passed without recording evidence (a check must use check())' };
  return { ...base, status: 'skipped', skip: { reason: r.state === 'skipped' && r.note ? r.note : 'not run', explicit: false } };
}
