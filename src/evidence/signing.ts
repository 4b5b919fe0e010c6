import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from './digest.ts';
import type { EvidenceBundle } from './model.ts';

/** The variable that holds the writer's Ed25519 private key. */
export const SIGNING_KEY_VARIABLE = 'CUTOVER_SIGNING_KEY';

/** The signature file written next to `evidence.json`: the base64 Ed25519 signature and a newline. */
export const SIGNATURE_FILE = 'evidence.json.sig';

const PEM_START = '-----BEGIN ';

/**
 * `CUTOVER_SIGNING_KEY` is set but is not a usable Ed25519 private key. The message names the
 * variable and what is wrong with it, never the value: not verbatim, not in any encoding, and
 * not Node's own decoder message either (it is not ours to promise that it never quotes input).
 */
export class SigningKeyError extends Error {
  override readonly name = 'SigningKeyError';
}

/** Thrown by `publicKeyFrom`: the `--public-key` argument is not an Ed25519 public key. */
export class PublicKeyError extends Error {
  override readonly name = 'PublicKeyError';
}

/**
 * The evidence signing key from `env.CUTOVER_SIGNING_KEY`, or undefined when it is unset or
 * blank (the bundle is then written unsigned). Accepted forms, chosen so the key fits both a
 * `.env` file and a single-line CI secret:
 * - PEM, PKCS#8 (`-----BEGIN PRIVATE KEY-----`, what `pnpm evidence:keygen` writes), with real
 *   line breaks or with `\n` escapes in their place;
 * - base64 of that PEM text;
 * - base64 of the DER (PKCS#8) bytes.
 * Anything else, an encrypted key, a public key or a key of another algorithm throws a
 * `SigningKeyError` naming the variable. A set-but-malformed key is an error rather than
 * "unsigned", because the operator asked for signatures and would otherwise not get them.
 */
export function signingKeyFrom(env: Readonly<Record<string, string | undefined>>): KeyObject | undefined {
  const raw = env[SIGNING_KEY_VARIABLE]?.trim();
  if (!raw) return undefined;
  const bad = (why: string): SigningKeyError =>
    new SigningKeyError(
      `${SIGNING_KEY_VARIABLE} ${why}. It must be an Ed25519 private key: PKCS#8 PEM, or the base64 of that PEM or of its DER bytes (pnpm evidence:keygen writes one).`,
    );
  const pem = raw.startsWith(PEM_START) ? raw.replace(/\\n/g, '\n') : pemIn(raw);
  if (pem === undefined && !isBase64(raw)) throw bad('is neither PEM nor base64');
  if (pem?.startsWith('-----BEGIN ENCRYPTED'))
    throw bad('is an encrypted key; give it unencrypted (keep it in a secret store instead)');
  if (pem !== undefined && !pem.startsWith('-----BEGIN PRIVATE KEY-----'))
    throw bad(`holds a PEM block ${pemLabel(pem)}, not a PKCS#8 PRIVATE KEY`);
  let key: KeyObject;
  try {
    key =
      pem !== undefined
        ? createPrivateKey({ key: pem, format: 'pem' })
        : createPrivateKey({ key: Buffer.from(raw, 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    throw bad('cannot be decoded as a private key');
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw bad(`is a key of type ${key.asymmetricKeyType ?? 'unknown'}, not Ed25519`);
  return key;
}

/**
 * An Ed25519 public key from `--public-key`: PEM text (SPKI, `-----BEGIN PUBLIC KEY-----`) given
 * inline, or the contents of a file holding it (the caller reads the file). A private key is
 * refused rather than reduced to its public half: whoever verifies must not need the signing
 * key, and a command line is the wrong place for it.
 */
export function publicKeyFrom(pem: string): KeyObject {
  const text = pem.trim();
  if (!text.startsWith('-----BEGIN PUBLIC KEY-----')) {
    throw new PublicKeyError(
      text.startsWith(PEM_START)
        ? `the public key is a PEM block ${pemLabel(text)}, not PUBLIC KEY`
        : 'the public key is not PEM (-----BEGIN PUBLIC KEY-----)',
    );
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: text, format: 'pem' });
  } catch {
    throw new PublicKeyError('the public key PEM cannot be decoded');
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new PublicKeyError(`the public key is ${key.asymmetricKeyType ?? 'unknown'}, not Ed25519`);
  return key;
}

/**
 * The base64 Ed25519 signature of the bundle's canonical JSON, digest included (`canonicalJson`):
 * whitespace and key order do not matter, every value does. Only the holder of the private key
 * can produce it, unlike the digest, which anyone who edits the file can recompute.
 */
export function signBundle(bundle: EvidenceBundle | Record<string, unknown>, key: KeyObject): string {
  return sign(null, Buffer.from(canonicalJson(bundle)), key).toString('base64');
}

/**
 * Whether `sigBase64` is a valid signature of the bundle's canonical JSON under `publicKey`.
 * False, never a throw, for a signature that is not base64, has the wrong length, or was made
 * over other content or with another key. Pass the bundle as read from the file (before any
 * schema parsing that could drop fields), so that every field written is covered.
 */
export function verifySignature(
  bundle: EvidenceBundle | Record<string, unknown>,
  sigBase64: string,
  publicKey: KeyObject,
): boolean {
  const text = sigBase64.trim();
  if (!isBase64(text)) return false;
  try {
    return verify(null, Buffer.from(canonicalJson(bundle)), publicKey, Buffer.from(text, 'base64'));
  } catch {
    return false;
  }
}

/** The PEM text inside a base64 value, or undefined when the value does not decode to PEM. */
function pemIn(value: string): string | undefined {
  if (!isBase64(value)) return undefined;
  const text = Buffer.from(value, 'base64').toString('utf8').trim();
  return text.startsWith(PEM_START) ? text : undefined;
}

function isBase64(s: string): boolean {
  return s.length > 0 && /^[A-Za-z0-9+/\s]+={0,2}$/.test(s);
}

const KNOWN_LABELS: ReadonlySet<string> = new Set([
  'PUBLIC KEY',
  'PRIVATE KEY',
  'ENCRYPTED PRIVATE KEY',
  'RSA PRIVATE KEY',
  'EC PRIVATE KEY',
  'OPENSSH PRIVATE KEY',
  'CERTIFICATE',
]);

/**
 * `labelled RSA PRIVATE KEY` when the first PEM block has a well-known label, to say what was
 * given instead. Any other label is part of an unknown value and is not repeated.
 */
function pemLabel(pem: string): string {
  const label = /^-----BEGIN ([^-\n]{1,40})-----/.exec(pem)?.[1];
  return label && KNOWN_LABELS.has(label) ? `labelled ${label}` : 'with an unknown or damaged label';
}
