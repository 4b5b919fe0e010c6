// Benchmark: the sandbox itself (issue: sandbox fidelity, performance).
//   1. start time of the whole stand-in stack, as it reports it (target < 1 s);
//   2. cache hits served per second on loopback, measured with autocannon against the gateway:
//      with an exact `redis` cache (target >= 2,000 req/s, so the sandbox never bottlenecks a
//      burst), and with the default `redis-semantic` cache, where every hit first waits for an
//      embedding, as LiteLLM's semantic caches do (reported, no target).
// Usage: tsx bench/sandbox.ts [--runs 5]
import autocannon from 'autocannon';
import { arg, figure, log } from './figure.ts';
import { startSandboxProcess } from './sandbox-process.ts';

const RUNS = Number(arg('runs') ?? 5);
const starts: number[] = [];
const hitRps: Record<'redis' | 'redis-semantic', number[]> = { redis: [], 'redis-semantic': [] };

/** Hits per second on one sandbox whose gateway runs `cacheType`. */
async function hitsPerSecond(cacheType: keyof typeof hitRps, run: number): Promise<void> {
  const sb = await startSandboxProcess('', cacheType);
  try {
    if (cacheType === 'redis') starts.push(sb.startedInMs);
    const url = `${sb.env.GATEWAY_URL}/v1/chat/completions`;
    const body = JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'cache-hit benchmark' }],
      max_tokens: 4,
      cache: { namespace: `bench-${run}` },
    });
    const headers = { authorization: `Bearer ${sb.env.GATEWAY_ADMIN_KEY}`, 'content-type': 'application/json' };
    // Fill the cache, let the asynchronous write land, then measure hits only.
    await fetch(url, { method: 'POST', headers, body }).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 300));
    const result = await autocannon({ url, method: 'POST', headers, body, connections: 32, duration: 3 });
    const hits = result.statusCodeStats?.['200']?.count ?? 0;
    hitRps[cacheType].push(hits / result.duration);
    log(
      `sandbox run ${run}/${RUNS} (${cacheType}): started in ${sb.startedInMs} ms, ${Math.round(hits / result.duration)} cache hits/s (non-2xx ${result.non2xx})`,
    );
  } finally {
    sb.stop();
  }
}

for (let run = 1; run <= RUNS; run++) {
  await hitsPerSecond('redis', run);
  await hitsPerSecond('redis-semantic', run);
}
process.stdout.write(
  `${JSON.stringify({
    figures: [
      figure('sandbox start (all stand-ins)', 'ms', starts, { text: '< 1000 ms', meets: (m) => m < 1000 }),
      figure('sandbox exact-cache (redis) hits on loopback', 'req/s', hitRps.redis, {
        text: '>= 2000 req/s',
        meets: (m) => m >= 2000,
      }),
      figure('sandbox semantic-cache (redis-semantic, default) hits on loopback', 'req/s', hitRps['redis-semantic']),
    ],
  })}
`,
);
