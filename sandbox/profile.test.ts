import { describe, expect, it } from 'vitest';
import { startSandbox } from './index.ts';
import { latencyProfile, PRODUCTION, parseProfile, profileSeed, type RangeMs, stream } from './profile.ts';
import { sandboxSettingProblems } from './settings.ts';
import { startUpstream } from './upstream/index.ts';

const draws = (sample: () => number, n: number): number[] => Array.from({ length: n }, sample);
const within = (values: readonly number[], r: RangeMs): boolean => values.every((v) => v >= r.min && v <= r.max);

/** Wall time of one request, the way a client sees it. */
async function timed(url: string, init?: RequestInit): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  const r = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  await r.arrayBuffer();
  return { status: r.status, ms: performance.now() - t0 };
}

describe('the sandbox latency profile', () => {
  it('parses SANDBOX_PROFILE: unset or empty is default, an unknown name is refused with the known ones', () => {
    expect(parseProfile(undefined)).toBe('default');
    expect(parseProfile(' ')).toBe('default');
    expect(parseProfile('production')).toBe('production');
    expect(() => parseProfile('prodution')).toThrow('unknown sandbox profile "prodution"; known: default, production');
    expect(sandboxSettingProblems({ SANDBOX_PROFILE: 'prodution' })).toEqual([
      { variable: 'SANDBOX_PROFILE', problem: 'unknown sandbox profile "prodution"; known: default, production' },
    ]);
    expect(sandboxSettingProblems({ SANDBOX_PROFILE: 'production' })).toEqual([]);
  });

  it('the default profile draws nothing: every component keeps its own fast constant', () => {
    expect(latencyProfile('default', 'any')).toEqual({ name: 'default' });
  });

  it('takes its seed from SANDBOX_SEED, else the run id, else a constant', () => {
    expect(profileSeed({ SANDBOX_SEED: 's1', CUTOVER_RUN_ID: 'run-1' })).toBe('s1');
    expect(profileSeed({ SANDBOX_SEED: '', CUTOVER_RUN_ID: 'run-1' })).toBe('run-1');
    expect(profileSeed({})).toBe('gateway-cutover-sandbox');
  });

  it('is deterministic: the same seed gives the same latencies, another seed others', () => {
    const sample = (seed: string) => {
      const p = latencyProfile('production', seed);
      return {
        chat: draws(() => p.chatMs!(12), 50),
        embedding: draws(p.embeddingMs!, 50),
        lag: draws(p.ingestionLagMs!, 50),
        fly: draws(p.flyApiMs!, 50),
        admin: draws(p.adminRouteMs!, 50),
      };
    };
    expect(sample('run-a')).toEqual(sample('run-a'));
    const other = sample('run-b');
    for (const [k, v] of Object.entries(sample('run-a'))) expect(other[k as keyof typeof other], k).not.toEqual(v);
  });

  it('gives each component its own stream: one component drawing more never shifts another', () => {
    const quiet = latencyProfile('production', 'seed');
    const busy = latencyProfile('production', 'seed');
    draws(busy.embeddingMs!, 500);
    draws(() => busy.chatMs!(5), 100);
    expect(draws(busy.flyApiMs!, 20)).toEqual(draws(quiet.flyApiMs!, 20));
    expect(draws(busy.ingestionLagMs!, 20)).toEqual(draws(quiet.ingestionLagMs!, 20));
  });

  it('draws inside each documented range and spreads over it (jitter, not a constant)', () => {
    const p = latencyProfile('production', 'ranges');
    for (const [name, sample, range] of [
      ['embedding', p.embeddingMs!, PRODUCTION.embedding],
      ['fly', p.flyApiMs!, PRODUCTION.flyApi],
      ['admin', p.adminRouteMs!, PRODUCTION.adminRoute],
    ] as const) {
      const values = draws(sample, 2_000);
      expect(within(values, range), name).toBe(true);
      const span = range.max - range.min;
      // Both ends of the range are reached, and the middle is where about half the draws land.
      expect(Math.min(...values), name).toBeLessThan(range.min + span * 0.05);
      expect(Math.max(...values), name).toBeGreaterThan(range.max - span * 0.05);
      const middle = values.filter((v) => v > range.min + span / 4 && v < range.max - span / 4).length;
      expect(middle / values.length, name).toBeGreaterThan(0.4);
      expect(middle / values.length, name).toBeLessThan(0.6);
    }
  });

  it('a chat completion takes a few hundred ms plus per-token time', () => {
    const p = latencyProfile('production', 'chat');
    const { chatBase: base, chatPerToken: token } = PRODUCTION;
    expect(
      within(
        draws(() => p.chatMs!(0), 500),
        base,
      ),
    ).toBe(true);
    const long = draws(() => p.chatMs!(100), 500);
    expect(within(long, { min: base.min + 100 * token.min, max: base.max + 100 * token.max })).toBe(true);
    expect(Math.min(...long)).toBeGreaterThan(base.max);
  });

  it('Langfuse ingestion lags 6–10 s, with an occasional 16–20 s spike and nothing in between', () => {
    const lags = draws(latencyProfile('production', 'lag').ingestionLagMs!, 4_000);
    const spikes = lags.filter((v) => v >= PRODUCTION.ingestionSpike.min);
    const normal = lags.filter((v) => v < PRODUCTION.ingestionSpike.min);
    expect(within(spikes, PRODUCTION.ingestionSpike)).toBe(true);
    expect(within(normal, PRODUCTION.ingestionLag)).toBe(true);
    // 5 % expected: 200 of 4,000; the bounds are far outside binomial noise (sd ≈ 14).
    expect(spikes.length).toBeGreaterThan(120);
    expect(spikes.length).toBeLessThan(280);
  });

  it('sfc32 streams are reproducible and spread over [0, 1)', () => {
    const a = draws(stream('s', 'x'), 1_000);
    expect(a).toEqual(draws(stream('s', 'x'), 1_000));
    expect(a.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });

  it('the upstream applies the profile, and embedding-slow still overrides it', async () => {
    const counter = { total: 0, byComponent: {} };
    const profile = { embeddingMs: () => 40 };
    const embed = (url: string) =>
      timed(`${url}/v1/embeddings`, {
        method: 'POST',
        headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'text-embedding-3-small', input: 'hello' }),
      });
    const healthy = await startUpstream({ faults: new Set(), counter, apiKey: 'k', profile });
    const slow = await startUpstream({ faults: new Set(['embedding-slow']), counter, apiKey: 'k', profile });
    try {
      const fast = await embed(healthy.url);
      expect(fast.status).toBe(200);
      expect(fast.ms).toBeGreaterThanOrEqual(39);
      expect(fast.ms).toBeLessThan(250);
      expect((await embed(slow.url)).ms).toBeGreaterThanOrEqual(299);
    } finally {
      await Promise.all([healthy.close(), slow.close()]);
    }
  });

  it('a production sandbox slows the Fly API and the gateway admin routes, and not its health probe', async () => {
    const sb = await startSandbox({ profile: 'production', seed: 'unit' });
    try {
      expect(sb.profile).toBe('production');
      // The suite's own interval applies, as against a deployment: no sandbox override.
      expect(sb.env.LANGFUSE_POLL_INTERVAL_MS).toBeUndefined();
      const admin = { authorization: `Bearer ${sb.env.GATEWAY_ADMIN_KEY}` };
      const fly = await timed(`${sb.env.FLY_API_URL}/v1/apps/hotdash-llm-gateway/machines`, {
        headers: { authorization: sb.env.FLY_API_TOKEN! },
      });
      const readiness = await timed(`${sb.env.GATEWAY_URL}/health/readiness`);
      const ping = await timed(`${sb.env.GATEWAY_URL}/cache/ping`, { headers: admin });
      const liveliness = await timed(`${sb.env.GATEWAY_URL}/health/liveliness`);
      for (const [name, r] of Object.entries({ fly, readiness, ping })) {
        expect(r.status, name).toBe(200);
        expect(r.ms, name).toBeGreaterThanOrEqual(99);
      }
      expect(liveliness.ms).toBeLessThan(100);
    } finally {
      await sb.stop();
    }
  });

  it('the default sandbox stays fast', async () => {
    const sb = await startSandbox();
    try {
      expect(sb.profile).toBe('default');
      expect(sb.env.LANGFUSE_POLL_INTERVAL_MS).toBe('200');
      const readiness = await timed(`${sb.env.GATEWAY_URL}/health/readiness`);
      expect(readiness.ms).toBeLessThan(100);
    } finally {
      await sb.stop();
    }
  });
});
