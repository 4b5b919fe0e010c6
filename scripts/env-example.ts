import { writeFileSync } from 'node:fs';
import { VARIABLES } from '../src/config/variables.ts';

/**
 * Renders `.env.example` from the variable table, so the file, the schema defaults and the
 * README can never drift apart. `pnpm env:example` rewrites it; a unit test fails when stale.
 */
export function renderEnvExample(): string {
  const out = [
    '# gateway-cutover configuration. Copy to .env and fill in to check a real deployment.',
    '# With GATEWAY_URL unset, `pnpm test:cutover` rehearses against the bundled sandbox.',
    '# Process environment wins over this file. Values marked (secret) are never printed or stored.',
  ];
  let section = '';
  for (const v of VARIABLES) {
    if (v.section !== section) {
      section = v.section;
      out.push('', `# --- ${section} ---`);
    }
    out.push(`# ${v.meaning}${'secret' in v && v.secret ? ' (secret)' : ''}`);
    out.push(`${'default' in v ? '' : '# '}${v.name}=${'default' in v ? v.default : ''}`);
  }
  return `${out.join('\n')}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) writeFileSync(new URL('../.env.example', import.meta.url), renderEnvExample());
