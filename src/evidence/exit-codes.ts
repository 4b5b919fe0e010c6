import { decisionOf, type Verdict } from './model.ts';

/**
 * The exit codes of `pnpm test:cutover` and `pnpm test:post-cutover`, in one place (as k6 keeps
 * its own in `errext/exitcodes`), so a CI step or an on-call script can branch on them:
 * - `OK` (0): `go`, `go-with-waivers` or `hold` (and their `rehearsal-` and `config-ok`
 *   words), and every evidence file was written.
 * - `NOT_PASSED` (1): `no-go`, `rollback` or `incomplete`; also a refused evidence file or a
 *   failed `CUTOVER_ON_PASS` or `CUTOVER_ON_ROLLBACK` command, whatever the verdict.
 * - `CONFIG_REFUSED` (2): the configuration or the arguments were refused before anything was
 *   sent or written (`refuseConfig` in `refusal.ts`; the usage errors of the scripts).
 * - `HOLD_WITH_FINDINGS` (3): the gateway holds (no runbook §7 trigger fired) but §6
 *   expectations are missed. Non-zero so CI notices; not 1, so nobody rolls back for it.
 * - `INTERRUPTED` (130): SIGINT/SIGTERM, after the bundle marked `incomplete` was written
 *   (128 + SIGINT, as shells report it).
 */
export const ExitCode = {
  OK: 0,
  NOT_PASSED: 1,
  CONFIG_REFUSED: 2,
  HOLD_WITH_FINDINGS: 3,
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * The exit code a verdict ends the run with, before anything else (a refused file, a failed
 * `CUTOVER_ON_PASS` or `CUTOVER_ON_ROLLBACK`) can raise it to `NOT_PASSED`.
 */
export function exitCodeFor(verdict: Verdict): ExitCode {
  switch (decisionOf(verdict)) {
    case 'go':
    case 'go-with-waivers':
    case 'hold':
      return ExitCode.OK;
    case 'hold-with-findings':
      return ExitCode.HOLD_WITH_FINDINGS;
    case 'no-go':
    case 'rollback':
    case 'incomplete':
      return ExitCode.NOT_PASSED;
  }
}
