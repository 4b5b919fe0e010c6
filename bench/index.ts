// `pnpm bench`: every benchmark, one after another (they would disturb each other's timings if
// run together), each figure a median with min and max over --runs runs (default 5). Prints a
// table and writes bench/results.json. Individual benchmarks can be run alone: see their headers.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { arg, log, type Figure } from './figure.ts';
import { textTable } from '../src/measure/format.ts';

const ROOT = resolve(import.meta.dirname, '..');
const RUNS = arg('runs') ?? '5';
const run = promisify(execFile);

interface BurstSummary {
  median: number | null;
  min: number | null;
  max: number | null;
  runs: number[];
}

/** The burst benchmark reports its own richer shape; this lifts its headline numbers into figures. */
function burstFigures(r: Record<string, any>): Figure[] {
  const f = (name: string, unit: string, s: BurstSummary, target?: string, pass?: boolean): Figure => ({
    name,
    unit,
    median: s.median ?? NaN,
    min: s.min ?? NaN,
    max: s.max ?? NaN,
    runs: s.runs.length,
    ...(target ? { target, pass } : {}),
  });
  const out: Figure[] = [];
  if (r.verify10001)
    out.push(
      f(
        '10,001 requests at 10,000 rpm: arrival span',
        'ms',
        r.verify10001.arrivalSpanMs,
        r.verify10001.target,
        r.verify10001.pass,
      ),
    );
  if (r.throughputVsAutocannon) {
    out.push(f('burst engine throughput', 'req/s', r.throughputVsAutocannon.burstRps));
    out.push(f('autocannon throughput (same endpoint)', 'req/s', r.throughputVsAutocannon.autocannonRps));
    out.push(
      f(
        'burst / autocannon',
        '×',
        r.throughputVsAutocannon.ratio,
        r.throughputVsAutocannon.target,
        r.throughputVsAutocannon.pass,
      ),
    );
  }
  if (r.span101)
    out.push(
      f(
        '§5.1 burst: send span of 101 requests',
        'ms',
        r.span101.sendSpanMs ?? r.span101,
        r.span101.target,
        r.span101.pass,
      ),
    );
  return out;
}

const BENCHES: { name: string; file: string; adapt?: (r: Record<string, any>) => Figure[] }[] = [
  { name: 'rehearsal', file: 'bench/rehearsal.ts' },
  { name: 'burst', file: 'bench/burst.ts', adapt: burstFigures },
  { name: 'timing', file: 'bench/timing-fidelity.ts' },
  { name: 'runbook loop', file: 'bench/runbook-loop.ts' },
  { name: 'sandbox', file: 'bench/sandbox.ts' },
];

const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, runs: Number(RUNS) };
const table: Figure[] = [];
let failed = false;
for (const b of BENCHES) {
  log(`\n=== ${b.name} (${b.file}) ===`);
  // A benchmark that misses its target exits non-zero but still prints its figures: keep them.
  const out = await run(resolve(ROOT, 'node_modules/.bin/tsx'), [b.file, '--runs', RUNS], {
    cwd: ROOT,
    maxBuffer: 64 << 20,
    timeout: 30 * 60_000,
  }).catch((err: { stdout?: string; message: string }) => ({ stdout: err.stdout ?? '', error: err.message }));
  try {
    const parsed = JSON.parse(out.stdout.trim().split('\n').at(-1)!) as Record<string, any>;
    results[b.name] = parsed;
    table.push(...(b.adapt ? b.adapt(parsed) : ((parsed.figures as Figure[]) ?? [])));
  } catch {
    failed = true;
    const message = 'error' in out ? out.error : 'no figures printed';
    results[b.name] = { error: message.slice(0, 2000) };
    log(`${b.name} failed: ${message.slice(0, 500)}`);
  }
}
writeFileSync(resolve(ROOT, 'bench/results.json'), `${JSON.stringify({ ...results, table }, null, 2)}\n`);

const fmt = (n: number): string => (Number.isFinite(n) ? (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2)) : '-');
const rows = table.map((f) => [
  f.name,
  `${fmt(f.median)} ${f.unit}`,
  `${fmt(f.min)} … ${fmt(f.max)}`,
  String(f.runs),
  f.target ?? '',
  f.pass === undefined ? '' : f.pass ? 'ok' : 'MISSED',
]);
const columns = [
  { title: 'figure' },
  { title: 'median', align: 'right' },
  { title: 'min … max', align: 'right' },
  { title: 'runs', align: 'right' },
  { title: 'target' },
  { title: '' },
] as const;
process.stdout.write(`\n${textTable(columns, rows)}\n\nwritten: bench/results.json\n`);
const flakes = (results.rehearsal as { flakes?: { runs: number; notGo: number } } | undefined)?.flakes;
if (flakes) process.stdout.write(`healthy rehearsals not ending go (flakes): ${flakes.notGo}/${flakes.runs}\n`);
if (failed || table.some((f) => f.pass === false)) process.exitCode = 1;
