import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { canonicalJson } from './digest.ts';
import { renderHtml } from './html.ts';
import { failedHostile, healthy } from './html-fixtures.ts';
import type { UnsignedBundle } from './model.ts';
import { SecretSet } from './redact.ts';
import {
  publicKeyFrom,
  PublicKeyError,
  SIGNATURE_FILE,
  signBundle,
  signingKeyFrom,
  SigningKeyError,
  verifySignature,
} from './signing.ts';
import { writeBundle } from './write.ts';

const pair = generateKeyPairSync('ed25519');
const PEM = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const DER = pair.privateKey.export({ type: 'pkcs8', format: 'der' });
const PUBLIC_PEM = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const other = generateKeyPairSync('ed25519');

const env = (value: string | undefined): Record<string, string | undefined> => ({ CUTOVER_SIGNING_KEY: value });
const unsignedOf = ({ digest: _d, ...rest }: typeof healthy): UnsignedBundle => rest;

/** Every run of 12 characters of `s`: none of them may show up in a message. */
function windows(s: string): string[] {
  return Array.from({ length: Math.max(0, s.length - 11) }, (_, i) => s.slice(i, i + 12));
}

/** `value` as given, in base64, base64url and hex, with PEM armour removed (its words are no secret). */
function encodingsOf(value: string | Buffer): string[] {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value);
  const text = Buffer.isBuffer(value) ? '' : value.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '');
  return [text, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')].filter(
    (s) => s.length > 0,
  );
}

function expectKeyError(value: string, why: RegExp, secret: string | Buffer = value): void {
  let err: unknown;
  try {
    signingKeyFrom(env(value));
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SigningKeyError);
  const message = (err as Error).message;
  expect(message).toMatch(/^CUTOVER_SIGNING_KEY /);
  expect(message).toMatch(why);
  for (const encoded of encodingsOf(secret))
    for (const w of windows(encoded.replace(/\s+/g, '')))
      expect(message.includes(w), `the message quotes ${w}`).toBe(false);
}

describe('signingKeyFrom', () => {
  test('unset or blank means unsigned', () => {
    expect(signingKeyFrom({})).toBeUndefined();
    expect(signingKeyFrom(env('  \n'))).toBeUndefined();
  });

  test.each([
    ['PKCS#8 PEM', PEM],
    ['PEM with \\n escapes, as a one-line .env value', PEM.trim().replace(/\n/g, '\\n')],
    ['base64 of the PEM', Buffer.from(PEM).toString('base64')],
    ['base64 of the DER', DER.toString('base64')],
  ])('accepts %s, and the key signs what the public key verifies', (_, value) => {
    const key = signingKeyFrom(env(value))!;
    expect(key.asymmetricKeyType).toBe('ed25519');
    expect(verifySignature(healthy, signBundle(healthy, key), pair.publicKey)).toBe(true);
  });

  test('a malformed value is an error that names the variable and quotes nothing of the value', () => {
    expectKeyError('not a key at all!', /neither PEM nor base64/);
    expectKeyError(DER.subarray(0, 20).toString('base64'), /cannot be decoded as a private key/, DER.subarray(0, 20));
    expectKeyError(PEM.replace(/\n[A-Za-z0-9+/=]+\n/, '\nMC4CAQAwBQYDK2Vw\n'), /cannot be decoded as a private key/);
    expectKeyError(
      Buffer.from(`${PEM}x`.replace('PRIVATE KEY-----\n', 'PRIVATE KEY-----\n!!')).toString('base64'),
      /cannot be decoded/,
    );
  });

  test('a public key, an encrypted key or a key of another algorithm is refused with what it is', () => {
    expectKeyError(PUBLIC_PEM, /PEM block labelled PUBLIC KEY, not a PKCS#8 PRIVATE KEY/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expectKeyError(rsa.export({ type: 'pkcs8', format: 'pem' }).toString(), /is a key of type rsa, not Ed25519/);
    expectKeyError(rsa.export({ type: 'pkcs1', format: 'pem' }).toString(), /PEM block labelled RSA PRIVATE KEY/);
    const encrypted = pair.privateKey
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pass-phrase' })
      .toString();
    expectKeyError(encrypted, /is an encrypted key/);
    expectKeyError(Buffer.from(encrypted).toString('base64'), /is an encrypted key/, encrypted);
  });

  test('an unknown PEM label is not repeated either', () => {
    expectKeyError(
      '-----BEGIN ZQ81XYW2AAB7-----\nAAAA\n-----END ZQ81XYW2AAB7-----',
      /PEM block with an unknown or damaged label/,
      'ZQ81XYW2AAB7',
    );
  });
});

describe('signBundle and verifySignature', () => {
  const sig = signBundle(healthy, pair.privateKey);

  test('verifies the bundle it signed, in any key order or whitespace', () => {
    expect(verifySignature(healthy, sig, pair.publicKey)).toBe(true);
    const reordered = JSON.parse(
      JSON.stringify(Object.fromEntries(Object.entries(healthy).reverse()), null, 4),
    ) as Record<string, unknown>;
    expect(canonicalJson(reordered)).toBe(canonicalJson(healthy));
    expect(verifySignature(reordered, `\n${sig}\n`, pair.publicKey)).toBe(true);
  });

  test('a modified bundle, even with its digest recomputed, fails', () => {
    expect(verifySignature({ ...healthy, verdict: 'no-go' }, sig, pair.publicKey)).toBe(false);
    expect(verifySignature(failedHostile, sig, pair.publicKey)).toBe(false);
    expect(verifySignature({ ...healthy, extra: 1 }, sig, pair.publicKey)).toBe(false);
  });

  test('another key, or a signature that is not one, fails without throwing', () => {
    expect(verifySignature(healthy, sig, other.publicKey)).toBe(false);
    expect(verifySignature(healthy, signBundle(healthy, other.privateKey), pair.publicKey)).toBe(false);
    for (const bad of ['', 'not base64!', Buffer.from('short').toString('base64'), sig.slice(4)])
      expect(verifySignature(healthy, bad, pair.publicKey)).toBe(false);
  });
});

describe('publicKeyFrom', () => {
  test('reads an SPKI PEM; refuses a private key, another algorithm or something else', () => {
    expect(publicKeyFrom(`\n${PUBLIC_PEM}`).asymmetricKeyType).toBe('ed25519');
    expect(() => publicKeyFrom(PEM)).toThrow(
      new PublicKeyError('the public key is a PEM block labelled PRIVATE KEY, not PUBLIC KEY'),
    );
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    expect(() => publicKeyFrom(rsa)).toThrow(/is rsa, not Ed25519/);
    expect(() => publicKeyFrom('keys/cutover.pub')).toThrow(/not PEM/);
    expect(() => publicKeyFrom('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')).toThrow(
      /cannot be decoded/,
    );
  });
});

describe('writeBundle with a signing key', () => {
  const write = (root: string, signingKey?: KeyObject) =>
    writeBundle(unsignedOf(healthy), {
      root,
      secrets: new SecretSet(),
      views: { 'report.html': renderHtml },
      signingKey,
    });

  test('writes evidence.json.sig beside every copy of evidence.json, over what evidence.json holds', () => {
    const root = mkdtempSync(join(tmpdir(), 'ev-sig-'));
    const res = write(root, pair.privateKey);
    for (const dir of [res.dir, join(root, 'latest'), join(root, `latest-${healthy.run.phase}`)]) {
      const json = JSON.parse(readFileSync(join(dir, 'evidence.json'), 'utf8')) as Record<string, unknown>;
      expect(verifySignature(json, readFileSync(join(dir, SIGNATURE_FILE), 'utf8'), pair.publicKey), dir).toBe(true);
    }
  });

  test('an unsigned write removes the signature an earlier run left in latest/', () => {
    const root = mkdtempSync(join(tmpdir(), 'ev-sig-'));
    write(root, pair.privateKey);
    const res = write(root);
    for (const dir of [res.dir, join(root, 'latest'), join(root, `latest-${healthy.run.phase}`)])
      expect(existsSync(join(dir, SIGNATURE_FILE)), dir).toBe(false);
  });
});
