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
 * that stops working by itself. Records the alias (`keyAlias`) and whether the delete was
 * confirmed (`keyDeleted`), never the key. A failed delete fails the check with the alias
 * and the call that removes it by hand.
 */
export async function withEphemeralKey<T>(c: CheckRecorder, admin: GatewayAdmin, req: GenerateKeyRequest, body: (key: string) => Promise<T>): Promise<T> {
  c.observe('keyAlias', req.alias);
  c.observe('keyDuration', req.duration);
  const minted = await admin.generateKey(req);
  try {
    return await body(minted.key);
  } finally {
    try {
      const deleted = await admin.deleteKeys({ keys: [minted.key] });
      c.observe('keyDeleted', deleted.length > 0);
      c.expect(deleted.length > 0, `the ephemeral key "${req.alias}" was not reported deleted by POST /key/delete; delete it with POST /key/delete {"key_aliases":["${req.alias}"]}`);
    } catch (err) {
      c.observe('keyDeleted', false);
      c.expect(false, `could not delete the ephemeral key "${req.alias}" (${err instanceof Error ? err.message : String(err)}); it expires after ${req.duration}, or delete it with POST /key/delete {"key_aliases":["${req.alias}"]}`);
    }
  }
}
