// `pnpm bench`: every benchmark, one after another (they would disturb each other's timings if
// run together), each figure a median with min and max over --runs runs (default 5). Prints a
// table, writes bench/results.json and regenerates README's bench table from it
// (scripts/bench-table.ts). Individual benchmarks can be run alone: see their headers.
//   --skip a,b   leaves out the benchmarks named (e.g. `--skip ci`, the 13-minute one)
//   --only a,b   runs only those (names as in BENCHES; `runbook-loop` for `runbook loop`)
// A partial run carries the left-out benchmarks' previous figures over (`carriedOver` in
// results.json names them with their date); those never measured are listed under `skipped`.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { arg, log, type Figure } from './figure.ts';
import { textTable } from '../src/measure/format.ts';

const ROOT = resolve(import.meta.dirname, '..');
const RUNS = arg('runs') ?? '5';
const run = promisify(execFile);

/** A benchmark's printed JSON, as parsed: each benchmark has its own shape, read field by field. */
// biome-ignore lint/suspicious/noExplicitAny: the shapes are the benchmarks' own; `adapt` reads them.
type Output = Record<string, any>;

interface BurstSummary {
  median: number | null;
  min: number | null;
  max: number | null;
  runs: number[];
}

/** The burst benchmark reports its own richer shape; this lifts its headline numbers into figures. */
function burstFigures(r: Output): Figure[] {
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

const BENCHES: { name: string; file: string; adapt?: (r: Output) => Figure[] }[] = [
  { name: 'rehearsal', file: 'bench/rehearsal.ts' },
  { name: 'production', file: 'bench/production.ts' },
  { name: 'burst', file: 'bench/burst.ts', adapt: burstFigures },
  { name: 'timing', file: 'bench/timing-fidelity.ts' },
  { name: 'runbook loop', file: 'bench/runbook-loop.ts' },
  { name: 'sandbox', file: 'bench/sandbox.ts' },
  // Last: it runs for ~13 minutes and needs the machine to itself no more than the others do.
  { name: 'ci', file: 'bench/ci.ts' },
];

/**
 * Runs one benchmark file; its progress (stderr) shows as it comes, which matters for the
 * 13-minute CI one, and its stdout is kept for the figures on its last line. Never rejects.
 */
function runBench(file: string): Promise<{ stdout: string; error?: string }> {
  return new Promise((done) => {
    const child = spawn(resolve(ROOT, 'node_modules/.bin/tsx'), [file, '--runs', RUNS], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 30 * 60_000,
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.on('error', (err) => done({ stdout, error: err.message }));
    child.on('close', (code, signal) =>
      done(code === 0 ? { stdout } : { stdout, error: `${file} exited with ${code ?? signal}` }),
    );
  });
}

/** `--skip`/`--only` lists; a name matches with spaces or hyphens (`runbook-loop`). */
const names = (flag: string): string[] | undefined =>
  arg(flag)
    ?.split(',')
    .map((n) => n.trim().replace(/-/g, ' '));
const only = names('only');
const skip = names('skip') ?? [];
for (const n of [...(only ?? []), ...skip])
  if (!BENCHES.some((b) => b.name === n))
    throw new Error(`unknown benchmark "${n}"; known: ${BENCHES.map((b) => b.name).join(', ')}`);
const selected = BENCHES.filter((b) => (only ? only.includes(b.name) : true) && !skip.includes(b.name));

// A partial run keeps the previous results of the benchmarks it leaves out (with the date they were
// measured), so that `--skip ci` and then `--only ci` still add up to one complete results.json.
const RESULTS = resolve(ROOT, 'bench/results.json');
const previous = (existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : {}) as Output;
const carriedOver: Record<string, string> = {};
const skipped: string[] = [];

const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  node: process.version,
  cores: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  runs: Number(RUNS),
};
const table: Figure[] = [];
let failed = false;
let missed = false;
for (const b of BENCHES) {
  const figuresOf = (r: Output): Figure[] => (b.adapt ? b.adapt(r) : ((r.figures as Figure[]) ?? []));
  if (!selected.includes(b)) {
    const before = previous[b.name] as Output | undefined;
    if (!before || before.error) {
      skipped.push(b.name);
      continue;
    }
    carriedOver[b.name] = previous.carriedOver?.[b.name] ?? previous.date;
    results[b.name] = before;
    table.push(...figuresOf(before));
    continue;
  }
  log(`\n=== ${b.name} (${b.file}) ===`);
  // A benchmark that misses its target exits non-zero but still prints its figures: keep them.
  const out = await runBench(b.file);
  try {
    const parsed = JSON.parse(out.stdout.trim().split('\n').at(-1)!) as Output;
    results[b.name] = parsed;
    const figures = figuresOf(parsed);
    table.push(...figures);
    if (figures.some((f) => f.pass === false)) missed = true;
  } catch {
    failed = true;
    const message = out.error ?? 'no figures printed';
    results[b.name] = { error: message.slice(0, 2000) };
    log(`${b.name} failed: ${message.slice(0, 500)}`);
  }
}
if (Object.keys(carriedOver).length > 0) results.carriedOver = carriedOver;
if (skipped.length > 0) results.skipped = skipped;
writeFileSync(RESULTS, `${JSON.stringify({ ...results, table }, null, 2)}\n`);

const fmt = (n: number): string =>
  Number.isFinite(n) ? (Number.isInteger(n) || Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2)) : '-';
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
for (const f of table) if (f.reason) process.stdout.write(`${f.name}: ${f.reason}\n`);
for (const b of selected) {
  const flakes = (results[b.name] as { flakes?: { runs: number; notGo: number } } | undefined)?.flakes;
  if (flakes)
    process.stdout.write(`${b.name}: healthy rehearsals not ending go (flakes): ${flakes.notGo}/${flakes.runs}\n`);
}
for (const [name, date] of Object.entries(carriedOver))
  process.stdout.write(`${name}: not run, figures carried over from ${date}\n`);
if (skipped.length > 0) process.stdout.write(`skipped: ${skipped.join(', ')}\n`);
// README's table is generated from the file just written, never edited by hand.
await run(resolve(ROOT, 'node_modules/.bin/tsx'), ['scripts/bench-table.ts'], { cwd: ROOT }).then(
  () => process.stdout.write('README.md bench table regenerated\n'),
  (err: { message: string }) => {
    failed = true;
    log(`README bench table not regenerated: ${err.message}`);
  },
);
// Only what this run measured decides its exit code; carried-over figures were judged when measured.
if (failed || missed) process.exitCode = 1;
