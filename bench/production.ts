// Benchmark: the rehearsal against the sandbox's production latency profile
// (`SANDBOX_PROFILE=production`, each run seeded differently through SANDBOX_SEED, the seeds
// recorded), as a user runs it. Figures: the process's wall time; its critical path; their ratio
// (target <= 1.3); and peak memory as bench/rehearsal.ts measures it.
//
// The critical path is the run's own (`criticalPath` in src/evidence/timeline.ts, from the
// evidence's check timelines): setup, the longest check, writing the evidence. The run clock
// (run.startedAt to run.endedAt) starts after Node boots and Vitest starts, and stops before the
// process exits; nothing can overlap those, so they count as critical too:
//   critical = path + (process wall − run wall),  figure = process wall / critical.
// A run without check timelines has no critical path: the ratio is then missed with that reason.
// Usage: tsx bench/production.ts [--runs 5]
import { randomBytes } from 'node:crypto';
import { criticalPath } from '../src/evidence/timeline.ts';
import { arg, figure, log, unmeasured, type Figure } from './figure.ts';
import { memoryFigures } from './maxrss.ts';
import { rehearse } from './rehearsal-run.ts';

const RUNS = Number(arg('runs') ?? 5);
const RATIO = 'production wall time / critical path';

interface Run {
  seed: string;
  verdict: string;
  wallMs: number;
  /** Undefined when the run's evidence had no check timelines (or no evidence). */
  criticalMs?: number;
  path?: { name: string; ms: number }[];
}

const runs: Run[] = [];
const usages = [];
for (let i = 0; i < RUNS; i++) {
  const seed = `bench-${randomBytes(4).toString('hex')}`;
  const r = await rehearse({ SANDBOX_PROFILE: 'production', SANDBOX_SEED: seed });
  usages.push(r);
  const cp = r.bundle
    ? criticalPath(
        r.bundle.run,
        r.bundle.sections.flatMap((s) => s.checks),
      )
    : undefined;
  const run: Run = { seed, verdict: r.verdict, wallMs: r.wallMs };
  if (cp) {
    run.criticalMs = cp.ms + (r.wallMs - cp.wallMs);
    run.path = [
      { name: 'process start (before run.startedAt) and exit (after run.endedAt)', ms: r.wallMs - cp.wallMs },
      ...cp.segments.map((s) => ({ name: s.name, ms: s.ms })),
    ];
  }
  runs.push(run);
  log(
    `production ${i + 1}/${RUNS} (SANDBOX_SEED=${seed}): ${(r.wallMs / 1000).toFixed(2)} s, ` +
      `critical ${run.criticalMs === undefined ? 'unknown (no check timelines)' : `${(run.criticalMs / 1000).toFixed(2)} s`}, ` +
      `largest process ${r.largestMb.toFixed(0)} MB, verdict ${r.verdict}`,
  );
}

const timed = runs.filter((r) => r.criticalMs !== undefined);
const missing = runs.length - timed.length;
const pathFigures: Figure[] =
  timed.length === 0
    ? [
        unmeasured(
          RATIO,
          '×',
          '<= 1.3',
          `no critical path: ${missing} of ${runs.length} runs had no check timelines in their evidence`,
        ),
      ]
    : [
        figure(
          'production critical path (incl. process start and exit)',
          's',
          timed.map((r) => r.criticalMs! / 1000),
        ),
        {
          ...figure(
            RATIO,
            '×',
            timed.map((r) => r.wallMs / r.criticalMs!),
            { text: '<= 1.3', meets: (m) => m <= 1.3 },
          ),
          ...(missing > 0 ? { reason: `${missing} of ${runs.length} runs had no check timelines; left out` } : {}),
        },
      ];
process.stdout.write(
  `${JSON.stringify({
    figures: [
      figure(
        'production rehearsal wall time',
        's',
        runs.map((r) => r.wallMs / 1000),
      ),
      ...pathFigures,
      ...memoryFigures('production rehearsal', usages),
    ],
    flakes: { runs: RUNS, notGo: runs.filter((r) => r.verdict !== 'rehearsal-go').length },
    runs,
  })}\n`,
);
