import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OLDER_LINE_MARKER, renderOlder, renderReference } from '../conformance/fidelity-doc.ts';
import { probe, type ProbeRow } from '../conformance/probe.ts';
import { OLDER_LINE } from '../sandbox/reference/venv.ts';

// `pnpm fidelity [--older]`: runs the differential probe (sandbox gateway vs the real LiteLLM
// proxy, both cache configurations) and writes docs/fidelity.md. With --older it also probes the
// older line (sandbox/reference/requirements-1.84.lock); without it, the file's older part is kept.
const FILE = join(import.meta.dirname, '..', 'docs', 'fidelity.md');
const log = (l: string) => process.stderr.write(`# ${l}\n`);
const both = async (line?: typeof OLDER_LINE): Promise<ProbeRow[]> => [
  ...(await probe('redis', log, line)),
  ...(await probe('qdrant-semantic', log, line)),
];

const reference = await both();
const previous = existsSync(FILE) ? readFileSync(FILE, 'utf8') : '';
const keptOlder = previous.includes(OLDER_LINE_MARKER) ? previous.slice(previous.indexOf(OLDER_LINE_MARKER)) : '';
const older = process.argv.includes('--older') ? renderOlder(await both(OLDER_LINE)) : keptOlder;
writeFileSync(FILE, `${renderReference(reference)}${older ? `\n${older.trimEnd()}\n` : ''}`);
process.stdout.write(
  `docs/fidelity.md: ${reference.length} behaviours, ${reference.filter((r) => r.real !== r.sandbox).length} differ\n`,
);
