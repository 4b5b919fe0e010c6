// Benchmark: the full `pnpm test:cutover` rehearsal against the sandbox (default profile), as a
// user runs it. Wall time (target <= 5 s) and peak memory as the kernel counts it (ru_maxrss,
// bench/maxrss.ts): the largest process of the tree (target <= 300 MB), the sum over the tree's
// Node processes (an upper bound, no target) and their count. Also counts flakes: runs whose
// verdict is not rehearsal-go on the healthy sandbox.
// Usage: tsx bench/rehearsal.ts [--runs 5]
import { memoryFigures } from './maxrss.ts';
import { arg, figure, log } from './figure.ts';
import { rehearse } from './rehearsal-run.ts';

const RUNS = Number(arg('runs') ?? 5);

const results = [];
for (let i = 0; i < RUNS; i++) {
  const r = await rehearse();
  log(
    `rehearsal ${i + 1}/${RUNS}: ${(r.wallMs / 1000).toFixed(2)} s, largest process ${r.largestMb.toFixed(0)} MB, ` +
      `sum ${r.sumMb.toFixed(0)} MB over ${r.processes.length} Node processes, verdict ${r.verdict}`,
  );
  results.push(r);
}
process.stdout.write(
  `${JSON.stringify({
    figures: [
      figure(
        'rehearsal wall time',
        's',
        results.map((r) => r.wallMs / 1000),
        { text: '<= 5 s', meets: (m) => m <= 5 },
      ),
      ...memoryFigures('rehearsal', results),
    ],
    flakes: { runs: RUNS, notGo: results.filter((r) => r.verdict !== 'rehearsal-go').length },
    processes: results.map((r) => r.processes.map(({ script, maxRssKb }) => ({ script, maxRssKb }))),
  })}\n`,
);
