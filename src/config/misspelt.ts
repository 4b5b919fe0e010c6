import type { ConfigProblem } from './schema.ts';
import { INTERNAL_PREFIXES, INTERNAL_VARIABLES, TOOL_VARIABLES, VARIABLE_PATTERNS, VARIABLES } from './variables.ts';

/**
 * Prefixes nobody but this suite uses: an unknown name under one of them is a mistake even when
 * it resembles no variable. Vendor prefixes (`LANGFUSE_`, `OPENAI_`, `FLY_`, `CLICKHOUSE_`,
 * `MINIO_`, `TLS_`, `MODEL_`) are not here: SDKs and platforms set `LANGFUSE_HOST`,
 * `OPENAI_API_KEY`, `FLY_APP_NAME` … in the environments the suite runs in, so under those only a
 * name close to one of ours is flagged.
 */
const OWN_PREFIXES: readonly string[] = [
  'GATEWAY_',
  'CUTOVER_',
  'MONITOR_',
  'ROLLBACK_',
  'THRESHOLD_',
  'QUOTA_',
  'BASELINE_',
  'FAILOVER_',
  'AGENTS_',
  'SANDBOX_',
];

/** A name within this many edits (insert, delete, substitute, swap two neighbours) of a known one is taken for it. */
const MAX_DISTANCE = 2;

/**
 * What a misspelling is compared with, and what the refusal lists: the names a user sets. Our
 * internal marks are known (never refused) but never suggested. Platform names (`USER`,
 * `GITHUB_RUN_ID`) are left out: under no prefix of ours, they are never refused, and a
 * lowercase `user` is not a misspelling of them.
 */
const USER_NAMES: readonly string[] = [...VARIABLES, ...TOOL_VARIABLES].map((v) => v.name);
const KNOWN = new Set<string>([...USER_NAMES, ...INTERNAL_VARIABLES.map((v) => v.name)]);

/**
 * Variables that look meant for this suite but are not read by it: a misspelling
 * (`GATEWAY_ULR`, `LANGFUSE_SECRETKEY`, `CUTOVER_SKIPS`, `team_key_x`), a wrong case, or an
 * unknown name under one of our own prefixes. Each problem names the variable and the likely
 * intended name. `env` is what the suite reads, `.env` and process environment merged, so a name
 * is caught wherever it was set. Names with an empty value configure nothing and are ignored,
 * as are names far from ours under vendor prefixes (see `OWN_PREFIXES`). Values are never read
 * into a message.
 */
export function misspeltVariables(env: Record<string, string | undefined>): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value.trim() === '' || isKnown(name)) continue;
    const problem = problemOf(name);
    if (problem) out.push({ variable: name, problem });
  }
  return out.sort((a, b) => a.variable.localeCompare(b.variable));
}

function isKnown(name: string): boolean {
  if (KNOWN.has(name) || INTERNAL_PREFIXES.some((p) => name.startsWith(p))) return true;
  return VARIABLE_PATTERNS.some((p) => name.startsWith(p.prefix) && p.member.test(name.slice(p.prefix.length)));
}

function problemOf(name: string): string | undefined {
  const upper = name.toUpperCase();
  if (KNOWN.has(upper)) return `is not read (variable names are case-sensitive): did you mean ${upper}?`;
  const near = nearest(upper);
  if (near.distance <= MAX_DISTANCE)
    return `is not a variable this suite reads: did you mean ${near.names.join(' or ')}?`;
  const member = patternMember(name);
  if (member) return member;
  const own = OWN_PREFIXES.find((p) => upper.startsWith(p));
  if (!own) return undefined;
  const siblings = USER_NAMES.filter((n) => n.startsWith(own));
  return `is not a variable this suite reads, though ${own} is its prefix (its ${own} variables: ${siblings.join(', ')}); see .env.example`;
}

/** A name that was meant as a member of a family such as `TEAM_KEY_<team>`: the right spelling of its prefix, or why the member is unusable. */
function patternMember(name: string): string | undefined {
  for (const p of VARIABLE_PATTERNS) {
    if (name.startsWith(p.prefix))
      return `is not a usable ${p.name} name: after ${p.prefix} only A-Z a-z 0-9 _ may follow, e.g. ${p.example}`;
    // The part meant as the prefix may have gained or lost characters: take the closest cut,
    // preferring one that ends at an underscore (TEAM_KEYS_bot means bot, not S_bot).
    let best: { cut: number; score: number } | undefined;
    for (
      let cut = p.prefix.length - MAX_DISTANCE;
      cut <= Math.min(name.length, p.prefix.length + MAX_DISTANCE);
      cut++
    ) {
      const d = distance(name.slice(0, cut).toUpperCase(), p.prefix);
      const score = 2 * d + (name[cut - 1] === '_' ? 0 : 1);
      if (d <= MAX_DISTANCE && (!best || score < best.score)) best = { cut, score };
    }
    if (!best) continue;
    const member = name.slice(best.cut).replace(/^_+/, '');
    return `is not a variable this suite reads: did you mean ${member ? `${p.prefix}${member} (a ${p.name} variable)` : `a ${p.name} variable such as ${p.example}`}?`;
  }
  return undefined;
}

/** The names a user sets that are closest to `name`, and their distance. */
function nearest(name: string): { names: string[]; distance: number } {
  let best = Number.POSITIVE_INFINITY;
  let names: string[] = [];
  for (const known of USER_NAMES) {
    const d = distance(name, known);
    if (d < best) [best, names] = [d, [known]];
    else if (d === best) names.push(known);
  }
  return { names, distance: best };
}

/**
 * Optimal-string-alignment edit distance: insertions, deletions, substitutions and swaps of two
 * neighbouring characters each cost 1, so `GATEWAY_ULR` is 1 away from `GATEWAY_URL`.
 */
export function distance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}
