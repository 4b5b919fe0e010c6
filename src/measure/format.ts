/**
 * How the suite writes a number for people, in every view (terminal lines, summary.md,
 * report.html, charts): one formatter per kind of number, so the same ratio never reads
 * "41.0 %" in one place and "41 %" in another.
 */

/** A 0–1 ratio as a percentage with one decimal: `0.031` → `3.1 %`, `0.3` → `30.0 %`. */
export function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}

/** A plain number for a label: integers grouped (`12,345`), others to 2 decimals (3 significant digits below 1). */
export function num(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  if (Math.abs(v) < 1) return String(Number(v.toPrecision(3)));
  return v.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** A duration as the runbook writes one: `5 min` (whole minutes), `1.2 s`, `85 ms`. */
export function duration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000) return `${num(Math.round(ms / 100) / 10)} s`;
  return `${num(Math.round(ms))} ms`;
}
