/**
 * The check registry: every runbook check, once. Its id, runbook section, title, phase, whether
 * it may be waived and whether the cost plan states its requests are facts read from here by the
 * harness (`check()` refuses an id not listed, and gives the body `c.id`), the cost plan
 * (`harness/plan.ts` keys its planners by `PlannedCheckId`), the verdict (a check missing from a
 * run did not pass), `CUTOVER_SKIP`, the HTML view's section titles and the selftest matrix's
 * coverage test.
 *
 * It lives in `evidence/`, not `harness/`, because the verdict and the views judge a bundle
 * against it, and `reporters/` may import only `src/evidence/`; the harness may read evidence, not
 * the other way round. So it is plain data: the planners (which need the config and a tokenizer)
 * stay in `harness/plan.ts`, tied to this list by the compiler through `PlannedCheckId`.
 *
 * Nothing here proves that `tests/` declares every entry; a full run does: an entry no test
 * declares is `not run` in every verdict, so the healthy rehearsal (`pnpm test:cutover`, the
 * selftests' healthy runs) cannot end `go`.
 */
export interface CatalogueEntry {
  readonly id: CheckId;
  readonly phase: 'pre' | 'post';
  /** The runbook section, as the evidence groups it: the id's prefix (`4.1/exact-cache` → `4.1`). */
  readonly section: string;
  /** The check's promise in one line: the test's name and the evidence's title. */
  readonly title: string;
  /**
   * Whether `CUTOVER_SKIP` may skip the check with a reason. The rule: a check may be waived when
   * a person can verify the same fact by other means (a Fly dashboard, a vault, a ClickHouse
   * console) and say so in the reason; never when the fact is the cutover itself: the gateway
   * answering (3/smoke), the agents pointing at it with live keys (6/agent-config, 6/team-keys),
   * the way back (7/rollback-readiness, which also records the baseline the watch needs) and,
   * after the switch, the rollback rules (7/watch).
   */
  readonly waivable: boolean;
  /** Why the check may not be waived; only on non-waivable checks. */
  readonly why?: string;
  /**
   * The cost plan (`pnpm test:cutover:plan`) states what the check sends before a run spends:
   * model requests, or (6/team-keys) requests made with the agents' own keys. `harness/plan.ts`
   * has a planner for exactly these.
   */
  readonly planned: boolean;
}

interface Spec {
  readonly id: string;
  readonly phase: 'pre' | 'post';
  readonly title: string;
  readonly why?: string;
  readonly planned?: true;
}

// By section, ids sorted within one, pre-cutover first: the order the cost plan, the verdict's
// `not run` list and CUTOVER_SKIP's suggestions follow.
const SPECS = [
  { id: '1/fly-secrets', phase: 'pre', title: 'the expected secret names exist on each Fly app (names only)' },
  {
    id: '1/langfuse-schema',
    phase: 'pre',
    title: 'Langfuse migrations applied: Postgres _prisma_migrations finished, ClickHouse schema_migrations not dirty',
  },
  { id: '1/redis', phase: 'pre', title: "the gateway's Redis cache backend is up" },
  {
    id: '1/tls',
    phase: 'pre',
    title: 'DNS resolves and the gateway and Langfuse certificates verify for their host, valid ≥ TLS_MIN_DAYS',
  },
  { id: '2/clickhouse', phase: 'pre', title: 'an authenticated SELECT 1 returns 1' },
  {
    id: '2/fly-machines',
    phase: 'pre',
    title: 'every machine is started in FLY_REGION and passes its checks; gateway, ui and worker each run one release',
  },
  {
    id: '2/langfuse-ui',
    phase: 'pre',
    title: 'log in with the vault credentials, dashboards load, Langfuse v3 with no pending migration',
  },
  { id: '2/minio', phase: 'pre', title: 'the cluster health route answers 200 (write quorum available)' },
  {
    id: '3/smoke',
    phase: 'pre',
    title: 'HTTP 200 in < 2 s through the gateway, and the trace visible in Langfuse',
    why: 'it is the proof that the gateway answers at all (HTTP 200 in < 2 s, traced)',
    planned: true,
  },
  {
    id: '4.1/exact-cache',
    phase: 'pre',
    title: 'the same request three times: a miss, then two hits under the threshold, recorded in Langfuse at zero cost',
    planned: true,
  },
  {
    id: '4.2/semantic-cache',
    phase: 'pre',
    title: 'a paraphrase is served from the semantic cache, an unrelated prompt is not',
    planned: true,
  },
  {
    id: '5.1/rpm-limit',
    phase: 'pre',
    title: 'limit+1 requests in one window: exactly rpm_limit answered, the rest 429, the throttle logged in Langfuse',
    planned: true,
  },
  {
    id: '5.2/failover',
    phase: 'pre',
    title:
      'a >2,000-token prompt to MODEL_DEFAULT is served by MODEL_ESCALATION with its cost in Langfuse; a 1,500-token control is not',
    planned: true,
  },
  {
    id: '6/agent-config',
    phase: 'pre',
    title:
      'every agent uses the gateway base URL and a resolvable TEAM_KEY_* reference, no inline key anywhere in the file',
    why: 'the switch is this config: agents that do not point at the gateway are not cut over',
  },
  {
    id: '6/team-keys',
    phase: 'pre',
    title:
      'every TEAM_KEY_* the agents use is a live gateway key, not expired or blocked, allowed their models; limits recorded',
    why: 'agents whose keys the gateway rejects fail on the first request after the switch',
    planned: true,
  },
  {
    id: '7/rollback-readiness',
    phase: 'pre',
    title:
      'direct OpenAI answers (the rollback target), the gateway serves with the cache bypassed, latency baseline recorded',
    why: 'no switch without a way back, and it records the latency baseline the watch rolls back on',
    planned: true,
  },
  {
    id: '6/live-traffic',
    phase: 'post',
    title: 'every agent has live traffic and the steady cache hit rate holds, overall and per agent',
  },
  {
    id: '7/watch',
    phase: 'post',
    title: 'error rate and p95 latency stay within the rollback thresholds for MONITOR_DURATION',
    why: 'it is the runbook §7 rollback decision itself',
  },
] as const satisfies readonly Spec[];

/** A check id the registry knows; `check()` and the planners take only these. */
export type CheckId = (typeof SPECS)[number]['id'];

/** The checks whose requests the cost plan states (`planned: true`). */
export type PlannedCheckId = Extract<(typeof SPECS)[number], { readonly planned: true }>['id'];

export const CATALOGUE: readonly CatalogueEntry[] = SPECS.map((s: Spec & { readonly id: CheckId }) => ({
  id: s.id,
  phase: s.phase,
  section: s.id.split('/')[0]!,
  title: s.title,
  waivable: s.why === undefined,
  ...(s.why ? { why: s.why } : {}),
  planned: s.planned === true,
}));

/** The runbook's section headings, so a view reads "§4.1 Exact cache" rather than a bare number. */
export const SECTION_TITLES: Readonly<Record<string, string>> = {
  '1': 'Prerequisites',
  '2': 'Infrastructure health',
  '3': 'Smoke tests',
  '4': 'Cache verification',
  '4.1': 'Exact cache',
  '4.2': 'Semantic cache',
  '5': 'Quota and failover',
  '5.1': 'RPM enforcement',
  '5.2': 'Failover',
  '6': 'Production agents',
  '7': 'Rollback plan and post-cutover watch',
  '8': 'Evidence logging',
};

/** The ids a full run of `phase` must hold; the config gate's run holds only `6/agent-config`. */
export function expectedChecks(
  phase: 'pre' | 'post',
  kind: 'cutover' | 'rehearsal' | 'config-gate' = 'cutover',
): string[] {
  if (kind === 'config-gate') return ['6/agent-config' satisfies CheckId];
  return CATALOGUE.filter((c) => c.phase === phase).map((c) => c.id);
}

/** The registry's entry for `id`, or `undefined` for an id it does not know (one read from a bundle or from CUTOVER_SKIP). */
export function catalogueEntry(id: string): CatalogueEntry | undefined {
  return CATALOGUE.find((c) => c.id === id);
}
