import type { KeyObject } from 'node:crypto';
import { readEnvironment } from '../config/index.ts';
import { signingKeyFrom } from './signing.ts';

/**
 * The run's evidence signing key (CUTOVER_SIGNING_KEY from the environment or `.env`), or
 * undefined when none is set. Preflight has already refused a malformed key, naming it; the only
 * bundle written past a malformed key is that refusal's own, which is then written unsigned.
 */
export function signingKey(): KeyObject | undefined {
  try {
    return signingKeyFrom(readEnvironment());
  } catch {
    return undefined;
  }
}
