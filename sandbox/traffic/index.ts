import { randomUUID } from 'node:crypto';
import type { Faults } from '../faults.ts';

/** Options of `startTraffic`. */
export interface TrafficOptions {
  readonly faults: Faults;
  readonly gatewayUrl: string;
  /** Used only to mint the agents' virtual keys. */
  readonly masterKey: string;
  /** Agent names; each gets key alias and tag `agent:<name>`. Default support-bot, order-tracker, returns-assistant. */
  readonly agents?: readonly string[];
  /** Requests per second across all agents; default 10. */
  readonly ratePerSecond?: number;
  /**
   * Share of requests that repeat an earlier prompt of the same agent exactly; default 0.5, well
   * above the runbook's 30 %: a watch cut short by a rollback judges the first seconds, when
   * repeats still lag (nothing is repeatable for a second), and a healthy agent must not read
   * as a §6 finding there. The low-hit-rate fault is the red side.
   */
  readonly repeatShare?: number;
}

/** A running traffic generator. */
export interface Traffic {
  /** Stops sending and resolves when the requests in flight have been answered. */
  stop(): Promise<void>;
  /** Requests sent so far, answered or not. */
  sent(): number;
}

const DEFAULT_AGENTS = ['support-bot', 'order-tracker', 'returns-assistant'];
/** High enough that the watch never sees a 429 it did not cause. */
const AGENT_RPM_LIMIT = 1_000_000;
const REQUEST_TIMEOUT_MS = 10_000;
/**
 * A prompt is repeated only this long after its answer: the gateway writes its cache
 * asynchronously after answering (about a second on a real LiteLLM), and a repeat that races
 * the write misses and drags the hit rate below the share.
 */
const REPEAT_AFTER_MS = 1000;
/** ...and only this long: the gateway's cache TTL is 600 s, and a repeat of an expired entry misses. */
const REPEAT_WITHIN_MS = 300_000;
const SYLLABLES =
  'ba be bi bo bu da de di do du fa fe fi fo fu ga ge gi go gu ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo vu za ze zi zo zu'.split(
    ' ',
  );

/** mulberry32: a seeded PRNG, so a run's prompt sequence is reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * A fresh prompt made of pseudo-words. Real-sounding questions would share topic words and the
 * gateway's semantic cache would serve them as paraphrases of each other; nonsense words keep
 * fresh prompts far apart, so the hit rate is the repeat share and nothing else.
 */
function freshPrompt(agent: string, rand: () => number): string {
  const word = (): string => Array.from({ length: 3 }, () => SYLLABLES[Math.floor(rand() * SYLLABLES.length)]).join('');
  return `[${agent}] ${word()} ${word()} ${word()} ${word()}?`;
}

async function mintKey(gatewayUrl: string, masterKey: string, agent: string): Promise<string> {
  const headers = { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' };
  const alias = `agent:${agent}`;
  // A previous run against the same gateway left the alias behind; aliases must be unique.
  await fetch(`${gatewayUrl}/key/delete`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ key_aliases: [alias] }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  }).then((r) => r.arrayBuffer());
  const r = await fetch(`${gatewayUrl}/key/generate`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ key_alias: alias, rpm_limit: AGENT_RPM_LIMIT, metadata: { agent } }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = (await r.json()) as { key?: string };
  if (!r.ok || typeof body.key !== 'string')
    throw new Error(`traffic: POST ${gatewayUrl}/key/generate for ${alias} answered ${r.status}`);
  return body.key;
}

/**
 * Simulates production agents after the cutover: mints one virtual key per agent (alias
 * `agent:<name>`), then sends chat completions round-robin at `ratePerSecond`, each tagged
 * `agent:<name>` with a fresh `metadata.trace_id`. A `repeatShare` of each agent's requests
 * repeat exactly one of its prompts answered between 1 s and 5 min ago (so they hit the exact
 * cache); the rest are fresh. Repeats that find nothing repeatable yet are made up later, so
 * the share holds from the first seconds on. Faults: `low-hit-rate` repeats nothing;
 * `agent-missing` keeps the last agent silent (its key is still minted, as a configured but
 * broken agent's would be).
 * Request errors are counted as sent and otherwise ignored: judging them is the watch's job.
 */
export async function startTraffic(o: TrafficOptions): Promise<Traffic> {
  const agents = o.agents ?? DEFAULT_AGENTS;
  const rate = o.ratePerSecond ?? 10;
  const share = o.faults.has('low-hit-rate') ? 0 : (o.repeatShare ?? 0.5);
  const keys = await Promise.all(agents.map((a) => mintKey(o.gatewayUrl, o.masterKey, a)));
  const state = agents.map((name, i) => ({
    name,
    key: keys[i] as string,
    rand: prng(i + 1),
    /** Repeats this agent still owes to reach the share; a turn with nothing repeatable defers one. */
    owed: 0,
    /** Fresh prompts that were answered, in answer order. */
    answered: [] as Array<{ prompt: string; at: number }>,
    silent: o.faults.has('agent-missing') && i === agents.length - 1,
  }));
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let turn = 0;

  const send = (agent: (typeof state)[number]): void => {
    agent.owed += share;
    const now = performance.now();
    while ((agent.answered[0]?.at ?? now) < now - REPEAT_WITHIN_MS) agent.answered.shift();
    const cutoff = now - REPEAT_AFTER_MS;
    let repeatable = agent.answered.length;
    while (repeatable > 0 && (agent.answered[repeatable - 1]?.at ?? 0) > cutoff) repeatable -= 1;
    const repeat = agent.owed >= 1 && repeatable > 0;
    if (repeat) agent.owed -= 1;
    const prompt = repeat
      ? (agent.answered[Math.floor(agent.rand() * repeatable)]?.prompt ?? '')
      : freshPrompt(agent.name, agent.rand);
    sent += 1;
    const p = fetch(`${o.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agent.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        max_tokens: 16,
        messages: [{ role: 'user', content: prompt }],
        metadata: { trace_id: randomUUID().replace(/-/g, ''), tags: [`agent:${agent.name}`] },
      }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    })
      .then(async (r) => {
        await r.arrayBuffer();
        if (r.ok && !repeat) agent.answered.push({ prompt, at: performance.now() });
      })
      .catch(() => undefined)
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  // Turns are due by the clock, not by timer ticks: on a loaded box timers fire late, and a
  // watch that sees half the configured rate would be judging the simulator, not the gateway.
  // A tick sends at most one second's worth, so a long stall does not end in a flood.
  const started = performance.now();
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) * rate) / 1000);
    for (let budget = Math.ceil(rate); turn < due && budget > 0; budget--) {
      const agent = state[turn % state.length];
      turn += 1;
      if (agent && !agent.silent) send(agent);
    }
  }, 1000 / rate);

  return {
    sent: () => sent,
    stop: async () => {
      clearInterval(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}
