import { z } from 'zod';
import { CheckTimeline } from './timeline.ts';
import { UNITS, type Unit } from './units.ts';

/** Bumped whenever a reader of evidence.json would need to change. */
export const SCHEMA_VERSION = 3;

/** A threshold as data (k6 style): the measured value must satisfy `value op threshold`. */
export const Threshold = z.object({
  op: z.enum(['<', '<=', '>', '>=', '==']),
  value: z.number(),
});
export type Threshold = z.infer<typeof Threshold>;

/** One number a check measured, in one of `UNITS` (src/evidence/units.ts), with the threshold applied to it (if any) and the outcome. */
export const Measurement = z.object({
  name: z.string(),
  value: z.number().nullable(),
  unit: z.enum(UNITS),
  threshold: Threshold.optional(),
  pass: z.boolean().optional(),
});
export type Measurement = z.infer<typeof Measurement>;

export const Link = z.object({ label: z.string(), url: z.string() });
export type Link = z.infer<typeof Link>;

/**
 * How a check ended. `inconclusive` means the check ran but could not decide (no data, too few
 * samples); like `failed`, it can never count towards a go.
 */
export const CheckStatus = z.enum(['passed', 'failed', 'skipped', 'inconclusive']);
export type CheckStatus = z.infer<typeof CheckStatus>;

/** What one runbook check recorded. Serializable: it travels from worker to reporter in task.meta. */
export const CheckRecord = z.object({
  id: z.string(),
  section: z.string(),
  title: z.string(),
  status: CheckStatus,
  measurements: z.array(Measurement),
  observations: z.record(z.string(), z.unknown()),
  links: z.array(Link),
  error: z.string().optional(),
  /** Why it was skipped, and whether the operator asked for it (CUTOVER_SKIP) or it lacked inputs. */
  skip: z.object({ reason: z.string(), explicit: z.boolean() }).optional(),
  durationMs: z.number(),
  /** Where the check spent its time (`timeline.ts`); absent in bundles written before it was recorded. */
  timeline: CheckTimeline.optional(),
});
export type CheckRecord = z.infer<typeof CheckRecord>;

/** What one Fly process group runs: the release and image every machine of it must share. */
export const DeployedGroup = z.object({
  version: z.union([z.string(), z.number()]).nullable(),
  image: z.string().nullable(),
  digest: z.string().nullable(),
});
export type DeployedGroup = z.infer<typeof DeployedGroup>;

/**
 * What the checks decided. Pre-cutover: `go`, `go-with-waivers` (every check that was not
 * waived passed; each waiver is listed with its reason), `no-go` or `incomplete`. Post-cutover:
 * `hold`, `hold-with-findings` (no runbook §7 trigger fired, but §6 expectations are missed: the
 * reasons list each finding), `rollback` (a §7 trigger, see `RollbackTrigger`) or `incomplete`.
 */
export const Decision = z.enum([
  'go',
  'go-with-waivers',
  'no-go',
  'hold',
  'hold-with-findings',
  'rollback',
  'incomplete',
]);
export type Decision = z.infer<typeof Decision>;

/**
 * What kind of run decided: a cutover gate against the deployment (the only kind whose verdict
 * is about production), a rehearsal against the bundled sandbox, or the offline config gate.
 */
export const RunKind = z.enum(['cutover', 'rehearsal', 'config-gate']);
export type RunKind = z.infer<typeof RunKind>;

/**
 * The verdict word: a cutover gate's decision as is; a rehearsal's prefixed `rehearsal-`, so
 * that nothing reading `verdict == "go"` can take a sandbox run for a production one; the
 * config gate's `config-ok` / `config-failed`. `incomplete` is the same word for every kind.
 */
export const Verdict = z.enum([
  ...Decision.options,
  'rehearsal-go',
  'rehearsal-go-with-waivers',
  'rehearsal-no-go',
  'rehearsal-hold',
  'rehearsal-hold-with-findings',
  'rehearsal-rollback',
  'config-ok',
  'config-failed',
]);
export type Verdict = z.infer<typeof Verdict>;

/** The verdict word for a decision reached by a run of `kind`. */
export function verdictWord(d: Decision, kind: RunKind): Verdict {
  if (d === 'incomplete' || kind === 'cutover') return d;
  if (kind === 'rehearsal') return `rehearsal-${d}` as Verdict;
  return d === 'go' || d === 'go-with-waivers' ? 'config-ok' : 'config-failed';
}

/** The decision behind a verdict word (`rehearsal-go` → `go`, `config-ok` → `go`). */
export function decisionOf(v: Verdict): Decision {
  if (v === 'config-ok') return 'go';
  if (v === 'config-failed') return 'no-go';
  return v.replace(/^rehearsal-/, '') as Decision;
}

/** The observation key under which a check records a `RollbackTrigger`. */
export const ROLLBACK_TRIGGER = 'rollbackTrigger';

/**
 * A runbook §7 rollback trigger as it was measured: in one window of `windowMs`, `value` (an
 * error rate, or a p95 latency in ms) exceeded `limit` (`ROLLBACK_ERROR_RATE`, or the
 * doubling limit against the baseline) over `samples` requests, at least `minSamples`. `line`
 * is what the on-call engineer read. It is the only thing that makes a post-cutover verdict
 * `rollback`; a recorded trigger whose numbers do not show a breach is ignored.
 */
export const RollbackTrigger = z.object({
  rule: z.enum(['error-rate', 'latency']),
  value: z.number(),
  limit: z.number(),
  unit: z.enum(['ratio', 'ms'] as const satisfies readonly Unit[]),
  samples: z.number(),
  minSamples: z.number(),
  windowMs: z.number(),
  atMs: z.number(),
  line: z.string(),
});
export type RollbackTrigger = z.infer<typeof RollbackTrigger>;

/** The bundle before the writer signs it: everything but the digest. */
export const UnsignedBundle = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  run: z.object({
    id: z.string(),
    phase: z.enum(['pre', 'post']),
    startedAt: z.string(),
    endedAt: z.string(),
    target: z.enum(['sandbox', 'deployment']),
    /** Which kind of run this was: only a `cutover` run's verdict is about production. */
    kind: RunKind,
    /** Checks a full run of this phase holds that this run did not run (a filter, a crash): a verdict never claims them. */
    notRun: z.array(z.string()),
    /** Who ran it: the user and host, and the CI job when there is one. */
    ranBy: z.object({ user: z.string(), host: z.string(), ci: z.string().nullable() }),
    /** The named faults the bundled sandbox ran with (`SANDBOX_FAULTS`); only on sandbox runs. A rehearsal of a broken stack must not read like a healthy one. */
    sandboxFaults: z.array(z.string()).optional(),
    /** The bundled sandbox's latency profile (`SANDBOX_PROFILE`: `default` or `production`); only on sandbox runs, absent in bundles written before it was recorded. */
    sandboxProfile: z.string().optional(),
    tool: z.object({ name: z.string(), version: z.string() }),
    gitSha: z.string().nullable(),
    endReason: z.enum(['passed', 'failed', 'interrupted']),
  }),
  environment: z.object({
    gateway: z.object({ url: z.string(), version: z.string().nullable() }),
    langfuse: z.object({ url: z.string(), version: z.string().nullable() }),
    /** Deploy hashes (runbook §8): app → process group → release version, image and digest, as `2/fly-machines` saw them. */
    fly: z.record(z.string(), z.record(z.string(), DeployedGroup)),
  }),
  verdict: Verdict,
  verdictReasons: z.array(z.string()),
  sections: z.array(
    z.object({
      section: z.string(),
      checks: z.array(CheckRecord),
    }),
  ),
  /** Errors outside any check (setup failures, unhandled rejections), already redacted. */
  runErrors: z.array(z.string()),
});
export type UnsignedBundle = z.infer<typeof UnsignedBundle>;

/**
 * The evidence bundle of design §3, as written: the audit record of one run. `digest` is
 * `sha256:<hex>` of the canonical JSON of everything else (see `digest.ts`); `pnpm
 * evidence:verify` recomputes it, so an edit after writing is detected.
 */
export const EvidenceBundle = UnsignedBundle.extend({
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 hex>'),
});
export type EvidenceBundle = z.infer<typeof EvidenceBundle>;
