import { existsSync, readFileSync } from 'node:fs';
import { digestOf } from '../evidence/digest.ts';

/** The measurement `7/rollback-readiness` records and the post-cutover watch compares against. */
const BASELINE_CHECK_ID = '7/rollback-readiness';
export const BASELINE_MEASUREMENT = 'gateway_p95_ms';

/**
 * The latency limit of the watch, k6/Kayenta style: `max(ratio × baseline, baseline + floor)`.
 * The ratio is the runbook's "latency doubles"; the absolute floor keeps a fast baseline
 * (a 20 ms p95 on a warm path) from turning ordinary jitter into a rollback.
 */
export function latencyLimit(baselineP95Ms: number, ratio: number, floorMs: number): number {
  return Math.max(ratio * baselineP95Ms, baselineP95Ms + floorMs);
}

/** Where the baseline came from, for the evidence: the source, and for a bundle which run it was. */
type Baseline = {
  readonly p95Ms: number;
  readonly source: string;
  /** The pre-cutover run it was measured in: what an auditor checks against that run's own evidence. */
  readonly run?: {
    readonly id: string;
    readonly digest: string;
    readonly verdict: string;
    readonly gatewayUrl: string;
    readonly endedAt: string;
    readonly ageMs: number;
  };
};

/** A baseline, or why none could be found (every place looked at, in one sentence). */
export type BaselineResult = { ok: true; baseline: Baseline } | { ok: false; reason: string };

/** The verdicts of a pre-cutover run whose baseline the watch may use: a cutover gate's go. */
const BASELINE_VERDICTS: ReadonlySet<string> = new Set(['go', 'go-with-waivers']);

export interface BaselineQuery {
  readonly evidencePath: string;
  /** The operator named the bundle (BASELINE_EVIDENCE, --baseline): a refused one is not silently replaced by BASELINE_P95_MS. */
  readonly pinned?: boolean;
  readonly envP95Ms?: number;
  /** This run's gateway URL: a baseline measured against another gateway is refused. */
  readonly gatewayUrl?: string;
  readonly now?: number;
}

/**
 * Finds the pre-cutover gateway p95: first in the pre-cutover evidence bundle (the
 * `gateway_p95_ms` measurement of `7/rollback-readiness`), else `BASELINE_P95_MS`. A bundle is
 * used only when it is intact (its digest matches), a `go` of a cutover gate (not a rehearsal,
 * the config gate, a no-go or a filtered run) and measured against this gateway; otherwise it is
 * refused, saying which. A refused bundle the operator pinned ends the search (the latency rule
 * then cannot decide, which is honest); the default `latest-pre` falls back to BASELINE_P95_MS.
 */
export function resolveBaseline(o: BaselineQuery): BaselineResult {
  const notes: string[] = [];
  if (existsSync(o.evidencePath)) {
    const found = fromBundle(o.evidencePath, o);
    if (typeof found !== 'string') return { ok: true, baseline: found };
    notes.push(`${o.evidencePath} ${found}`);
    if (o.pinned)
      return { ok: false, reason: `no latency baseline: the pinned pre-cutover evidence ${o.evidencePath} ${found}` };
  } else {
    notes.push(`no pre-cutover evidence at ${o.evidencePath}`);
    if (o.pinned)
      return {
        ok: false,
        reason: `no latency baseline: the pinned pre-cutover evidence ${o.evidencePath} does not exist`,
      };
  }
  if (o.envP95Ms !== undefined)
    return { ok: true, baseline: { p95Ms: o.envP95Ms, source: `BASELINE_P95_MS (${notes.join('; ')})` } };
  notes.push('BASELINE_P95_MS is not set');
  return {
    ok: false,
    reason: `no latency baseline: ${notes.join('; ')}. Run pnpm test:cutover against the deployment before the switch (its go records the baseline), or set BASELINE_P95_MS`,
  };
}

/** The baseline of a bundle, or a phrase saying why it cannot be one. */
function fromBundle(file: string, o: BaselineQuery): Baseline | string {
  let bundle: unknown;
  try {
    bundle = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return 'is not readable JSON';
  }
  const b = bundle as {
    digest?: string;
    verdict?: string;
    run?: { id?: string; phase?: string; kind?: string; endedAt?: string };
    environment?: { gateway?: { url?: string } };
    sections?: { checks?: { id?: string; measurements?: { name?: string; value?: unknown }[] }[] }[];
  };
  if (b.run?.phase !== 'pre') return `is a ${b.run?.phase ?? 'phase-less'} bundle, not pre-cutover`;
  if (typeof b.digest !== 'string' || b.digest !== digestOf(bundle as Record<string, unknown>))
    return 'fails its digest: it was changed after it was written (pnpm evidence:verify names what)';
  if (b.run.kind !== 'cutover')
    return `is a ${b.run.kind ?? 'pre-kind'} run (verdict ${b.verdict}), not a cutover gate against the deployment`;
  if (!BASELINE_VERDICTS.has(b.verdict ?? ''))
    return `ended ${b.verdict ?? 'without a verdict'}: only a go may be the baseline`;
  const measuredAgainst = b.environment?.gateway?.url ?? '';
  if (o.gatewayUrl !== undefined && sameGateway(measuredAgainst, o.gatewayUrl) !== true)
    return `was measured against another gateway (${measuredAgainst || 'none recorded'}, this run watches ${o.gatewayUrl})`;
  const check = (b.sections ?? []).flatMap((s) => s.checks ?? []).find((c) => c.id === BASELINE_CHECK_ID);
  if (!check) return `has no ${BASELINE_CHECK_ID} check`;
  const value = check.measurements?.find((m) => m.name === BASELINE_MEASUREMENT)?.value;
  if (!(typeof value === 'number' && value > 0)) return `has no ${BASELINE_MEASUREMENT} value in ${BASELINE_CHECK_ID}`;
  const endedAt = b.run.endedAt ?? '';
  return {
    p95Ms: value,
    source: `${file} (${BASELINE_CHECK_ID} ${BASELINE_MEASUREMENT})`,
    run: {
      id: b.run.id ?? 'unknown',
      digest: b.digest,
      verdict: b.verdict ?? 'unknown',
      gatewayUrl: measuredAgainst,
      endedAt,
      ageMs: Math.max(0, (o.now ?? Date.now()) - Date.parse(endedAt)) || 0,
    },
  };
}

/** The two URLs name the same gateway (scheme, host, port and path, credentials and a trailing slash ignored); `undefined` when either is not a URL. */
function sameGateway(a: string, b: string): boolean | undefined {
  try {
    const norm = (u: string): string => {
      const url = new URL(u);
      return `${url.protocol}//${url.host}${url.pathname.replace(/\/$/, '')}`;
    };
    return norm(a) === norm(b);
  } catch {
    return undefined;
  }
}
