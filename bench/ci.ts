// Benchmark: CI as it runs on a clean clone of main, conformance included: clones the current
// HEAD (committed state only, like CI) into a temp dir and times `.ci/run` there, on this
// machine's cores. Target < 12 min. Always one run, whatever --runs says: it takes ~13 min.
// `pnpm bench --skip ci` leaves it out. `--command 'CMD'` runs CMD (through bash) in the clone
// instead of .ci/run, to test the parsing of its last line without the 13 minutes.
// Usage: tsx bench/ci.ts [--command 'echo "3 passed, 0 failed"']
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { arg, figure, log, unmeasured } from './figure.ts';

const ROOT = resolve(import.meta.dirname, '..');
const TARGET = { text: '< 12 min', meets: (m: number) => m < 12 };
const NAME = `CI (.ci/run on a clean clone, conformance included, ${availableParallelism()} cores)`;

const dir = mkdtempSync(join(tmpdir(), 'bench-ci-'));
const clone = join(dir, 'main');
try {
  execFileSync('git', ['clone', '--quiet', '--no-hardlinks', ROOT, clone], { stdio: ['ignore', 'ignore', 'inherit'] });
  const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: clone, encoding: 'utf8' }).trim();
  const command = arg('command');
  const [file, args] = command === undefined ? [join(clone, '.ci/run'), []] : ['bash', ['-c', command]];
  log(`ci: ${command ?? '.ci/run'} in a clone of ${sha.slice(0, 12)} (${clone})`);
  const started = performance.now();
  // Its output goes to our stderr as it comes (progress); its last line is kept for the counts.
  const child = spawn(file, args, { cwd: clone, stdio: ['ignore', 'pipe', 'inherit'] });
  let tail = '';
  child.stdout.on('data', (d: Buffer) => {
    process.stderr.write(d);
    tail = (tail + d.toString()).slice(-4096);
  });
  const exitCode = await new Promise<number>((ok) => child.on('close', (code) => ok(code ?? 1)));
  const minutes = (performance.now() - started) / 60_000;
  const last = tail.trimEnd().split('\n').at(-1) ?? '';
  const m = /^(\d+) passed, (\d+) failed$/.exec(last.trim());
  const counts = m ? { passed: Number(m[1]), failed: Number(m[2]) } : undefined;
  const figures = [
    figure(NAME, 'min', [minutes], TARGET),
    counts
      ? figure('CI steps and tests failed', 'failed', [counts.failed], { text: '0', meets: (f) => f === 0 })
      : unmeasured('CI steps and tests failed', 'failed', '0', `last line is not "N passed, N failed": ${last}`),
  ];
  log(`ci: ${minutes.toFixed(1)} min, exit ${exitCode}, last line: ${last}`);
  process.stdout.write(`${JSON.stringify({ figures, sha, exitCode, ...counts, lastLine: last })}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
