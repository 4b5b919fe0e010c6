/**
 * The units a measurement may carry: the evidence schema's `unit` enum, the recorder's `unit`
 * parameter type and the redaction vocabulary all read this list. `ratio` is a fraction in
 * [0, 1] (0.3 is 30 %), `code` an HTTP status, `cosine` a cosine similarity, `µUSD` millionths
 * of a dollar (a small completion costs ~10 µUSD); the rest count what they name.
 */
export const UNITS = [
  'ms',
  'ratio',
  'code',
  'requests',
  'tokens',
  'traces',
  'agents',
  'keys',
  'migrations',
  'days',
  'cosine',
  'µUSD',
] as const;
export type Unit = (typeof UNITS)[number];

/**
 * The one word a measurement name uses for its unit, as a `_`-separated part of the name
 * (`total_ms`, `cache_hit_rate`, `http_status`). Units that count what they name (`requests`,
 * `traces`, `agents`, `keys`, `migrations`) have none: `http_200_count` and `agents_found` say what
 * was counted.
 */
const UNIT_WORDS: Readonly<Partial<Record<Unit, string>>> = {
  ms: 'ms',
  ratio: 'rate',
  code: 'status',
  tokens: 'tokens',
  days: 'days',
  cosine: 'similarity',
  µUSD: 'microusd',
};

/** Other spellings of a unit: a name ending in one reads as a unit it does not have, or as one spelt another way. */
const OTHER_SPELLINGS: Readonly<Record<string, string>> = {
  millis: 'ms',
  msec: 'ms',
  milliseconds: 'ms',
  s: 'ms (seconds are recorded as ms)',
  sec: 'ms (seconds are recorded as ms)',
  secs: 'ms (seconds are recorded as ms)',
  seconds: 'ms (seconds are recorded as ms)',
  pct: 'rate (a ratio, 0.3 for 30 %)',
  percent: 'rate (a ratio, 0.3 for 30 %)',
  ratio: 'rate',
  usd: 'microusd',
  cost: 'microusd',
};

/**
 * Why `name` does not carry `unit` the one way names do, or undefined when it does: a unit with
 * a word (`UNIT_WORDS`) must have that word among the name's `_`-separated parts. Only presence is
 * asked, so a qualifier appended at run time (`cache_hit_rate_<agent>`) can never make a good
 * name bad; this is the rule the recorder enforces on every measurement.
 */
export function unitProblem(name: string, unit: Unit): string | undefined {
  const word = UNIT_WORDS[unit];
  if (word === undefined || name.split('_').includes(word)) return undefined;
  return `measurement ${name} is in ${unit}, so its name must carry _${word} (names carry their unit one way: ${describeWords()})`;
}

/**
 * Why the last part of `name` contradicts `unit`, or undefined: `total_ms` must be in ms,
 * `error_rate` a ratio, and a name ending in another spelling (`_pct`, `_seconds`, `_usd`) is
 * refused whatever its unit. Asked only of names as written in the code, with run-time parts
 * stood in for (src/evidence/units.test.ts reads every call site): an agent named `billing_status`
 * would otherwise turn `traces_billing_status` into an HTTP code.
 */
export function suffixProblem(name: string, unit: Unit): string | undefined {
  const last = name.split('_').at(-1) ?? '';
  const other = OTHER_SPELLINGS[last];
  if (other !== undefined) return `measurement ${name} ends in _${last}: write _${other}`;
  const meant = (Object.entries(UNIT_WORDS) as [Unit, string][]).find(([, w]) => w === last)?.[0];
  if (meant !== undefined && meant !== unit)
    return `measurement ${name} ends in _${last}, which means ${meant}, but its unit is ${unit}`;
  return undefined;
}

function describeWords(): string {
  return (Object.entries(UNIT_WORDS) as [Unit, string][]).map(([u, w]) => `${u} _${w}`).join(', ');
}
