import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exitCodeFor } from '../src/evidence/exit-codes.ts';
import { verdictWord } from '../src/evidence/model.ts';
import type { MatrixRow } from './rows/row.ts';
import { evidenceFiles, runCutover, type CutoverRun } from './run-cutover.ts';

/** The outcome of one matrix row: what ran, and every way it differed from the row's promise. */
export interface RowVerdict {
  row: MatrixRow;
  name: string;
  run: CutoverRun;
  problems: string[];
}

/**
 * The shapes of the sandbox's generated credentials (`sandbox/index.ts`: a prefix and 24 random
 * hex digits; the Fly token in base64url). The values are random per run and unknown to the
 * selftest, so every output is searched for the shapes: any match is a leaked secret.
 */
const SANDBOX_SECRET_SHAPES =
  /\b(?:sk-sandbox-(?:master|upstream)-|sk-lf-sandbox-|pk-lf-sandbox-|sk-team-|pw-|ch-)[0-9a-f]{24}\b|FlyV1 fm2_[A-Za-z0-9_-]{32}/;

/** Outputs of a run (stdout, stderr, every evidence file) that contain a sandbox secret. */
function leakedSecrets(run: CutoverRun): string[] {
  const outputs: [string, string][] = [
    ['stdout', run.stdout],
    ['stderr', run.stderr],
    ...evidenceFiles(run.evidenceDir),
  ];
  return outputs.filter(([, text]) => SANDBOX_SECRET_SHAPES.test(text)).map(([name]) => name);
}

/** A row's display name: its own, or its faults, or the healthy baseline. */
export function rowName(row: MatrixRow): string {
  return row.name ?? (row.faults.length ? row.faults.join('+') : `healthy sandbox (${row.phase ?? 'pre'})`);
}

/**
 * Runs one row and judges it: the row's checks must end with the row's status and say why,
 * every other check must pass (or be skipped on purpose), and the verdict and exit code must
 * follow, and no output may contain a secret. Shared by the matrix selftest and
 * `pnpm selftest:matrix`.
 */
export async function judgeRow(row: MatrixRow): Promise<RowVerdict> {
  const filter = row.only
    ? ['-t', `(${row.only.map((id) => id.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')}) `]
    : [];
  const run = await runCutover(
    { SANDBOX_FAULTS: row.faults.join(','), ...row.env },
    { phase: row.phase, args: filter },
  );
  const name = rowName(row);
  const problems: string[] = leakedSecrets(run).map((where) => `a sandbox secret appears in ${where}`);
  if (!run.bundle)
    return {
      row,
      name,
      run,
      problems: [...problems, `no evidence written (exit ${run.exitCode}); stderr: ${run.stderr.slice(0, 400)}`],
    };
  const status = row.status ?? 'failed';
  // The record must say which stack it rehearsed: a broken sandbox must not read like a healthy one.
  const recorded = (run.bundle.run.sandboxFaults ?? []).join(',');
  if (recorded !== row.faults.join(','))
    problems.push(`the evidence records sandbox faults [${recorded}], the run had [${row.faults.join(',')}]`);
  const checks = run.bundle.sections.flatMap((s) => s.checks);
  if (checks.length === 0) problems.push('the run recorded no checks');
  // A row that runs only some checks judges those; the rest are recorded as not run.
  const judged = row.only ? checks.filter((c) => row.only!.includes(c.id)) : checks;
  const notGreen = judged.filter((c) => c.status !== 'passed' && !(c.status === 'skipped' && c.skip?.explicit));
  for (const c of notGreen)
    if (!row.fails.includes(c.id))
      problems.push(`${c.id} should pass but is ${c.status}: ${(c.error ?? c.skip?.reason ?? '').split('\n')[0]}`);
  for (const id of row.fails) {
    const c = checks.find((x) => x.id === id);
    if (!c) problems.push(`${id} is not in the evidence`);
    else if (c.status !== status) problems.push(`${id} should be ${status} but is ${c.status}`);
    else if (row.because && !row.because.test(c.error ?? c.skip?.reason ?? ''))
      problems.push(`${id} fails for another reason than ${row.because}: ${(c.error ?? '').slice(0, 300)}`);
  }
  for (const o of row.observes ?? []) {
    const value = checks.find((x) => x.id === o.check)?.observations[o.key];
    const text = value === undefined ? undefined : JSON.stringify(value);
    if (text === undefined || !o.matches.test(text))
      problems.push(
        `${o.check} should observe ${o.key} matching ${o.matches}, it has ${text?.slice(0, 300) ?? 'none'}`,
      );
  }
  // Every selftest run is a sandbox rehearsal: its verdict word says so (rehearsal-go, never go).
  const waived = (row.env?.CUTOVER_SKIP ?? '').trim() !== '';
  const [good, bad] =
    row.phase === 'post' ? (['hold', 'rollback'] as const) : ([waived ? 'go-with-waivers' : 'go', 'no-go'] as const);
  const decided = row.fails.length === 0 ? good : status === 'failed' ? bad : 'incomplete';
  const verdict = verdictWord(
    row.verdict ?? (row.only && row.fails.length === 0 ? 'incomplete' : decided),
    'rehearsal',
  );
  for (const id of row.only ?? [])
    if (!checks.some((c) => c.id === id)) problems.push(`${id} did not run although the row runs only it`);
  if (run.bundle.verdict !== verdict) problems.push(`verdict ${run.bundle.verdict}, expected ${verdict}`);
  const exit = exitCodeFor(verdict);
  if (run.exitCode !== exit) problems.push(`exit code ${run.exitCode}, expected ${exit}`);
  return { row, name, run, problems };
}
