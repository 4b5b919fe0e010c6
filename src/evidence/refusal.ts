import { ConfigError, newRunId, type ConfigProblem } from '../config/index.ts';
import { buildBundle } from './bundle.ts';
import { renderHtml } from './html.ts';
import { faultList, profileName, readRunInfo } from './run-info.ts';
import { runSecrets } from './secrets.ts';
import { signingKey } from './signing-key.ts';
import { writeBundle } from './write.ts';
import { errorMessage } from './error-text.ts';
import { ExitCode } from './exit-codes.ts';

/**
 * Writes the evidence of a run refused at preflight: no check ran, the verdict is `incomplete`,
 * and every configuration problem is a run error naming its variable. An auditor then finds a
 * record of the refused attempt instead of nothing. A bad `CUTOVER_RUN_ID` (one preflight
 * refused, or one that is no plain directory name whatever preflight said: see `readRunInfo`)
 * is replaced by a fresh id, because it must never become a path; nothing is written when `CUTOVER_EVIDENCE_DIR`
 * itself is the problem, and `latest-<phase>/` keeps the last run that measured something (the
 * post-cutover watch reads its baseline there). Returns the bundle's directory, or undefined when none was written;
 * never throws, because the refusal message has already been given.
 */
export function writeRefusal(problems: readonly ConfigProblem[], startedAt: Date): string | undefined {
  if (problems.some((p) => p.variable === 'CUTOVER_EVIDENCE_DIR')) return undefined;
  try {
    if (!process.env.CUTOVER_RUN_ID || problems.some((p) => p.variable === 'CUTOVER_RUN_ID'))
      process.env.CUTOVER_RUN_ID = newRunId();
    // readRunInfo replaces, and reports, a run id that is no plain name even if preflight let it through.
    const info = readRunInfo();
    // CUTOVER_TARGET is set only once the setup starts the sandbox; a refused run never got there.
    // The config gate is offline and judges the deployment's agents config, never a sandbox.
    const target =
      process.env.GATEWAY_URL?.trim() || process.env.CUTOVER_RUN_KIND === 'config-gate' ? 'deployment' : 'sandbox';
    const runErrors = problems.map((p) => `configuration refused, nothing was sent: ${p.variable}: ${p.problem}`);
    if (info.runIdRefused) runErrors.push(info.runIdRefused.error);
    const sandboxFaults = target === 'sandbox' ? faultList(process.env.SANDBOX_FAULTS) : undefined;
    const sandboxProfile = target === 'sandbox' ? profileName(process.env.SANDBOX_PROFILE) : undefined;
    const unsigned = buildBundle({ ...info, target, sandboxFaults, sandboxProfile }, [], {
      startedAt,
      endedAt: new Date(),
      endReason: 'failed',
      runErrors,
    });
    const res = writeBundle(unsigned, {
      root: info.evidenceDir,
      secrets: runSecrets(),
      views: { 'report.html': renderHtml },
      phaseLatest: false,
      signingKey: signingKey(),
    });
    for (const r of res.replaced)
      process.stderr.write(
        `Evidence: ${r} was a symbolic link; the link was removed (its target is untouched) and a directory written in its place\n`,
      );
    return res.dir;
  } catch (err) {
    process.stderr.write(`Evidence of the refusal NOT written: ${runSecrets().redact(errorMessage(err))}\n`);
    return undefined;
  }
}

/**
 * The one way a run ends on a configuration error, for every entry point (`pnpm test:cutover`'s
 * preflight, the Vitest setups of the cutover project and of the config gate): one readable
 * message naming every variable, the evidence of the refusal, and exit code
 * `CONFIG_REFUSED`. Exiting here, rather than throwing, keeps Vitest from printing a stack
 * trace under the message and guarantees no test (and so no request) starts.
 */
export function refuseConfig(problems: readonly ConfigProblem[], startedAt = new Date()): never {
  process.stderr.write(`\n${new ConfigError(problems).message}\n`);
  const dir = writeRefusal(problems, startedAt);
  if (dir) process.stderr.write(`Evidence of the refusal: ${dir}/ (verdict INCOMPLETE)\n`);
  process.exit(ExitCode.CONFIG_REFUSED);
}
