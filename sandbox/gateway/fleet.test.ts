import { describe, expect, it } from 'vitest';
import { startSandbox } from '../index.ts';
import { FORCE_INSTANCE_HEADER } from './fly-proxy.ts';
import { SINGLE_MACHINE_ID } from './index.ts';
import { MASTER, type TestStack, traceId, withStack } from './testing.ts';

const FLEET = ['148e4d55b3d289', '9185e3ea0c5d18', 'e2865d29a7c438'] as const;
const [A, B, C] = FLEET;
/** Covers the cache write delay (50 ms) plus a semantic write's embedding. */
const WRITE_WAIT_MS = 120;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The sum of every sample of `metric` in an exposition (0 when the family has no series). */
function total(text: string, metric: string): number {
  return [...text.matchAll(new RegExp(`^${metric}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
}

/** `process_start_time_seconds` of an exposition, parsed from the Go-style float the Python client writes. */
function startTime(text: string): number {
  const m = /^process_start_time_seconds (\S+)$/m.exec(text);
  if (!m) throw new Error('no process_start_time_seconds sample');
  return Number(m[1]);
}

const prompt = (s: TestStack, headers: Record<string, string> = {}, content = `fleet ${traceId()}`) =>
  s.chat(MASTER, { model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }, headers);
const on = (id: string) => ({ [FORCE_INSTANCE_HEADER]: id });

describe('gateway fleet behind Fly proxy', () => {
  it('runs one machine by default and reachable by its id', () =>
    withStack([], async (s) => {
      expect(s.gateway.machineIds).toEqual([SINGLE_MACHINE_ID]);
      expect((await prompt(s, on(SINGLE_MACHINE_ID))).status).toBe(200);
      expect(total(await s.scrape(SINGLE_MACHINE_ID), 'litellm_proxy_total_requests_metric_total')).toBe(1);
    }));

  it('spreads requests round-robin: each machine counts only its own share and the shares add up', () =>
    withStack(
      [],
      async (s) => {
        expect(s.gateway.machineIds).toEqual(FLEET);
        for (let i = 0; i < 9; i++) expect((await prompt(s)).status).toBe(200);
        const shares = await Promise.all(
          FLEET.map(async (id) => total(await s.scrape(id), 'litellm_proxy_total_requests_metric_total')),
        );
        expect(shares).toEqual([3, 3, 3]);
        // Admin and health routes go through the proxy too, and an unpinned scrape is one machine's.
        expect((await fetch(`${s.gateway.url}/health/liveliness`)).status).toBe(200);
        expect(total(await s.scrape(), 'litellm_proxy_total_requests_metric_total')).toBe(3);
      },
      { machineIds: FLEET },
    ));

  it('serves a pinned request on that machine only', () =>
    withStack(
      [],
      async (s) => {
        for (let i = 0; i < 4; i++) expect((await prompt(s, on(B))).status).toBe(200);
        expect(total(await s.scrape(B), 'litellm_proxy_total_requests_metric_total')).toBe(4);
        expect(total(await s.scrape(A), 'litellm_proxy_total_requests_metric_total')).toBe(0);
        expect(total(await s.scrape(C), 'litellm_proxy_total_requests_metric_total')).toBe(0);
      },
      { machineIds: FLEET },
    ));

  it('answers an unknown instance id with a 503 naming it, whatever the route', () =>
    withStack(
      [],
      async (s) => {
        for (const path of ['/health/liveliness', '/metrics/', '/v1/models']) {
          const r = await fetch(`${s.gateway.url}${path}`, {
            headers: { authorization: `Bearer ${MASTER}`, ...on('0000deadbeef00') },
          });
          expect(r.status, path).toBe(503);
          expect(await r.text()).toContain('0000deadbeef00');
        }
        const chat = await prompt(s, on('0000deadbeef00'));
        expect(chat.status).toBe(503);
        // Refused by the proxy: no machine counted it.
        for (const id of FLEET) expect(total(await s.scrape(id), 'litellm_proxy_total_requests_metric_total')).toBe(0);
      },
      { machineIds: FLEET },
    ));

  it('gives every machine its own process_start_time_seconds, in the Python client format', () =>
    withStack(
      [],
      async (s) => {
        const texts = await Promise.all(FLEET.map((id) => s.scrape(id)));
        for (const t of texts) {
          expect(t).toContain(
            '# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n# TYPE process_start_time_seconds gauge\n',
          );
          expect(t).toMatch(/^process_start_time_seconds \d\.\d+e\+09$/m);
          expect(startTime(t)).toBeLessThan(Date.now() / 1000);
          expect(startTime(t)).toBeGreaterThan(Date.now() / 1000 - 3600);
        }
        expect(new Set(texts.map(startTime)).size).toBe(FLEET.length);
      },
      { machineIds: FLEET },
    ));

  it('shares the rate limiter and the response cache across machines', () =>
    withStack(
      [],
      async (s) => {
        const key = (await s.admin('POST', '/key/generate', { key_alias: 'agent:fleet', rpm_limit: 2 })).json
          .key as string;
        const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `limited ${traceId()}` }] };
        expect((await s.chat(key, body, on(A))).status).toBe(200);
        expect(
          (await s.chat(key, { ...body, messages: [{ role: 'user', content: `other ${traceId()}` }] }, on(B))).status,
        ).toBe(200);
        expect((await s.chat(key, body, on(C))).status).toBe(429);

        const content = `What are your opening hours? ${traceId()}`;
        const first = await prompt(s, on(A), content);
        expect(first.headers.get('x-litellm-cache-key')).toBeNull();
        await wait(WRITE_WAIT_MS);
        const repeat = await prompt(s, on(B), content);
        expect(repeat.status).toBe(200);
        expect(repeat.headers.get('x-litellm-cache-key')).toBeTruthy();
        expect(repeat.json.id).toBe(first.json.id);
        expect(total(await s.scrape(B), 'litellm_cache_hits_metric_total')).toBe(1);
        expect(total(await s.scrape(A), 'litellm_cache_hits_metric_total')).toBe(0);
      },
      { machineIds: FLEET },
    ));
});

describe('fault metrics-per-worker', () => {
  it('answers successive scrapes of one machine from its two workers, which disagree', () =>
    withStack(
      ['metrics-per-worker'],
      async (s) => {
        // Three requests to A: its workers serve them alternately, 2 and 1.
        for (let i = 0; i < 3; i++) expect((await prompt(s, on(A))).status).toBe(200);
        const scrapes = [];
        for (let i = 0; i < 4; i++) scrapes.push(await s.scrape(A));
        const counts = scrapes.map((t) => total(t, 'litellm_proxy_total_requests_metric_total'));
        expect(counts.slice(0, 2).sort()).toEqual([1, 2]);
        // Alternating: the counter goes down and back up, one worker's view after the other's.
        expect(counts[2]).toBe(counts[0]);
        expect(counts[3]).toBe(counts[1]);
        const starts = scrapes.map(startTime);
        expect(starts[0]).not.toBe(starts[1]);
        expect(starts[2]).toBe(starts[0]);
        const others = [await s.scrape(B), await s.scrape(B)].map(startTime);
        expect(new Set([...starts.slice(0, 2), ...others]).size).toBe(4);
      },
      { machineIds: [A, B] },
    ));
});

describe('fault machine-restarted-mid-watch', () => {
  const RESTART_MS = 300;

  it('restarts the second machine once, the delay after its first scrape: counters from zero, a later start time, requests still served', () =>
    withStack(
      ['machine-restarted-mid-watch'],
      async (s) => {
        for (const id of [A, B, B]) expect((await prompt(s, on(id))).status).toBe(200);
        // Not scraped yet, so not armed: waiting alone restarts nothing.
        await wait(RESTART_MS + 100);
        const before = await s.scrape(B);
        expect(total(before, 'litellm_proxy_total_requests_metric_total')).toBe(2);
        const beforeA = await s.scrape(A);
        await wait(RESTART_MS + 150);
        const after = await s.scrape(B);
        expect(total(after, 'litellm_proxy_total_requests_metric_total')).toBe(0);
        expect(after).toContain('# TYPE litellm_proxy_total_requests_metric_total counter');
        expect(startTime(after)).toBeGreaterThan(startTime(before));
        expect(startTime(after)).toBeLessThanOrEqual(Date.now() / 1000 + 0.01);
        expect((await prompt(s, on(B))).status).toBe(200);
        expect(total(await s.scrape(B), 'litellm_proxy_total_requests_metric_total')).toBe(1);
        // Only the second machine restarts, and only once.
        const nowA = await s.scrape(A);
        expect(startTime(nowA)).toBe(startTime(beforeA));
        expect(total(nowA, 'litellm_proxy_total_requests_metric_total')).toBe(1);
        await wait(RESTART_MS + 150);
        const later = await s.scrape(B);
        expect(startTime(later)).toBe(startTime(after));
        expect(total(later, 'litellm_proxy_total_requests_metric_total')).toBe(1);
      },
      { machineIds: [A, B, C], machineRestartDelayMs: RESTART_MS },
    ));
});

describe('sandbox fleet mode', () => {
  it('runs the gateway on exactly the machines the Fly stand-in lists for the gateway group', async () => {
    const sb = await startSandbox();
    try {
      const r = await fetch(`${sb.env.FLY_API_URL}/v1/apps/hotdash-llm-gateway/machines`, {
        headers: { authorization: sb.env.FLY_API_TOKEN! },
      });
      const machines = (await r.json()) as { id: string; config: { metadata: Record<string, string> } }[];
      const gateway = machines.filter((m) => m.config.metadata.fly_process_group === 'gateway').map((m) => m.id);
      const others = machines.filter((m) => m.config.metadata.fly_process_group !== 'gateway').map((m) => m.id);
      expect(gateway).toHaveLength(2);
      const scrape = (id: string) =>
        fetch(`${sb.env.GATEWAY_URL}/metrics/`, {
          headers: { authorization: `Bearer ${sb.env.GATEWAY_ADMIN_KEY}`, [FORCE_INSTANCE_HEADER]: id },
        });
      const starts = [];
      for (const id of gateway) {
        const m = await scrape(id);
        expect(m.status, id).toBe(200);
        starts.push(startTime(await m.text()));
      }
      expect(new Set(starts).size).toBe(2);
      for (const id of others) expect((await scrape(id)).status, id).toBe(503);
    } finally {
      await sb.stop();
    }
  });
});
