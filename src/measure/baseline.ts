import { existsSync, readFileSync } from 'node:fs';

/** The measurement `7/rollback-readiness` records and the post-cutover watch compares against. */
export const BASELINE_CHECK_ID = '7/rollback-readiness';
export const BASELINE_MEASUREMENT = 'gateway_p95_ms';

/**
 * The latency limit of the watch, k6/Kayenta style: `max(ratio × baseline, baseline + floor)`.
 * The ratio is the runbook's "latency doubles"; the absolute floor keeps a fast baseline
 * (a 20 ms p95 on a warm path) from turning ordinary jitter into a rollback.
 */
export function latencyLimit(baselineP95Ms: number, ratio: number, floorMs: number): number {
  return Math.max(ratio * baselineP95Ms, baselineP95Ms + floorMs);
}

/** Where the baseline came from, for the evidence. */
export type Baseline = { readonly p95Ms: number; readonly source: string };

/** A baseline, or why none could be found (every place looked at, in one sentence). */
export type BaselineResult = { ok: true; baseline: Baseline } | { ok: false; reason: string };

/**
 * Finds the pre-cutover gateway p95: first in the pre-cutover evidence bundle (the
 * `gateway_p95_ms` measurement of `7/rollback-readiness`), else `BASELINE_P95_MS`. The bundle
 * wins because it was measured on this stack just before the switch; the variable is for when
 * the pre-cutover run happened elsewhere. A bundle that exists but holds no usable value is
 * named in the reason, so the operator knows why it was passed over.
 */
export function resolveBaseline(o: { evidencePath: string; envP95Ms?: number }): BaselineResult {
  const notes: string[] = [];
  if (existsSync(o.evidencePath)) {
    const found = p95FromBundle(o.evidencePath);
    if (typeof found === 'number') return { ok: true, baseline: { p95Ms: found, source: `${o.evidencePath} (${BASELINE_CHECK_ID} ${BASELINE_MEASUREMENT})` } };
    notes.push(`${o.evidencePath} ${found}`);
  } else notes.push(`no pre-cutover evidence at ${o.evidencePath}`);
  if (o.envP95Ms !== undefined) return { ok: true, baseline: { p95Ms: o.envP95Ms, source: 'BASELINE_P95_MS' } };
  notes.push('BASELINE_P95_MS is not set');
  return { ok: false, reason: `no latency baseline: ${notes.join('; ')}. Run pnpm test:cutover before the switch (it records the baseline), or set BASELINE_P95_MS` };
}

/** The recorded p95, or a phrase saying what was wrong with the bundle. */
function p95FromBundle(file: string): number | string {
  let bundle: unknown;
  try {
    bundle = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return 'is not readable JSON';
  }
  const b = bundle as { run?: { phase?: string }; sections?: { checks?: { id?: string; measurements?: { name?: string; value?: unknown }[] }[] }[] };
  if (b.run?.phase !== undefined && b.run.phase !== 'pre') return `is a ${b.run.phase}-cutover bundle, not pre-cutover`;
  const check = (b.sections ?? []).flatMap((s) => s.checks ?? []).find((c) => c.id === BASELINE_CHECK_ID);
  if (!check) return `has no ${BASELINE_CHECK_ID} check`;
  const value = check.measurements?.find((m) => m.name === BASELINE_MEASUREMENT)?.value;
  return typeof value === 'number' && value > 0 ? value : `has no ${BASELINE_MEASUREMENT} value in ${BASELINE_CHECK_ID}`;
}
