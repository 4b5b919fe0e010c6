import { UnexpectedResponseError } from '../clients/errors.ts';
import {
  GatewayAdminError,
  type GatewayAdmin,
  type GenerateKeyRequest,
  type GeneratedKey,
} from '../clients/gateway-admin.ts';
import type { CutoverConfig } from '../config/index.ts';
import { registerRunSecret } from '../evidence/secrets.ts';
import type { CheckRecorder } from './recorder.ts';
import { errorMessage } from '../evidence/error-text.ts';

/** The name a minted key is redacted under: `[REDACTED:EPHEMERAL_KEY]`. */
export const EPHEMERAL_KEY_SECRET = 'EPHEMERAL_KEY';

/** How long the clean-up (delete and read-back) may take unless the caller says otherwise. */
const DEFAULT_DELETE_TIMEOUT_MS = 15_000;

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
 * - The minted key is registered as a run secret (`registerRunSecret`) before `body` sees it,
 *   so this thread redacts it in every encoding and the reporter (another thread) by digest.
 * - When minting fails in a way that may still have minted the key (an answer the suite
 *   refused, a lost answer, a 5xx), it is deleted by its alias, and a refused answer, which may
 *   hold the key, is left out of the error. A 4xx refusal minted nothing and is passed on as is.
 * - The clean-up has its own deadline (`deleteTimeoutMs`, default 15 s), whatever the admin
 *   client's timeout: a proxy stuck behind the burst cannot hold the check open; a clean-up that
 *   runs out of time fails the check like an unproven delete.
 */
export async function withEphemeralKey<T>(
  c: CheckRecorder,
  admin: GatewayAdmin,
  req: GenerateKeyRequest,
  body: (key: string) => Promise<T>,
  o: { deleteTimeoutMs?: number } = {},
): Promise<T> {
  c.observe('keyAlias', req.alias);
  c.observe('keyDuration', req.duration);
  const deadlineMs = o.deleteTimeoutMs ?? DEFAULT_DELETE_TIMEOUT_MS;
  const byHand = `it expires after ${req.duration}, or delete it with POST /key/delete {"key_aliases":["${req.alias}"]}`;
  let minted: GeneratedKey;
  try {
    minted = await admin.generateKey(req);
  } catch (err) {
    // A 4xx is the proxy refusing the request: nothing was minted. Anything else may have minted.
    if (!(err instanceof GatewayAdminError && err.status < 500))
      await deleteByAlias(c, admin, req.alias, deadlineMs, byHand);
    throw withheld(err);
  }
  registerRunSecret(EPHEMERAL_KEY_SECRET, minted.key);
  try {
    return await body(minted.key);
  } finally {
    try {
      const read = await bounded(deleteAndReadBack(c, admin, minted.key), deadlineMs, 'deleting the ephemeral key');
      c.observe('keyDeleted', read.gone);
      c.observe('keyDeletion', read.how);
      c.expect(
        read.gone,
        `the ephemeral key "${req.alias}" is still there after POST /key/delete (${read.how}); ${byHand}`,
      );
    } catch (err) {
      c.observe('keyDeleted', false);
      c.expect(false, `could not delete the ephemeral key "${req.alias}" (${errorMessage(err)}); ${byHand}`);
    }
  }
}

async function deleteAndReadBack(
  c: CheckRecorder,
  admin: GatewayAdmin,
  key: string,
): Promise<{ gone: boolean; how: string }> {
  // The answer is not the proof: LiteLLM echoes what it was sent, and answers 404 "No keys
  // found" for a key that is already gone. Whatever it said, the read-back decides.
  await admin.deleteKeys({ keys: [key] }).catch((err: unknown) => c.observe('keyDeleteAnswer', errorMessage(err)));
  return admin.keyGone(key);
}

/**
 * Deletes by alias after a failed mint. LiteLLM's 404 "no keys matched" (`[]`) means nothing
 * was minted; otherwise the answer echoes the alias and cannot prove more, so the evidence says
 * a delete was sent.
 */
async function deleteByAlias(
  c: CheckRecorder,
  admin: GatewayAdmin,
  alias: string,
  deadlineMs: number,
  byHand: string,
): Promise<void> {
  try {
    const deleted = await bounded(admin.deleteKeys({ aliases: [alias] }), deadlineMs, 'deleting by alias');
    c.observe(
      'keyDeletion',
      deleted.length === 0
        ? 'POST /key/generate failed; no key has this alias (none was minted)'
        : 'POST /key/generate failed; POST /key/delete by alias was sent, in case the proxy minted the key',
    );
  } catch (err) {
    c.observe('keyDeleted', false);
    c.expect(
      false,
      `POST /key/generate failed, and the key it may have minted could not be deleted by alias "${alias}" (${errorMessage(err)}); ${byHand}`,
    );
  }
}

/**
 * The mint's error without the answer's body when the suite refused the answer itself: a
 * `/key/generate` body that failed validation may still carry the key, in a shape no
 * redaction knows (not `sk-…`).
 */
function withheld(err: unknown): unknown {
  if (!(err instanceof UnexpectedResponseError)) return err;
  return new Error(
    `${err.method} ${err.url}: HTTP ${err.status}, expected ${err.expected}; the answer is not recorded, since it may hold the minted key`,
  );
}

/** `p`, or a rejection after `ms`. The work behind `p` is not cancelled; only the wait for it ends. */
async function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
