// Runbook §6 step 4 and §7 — the 30 minutes after the switch.
// "Monitor Langfuse for live traffic (per-agent dashboards) and verify steady cache hit rate
// (>30%)." "Maintain 30 minutes of heightened monitoring post-cutover. If error rate exceeds 2%
// or latency doubles, initiate rollback immediately."
import { describe } from 'vitest';
import { agentTag } from '../../src/clients/live-traffic.ts';
import { check } from '../../src/harness/check.ts';
import { stackFor } from '../../src/harness/stack.ts';
import { hitRate, humanDuration } from '../../src/measure/watch.ts';
import { sharedWatch } from './watch.ts';

/** The row of the runbook's rollback table that applies when live traffic breaks a §7 promise. */
const ROLLBACK_ROW = 'Runbook §7, "LiteLLM unavailable": update agent configs to use the direct OpenAI key/endpoint (previous values stored in vault).';

describe('§6–7 Post-cutover monitoring', () => {
  check('6/live-traffic', 'every agent has live traffic and the steady cache hit rate holds, overall and per agent', async (c, config) => {
    // No smoke request runs after the switch, so the evidence's gateway version comes from the
    // readiness details (the public /health/readiness no longer carries it).
    const version = await stackFor(config)
      .admin.readiness()
      .then((r) => r.version)
      .catch((err: unknown) => {
        c.observe('gatewayVersionError', err instanceof Error ? err.message : String(err));
        return null;
      });
    c.observe('gatewayVersion', version);
    const w = await sharedWatch(config);
    c.observe('agents', w.agents);
    c.observe('agentsFrom', w.agentsSource);
    const r = w.result ?? c.fail(w.error ?? 'the watch did not run');
    c.observe('watchedMs', Math.round(r.elapsedMs));
    // "Steady": judged from half-way through the watch, once the cache has warmed. A watch cut
    // short by a rollback is judged on everything it saw.
    const whole = { hits: 0, misses: 0, agents: {} };
    const from = r.breach ? whole : r.steadyFrom;
    c.observe('hitRateFromMs', r.breach ? 0 : Math.round(r.steadyFrom.atMs));
    const min = config.thresholds.cacheHitRate;
    c.measure('requests', r.last.requests, 'requests', { op: '>=', value: 1 });
    c.measure('cache_hit_rate', hitRate(from, r.last), 'ratio', { op: '>=', value: min });
    for (const agent of w.agents) {
      const now = r.last.agents[agent];
      const before = (from.agents as typeof r.last.agents)[agent];
      c.measure(`traces_${agent}`, now?.traces ?? null, 'traces', { op: '>=', value: 1 });
      c.measure(`requests_${agent}`, now?.requests ?? null, 'requests');
      c.measure(`cache_hit_rate_${agent}`, now ? hitRate(before ?? { hits: 0, misses: 0 }, now) : null, 'ratio', { op: '>=', value: min });
      if (now?.traces === 0) c.expect(false, `agent ${agent}: no trace tagged ${agentTag(agent)} in Langfuse over ${humanDuration(Math.round(r.elapsedMs))} of watching`);
    }
    c.link('Langfuse traces (all agents)', `${config.langfuse.url}/traces`);
  });

  check('7/watch', 'error rate and p95 latency stay within the rollback thresholds for MONITOR_DURATION', async (c, config) => {
    const w = await sharedWatch(config);
    const m = config.monitor;
    c.observe('baselineSource', w.baseline.ok ? w.baseline.baseline.source : null);
    const r = w.result ?? c.fail(w.error ?? 'the watch did not run');
    c.observe('series', r.points);
    c.observe('watchedMs', Math.round(r.elapsedMs));
    c.observe('throttled429', r.last.throttled);
    // Too few requests is inconclusive (below), never a threshold miss.
    c.measure('requests', r.last.requests, 'requests');
    // On a breach the ROLLBACK line carries value and threshold; the measurements stay as data.
    const judged = !r.breach;
    c.measure('max_window_error_rate', r.maxWindowErrorRate, 'ratio', judged ? { op: '<=', value: m.errorRate } : undefined);
    c.measure('error_rate', r.last.requests > 0 ? r.last.errors / r.last.requests : null, 'ratio');
    if (w.baseline.ok) {
      c.measure('baseline_p95_ms', w.baseline.baseline.p95Ms, 'ms');
      c.measure('latency_limit_ms', w.rules.latencyLimitMs, 'ms');
      c.measure('max_window_p95_ms', r.maxWindowP95Ms, 'ms', judged ? { op: '<=', value: w.rules.latencyLimitMs } : undefined);
    }
    if (r.breach) c.fail(`${r.breach.line} at ${humanDuration(Math.round(r.breach.atMs))} of ${humanDuration(m.durationMs)}. ${ROLLBACK_ROW}`);
    if (!w.baseline.ok) c.fail(w.baseline.reason);
    if (r.aborted) c.inconclusive(`the watch stopped after ${humanDuration(Math.round(r.elapsedMs))}: ${r.aborted}`);
    if (r.decidedErrorWindows === 0 || r.decidedLatencyWindows === 0) {
      c.inconclusive(
        `too few samples: no ${humanDuration(m.errorWindowMs)} window held MONITOR_MIN_SAMPLES=${m.minSamples} ${r.decidedErrorWindows === 0 ? 'requests' : 'latency samples from Langfuse'} (${r.last.requests} requests in ${humanDuration(Math.round(r.elapsedMs))})`,
      );
    }
  });
});
