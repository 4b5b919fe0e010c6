import { verifyEvidence } from '../src/evidence/verify.ts';

// `pnpm evidence:verify <dir>`: checks a bundle's schema and digest; exit 0 when intact.
const target = process.argv[2];
if (!target) {
  process.stderr.write('usage: pnpm evidence:verify <evidence dir or evidence.json>\n');
  process.exit(2);
}
const res = verifyEvidence(target);
if (res.ok) {
  process.stdout.write(`OK: ${res.file} is intact (verdict ${res.bundle!.verdict}, ${res.bundle!.digest})\n`);
} else {
  process.stdout.write(`INVALID: ${res.file}\n${res.problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(1);
}
