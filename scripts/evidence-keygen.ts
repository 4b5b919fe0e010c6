import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { ExitCode } from '../src/evidence/exit-codes.ts';

// `pnpm evidence:keygen <private key file>`: a fresh Ed25519 key pair for signing evidence.
// The private key (PKCS#8 PEM) goes to the file, created with mode 0600 and never overwritten;
// only the public key (SPKI PEM) is printed, so the private key never reaches a terminal or a
// CI log. Exit 2 for a usage error or an existing file.
const path = process.argv[2];
if (!path || process.argv.length > 3) {
  process.stderr.write('usage: pnpm evidence:keygen <file to write the private key to>\n');
  process.exit(ExitCode.CONFIG_REFUSED);
}
if (existsSync(path)) {
  process.stderr.write(`${path} already exists; not overwriting a key that may already sign evidence\n`);
  process.exit(ExitCode.CONFIG_REFUSED);
}
const { privateKey, publicKey } = generateKeyPairSync('ed25519', {
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
// `wx`: fail rather than follow a file created since the check; `mode` applies on creation only.
writeFileSync(path, privateKey, { mode: 0o600, flag: 'wx' });
process.stdout.write(publicKey);
process.stderr.write(
  `Private key written to ${path} (mode 0600). Set CUTOVER_SIGNING_KEY to its contents (or their base64) where evidence is written;\n` +
    'give the public key above to whoever verifies: pnpm evidence:verify <dir> --public-key <file with it>\n',
);
