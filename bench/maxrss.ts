// Peak memory of a command's whole process tree as the kernel counts it (ru_maxrss), not sampled:
// a sampler misses short peaks and double-counts nothing it never sees. Two readings:
// - bench/maxrss-preload.cjs, preloaded into every Node process of the tree through
//   NODE_OPTIONS, records each process's own ru_maxrss at exit (pid, parent, script);
// - bench/tree-rusage.py runs the command and records wait4(2)'s ru_maxrss for it: the largest
//   process of the tree, non-Node descendants included.
// Needs python3 (Debian's; no packages).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { figure, type Figure } from './figure.ts';

const PRELOAD = resolve(import.meta.dirname, 'maxrss-preload.cjs');
const WRAPPER = resolve(import.meta.dirname, 'tree-rusage.py');

/** One Node process of the tree, as the preload recorded it. */
interface ProcessRecord {
  pid: number;
  ppid: number;
  argv0: string;
  script: string;
  maxRssKb: number;
}

/** What one measured command used. */
export interface TreeUsage {
  exitCode: number;
  /** The command's wall time, measured by the wrapper around fork and wait. */
  wallMs: number;
  /** The largest process of the tree (MB): the kernel's tree figure or any recorded process, whichever is larger. */
  largestMb: number;
  /** The sum of the Node processes' own peaks (MB): an upper bound on the tree's peak, as they need not peak at once. */
  sumMb: number;
  processes: ProcessRecord[];
}

const mb = (kb: number): number => kb / 1024;

/** Runs `file args` under both readings and resolves with the tree's usage once it has exited. */
export async function measureTree(
  file: string,
  args: readonly string[],
  o: { cwd: string; env: Record<string, string | undefined> },
): Promise<TreeUsage> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-maxrss-'));
  const out = join(dir, 'tree.json');
  const records = join(dir, 'processes');
  mkdirSync(records);
  const env = {
    ...o.env,
    BENCH_MAXRSS_DIR: records,
    NODE_OPTIONS: [o.env.NODE_OPTIONS, `--require ${PRELOAD}`].filter(Boolean).join(' '),
  };
  const child = spawn('python3', [WRAPPER, out, file, ...args], { cwd: o.cwd, env, stdio: 'ignore' });
  await new Promise<void>((ok, fail) => {
    child.on('error', fail);
    child.on('exit', () => ok());
  });
  try {
    const tree = JSON.parse(readFileSync(out, 'utf8')) as { exitCode: number; wallMs: number; treeMaxRssKb: number };
    const processes = readdirSync(records).map(
      (f) => JSON.parse(readFileSync(join(records, f), 'utf8')) as ProcessRecord,
    );
    const largestKb = Math.max(tree.treeMaxRssKb, ...processes.map((p) => p.maxRssKb));
    return {
      exitCode: tree.exitCode,
      wallMs: tree.wallMs,
      largestMb: mb(largestKb),
      sumMb: mb(processes.reduce((t, p) => t + p.maxRssKb, 0)),
      processes,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The memory figures of repeated runs of one command: the largest process (target), the sum and the process count. */
export function memoryFigures(what: string, runs: readonly TreeUsage[]): Figure[] {
  return [
    figure(
      `${what} peak RSS, largest process (ru_maxrss)`,
      'MB',
      runs.map((r) => r.largestMb),
      { text: '<= 300 MB', meets: (m) => m <= 300 },
    ),
    figure(
      `${what} sum of ru_maxrss over the tree's Node processes (upper bound)`,
      'MB',
      runs.map((r) => r.sumMb),
    ),
    figure(
      `${what} Node processes in the tree`,
      'processes',
      runs.map((r) => r.processes.length),
    ),
  ];
}
