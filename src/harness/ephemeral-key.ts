import type { GatewayAdmin, GenerateKeyRequest } from '../clients/gateway-admin.ts';
import type { CutoverConfig } from '../config/index.ts';
import type { CheckRecorder } from './recorder.ts';

/** The alias of the ephemeral key a check mints: names the run and the check, so a leftover can be traced and deleted by alias. */
export function ephemeralKeyAlias(config: CutoverConfig, checkId: string): string {
  return `cutover-${config.runId}-${checkId.replace(/[^A-Za-z0-9.-]+/g, '-')}`;
}

/**
 * Mints a virtual key with `POST /key/generate`, hands it to `body`, and deletes it with
 * `POST /key/delete` afterwards, whether `body` passed, failed or threw. The key's short
 * `duration` is the second line of defence: a process killed before `finally` leaves a key
 * that stops working by itself. LiteLLM's delete answer echoes what it was sent, so the
 * deletion is proven by reading the key back (`GET /key/info`: not found, or archived as
 * deleted). Records the alias (`keyAlias`), whether the deletion was proven (`keyDeleted`) and
 * how (`keyDeletion`), never the key. An unproven delete fails the check with the alias and
 * the call that removes it by hand.
 */
export async function withEphemeralKey<T>(c: CheckRecorder, admin: GatewayAdmin, req: GenerateKeyRequest, body: (key: string) => Promise<T>): Promise<T> {
  c.observe('keyAlias', req.alias);
  c.observe('keyDuration', req.duration);
  const minted = await admin.generateKey(req);
  const byHand = `it expires after ${req.duration}, or delete it with POST /key/delete {"key_aliases":["${req.alias}"]}`;
  try {
    return await body(minted.key);
  } finally {
    try {
      // The answer is not the proof: LiteLLM echoes what it was sent, and answers 404 "No keys
      // found" for a key that is already gone. Whatever it said, the read-back decides.
      await admin.deleteKeys({ keys: [minted.key] }).catch((err: unknown) => c.observe('keyDeleteAnswer', err instanceof Error ? err.message : String(err)));
      const read = await admin.keyGone(minted.key);
      c.observe('keyDeleted', read.gone);
      c.observe('keyDeletion', read.how);
      c.expect(read.gone, `the ephemeral key "${req.alias}" is still there after POST /key/delete (${read.how}); ${byHand}`);
    } catch (err) {
      c.observe('keyDeleted', false);
      c.expect(false, `could not delete the ephemeral key "${req.alias}" (${err instanceof Error ? err.message : String(err)}); ${byHand}`);
    }
  }
}
