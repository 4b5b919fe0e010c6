import { quantile } from '../src/measure/stats.ts';

/** One benchmark figure: a median with min and max over `runs` runs, against an optional target. */
export interface Figure {
  name: string;
  unit: string;
  median: number;
  min: number;
  max: number;
  runs: number;
  /** e.g. `<= 10 s`; absent for figures reported without a target. */
  target?: string;
  /** Whether the median meets the target; absent without a target. */
  pass?: boolean;
  /** Why a figure with a target could not be measured (it is then missed, its numbers NaN). */
  reason?: string;
}

/** Summarises repeated measurements as a figure; `meets` decides the target on the median. */
export function figure(
  name: string,
  unit: string,
  values: readonly number[],
  target?: { text: string; meets: (median: number) => boolean },
): Figure {
  if (values.length === 0) throw new Error(`${name}: no measurements`);
  const median = quantile(values, 0.5)!;
  const round = (n: number): number => Math.round(n * 1000) / 1000;
  return {
    name,
    unit,
    median: round(median),
    min: round(Math.min(...values)),
    max: round(Math.max(...values)),
    runs: values.length,
    ...(target ? { target: target.text, pass: target.meets(median) } : {}),
  };
}

/** A figure that could not be measured: missed, with the reason, never a crash of the bench. */
export function unmeasured(name: string, unit: string, target: string, reason: string): Figure {
  return { name, unit, median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: 0, target, pass: false, reason };
}

/** Reads `--name value` from argv. */
export function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Progress goes to stderr; stdout carries only the JSON figures. */
export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}
