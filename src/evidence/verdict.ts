import type { CheckRecord, Verdict } from './model.ts';

/**
 * Decides the run's verdict from its checks, with the reasons an auditor reads.
 * Pre-cutover: `go` only when every check passed or was skipped on purpose (CUTOVER_SKIP);
 * any failure is `no-go`; an inconclusive check, a check skipped for lack of inputs, an
 * interrupted run or a run with no checks at all is `incomplete`, because no data is never a pass.
 * Post-cutover maps the same way onto `hold` / `rollback` / `incomplete`.
 */
export function decideVerdict(phase: 'pre' | 'post', checks: readonly CheckRecord[], endReason: 'passed' | 'failed' | 'interrupted', runErrors: readonly string[]): { verdict: Verdict; reasons: string[] } {
  const [pass, fail] = phase === 'pre' ? (['go', 'no-go'] as const) : (['hold', 'rollback'] as const);
  const failed = checks.filter((c) => c.status === 'failed');
  const open = checks.filter((c) => c.status === 'inconclusive' || (c.status === 'skipped' && !c.skip?.explicit));
  const reasons: string[] = [
    ...failed.map((c) => `${c.id} failed`),
    ...open.map((c) => `${c.id} ${c.status}${c.skip ? `: ${c.skip.reason}` : c.error ? `: ${c.error.split('\n')[0]}` : ''}`),
    ...runErrors.map((e) => `run error: ${e.split('\n')[0]}`),
  ];
  if (failed.length > 0) return { verdict: fail, reasons };
  if (endReason === 'interrupted') return { verdict: 'incomplete', reasons: ['the run was interrupted before every check finished', ...reasons] };
  if (checks.length === 0) return { verdict: 'incomplete', reasons: ['no check ran', ...reasons] };
  if (open.length > 0 || runErrors.length > 0) return { verdict: 'incomplete', reasons };
  const explicit = checks.filter((c) => c.status === 'skipped').map((c) => `${c.id} skipped on purpose (CUTOVER_SKIP)`);
  return { verdict: pass, reasons: explicit };
}
