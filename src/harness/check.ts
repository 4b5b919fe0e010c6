import { inject, test } from 'vitest';
import { logRequestsTo } from '../clients/request-log.ts';
import { runConfig, type CutoverConfig } from '../config/index.ts';
import { catalogueEntry, type CheckId } from '../evidence/catalogue.ts';
import type { CheckRecord } from '../evidence/model.ts';
import { partialDir, savePartial } from '../evidence/partial.ts';
import { adoptCounts, type TokenCounts } from '../measure/tokens.ts';
import { runSecrets } from '../evidence/secrets.ts';
import { CheckRecorder, CheckSkipped, Inconclusive } from './recorder.ts';

declare module 'vitest' {
  interface TaskMeta {
    /** The evidence one runbook check recorded; read by the evidence reporter. */
    check?: CheckRecord;
  }
  interface ProvidedContext {
    /** The run's planned prompts, counted once by the composition root (`plannedTokenCounts`). */
    tokenCounts?: TokenCounts;
  }
}

/** Whether this worker has taken over the composition root's prompt counts (once, at its first check). */
let adopted = false;

/** What a check body receives: the recorder (its `id` is the check's) and the validated run config. */
export type CheckBody = (c: CheckRecorder, config: CutoverConfig) => Promise<void>;

/**
 * Declares one runbook check as a Vitest test, named and titled by its registry entry
 * (`evidence/catalogue.ts`); an id the registry does not know is refused when the file is
 * collected. The body records into a `CheckRecorder`, whose `c.id` is the id to pass on (a
 * request's `checkId`, a key alias) rather than restating it. The wrapper turns the outcome into
 * a `CheckRecord` on `task.meta`, then fails the test for `failed` and `inconclusive` (neither may
 * pass CI) and skips it for `skipped`. Every message that leaves the check is redacted first:
 * Vitest prints error messages to stdout, and a server may have echoed a secret into one.
 */
export function check(id: CheckId, body: CheckBody): void {
  const entry = catalogueEntry(id);
  if (!entry)
    throw new Error(
      `check('${id}'): no such check in the registry (src/evidence/catalogue.ts); add it there with its title, phase and section`,
    );
  const { title } = entry;
  test(`${id} ${title}`, async (ctx) => {
    if (!adopted) {
      adopted = true;
      const counts = inject('tokenCounts');
      if (counts) adoptCounts(counts);
    }
    const secrets = runSecrets();
    const config = runConfig();
    const partials = partialDir(config.evidenceDir, config.runId);
    const rec = new CheckRecorder(id, title, (partial) => savePartial(partials, secrets.redactDeep(partial)));
    let outcome: { status: CheckRecord['status']; error?: string; skip?: CheckRecord['skip'] };
    try {
      const waiver = config.waivers.find((w) => w.id === id);
      if (waiver) rec.skip(`waived by CUTOVER_SKIP: ${waiver.reason}`, true);
      // Every request the body sends lands on the check's timeline, in whatever client it is sent.
      await logRequestsTo(
        (r) => rec.request(r),
        () => body(rec, config),
      );
      rec.settle();
      outcome = { status: 'passed' };
    } catch (err) {
      const message = secrets.redact(err instanceof Error ? err.message : String(err));
      if (err instanceof CheckSkipped)
        outcome = { status: 'skipped', skip: { reason: message, explicit: err.explicit } };
      else if (err instanceof Inconclusive) outcome = { status: 'inconclusive', error: `inconclusive: ${message}` };
      else {
        const earlier = rec.failed.filter((f) => !message.includes(f)).map((f) => secrets.redact(f));
        outcome = { status: 'failed', error: [...earlier, message].join('\n') };
      }
    }
    const record = secrets.redactDeep(rec.toRecord(outcome.status, outcome.error, outcome.skip));
    ctx.task.meta.check = record;
    savePartial(partials, record);
    if (outcome.status === 'skipped') ctx.skip(outcome.skip?.reason);
    if (outcome.error) {
      // A fresh error: no stack into our code, no expected/actual diff that could carry a secret.
      const e = new Error(`${id}: ${outcome.error}`);
      e.stack = e.message;
      throw e;
    }
  });
}
