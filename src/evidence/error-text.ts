/**
 * How an error reads in a message, one line, for everything the suite prints or records.
 * It lives in `src/evidence/` because reporters may import only from here (design §2), and
 * every other part of `src/` may import it too.
 */

/** The message of anything thrown: an `Error`'s message, an object's `message`, else the value as text. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string')
    return (err as { message: string }).message;
  return String(err);
}

/**
 * A transport failure as `CODE: message`: the system or undici code (its own, or its cause's:
 * fetch wraps `ECONNREFUSED` one level down) first, because an on-call engineer searches for
 * the code, then the message. Either alone when the other is missing.
 */
export function causeText(err: unknown): string {
  if (!err || typeof err !== 'object') return String(err);
  const e = err as { code?: unknown; message?: unknown; cause?: unknown };
  const inner = e.cause && typeof e.cause === 'object' ? (e.cause as { code?: unknown }).code : undefined;
  const code = typeof e.code === 'string' ? e.code : typeof inner === 'string' ? inner : undefined;
  const message = typeof e.message === 'string' ? e.message : undefined;
  return [code, message].filter(Boolean).join(': ') || String(err);
}
