import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { VerdictRule } from '../src/evidence/consistency.ts';
import { verdictOf } from '../src/evidence/verdict.ts';
import { publicKeyFrom, PublicKeyError, SIGNATURE_FILE } from '../src/evidence/signing.ts';
import { verifyEvidence, type SignatureState } from '../src/evidence/verify.ts';
import { errorMessage } from '../src/evidence/error-text.ts';
import { ExitCode } from '../src/evidence/exit-codes.ts';

// `pnpm evidence:verify <dir> [--public-key <file or PEM>]`: checks a bundle's schema, digest,
// internal consistency (measurements, check statuses, verdict, views) and, with a public key,
// its Ed25519 signature. Exit 0 when intact, 1 when not, 2 for a usage error.
const USAGE =
  'usage: pnpm evidence:verify <evidence dir or evidence.json> [--public-key <public key PEM file, or the PEM itself>]\n';

const SIGNATURE_TEXT: Record<SignatureState, string> = {
  verified: `${SIGNATURE_FILE} verified with the given public key`,
  invalid: `${SIGNATURE_FILE} does NOT verify with the given public key`,
  unsigned: `none (${SIGNATURE_FILE} is missing), but a public key was given`,
  present: `${SIGNATURE_FILE} present, not checked (give --public-key to check it)`,
  absent: `none (no ${SIGNATURE_FILE}); the digest alone does not prove who wrote the bundle`,
};

let args: ReturnType<typeof parseOptions>;
try {
  args = parseOptions();
} catch (err) {
  process.stderr.write(`${errorMessage(err)}\n${USAGE}`);
  process.exit(ExitCode.CONFIG_REFUSED);
}
// The verdict rule the writer applied (`buildBundle` calls the same `verdictOf`).
const decide: VerdictRule = (b) =>
  verdictOf(
    b.run,
    b.sections.flatMap((s) => s.checks),
    b.run.endReason,
    b.runErrors,
  );
const res = verifyEvidence(args.target, { publicKey: args.publicKey, decide });
const signatureLine = res.signature ? `signature: ${SIGNATURE_TEXT[res.signature]}\n` : '';
if (res.ok) {
  process.stdout.write(
    `OK: ${res.file} is intact (verdict ${res.bundle!.verdict}, ${res.bundle!.digest})\n${signatureLine}`,
  );
} else {
  process.stdout.write(`INVALID: ${res.file}\n${res.problems.map((p) => `  - ${p}`).join('\n')}\n${signatureLine}`);
  process.exit(ExitCode.NOT_PASSED);
}

function parseOptions(): { target: string; publicKey?: KeyObject } {
  // By hand, not util.parseArgs: that refuses an option value starting with "-", and inline PEM starts with "-----BEGIN".
  const positionals: string[] = [];
  let key: string | undefined;
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--public-key') {
      key = argv[++i];
      if (key === undefined) throw new Error('--public-key needs a value');
    } else if (arg.startsWith('--public-key=')) key = arg.slice('--public-key='.length);
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else positionals.push(arg);
  }
  const [target, ...extra] = positionals;
  if (!target || extra.length > 0)
    throw new Error(target ? `unexpected arguments: ${extra.join(' ')}` : 'no bundle given');
  if (key === undefined) return { target };
  // Inline PEM is recognised by its armour; anything else names a file.
  const pem = key.trimStart().startsWith('-----BEGIN ') ? key : readKeyFile(key);
  try {
    return { target, publicKey: publicKeyFrom(pem) };
  } catch (err) {
    if (err instanceof PublicKeyError) throw new Error(`--public-key: ${err.message}`);
    throw err;
  }
}

function readKeyFile(path: string): string {
  if (!existsSync(path)) throw new Error(`--public-key: ${path} does not exist (give a PEM file or the PEM text)`);
  return readFileSync(path, 'utf8');
}
