import { CATALOGUE } from '../evidence/catalogue.ts';

/** A check the operator chose not to run, and why: what the evidence and the verdict carry. */
export interface Waiver {
  readonly id: string;
  readonly reason: string;
}

/**
 * Parses `CUTOVER_SKIP`, InSpec-style waivers: entries separated by `;` or new lines, each
 * `<check id>: <reason>`, e.g. `2/fly-machines: no Fly token in this CI; 1/tls: checked by hand`.
 * A waiver without a reason, an unknown id (a typo would otherwise waive nothing and go
 * unnoticed) and a check that may never be waived (see `catalogue.ts`) are refused, each named.
 */
export function parseWaivers(value: string | undefined): { waivers: Waiver[]; problems: string[] } {
  const waivers: Waiver[] = [];
  const problems: string[] = [];
  for (const raw of (value ?? '')
    .split(/[;\n]/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    const colon = raw.indexOf(':');
    const id = (colon < 0 ? raw : raw.slice(0, colon)).trim();
    const reason = colon < 0 ? '' : raw.slice(colon + 1).trim();
    const known = CATALOGUE.find((c) => c.id === id);
    if (!known) {
      const near = CATALOGUE.filter(
        (c) => c.id.split('/')[0] === id.split('/')[0] || c.id.includes(id.split('/')[1] ?? '\0'),
      ).map((c) => c.id);
      problems.push(
        `${JSON.stringify(id.slice(0, 60))} is not a check id${colon < 0 && id.includes(',') ? ' (waivers are separated by ";", each "<id>: <reason>")' : ''}${near.length ? `; did you mean ${near.join(' or ')}?` : ''}`,
      );
      continue;
    }
    if (!known.waivable) {
      problems.push(`${id} cannot be waived: ${known.why}`);
      continue;
    }
    if (!reason) {
      problems.push(`${id} needs a reason: write "${id}: <why it is not run here>"`);
      continue;
    }
    if (waivers.some((w) => w.id === id)) continue;
    waivers.push({ id, reason });
  }
  return { waivers, problems };
}
