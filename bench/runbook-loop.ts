// Benchmark: the runbook's literal "101 requests in a loop" (a serial curl loop, as an engineer
// would type it) against our burst engine, on the same sandbox, each with a fresh 100-rpm key.
// Reports both spans and their ratio (loop / ours), and whether each saw the 429 on request 101.
// On a real gateway at 1-2 s per request the loop spans several 60 s windows and may never see
// the 429; the sandbox answers in ~150 ms, so this ratio is a lower bound.
// Usage: tsx bench/runbook-loop.ts [--runs 5]
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { prepareChatBurst } from '../src/clients/chat-burst.ts';
import { GatewayAdmin } from '../src/clients/gateway-admin.ts';
import { closePools } from '../src/clients/http.ts';
import { burst } from '../src/measure/burst.ts';
import { arg, figure, log } from './figure.ts';
import { startSandboxProcess } from './sandbox-process.ts';

const RUNS = Number(arg('runs') ?? 5);
const run = promisify(execFile);
const sb = await startSandboxProcess();
const gatewayUrl = sb.env.GATEWAY_URL!;
const admin = new GatewayAdmin({ url: gatewayUrl, adminKey: sb.env.GATEWAY_ADMIN_KEY!, timeoutMs: 30_000 });
const request = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user' as const, content: 'Cutover smoke test' }],
  max_tokens: 1,
  cache: { 'no-cache': true, 'no-store': true },
};
const loops: number[] = [];
const ours: number[] = [];
const ratios: number[] = [];
const saw429 = { loop: 0, ours: 0 };
try {
  for (let r = 1; r <= RUNS; r++) {
    const loopKey = (
      await admin.generateKey({ alias: `bench-loop-${process.pid}-${r}`, duration: '10m', rpmLimit: 100 })
    ).key;
    const script = `for i in $(seq 1 101); do curl -s -o /dev/null -w '%{http_code}\\n' "$URL/v1/chat/completions" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d "$BODY"; done`;
    const t0 = performance.now();
    const { stdout } = await run('bash', ['-c', script], {
      env: { ...process.env, URL: gatewayUrl, KEY: loopKey, BODY: JSON.stringify(request) },
      maxBuffer: 1 << 20,
    });
    const loopMs = performance.now() - t0;
    const codes = stdout.trim().split('\n');
    if (codes[100] === '429' && codes.slice(0, 100).every((c) => c === '200')) saw429.loop += 1;

    const key = (await admin.generateKey({ alias: `bench-ours-${process.pid}-${r}`, duration: '10m', rpmLimit: 100 }))
      .key;
    const res = await burst({
      ...prepareChatBurst({ gatewayUrl, runId: 'bench', apiKey: key, checkId: 'bench/loop', request, count: 101 }),
      concurrency: 32,
      timeoutMs: 30_000,
      warmPath: '/health/liveliness',
    });
    if (res.statusCounts[200] === 100 && res.statusCounts[429] === 1) saw429.ours += 1;
    loops.push(loopMs);
    ours.push(res.totalMs);
    ratios.push(loopMs / res.totalMs);
    log(
      `loop run ${r}/${RUNS}: serial curl loop ${Math.round(loopMs)} ms, burst ${Math.round(res.totalMs)} ms (×${(loopMs / res.totalMs).toFixed(1)})`,
    );
  }
} finally {
  await closePools();
  sb.stop();
}
process.stdout.write(
  `${JSON.stringify({
    figures: [
      figure('runbook serial curl loop, 101 requests', 'ms', loops),
      figure('our burst, 101 requests (total)', 'ms', ours),
      figure('literal loop / our burst', '×', ratios),
    ],
    saw429OnRequest101: { loop: `${saw429.loop}/${RUNS}`, ours: `${saw429.ours}/${RUNS}` },
  })}\n`,
);
