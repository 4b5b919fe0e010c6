// Benchmark of the burst engine (src/measure/burst.ts) against the sandbox gateway:
//   1. 10,001 requests with a 10,000-rpm key: exactly 10,000 successes, all inside one 60 s window;
//   2. throughput against autocannon on the same endpoint, same key type, same connections (target ≥ 0.8×);
//   3. the send span of the §5.1 burst, 101 requests at QUOTA_CONCURRENCY (target ≤ 1 s).
// Each figure is a median with min/max over --runs runs (default 5). Progress goes to stderr;
// the figures go to stdout as one line of JSON (or to --out <file>); `pnpm bench` merges them into bench/results.json.
// Usage: tsx bench/burst.ts [--runs 5] [--out bench/burst-results.json]
import { writeFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { prepareChatBurst } from '../src/clients/chat-burst.ts';
import { GatewayAdmin } from '../src/clients/gateway-admin.ts';
import { closePools } from '../src/clients/http.ts';
import { burst, type BurstResult } from '../src/measure/burst.ts';
import { summarize } from '../src/measure/stats.ts';
import { arg, log } from './figure.ts';
import { startSandboxProcess } from './sandbox-process.ts';

const RUNS = Number(arg('runs') ?? 5);
const OUT = arg('out');
const WINDOW_MS = 60_000;
const BIG = { limit: 10_000, connections: 128 };
const COMPARE = { amount: 2_000, connections: 128 };
const SMALL = { limit: 100, concurrency: Number(process.env.QUOTA_CONCURRENCY ?? 32) };
const TIMEOUT_MS = 30_000;

// The sandbox runs in its own process, so server work does not share the benchmark's event loop.
const { env, stop } = await startSandboxProcess();
const gatewayUrl = env.GATEWAY_URL!;
const admin = new GatewayAdmin({ url: gatewayUrl, adminKey: env.GATEWAY_ADMIN_KEY!, timeoutMs: TIMEOUT_MS });
const chat = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user' as const, content: 'Reply with one word. Burst benchmark.' }],
  max_tokens: 1,
  cache: { 'no-cache': true, 'no-store': true },
};
let keys = 0;
const freshKey = async (rpmLimit: number): Promise<string> =>
  (await admin.generateKey({ alias: `bench-burst-${process.pid}-${keys++}`, duration: '10m', rpmLimit })).key;

async function runBurst(apiKey: string, count: number, concurrency: number): Promise<BurstResult> {
  const prepared = prepareChatBurst({
    gatewayUrl,
    runId: 'bench',
    apiKey,
    checkId: 'bench/burst',
    count,
    request: chat,
  });
  return burst({ ...prepared, concurrency, timeoutMs: TIMEOUT_MS, warmPath: '/health/liveliness' });
}

async function runAutocannon(apiKey: string): Promise<number> {
  const result = await autocannon({
    url: `${gatewayUrl}/v1/chat/completions`,
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...chat, metadata: { session_id: 'bench', tags: ['bench'] } }),
    connections: COMPARE.connections,
    amount: COMPARE.amount,
    timeout: TIMEOUT_MS / 1000,
  });
  const done = Object.values(result.statusCodeStats ?? {}).reduce((n, s) => n + (s.count ?? 0), 0);
  const ms = new Date(result.finish).getTime() - new Date(result.start).getTime();
  return (done / ms) * 1000;
}

const figure = (values: number[]) => {
  const s = summarize(values);
  return { median: s.p50, min: s.min, max: s.max, runs: values };
};

const verify: {
  successes: number;
  throttled: number;
  other: number;
  arrivalSpanMs: number;
  totalMs: number;
  rps: number;
}[] = [];
const burstRps: number[] = [];
const cannonRps: number[] = [];
const span101: number[] = [];
try {
  // Warm the gateway, the upstream and their tokenizers once, outside every measurement.
  await runBurst(await freshKey(1_000_000), 200, 32);
  for (let run = 1; run <= RUNS; run++) {
    const big = await runBurst(await freshKey(BIG.limit), BIG.limit + 1, BIG.connections);
    const c = big.statusCounts;
    verify.push({
      successes: c[200] ?? 0,
      throttled: c[429] ?? 0,
      other: BIG.limit + 1 - (c[200] ?? 0) - (c[429] ?? 0),
      arrivalSpanMs: big.arrivalSpanMs,
      totalMs: big.totalMs,
      rps: big.throughputRps,
    });
    log(
      `run ${run}: 10,001 → ${c[200] ?? 0} × 200, ${c[429] ?? 0} × 429 in ${Math.round(big.arrivalSpanMs)} ms (${Math.round(big.throughputRps)} req/s)`,
    );

    // Same endpoint, same key type, same connections; alternate which tool goes first.
    const key = await freshKey(1_000_000_000);
    const pair = run % 2 === 1 ? ['burst', 'autocannon'] : ['autocannon', 'burst'];
    for (const tool of pair) {
      if (tool === 'burst') burstRps.push((await runBurst(key, COMPARE.amount, COMPARE.connections)).throughputRps);
      else cannonRps.push(await runAutocannon(key));
    }
    log(`run ${run}: burst ${Math.round(burstRps.at(-1)!)} req/s, autocannon ${Math.round(cannonRps.at(-1)!)} req/s`);

    const small = await runBurst(await freshKey(SMALL.limit), SMALL.limit + 1, SMALL.concurrency);
    span101.push(small.sendSpanMs);
    log(
      `run ${run}: 101 requests at concurrency ${SMALL.concurrency}: send span ${Math.round(small.sendSpanMs)} ms, ${JSON.stringify(small.statusCounts)}`,
    );
  }
} finally {
  await closePools();
  stop();
}

const ratios = burstRps.map((b, i) => b / cannonRps[i]!);
const results = {
  benchmark: 'burst',
  date: new Date().toISOString(),
  node: process.version,
  runs: RUNS,
  verify10001: {
    target: `exactly ${BIG.limit} × 200 and 1 × 429 out of ${BIG.limit + 1}, arrival span < ${WINDOW_MS} ms`,
    pass: verify.every(
      (v) => v.successes === BIG.limit && v.throttled === 1 && v.other === 0 && v.arrivalSpanMs < WINDOW_MS,
    ),
    connections: BIG.connections,
    successes: verify.map((v) => v.successes),
    arrivalSpanMs: figure(verify.map((v) => v.arrivalSpanMs)),
    throughputRps: figure(verify.map((v) => v.rps)),
  },
  throughputVsAutocannon: {
    target: 'ratio ≥ 0.8',
    connections: COMPARE.connections,
    requestsPerRun: COMPARE.amount,
    burstRps: figure(burstRps),
    autocannonRps: figure(cannonRps),
    ratio: figure(ratios),
    pass: (summarize(ratios).p50 ?? 0) >= 0.8,
  },
  span101: {
    target: '≤ 1000 ms',
    concurrency: SMALL.concurrency,
    sendSpanMs: figure(span101),
    pass: (summarize(span101).p50 ?? Infinity) <= 1000,
  },
};
log(
  `ratio burst/autocannon: median ${results.throughputVsAutocannon.ratio.median?.toFixed(2)} (min ${results.throughputVsAutocannon.ratio.min?.toFixed(2)}, max ${results.throughputVsAutocannon.ratio.max?.toFixed(2)})`,
);
// One line: `pnpm bench` (bench/index.ts) reads the last line of stdout.
const json = `${JSON.stringify(results)}\n`;
if (OUT) writeFileSync(OUT, json);
else process.stdout.write(json);
process.exit(results.verify10001.pass && results.throughputVsAutocannon.pass && results.span101.pass ? 0 : 1);
