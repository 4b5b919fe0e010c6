/**
 * Every environment variable the suite reads, with its runbook default and a one-line meaning.
 * This table is the single source for the zod schema's defaults, for `.env.example` and for the
 * README, so the three can never disagree. `secret: true` values are registered for redaction
 * and never appear in stdout, evidence or error messages.
 */
export interface VariableSpec {
  readonly name: string;
  readonly section: string;
  readonly meaning: string;
  /** The runbook default, as the string a `.env` would hold; absent when there is none. */
  readonly default?: string;
  readonly secret?: boolean;
}

export const VARIABLES = [
  { section: 'Target', name: 'GATEWAY_URL', meaning: 'LiteLLM gateway base URL; unset = run against the bundled sandbox' },
  { section: 'Target', name: 'GATEWAY_ADMIN_KEY', meaning: 'LiteLLM master/admin key (runbook: pass show infra/litellm/admin-key)', secret: true },
  { section: 'Target', name: 'LANGFUSE_URL', meaning: 'Langfuse base URL, e.g. https://langfuse.hotrodan.com' },
  { section: 'Target', name: 'LANGFUSE_PUBLIC_KEY', meaning: 'Langfuse project public key (pk-lf-...)', secret: true },
  { section: 'Target', name: 'LANGFUSE_SECRET_KEY', meaning: 'Langfuse project secret key (sk-lf-...)', secret: true },
  { section: 'Models', name: 'MODEL_DEFAULT', meaning: 'model group agents call by default', default: 'gpt-4o-mini' },
  { section: 'Models', name: 'MODEL_ESCALATION', meaning: 'model group long prompts must escalate to', default: 'gpt-4o' },
  { section: '§3 smoke', name: 'THRESHOLD_SMOKE_MS', meaning: 'smoke request must complete (full body) in less than this', default: '2000' },
  { section: 'Langfuse', name: 'LANGFUSE_WAIT_MS', meaning: 'how long to poll Langfuse for a trace before failing', default: '90000' },
  { section: 'Langfuse', name: 'LANGFUSE_POLL_INTERVAL_MS', meaning: 'pause between Langfuse polls', default: '1000' },
  { section: 'HTTP', name: 'HTTP_TIMEOUT_MS', meaning: 'per-request budget for headers and for the body of any HTTP call', default: '15000' },
  { section: 'Run', name: 'CUTOVER_PHASE', meaning: 'pre (go/no-go before the switch) or post (hold/rollback watch)', default: 'pre' },
  { section: 'Run', name: 'CUTOVER_EVIDENCE_DIR', meaning: 'where evidence bundles are written (<dir>/<run-id>/, <dir>/latest/)', default: 'evidence' },
  { section: 'Run', name: 'CUTOVER_RUN_ID', meaning: 'run id; generated when unset (tags every request and trace)' },
] as const satisfies readonly VariableSpec[];

export type VariableName = (typeof VARIABLES)[number]['name'];

/** Names of the variables whose values are secrets. */
export const SECRET_VARIABLES: readonly string[] = VARIABLES.filter((v) => 'secret' in v && v.secret).map((v) => v.name);
