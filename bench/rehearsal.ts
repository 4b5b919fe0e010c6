// Benchmark: the full `pnpm test:cutover` rehearsal against the sandbox, as a user runs it.
// Wall time (target <= 10 s) and peak RSS of the whole process tree (target <= 300 MB), the
// tree sampled from /proc every 100 ms, since Vitest runs the checks in worker processes.
// Also counts flakes: runs whose verdict is not rehearsal-go on the healthy sandbox.
// Usage: tsx bench/rehearsal.ts [--runs 5]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cutoverCommand } from '../selftest/run-cutover.ts';
import { arg, figure, log } from './figure.ts';

const ROOT = resolve(import.meta.dirname, '..');
const RUNS = Number(arg('runs') ?? 5);

/** Resident memory (bytes) of `pid` and all its descendants, from /proc. */
function treeRss(pid: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      rss.set(Number(entry), Number(fields[21]) * 4096);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended between listing and reading.
    }
  }
  let total = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    total += rss.get(p) ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

async function once(): Promise<{ ms: number; peakMb: number; verdict: string }> {
  const evidenceDir = mkdtempSync(join(tmpdir(), 'bench-rehearsal-'));
  const env = { ...process.env, CUTOVER_ENV_FILE: '/dev/null', CUTOVER_EVIDENCE_DIR: evidenceDir, NO_COLOR: '1' };
  for (const k of Object.keys(env))
    if (/^(GATEWAY_|LANGFUSE_|SANDBOX_|CUTOVER_RUN)/.test(k)) delete env[k as keyof typeof env];
  const started = performance.now();
  const cmd = cutoverCommand();
  const child = spawn(cmd.file, cmd.args, { cwd: ROOT, env, stdio: 'ignore' });
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, treeRss(child.pid!))), 100);
  await new Promise((r) => child.on('exit', r));
  clearInterval(sampler);
  const ms = performance.now() - started;
  const file = join(evidenceDir, 'latest', 'evidence.json');
  const verdict = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { verdict: string }).verdict : 'none';
  return { ms, peakMb: peak / 1024 / 1024, verdict };
}

const results = [];
for (let i = 0; i < RUNS; i++) {
  const r = await once();
  log(
    `rehearsal ${i + 1}/${RUNS}: ${(r.ms / 1000).toFixed(2)} s, peak ${r.peakMb.toFixed(0)} MB, verdict ${r.verdict}`,
  );
  results.push(r);
}
process.stdout.write(
  `${JSON.stringify({
    figures: [
      figure(
        'rehearsal wall time',
        's',
        results.map((r) => r.ms / 1000),
        { text: '<= 10 s', meets: (m) => m <= 10 },
      ),
      figure(
        'rehearsal peak RSS (process tree)',
        'MB',
        results.map((r) => r.peakMb),
        { text: '<= 300 MB', meets: (m) => m <= 300 },
      ),
    ],
    flakes: { runs: RUNS, notGo: results.filter((r) => r.verdict !== 'rehearsal-go').length },
  })}\n`,
);
