import type { LangfuseObservation, LangfuseReader, LangfuseTrace } from '../clients/langfuse.ts';
import { isFatalLangfuseError } from '../clients/langfuse.ts';
import type { CutoverConfig } from '../config/index.ts';
import { logRequestsTo } from '../clients/request-log.ts';
import { pollUntil } from '../measure/poll.ts';
import { assertRunVisible, LangfuseSilent } from './langfuse-silence.ts';
import type { CheckRecorder } from './recorder.ts';

/**
 * A trace that arrived, with the observation the predicate picked. There is no "not found"
 * value: past the deadline `awaitTrace` fails the check instead of returning.
 */
export interface FoundTrace {
  trace: LangfuseTrace;
  observation: LangfuseObservation;
  waitedMs: number;
}

/** What a waited-for trace must hold: an observation matching `match` (`describe` says it in words). */
interface TraceWant {
  readonly describe: string;
  readonly match: (o: LangfuseObservation) => boolean;
  /** Names the wait in the measurement (`<label>_wait_ms`), the link and the timeline. */
  readonly label?: string;
}

/**
 * Polls Langfuse for `traceId` until it holds an observation matching `want`, within
 * `LANGFUSE_WAIT_MS`. On success it links the trace and records the wait; on timeout it fails
 * the check with what was seen last and a reminder that ingestion is asynchronous, so the
 * engineer can tell "never arrived" from "arrived without the generation".
 */
export async function awaitTrace(
  c: CheckRecorder,
  langfuse: LangfuseReader,
  config: CutoverConfig,
  traceId: string,
  want: TraceWant,
): Promise<FoundTrace> {
  const measured = `${want.label ?? 'langfuse'}_wait_ms`;
  const started = performance.now();
  // A minute of slack: the run's first trace may predate this check's own request.
  const since = new Date(Date.now() - 60_000);
  let res: Awaited<ReturnType<typeof pollUntil<LangfuseTrace | undefined>>>;
  try {
    // One span for the whole wait; its polls are not requests of the check's own.
    res = await c.timed(
      'langfuse',
      (r) =>
        `trace ${want.label ?? traceId}: ${r ? `${r.ok ? 'found' : 'not found'} after ${r.attempts} poll(s)` : 'stopped'}`,
      () =>
        logRequestsTo(undefined, () =>
          pollUntil(
            async () => {
              const t = await langfuse.trace(traceId);
              if (t === undefined) await assertRunVisible(config, performance.now() - started, since);
              return t;
            },
            (t) => t !== undefined && t.observations.some(want.match),
            {
              deadlineMs: config.langfuse.waitMs,
              intervalMs: config.langfuse.pollIntervalMs,
              isFatal: (err) => err instanceof LangfuseSilent || isFatalLangfuseError(err),
            },
          ),
        ),
    );
  } catch (err) {
    if (!(err instanceof LangfuseSilent)) throw err;
    c.measure(measured, null, 'ms', { op: '<=', value: config.langfuse.waitMs });
    c.fail(`Langfuse trace ${traceId}: ${err.message}`);
  }
  if (!res.ok) {
    c.measure(measured, null, 'ms', { op: '<=', value: config.langfuse.waitMs });
    const seen =
      res.last === undefined
        ? `the trace never appeared (Langfuse answered 404 ${res.attempts} times)`
        : `the trace arrived with ${res.last.observations.length} observation(s) but none is ${want.describe}`;
    const lastError = res.lastError instanceof Error ? `; last error: ${res.lastError.message}` : '';
    c.fail(
      `Langfuse trace ${traceId}: ${seen} within LANGFUSE_WAIT_MS=${config.langfuse.waitMs} ms (ingestion is asynchronous; raise the wait if the queue is slow)${lastError}`,
    );
  }
  const trace = res.value as LangfuseTrace;
  c.measure(measured, res.elapsedMs, 'ms', { op: '<=', value: config.langfuse.waitMs });
  c.link(`Langfuse trace${want.label ? ` (${want.label})` : ''}`, langfuse.traceUrl(traceId, trace.htmlPath));
  return { trace, observation: trace.observations.find(want.match)!, waitedMs: res.elapsedMs };
}

/**
 * Waits for several traces at once: the Langfuse lag is paid once, not once per trace. Every
 * wait runs to its end before the first failure is rethrown, so no poll is left running (and
 * failing into nowhere) after the check ended; each failure is on the check's record.
 */
export async function awaitTraces<const W extends readonly TraceWait[]>(
  c: CheckRecorder,
  langfuse: LangfuseReader,
  config: CutoverConfig,
  waits: W,
): Promise<{ -readonly [K in keyof W]: FoundTrace }> {
  const settled = await Promise.allSettled(waits.map((w) => awaitTrace(c, langfuse, config, w.traceId, w.want)));
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<FoundTrace>).value) as {
    -readonly [K in keyof W]: FoundTrace;
  };
}

/** One trace to wait for, and what it must hold (see `awaitTrace`). */
interface TraceWait {
  readonly traceId: string;
  readonly want: TraceWant;
}
