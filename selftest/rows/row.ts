import type { Decision } from '../../src/evidence/model.ts';

/** One row of the fault matrix: a cutover run against a sandbox with these faults. */
export interface MatrixRow {
  /** Sandbox faults switched on for this run; empty for a healthy run. */
  readonly faults: readonly string[];
  /** Check ids that must end `failed` (or `inconclusive` / `skipped`, see `status`); every other check must pass. */
  readonly fails: readonly string[];
  /** The status the `fails` checks must end with; default `failed`. */
  readonly status?: 'failed' | 'inconclusive' | 'skipped';
  /**
   * The decision the run must end with (and so its exit code); the judge expects it as a
   * rehearsal's word (`rehearsal-go`). Default: `go` / `hold` with no `fails` (`go-with-waivers`
   * when the row waives checks), else `no-go` / `rollback` for `failed`, else `incomplete`. A
   * post-cutover row whose failures are §6 findings ends `hold-with-findings`.
   */
  readonly verdict?: Decision;
  /** A pattern the message of each failing check must match: it must say why. */
  readonly because?: RegExp;
  /**
   * Observations the evidence must hold, each as its JSON text matched against a pattern: how a
   * row that ends green proves it took the path it names (e.g. traffic read from Langfuse).
   */
  readonly observes?: readonly { readonly check: string; readonly key: string; readonly matches: RegExp }[];
  /** Extra environment for the run. */
  readonly env?: Readonly<Record<string, string>>;
  /** `post` runs `pnpm test:post-cutover` (the 30-minute watch) instead of the pre-cutover suite. */
  readonly phase?: 'pre' | 'post';
  /** A name for rows that are not just their faults (a bad config, a warmed cache). */
  readonly name?: string;
  /**
   * The run waits far longer than a healthy one (a 20 s ingestion lag, the post-cutover watch):
   * such rows start first, so the matrix does not end waiting on one long row started last.
   */
  readonly long?: boolean;
  /**
   * Run only these checks (`-t`): for a row that proves one check against an outside server
   * (a real PostgreSQL), whose other checks the healthy row already proves green. A filtered run
   * cannot decide go: such a row ends `incomplete` when its checks pass, `no-go` when one fails.
   */
  readonly only?: readonly string[];
}
