// The one post-cutover monitoring loop both §6 live traffic and §7 watch read. Started by the
// first check that asks for it and shared by the rest, so a 30-minute watch runs once.
import { findAgents, readAgentsConfig } from '../../src/harness/agents-config.ts';
import { flyClient } from '../../src/clients/fly-transport.ts';
import { liveTrafficSampler, type TrafficSources } from '../../src/clients/live-traffic.ts';
import type { CutoverConfig } from '../../src/config/index.ts';
import { latencyLimit, resolveBaseline, type BaselineResult } from '../../src/measure/baseline.ts';
import { runWatch, type WatchResult, type WatchRules } from '../../src/measure/watch.ts';
import { errorMessage } from '../../src/evidence/error-text.ts';

/**
 * What the shared watch produced: the run itself, or why it could not start. `agentsError`
 * says why the expected agents are unknown; the watch then still guards the §7 rules, which
 * need no agent list.
 */
export interface SharedWatch {
  readonly agents: readonly string[];
  readonly agentsSource: string;
  readonly agentsError?: string;
  readonly baseline: BaselineResult;
  readonly rules: WatchRules;
  readonly result?: WatchResult;
  readonly error?: string;
  /** Where the numbers came from: per-machine metrics, Langfuse, and how far they agreed. */
  readonly sources?: TrafficSources;
  /** Why the metrics are read through the public URL instead of machine by machine, when they are. */
  readonly machinesNote?: string;
}

/** The Fly process group whose machines serve the gateway's public URL (LiteLLM itself). */
const SERVING_GROUP = 'gateway';

/**
 * The gateway's started machines in the serving group, for per-machine scraping; `null` with the
 * reason when Fly cannot say (no token, API down, no such group), and the watch then scrapes the
 * public URL, where consecutive scrapes may reach different machines.
 */
async function gatewayMachines(config: CutoverConfig): Promise<{ ids: string[] | null; note?: string }> {
  const fly = flyClient({ ...config.fly, timeoutMs: config.httpTimeoutMs });
  if (!fly) return { ids: null, note: 'FLY_API_TOKEN is not set, so the gateway machines are unknown' };
  try {
    const all = await fly.machines(config.fly.apps.gateway);
    const ids = all.filter((m) => m.processGroup === SERVING_GROUP && m.state === 'started').map((m) => m.id);
    if (ids.length === 0)
      return {
        ids: null,
        note: `Fly lists no started machine in process group ${SERVING_GROUP} of ${config.fly.apps.gateway}`,
      };
    return { ids };
  } catch (err) {
    return { ids: null, note: `the gateway machines could not be listed: ${errorMessage(err)}` };
  }
}

let shared: Promise<SharedWatch> | undefined;

/** The shared watch, started on first call; later calls await the same run. */
export function sharedWatch(config: CutoverConfig): Promise<SharedWatch> {
  shared ??= start(config);
  return shared;
}

function expectedAgents(config: CutoverConfig): { agents: string[]; source: string; error?: string } {
  if (config.agents.expected) return { agents: [...config.agents.expected], source: 'AGENTS_EXPECTED' };
  try {
    return {
      agents: findAgents(readAgentsConfig(config.agents.configPath)).map((a) => a.name),
      source: config.agents.configPath,
    };
  } catch (err) {
    return {
      agents: [],
      source: config.agents.configPath,
      error: `cannot list the expected agents: set AGENTS_EXPECTED, or fix AGENTS_CONFIG_PATH (${errorMessage(err)})`,
    };
  }
}

async function start(config: CutoverConfig): Promise<SharedWatch> {
  const m = config.monitor;
  const { agents, source, error: agentsError } = expectedAgents(config);
  const baseline = resolveBaseline({
    evidencePath: m.baselineEvidence,
    pinned: m.baselinePinned,
    envP95Ms: m.baselineP95Ms,
    gatewayUrl: config.gateway.url,
  });
  // Without a baseline the latency rule cannot fire and 7/watch ends inconclusive for it, while
  // the error-rate rule and §6's traffic and hit-rate promises are still watched.
  const latency = baseline.ok
    ? {
        limitMs: latencyLimit(baseline.baseline.p95Ms, m.latencyRatio, m.latencyFloorMs),
        baselineP95Ms: baseline.baseline.p95Ms,
      }
    : null;
  const rules: WatchRules = {
    errorRate: m.errorRate,
    errorWindowMs: m.errorWindowMs,
    minSamples: m.minSamples,
    latency,
  };
  const known = { agents, agentsSource: source, ...(agentsError ? { agentsError } : {}), baseline, rules };
  const machines = await gatewayMachines(config);
  const sampler = liveTrafficSampler({
    gatewayUrl: config.gateway.url,
    adminKey: config.gateway.adminKey,
    machineIds: machines.ids,
    langfuse: config.langfuse,
    agents,
    timeoutMs: Math.min(config.httpTimeoutMs, m.intervalMs * 5),
    lookbackMs: m.errorWindowMs + Math.max(m.intervalMs * 2, 5000),
  });
  const scraping = machines.ids
    ? `metrics from ${machines.ids.length} gateway machine${machines.ids.length === 1 ? '' : 's'}`
    : `metrics through the public URL (${machines.note})`;
  process.stdout.write(
    `watch: ${Math.round(m.durationMs / 1000)} s, every ${Math.round(m.intervalMs / 1000)} s; agents ${agentsError ? `unknown (${agentsError})` : agents.join(', ')}; ${latency ? `p95 limit ${Math.round(latency.limitMs)} ms` : 'latency: no baseline, only the error-rate rule can trigger a rollback'}; ${scraping}\n`,
  );
  const extra = { ...(machines.note ? { machinesNote: machines.note } : {}) };
  try {
    const result = await runWatch({
      durationMs: m.durationMs,
      intervalMs: m.intervalMs,
      rules,
      sample: sampler.sample,
      progress: (line) => process.stdout.write(`${line}\n`),
    });
    if (result.breach) process.stdout.write(`${result.breach.line}\n`);
    const sources = sampler.sources();
    if (sources.metrics.unusable)
      process.stdout.write(
        `watch: gateway metrics not used (${sources.metrics.unusable}); traffic read from Langfuse\n`,
      );
    else if (sources.decidedBy.metrics === 0 && sources.metrics.failedPolls > 0) {
      process.stdout.write(
        `watch: GATEWAY NOT OBSERVED: every metrics scrape failed (last: ${sources.metrics.lastError}); traffic read from Langfuse. Verify the gateway by hand (fly status, its logs): unreachable from here is not the same as down\n`,
      );
    }
    if (sources.crossCheck?.disagreement) process.stdout.write(`watch: ${sources.crossCheck.disagreement}\n`);
    return { ...known, ...extra, result, sources };
  } catch (err) {
    return { ...known, ...extra, sources: sampler.sources(), error: `the watch could not start: ${errorMessage(err)}` };
  }
}
