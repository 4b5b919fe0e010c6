import { test } from 'vitest';
import { runConfig, type CutoverConfig } from '../config/index.ts';
import type { CheckRecord } from '../evidence/model.ts';
import { partialDir, savePartial } from '../evidence/partial.ts';
import { runSecrets } from '../evidence/secrets.ts';
import { CheckRecorder, CheckSkipped, Inconclusive } from './recorder.ts';

declare module 'vitest' {
  interface TaskMeta {
    /** The evidence one runbook check recorded; read by the evidence reporter. */
    check?: CheckRecord;
  }
}

/** What a check body receives: the recorder and the validated run config. */
export type CheckBody = (c: CheckRecorder, config: CutoverConfig) => Promise<void>;

/**
 * Declares one runbook check as a Vitest test. The body records into a `CheckRecorder`; the
 * wrapper turns the outcome into a `CheckRecord` on `task.meta`, then fails the test for
 * `failed` and `inconclusive` (neither may pass CI) and skips it for `skipped`. Every message
 * that leaves the check is redacted first: Vitest prints error messages to stdout, and a
 * server may have echoed a secret into one.
 */
export function check(id: string, title: string, body: CheckBody): void {
  test(`${id} ${title}`, async (ctx) => {
    const secrets = runSecrets();
    const config = runConfig();
    const partials = partialDir(config.evidenceDir, config.runId);
    const rec = new CheckRecorder(id, title, (partial) => savePartial(partials, secrets.redactDeep(partial)));
    let outcome: { status: CheckRecord['status']; error?: string; skip?: CheckRecord['skip'] };
    try {
      const waiver = config.waivers.find((w) => w.id === id);
      if (waiver) rec.skip(`waived by CUTOVER_SKIP: ${waiver.reason}`, true);
      await body(rec, config);
      rec.settle();
      outcome = { status: 'passed' };
    } catch (err) {
      const message = secrets.redact(err instanceof Error ? err.message : String(err));
      if (err instanceof CheckSkipped) outcome = { status: 'skipped', skip: { reason: message, explicit: err.explicit } };
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
