import type { Reporter, TestCase, TestModule, TestRunEndReason } from 'vitest/node';
import type { SerializedError } from 'vitest';
import { buildBundle } from '../src/evidence/bundle.ts';
import { ExitCode, exitCodeFor } from '../src/evidence/exit-codes.ts';
import type { CheckRecord } from '../src/evidence/model.ts';
import { clearPartials, loadPartials, partialDir } from '../src/evidence/partial.ts';
import { readRunInfo } from '../src/evidence/run-info.ts';
import { runSecrets } from '../src/evidence/secrets.ts';
import { renderHtml } from '../src/evidence/html.ts';
import { type HookResult, hookLog, runOnPass } from '../src/evidence/on-pass.ts';
import { runOnRollback } from '../src/evidence/on-rollback.ts';
import { verdictLine } from '../src/evidence/verdict-text.ts';
import { criticalPathText } from '../src/evidence/gantt.ts';
import { criticalPath } from '../src/evidence/timeline.ts';
import { signingKey } from '../src/evidence/signing-key.ts';
import { writeBundle } from '../src/evidence/write.ts';
import { errorMessage } from '../src/evidence/error-text.ts';

/** The Vitest projects whose tests are runbook checks; unit and selftest runs write no evidence. */
const RUNBOOK_PROJECTS = new Set(['cutover', 'post-cutover', 'config-gate']);

/**
 * Builds the evidence bundle from what the runbook checks recorded in `task.meta.check`, writes
 * it, and prints where it is, the critical path (when the checks recorded timelines) and the
 * verdict as the run's last lines.
 * - A test that crashed before recording still appears, rebuilt from Vitest's result.
 * - Interrupted (SIGINT/SIGTERM): the bundle is written at once, marked `incomplete`, from the
 *   finished checks plus the partial records of the checks still running.
 * - Every byte the run prints goes through a filter that redacts configured secret values; a
 *   redaction fails the run loudly, because the suite must never have tried to print one.
 * - The verdict sets the exit code (`src/evidence/exit-codes.ts`) even if Vitest passed: 0 for
 *   go/hold, 3 for hold-with-findings, 1 otherwise and for an evidence file refused.
 */
export default class EvidenceReporter implements Reporter {
  private startedAt = new Date();
  private readonly finished = new Map<string, CheckRecord>();
  private runbookSeen = false;
  private written = false;
  private readonly leaked = new Set<string>();

  onInit(): void {
    this.startedAt = new Date();
    this.guardOutput(process.stdout);
    this.guardOutput(process.stderr);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      // `on`, not `once`: a wrapper (tsx) may relay the same Ctrl+C a second time, and with no
      // listener left that second signal would kill the process before anything is written.
      process.on(signal, () => {
        if (this.runbookSeen && !this.written) this.write([], 'interrupted', [`the run was interrupted by ${signal}`]);
        // Vitest exits on its own a millisecond after the first signal; this covers the runs
        // (and the repeated signals) where it does not.
        setTimeout(() => process.exit(ExitCode.INTERRUPTED), 50).unref();
      });
    }
  }

  onTestModuleCollected(m: TestModule): void {
    if (RUNBOOK_PROJECTS.has(m.project.name)) this.runbookSeen = true;
  }

  onTestCaseResult(t: TestCase): void {
    if (!RUNBOOK_PROJECTS.has(t.project.name)) return;
    const r = recordOf(t);
    this.finished.set(r.id, r);
  }

  async onTestRunEnd(
    modules: ReadonlyArray<TestModule>,
    unhandled: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): Promise<void> {
    const runbook = modules.filter((m) => RUNBOOK_PROJECTS.has(m.project.name));
    if (runbook.length === 0 || this.written) return;
    for (const t of runbook.flatMap((m) => [...m.children.allTests()])) {
      const r = recordOf(t);
      if (!this.finished.has(r.id) || r.status !== 'skipped') this.finished.set(r.id, r);
    }
    const secrets = runSecrets();
    const runErrors = [
      ...unhandled.map((e) => secrets.redact(e.message ?? String(e))),
      ...runbook.flatMap((m) => m.errors().map((e) => secrets.redact(`${m.relativeModuleId}: ${e.message}`))),
    ];
    const written = this.write(runErrors, reason, []);
    if (!written) return;
    // Each hook refuses the verdicts it is not for; asked every time it is set, so the log says why it did not run.
    // Runbook §8: log completion, with links and deploy hashes, only once the verdict allows it.
    await this.hook('CUTOVER_ON_PASS', (command) => runOnPass(written.bundle, written.dir, command));
    // Runbook §7 "initiate rollback immediately": the watch stops at its first breach, so the run
    // ends, and the page goes out, as soon as the breach is known.
    await this.hook('CUTOVER_ON_ROLLBACK', (command) => runOnRollback(written.bundle, written.dir, command));
  }

  /**
   * Runs one operator hook if its variable is set, and logs the outcome. A failed hook makes
   * the exit code non-zero whatever the verdict; the bundle is already written and signed, so
   * its outcome is recorded in the run's log (the CI log), not in the bundle.
   */
  private async hook(name: string, run: (command: string) => Promise<HookResult>): Promise<void> {
    const command = process.env[name]?.trim();
    if (!command) return;
    const r = await run(command);
    process.stdout.write(hookLog(name, r));
    if (r.ran && !r.ok) process.exitCode = ExitCode.NOT_PASSED;
  }

  /**
   * Writes the bundle once. The run's partial records are removed whatever happens here (a
   * clean write, a refused view, evidence.json refused for a secret, any other failure): they
   * are raw check records, and whatever they held is either in the bundle now or refused.
   */
  private write(
    runErrors: string[],
    reason: TestRunEndReason,
    extraReasons: string[],
  ): ReturnType<typeof writeBundle> | undefined {
    this.written = true;
    const secrets = runSecrets();
    let partials: string | undefined;
    try {
      const info = readRunInfo();
      // The checks and the rest of the run keyed their partial records by the raw run id.
      partials = partialDir(info.evidenceDir, info.runIdRefused?.raw ?? info.runId);
      // Checks that never finished keep what they measured, marked inconclusive by their recorder.
      // Partial records are redacted and scanned again by writeBundle, with the rest of the bundle.
      const checks = [...this.finished.values()];
      for (const p of loadPartials(partials)) if (!this.finished.has(p.id)) checks.push(p);
      if (this.leaked.size > 0)
        runErrors.push(
          `a configured secret (${[...this.leaked].join(', ')}) was about to be printed and was redacted; the suite must never print secrets`,
        );
      if (info.runIdRefused) runErrors.push(info.runIdRefused.error);
      const unsigned = buildBundle(info, checks, {
        startedAt: this.startedAt,
        endedAt: new Date(),
        endReason: reason,
        runErrors: [...extraReasons, ...runErrors],
      });
      // Only a cutover gate's go may become the watch's baseline (latest-pre): never a rehearsal,
      // the config gate, a filtered or failed run.
      const baseline =
        unsigned.run.phase === 'post' ||
        (unsigned.run.kind === 'cutover' && (unsigned.verdict === 'go' || unsigned.verdict === 'go-with-waivers'));
      const res = writeBundle(unsigned, {
        root: info.evidenceDir,
        secrets,
        views: { 'report.html': renderHtml },
        phaseLatest: baseline,
        signingKey: signingKey(),
      });
      const b = res.bundle;
      for (const r of res.refused) process.stderr.write(`\nEvidence file NOT written: ${r}\n`);
      for (const r of res.replaced)
        process.stderr.write(
          `\nEvidence: ${r} was a symbolic link; the link was removed (its target is untouched) and a directory written in its place\n`,
        );
      // The digest is printed too: the CI log is then a record of the bundle kept apart from it.
      // The critical path goes before the verdict, which stays the last line.
      const path = criticalPath(
        b.run,
        b.sections.flatMap((s) => s.checks),
      );
      process.stdout.write(
        `\nEvidence: ${res.dir}/ (evidence.json, summary.md, report.html, junit.xml; latest copy in ${info.evidenceDir}/latest/${baseline && b.run.phase === 'pre' ? `, baseline for the watch in ${info.evidenceDir}/latest-pre/` : ''})\nEvidence digest: ${b.digest}\n${path ? `${criticalPathText(path)}\n` : ''}${verdictLine(b)}\n`,
      );
      // Vitest has already set 1 for any failed test; the verdict refines it (3 for findings), and
      // a go/hold leaves Vitest's own code alone rather than clearing a failure it saw.
      const code = res.refused.length > 0 ? ExitCode.NOT_PASSED : exitCodeFor(b.verdict);
      if (code !== ExitCode.OK) process.exitCode = code;
      return res;
    } catch (err) {
      process.stderr.write(`\nEvidence NOT written: ${secrets.redact(errorMessage(err))}\n`);
      process.exitCode = ExitCode.NOT_PASSED;
      return undefined;
    } finally {
      if (partials) removePartials(partials, secrets);
    }
  }

  /** Redacts configured secret values from everything written to `stream`, remembering which leaked. */
  private guardOutput(stream: NodeJS.WriteStream): void {
    const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string' || chunk instanceof Uint8Array) {
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
        const secrets = runSecrets();
        const names = secrets.findIn(text);
        if (names.length > 0) {
          for (const n of names) this.leaked.add(n);
          return original(secrets.redact(text), ...rest);
        }
      }
      return original(chunk, ...rest);
    }) as typeof stream.write;
  }
}

/** Clears the run's partial records; a failure is reported, never thrown, since the run's outcome is already decided. */
function removePartials(partials: string, secrets: ReturnType<typeof runSecrets>): void {
  try {
    clearPartials(partials);
  } catch (err) {
    process.stderr.write(
      `\nPartial check records NOT removed (delete ${partials}/ by hand): ${secrets.redact(errorMessage(err))}\n`,
    );
  }
}

/** The check's own record, or one reconstructed from Vitest's result when the test died before recording. */
function recordOf(t: TestCase): CheckRecord {
  const recorded = t.meta().check;
  if (recorded) return recorded;
  const r = t.result();
  const [id = t.name, ...rest] = t.name.split(' ');
  const base = {
    id,
    section: id.split('/')[0] ?? id,
    title: rest.join(' '),
    measurements: [],
    observations: {},
    links: [],
    durationMs: t.diagnostic()?.duration ?? 0,
  };
  if (r.state === 'failed')
    return { ...base, status: 'failed', error: runSecrets().redact(r.errors.map((e) => e.message).join('\n')) };
  if (r.state === 'passed')
    return {
      ...base,
      status: 'failed',
      error: 'the test passed without recording evidence (a check must use check())',
    };
  return {
    ...base,
    status: 'skipped',
    skip: { reason: r.state === 'skipped' && r.note ? r.note : 'not run', explicit: false },
  };
}
