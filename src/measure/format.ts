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
  // 999.6 ms rounds to 1,000 ms: said in seconds, like every value from a second up.
  if (Math.round(ms) >= 1000) return `${num(Math.round(ms / 100) / 10)} s`;
  return `${num(Math.round(ms))} ms`;
}

/** One column of a `textTable`: its heading, which side it aligns to, and the widest a cell may be. */
export interface Column {
  readonly title: string;
  /** Numbers align right, words left (the default). */
  readonly align?: 'left' | 'right';
  /** Longer cells are cut with `…`; no limit when unset. */
  readonly max?: number;
}

/**
 * A plain-text table for a terminal: the heading, a rule under it, then the rows, columns
 * padded to their widest cell and separated by `separator`, trailing spaces trimmed. The one
 * table printer of the plan, the bench and the fault matrix outputs.
 */
export function textTable(columns: readonly Column[], rows: readonly (readonly string[])[], separator = '  '): string {
  const cut = (s: string, c: Column): string =>
    c.max !== undefined && s.length > c.max ? `${s.slice(0, c.max - 1)}…` : s;
  const body = rows.map((r) => columns.map((c, i) => cut(r[i] ?? '', c)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((s, i) => (columns[i]!.align === 'right' ? s.padStart(widths[i]!) : s.padEnd(widths[i]!)))
      .join(separator)
      .trimEnd();
  return [line(columns.map((c) => c.title)), widths.map((w) => '-'.repeat(w)).join(separator), ...body.map(line)].join(
    '\n',
  );
}
