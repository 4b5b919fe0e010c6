// Runbook §6 step 4 and §7 — the 30 minutes after the switch.
// "Monitor Langfuse for live traffic (per-agent dashboards) and verify steady cache hit rate
// (>30%)." "Maintain 30 minutes of heightened monitoring post-cutover. If error rate exceeds 2%
// or latency doubles, initiate rollback immediately."
import { describe } from 'vitest';
import { agentTag } from '../../src/clients/live-traffic.ts';
import type { CutoverConfig } from '../../src/config/index.ts';
import { ROLLBACK_TRIGGER, type RollbackTrigger } from '../../src/evidence/model.ts';
import { check } from '../../src/harness/check.ts';
import { stackFor } from '../../src/harness/stack.ts';
import { duration, pct } from '../../src/measure/format.ts';
import { hitRate, type Breach } from '../../src/measure/watch.ts';
import { sharedWatch, type SharedWatch } from './watch.ts';
import { errorMessage } from '../../src/evidence/error-text.ts';

/** The row of the runbook's rollback table that applies when live traffic breaks a §7 promise. */
const ROLLBACK_ROW =
  'Runbook §7, "LiteLLM unavailable": update agent configs to use the direct OpenAI key/endpoint (previous values stored in vault).';

/** The breach as the evidence's rollback trigger: the verdict is `rollback` only with one. */
function triggerOf(b: Breach, m: CutoverConfig['monitor']): RollbackTrigger {
  return {
    rule: b.rule,
    value: b.value,
    limit: b.limit,
    unit: b.rule === 'error-rate' ? 'ratio' : 'ms',
    samples: b.samples,
    minSamples: m.minSamples,
    windowMs: m.errorWindowMs,
    atMs: Math.round(b.atMs),
    line: b.line,
  };
}

/**
 * One line on where the watch's numbers came from, e.g. `metrics from 2 gateway machines
 * (decided 10 polls); Langfuse for 0` or `Langfuse (gateway metrics not used: …)`.
 */
function sourceSummary(w: SharedWatch): string {
  const s = w.sources;
  if (!s) return 'none: the watch did not run';
  const machines =
    s.metrics.mode === 'per-machine'
      ? `${s.metrics.machines.length} gateway machine${s.metrics.machines.length === 1 ? '' : 's'}, each scraped with fly-force-instance-id`
      : `the public URL (${w.machinesNote ?? 'machines unknown'})`;
  const unreachable = !s.metrics.unusable && s.decidedBy.metrics === 0 && s.metrics.failedPolls > 0;
  const metrics = s.metrics.unusable
    ? `gateway metrics not used: ${s.metrics.unusable}`
    : unreachable
      ? `GATEWAY NOT OBSERVED: every scrape of its metrics failed (${s.metrics.failedPolls} polls; last: ${s.metrics.lastError}); an unreachable gateway from here is not evidence that it is down: check fly status -a <gateway app> and the agents' own errors by hand`
      : `metrics from ${machines} decided ${s.decidedBy.metrics} polls`;
  // Per-worker counters look like restarts at every switch: name restarts only of usable metrics.
  const restarts = s.metrics.unusable
    ? []
    : s.metrics.machines.filter((m) => m.restarts > 0).map((m) => `${m.id ?? 'public URL'} restarted ${m.restarts}x`);
  return [
    metrics,
    `Langfuse decided ${s.decidedBy.langfuse} polls${s.langfuse.lastError ? ` (last Langfuse error: ${s.langfuse.lastError})` : ''}`,
    ...restarts,
    ...(s.metrics.routingNote ? [s.metrics.routingNote] : []),
  ].join('; ');
}

describe('§6–7 Post-cutover monitoring', () => {
  check('6/live-traffic', async (c, config) => {
    // No smoke request runs after the switch, so the evidence's gateway version comes from the
    // readiness details (the public /health/readiness no longer carries it).
    const version = await stackFor(config)
      .admin.readiness()
      .then((r) => r.version)
      .catch((err: unknown) => {
        c.observe('gatewayVersionError', errorMessage(err));
        return null;
      });
    c.observe('gatewayVersion', version);
    const w = await sharedWatch(config);
    c.observe('agents', w.agents);
    c.observe('agentsFrom', w.agentsSource);
    c.link('Langfuse traces (all agents)', `${config.langfuse.url}/traces`);
    // No watch at all, or no agent list, is missing input: inconclusive, never a §6 finding.
    const r = w.result ?? c.inconclusive(w.error ?? 'the watch did not run');
    c.observe('watchedMs', Math.round(r.elapsedMs));
    c.observe('trafficSource', sourceSummary(w));
    // "Steady": judged from half-way through the watch, once the cache has warmed. A watch cut
    // short by a rollback is judged on everything it saw.
    const whole = { hits: 0, misses: 0, agents: {} };
    const from = r.breach ? whole : r.steadyFrom;
    c.observe('hitRateFromMs', r.breach ? 0 : Math.round(r.steadyFrom.atMs));
    const min = config.thresholds.cacheHitRate;
    c.measure('requests', r.last.requests, 'requests', { op: '>=', value: 1 });
    c.measure('cache_hit_rate', hitRate(from, r.last), 'ratio', { op: '>=', value: min });
    if (w.agentsError) c.inconclusive(w.agentsError);
    const unread: string[] = [];
    for (const agent of w.agents) {
      const now = r.last.agents[agent];
      const before = (from.agents as typeof r.last.agents)[agent];
      const traces = now?.traces ?? null;
      // A trace count Langfuse did not give is missing input, not an agent without traffic.
      if (traces === null) unread.push(agent);
      c.measure(`traces_${agent}`, traces, 'traces', traces === null ? undefined : { op: '>=', value: 1 });
      c.measure(`requests_${agent}`, now?.requests ?? null, 'requests');
      // An agent without traffic is one finding, not two: its hit rate has nothing to be judged on.
      const silent = traces === 0;
      c.measure(
        `cache_hit_rate_${agent}`,
        now ? hitRate(before ?? { hits: 0, misses: 0 }, now) : null,
        'ratio',
        silent ? undefined : { op: '>=', value: min },
      );
      if (silent)
        c.expect(
          false,
          `agent ${agent}: no trace tagged ${agentTag(agent)} in Langfuse over ${duration(Math.round(r.elapsedMs))} of watching`,
        );
    }
    if (unread.length > 0) {
      c.inconclusive(
        `Langfuse did not answer the trace count (tag ${unread.map(agentTag).join(', ')}), so live traffic cannot be judged for ${unread.join(', ')}${c.failed.length > 0 ? `; measured meanwhile: ${c.failed.join('; ')}` : ''}`,
      );
    }
  });

  check('7/watch', async (c, config) => {
    const w = await sharedWatch(config);
    const m = config.monitor;
    const latency = w.rules.latency;
    c.observe('baselineSource', w.baseline.ok ? w.baseline.baseline.source : null);
    // Which pre-cutover run the limit comes from, so an auditor can hold it against that run's evidence.
    c.observe('baselineRun', w.baseline.ok ? (w.baseline.baseline.run ?? null) : null);
    // A watch that never ran measured nothing, and nothing measured is no rollback trigger.
    const r = w.result ?? c.inconclusive(w.error ?? 'the watch did not run');
    c.observe('series', r.points);
    c.observe('watchedMs', Math.round(r.elapsedMs));
    c.observe('trafficSource', sourceSummary(w));
    c.observe('trafficSources', w.sources ?? null);
    c.observe('throttled429', r.last.throttled);
    // Too few requests is inconclusive (below), never a threshold miss.
    c.measure('requests', r.last.requests, 'requests');
    if (r.breach) c.observe(ROLLBACK_TRIGGER, triggerOf(r.breach, m));
    // On a breach the ROLLBACK line carries value and threshold; the measurements stay as data.
    const judged = !r.breach;
    c.measure(
      'max_window_error_rate',
      r.maxWindowErrorRate,
      'ratio',
      judged ? { op: '<=', value: m.errorRate } : undefined,
    );
    c.measure('error_rate', r.last.requests > 0 ? r.last.errors / r.last.requests : null, 'ratio');
    // Without a baseline the windows' p95 is still recorded, against nothing.
    c.measure('baseline_p95_ms', latency?.baselineP95Ms ?? null, 'ms');
    if (latency) c.measure('latency_limit_ms', latency.limitMs, 'ms');
    c.measure(
      'max_window_p95_ms',
      r.maxWindowP95Ms,
      'ms',
      judged && latency ? { op: '<=', value: latency.limitMs } : undefined,
    );
    if (r.breach)
      c.fail(
        `${r.breach.line} at ${duration(Math.round(r.breach.atMs))} of ${duration(m.durationMs)}. ${ROLLBACK_ROW}`,
      );
    const watched = `${r.last.requests} requests in ${duration(Math.round(r.elapsedMs))}`;
    const lf = w.sources?.langfuse;
    const noLangfuse = lf !== undefined && lf.polls > 0 && lf.failedPolls === lf.polls;
    const undecided = [
      w.baseline.ok ? undefined : `the latency rule cannot decide: ${w.baseline.reason}`,
      noLangfuse && latency
        ? `the latency rule cannot decide: Langfuse, the source of per-request latencies, never answered (${lf.lastError ?? 'no answer'})`
        : undefined,
      w.sources?.crossCheck?.disagreement
        ? `${w.sources.crossCheck.disagreement}; one of them is wrong, so this watch cannot be trusted until it is found`
        : undefined,
      r.aborted ? `the watch stopped after ${duration(Math.round(r.elapsedMs))}: ${r.aborted}` : undefined,
      r.decidedErrorWindows === 0
        ? `too few samples: no ${duration(m.errorWindowMs)} window held MONITOR_MIN_SAMPLES=${m.minSamples} requests (${watched})`
        : undefined,
      latency && !noLangfuse && r.decidedLatencyWindows === 0
        ? `too few samples: no ${duration(m.errorWindowMs)} window held MONITOR_MIN_SAMPLES=${m.minSamples} latency samples from Langfuse (${watched})`
        : undefined,
    ].filter((u) => u !== undefined);
    if (undecided.length > 0) {
      // Say what was still guarded: an on-call engineer must know the error-rate rule held.
      const guarded =
        r.decidedErrorWindows > 0
          ? `. The error-rate rule did decide: at most ${pct(r.maxWindowErrorRate ?? 0)} <= ${pct(m.errorRate)} over ${r.decidedErrorWindows} windows`
          : '';
      c.inconclusive(`${undecided.join('; ')}${guarded}`);
    }
  });
});
