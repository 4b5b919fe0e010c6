import { MIN_SECRET_LENGTH, weakSecretReason } from '../evidence/redact.ts';
import { DATABASE_URL_VARIABLES, urlPasswords } from './load.ts';
import type { ConfigProblem } from './schema.ts';
import { SECRET_VARIABLES } from './variables.ts';

/**
 * Secrets too weak to redact safely, one problem per variable, each naming the variable and
 * never the value. A secret shorter than `MIN_SECRET_LENGTH` characters, or equal to a common
 * credential or a word of the evidence schema (`passed`, `clickhouse`, …), cannot be redacted
 * without either leaking it (a 4-character password echoed in every error) or corrupting the
 * evidence (`status: "passed"` redacted), so the run is refused before anything is sent.
 * Checked: every secret variable (`SECRET_VARIABLES`) and `TEAM_KEY_*` that is set, and the
 * password inside each database URL. Unset and blank variables are the schema's business.
 */
export function secretStrengthProblems(env: Record<string, string | undefined>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const names = [
    ...SECRET_VARIABLES,
    ...Object.keys(env).filter((n) => n.startsWith('TEAM_KEY_') && !SECRET_VARIABLES.includes(n)),
  ];
  for (const variable of names) {
    const value = env[variable]?.trim();
    if (!value) continue;
    const why = weakSecretReason(value);
    if (why) {
      problems.push({ variable, problem: `${why}; use a random value of at least ${MIN_SECRET_LENGTH} characters` });
      continue;
    }
    if (!(DATABASE_URL_VARIABLES as readonly string[]).includes(variable)) continue;
    const weak = urlPasswords(value)
      .map(weakSecretReason)
      .find((r) => r !== undefined);
    if (weak)
      problems.push({
        variable,
        problem: `the password in this URL ${weak}; use a random password of at least ${MIN_SECRET_LENGTH} characters`,
      });
  }
  return problems;
}
