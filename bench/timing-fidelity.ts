// Benchmark: timing fidelity. Our measured latency (src/clients/http.ts `send`, total to the
// last body byte on a warm keep-alive connection) for an endpoint with a fixed 50 ms delay,
// compared with `curl -w '%{time_total}'` against it in the same run. Target: median
// difference <= 1 ms. Curl opens a new connection per call, so it is compared on a local
// server where connecting costs microseconds.
// Usage: tsx bench/timing-fidelity.ts [--runs 5] [--samples 30]
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { closePools, send } from '../src/clients/http.ts';
import { quantile } from '../src/measure/stats.ts';
import { arg, figure, log } from './figure.ts';

const RUNS = Number(arg('runs') ?? 5);
const SAMPLES = Number(arg('samples') ?? 30);
const run = promisify(execFile);

const server = createServer((req, res) => {
  req.resume();
  setTimeout(
    () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': 11 }).end('{"ok":true}'),
    50,
  );
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/delay`;

const ours: number[] = [];
const curls: number[] = [];
const diffs: number[] = [];
await send(url, { timeoutMs: 5000 }); // warm the pool
for (let r = 0; r < RUNS; r++) {
  const o: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    o.push((await send(url, { timeoutMs: 5000 })).timing.totalMs);
    const { stdout } = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{time_total}', url]);
    c.push(Number(stdout) * 1000);
  }
  const mo = quantile(o, 0.5)!;
  const mc = quantile(c, 0.5)!;
  ours.push(mo);
  curls.push(mc);
  diffs.push(Math.abs(mo - mc));
  log(`timing run ${r + 1}/${RUNS}: ours ${mo.toFixed(2)} ms, curl ${mc.toFixed(2)} ms`);
}
server.close();
await closePools();
process.stdout.write(
  `${JSON.stringify({
    figures: [
      figure('fixed 50 ms endpoint, our measurement', 'ms', ours),
      figure('fixed 50 ms endpoint, curl time_total', 'ms', curls),
      figure('timing difference |ours - curl| (median per run)', 'ms', diffs, {
        text: '<= 1 ms',
        meets: (m) => m <= 1,
      }),
    ],
  })}\n`,
);
