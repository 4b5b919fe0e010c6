import { decisionOf, type Decision, type UnsignedBundle } from './model.ts';

/** What the views need to word a verdict: the verdict and who it was reached against. */
type Verdicted = Pick<UnsignedBundle, 'verdict'> & {
  run: Pick<UnsignedBundle['run'], 'target' | 'sandboxFaults'> & Partial<Pick<UnsignedBundle['run'], 'kind'>>;
};

/** What each verdict tells the operator to do, against a real deployment. */
const DEPLOYMENT: Record<Decision, string> = {
  go: 'Every check of the pre-cutover runbook ran and passed: production agents may be switched to the gateway.',
  'go-with-waivers':
    'Every check that ran passed, and the checks listed were waived by CUTOVER_SKIP with the reasons given: production agents may be switched once someone accountable accepts each waiver. Not every check passed: the waived ones were not run.',
  'no-go': 'At least one check failed: do not switch production agents.',
  hold: 'No rollback trigger fired during the watch: keep the agents on the gateway.',
  'hold-with-findings':
    'No rollback trigger fired (error rate and latency within the runbook §7 limits): keep the agents on the gateway, and act on each runbook §6 finding listed.',
  rollback: 'A rollback trigger fired: roll back now (runbook §7).',
  incomplete: 'The run could not decide (no data is never a pass): resolve the reasons listed and run again.',
};

/** A rehearsal that did not pass still says what it can and cannot be about. */
const NEVER_PRODUCTION = "A rehearsal tests the suite and the runbook's checks, never production";

/**
 * What each verdict says about a rehearsal. The bundled sandbox stands in for production, so a
 * rehearsal that passes proves the suite and the runbook's checks end to end, and no verdict
 * of one is a fact about production.
 */
const REHEARSAL: Record<Decision, string> = {
  go: "every check passed. This proves that the suite and the runbook's checks work end to end; it proves nothing about production: decide with a run against the deployment (GATEWAY_URL in .env).",
  'go-with-waivers': `every check that ran passed on the sandbox; the waived ones did not run. ${NEVER_PRODUCTION}: decide with a run against the deployment.`,
  'no-go': `at least one check failed on the sandbox. ${NEVER_PRODUCTION}: this says nothing about the deployment.`,
  hold: "no rollback trigger fired on the sandbox's simulated traffic. This proves that the watch and its rules work end to end; it proves nothing about production traffic: watch the deployment after the switch.",
  'hold-with-findings': `no rollback trigger fired on the sandbox's simulated traffic, and the runbook §6 findings listed are about its simulated agents. ${NEVER_PRODUCTION}.`,
  rollback: `a rollback trigger fired on the sandbox's simulated traffic. ${NEVER_PRODUCTION}: do not roll anything back for it.`,
  incomplete: `the run could not decide; resolve the reasons listed and run again. ${NEVER_PRODUCTION}.`,
};

/** "bundled sandbox" plus the faults it ran with: a broken stack must not read like a healthy one. */
function sandboxName(b: Verdicted): string {
  return `the bundled sandbox${b.run.sandboxFaults?.length ? ` with faults ${b.run.sandboxFaults.join(', ')}` : ''}`;
}

/**
 * The verdict's meaning for this run, in a sentence or two: the claim a reader may take away.
 * A deployment run gets the operator's instruction; a sandbox rehearsal says that it was one,
 * what happened on the sandbox, and that this proves the suite, not production.
 */
export function verdictMeaning(b: Verdicted): string {
  if (b.run.kind === 'config-gate') return CONFIG_GATE[decisionOf(b.verdict)] ?? DEPLOYMENT.incomplete;
  return b.run.target === 'sandbox' ? `Rehearsal ${rehearsal(b)}` : DEPLOYMENT[decisionOf(b.verdict)];
}

/** The offline config gate checks one file: its verdict is about the config, never about a cutover. */
const CONFIG_GATE: Partial<Record<Decision, string>> = {
  go: 'The agents config passed the offline gate (gateway base URL, TEAM_KEY_* references, no inline key). This is not a cutover verdict: no live check ran.',
  'go-with-waivers': 'The agents config passed the offline gate. This is not a cutover verdict: no live check ran.',
  'no-go': 'The agents config failed the offline gate: fix it before it is deployed.',
  incomplete: 'The config gate could not decide: resolve the reasons listed and run again.',
};

/**
 * The run's last line: `Verdict: HOLD-WITH-FINDINGS (6/live-traffic: …; …)`, the reasons in
 * parentheses. A rehearsal's line goes on to say that it was one and what that proves.
 */
export function verdictLine(b: Verdicted & Pick<UnsignedBundle, 'verdictReasons'>): string {
  const why = b.verdictReasons.length > 0 ? ` (${b.verdictReasons.join('; ')})` : '';
  return `Verdict: ${b.verdict.toUpperCase()}${why}${b.run.target === 'sandbox' ? ` — rehearsal ${rehearsal(b)}` : ''}`;
}

function rehearsal(b: Verdicted): string {
  return `against ${sandboxName(b)}: ${REHEARSAL[decisionOf(b.verdict)]}`;
}
