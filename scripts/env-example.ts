import { writeFileSync } from 'node:fs';
import {
  INTERNAL_PREFIXES,
  INTERNAL_VARIABLES,
  PLATFORM_VARIABLES,
  TOOL_VARIABLES,
  VARIABLE_PATTERNS,
  VARIABLES,
  type ToolVariableSpec,
  type VariablePattern,
  type VariableSpec,
} from '../src/config/variables.ts';

/**
 * Renders `.env.example` from the variable table, so the file, the schema defaults and the
 * README can never drift apart. `pnpm env:example` rewrites it; a unit test fails when stale.
 * A variable with a default is set to it; one without is commented out, showing its example if
 * it has one, and so is one read from the process environment only (a `.env` copied from this
 * file must not seem to set it). A family such as `TEAM_KEY_<team>` follows its section's
 * variables, commented out. The tools' variables come last, all commented out, each naming the
 * file that reads it; internal and platform names are listed by name only.
 */
export function renderEnvExample(): string {
  const out = [
    '# gateway-cutover configuration. Copy to .env and fill in to check a real deployment.',
    '# With GATEWAY_URL unset, `pnpm test:cutover` rehearses against the bundled sandbox.',
    '# Process environment wins over this file. Values marked (secret) are never printed or stored.',
    '# Names are checked: a name close to a variable name (GATEWAY_ULR), or unknown under a prefix of ours (CUTOVER_WAIVERS), is refused.',
  ];
  const sections = [...new Set(VARIABLES.map((v) => v.section))];
  for (const section of sections) {
    out.push('', `# --- ${section} ---`);
    for (const v of VARIABLES.filter((x) => x.section === section) as readonly VariableSpec[]) {
      out.push(`# ${v.meaning}${v.secret ? ' (secret)' : ''}`);
      const set = v.default !== undefined && !v.processOnly;
      out.push(`${set ? '' : '# '}${v.name}=${v.default ?? v.example ?? ''}`);
    }
    for (const p of VARIABLE_PATTERNS.filter((x) => x.section === section)) out.push(...patternLines(p));
  }
  out.push('', '# ===== Tools: not cutover configuration; read by the tool named, which validates them =====');
  for (const section of [...new Set(TOOL_VARIABLES.map((v) => v.section))]) {
    out.push('', `# --- ${section} ---`);
    for (const v of TOOL_VARIABLES.filter((x) => x.section === section) as readonly ToolVariableSpec[]) {
      const where = v.processOnly ? `${v.readBy}, from the process environment only` : v.readBy;
      out.push(`# ${v.meaning} (read by ${where})`, `# ${v.name}=${v.default ?? v.example ?? ''}`);
    }
  }
  out.push(
    '',
    `# Set by our own tooling, never by hand: ${[...INTERNAL_VARIABLES.map((v) => v.name), ...INTERNAL_PREFIXES.map((p) => `${p}*`)].join(', ')}`,
    `# Read from CI, the OS or Vitest (never set here): ${PLATFORM_VARIABLES.map((v) => v.name).join(', ')}`,
  );
  return `${out.join('\n')}\n`;
}

function patternLines(p: VariablePattern): string[] {
  return [`# ${p.name}: ${p.meaning}${p.secret ? ' (secret)' : ''}`, `# ${p.example}=`];
}

if (import.meta.url === `file://${process.argv[1]}`)
  writeFileSync(new URL('../.env.example', import.meta.url), renderEnvExample());
