/**
 * Every runbook check, by phase: what a verdict is judged against. A `go` says the whole
 * pre-cutover runbook ran and held, so a check missing from a run (a file filter, `-t`, a
 * crash before it was collected) is a check that did not pass, never one that did not count.
 * `catalogue.test.ts` proves this list and the `check(…)` calls in `tests/` name the same ids.
 *
 * `waivable` says whether `CUTOVER_SKIP` may skip the check with a reason; `why` says why a
 * check may not be waived. The rule: a check may be waived when a person can verify the same
 * fact by other means (a Fly dashboard, a vault, a ClickHouse console) and say so in the reason;
 * never when the fact is the cutover itself: the gateway answering (3/smoke), the agents
 * pointing at it with live keys (6/agent-config, 6/team-keys), the way back (7/rollback-readiness,
 * which also records the baseline the watch needs) and, after the switch, the rollback rules
 * (7/watch).
 */
export interface CatalogueEntry {
  readonly id: string;
  readonly phase: 'pre' | 'post';
  /** The runbook section, as the evidence groups it. */
  readonly section: string;
  readonly waivable: boolean;
  /** Why the check may not be waived; only on non-waivable checks. */
  readonly why?: string;
}

const entry = (id: string, phase: 'pre' | 'post', why?: string): CatalogueEntry => ({ id, phase, section: id.split('/')[0]!, waivable: why === undefined, ...(why ? { why } : {}) });

export const CATALOGUE: readonly CatalogueEntry[] = [
  entry('1/fly-secrets', 'pre'),
  entry('1/langfuse-schema', 'pre'),
  entry('1/redis', 'pre'),
  entry('1/tls', 'pre'),
  entry('2/clickhouse', 'pre'),
  entry('2/fly-machines', 'pre'),
  entry('2/langfuse-ui', 'pre'),
  entry('2/minio', 'pre'),
  entry('3/smoke', 'pre', 'it is the proof that the gateway answers at all (HTTP 200 in < 2 s, traced)'),
  entry('4.1/exact-cache', 'pre'),
  entry('4.2/semantic-cache', 'pre'),
  entry('5.1/rpm-limit', 'pre'),
  entry('5.2/failover', 'pre'),
  entry('6/agent-config', 'pre', 'the switch is this config: agents that do not point at the gateway are not cut over'),
  entry('6/team-keys', 'pre', 'agents whose keys the gateway rejects fail on the first request after the switch'),
  entry('7/rollback-readiness', 'pre', 'no switch without a way back, and it records the latency baseline the watch rolls back on'),
  entry('6/live-traffic', 'post'),
  entry('7/watch', 'post', 'it is the runbook §7 rollback decision itself'),
];

/** The ids a full run of `phase` must hold; the config gate's run holds only `6/agent-config`. */
export function expectedChecks(phase: 'pre' | 'post', kind: 'cutover' | 'rehearsal' | 'config-gate' = 'cutover'): string[] {
  if (kind === 'config-gate') return ['6/agent-config'];
  return CATALOGUE.filter((c) => c.phase === phase).map((c) => c.id);
}

export function catalogueEntry(id: string): CatalogueEntry | undefined {
  return CATALOGUE.find((c) => c.id === id);
}
