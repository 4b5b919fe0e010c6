import { z } from 'zod';

/**
 * What a stretch of a check's time was spent on:
 * - `request`: one HTTP exchange the check sent (method and path, never the query);
 * - `burst`: a concurrent burst of requests (§5.1), one span for all of them;
 * - `settle`: a deliberate pause for the stack to catch up (LiteLLM's asynchronous cache write);
 * - `langfuse`: waiting for one trace to become readable in Langfuse (its polls are inside it);
 * - `pause`: any other deliberate wait (between baseline samples, a retry's back-off).
 */
export const SpanKind = z.enum(['request', 'burst', 'settle', 'langfuse', 'pause']);
export type SpanKind = z.infer<typeof SpanKind>;

/** One span, in milliseconds after its check started. */
export const Span = z.object({
  kind: SpanKind,
  label: z.string(),
  startMs: z.number(),
  endMs: z.number(),
});
export type Span = z.infer<typeof Span>;

/**
 * Where one check spent its time. `startedAt` is the wall clock when the check began (ISO, ms);
 * the check ended `durationMs` later (on the record itself). Spans may overlap: three trace waits
 * run at once. `droppedSpans` counts requests past the cap, so a long loop cannot grow the record
 * without bound while the reader still learns that there were more.
 */
export const CheckTimeline = z.object({
  startedAt: z.string(),
  spans: z.array(Span),
  droppedSpans: z.number().optional(),
});
export type CheckTimeline = z.infer<typeof CheckTimeline>;

/** What the critical-path computation needs of a check record. */
export interface TimedCheck {
  readonly id: string;
  readonly durationMs: number;
  readonly timeline?: CheckTimeline;
}

/** One check placed on the run's clock: ms after the run started. */
export interface PlacedCheck {
  readonly id: string;
  readonly startMs: number;
  readonly endMs: number;
  /** Its spans, moved onto the run's clock. */
  readonly spans: readonly Span[];
}

/** Checks with a timeline, placed on the run's clock, in start order. Checks without one (older bundles) are left out. */
export function placeChecks(runStartedAt: string, checks: readonly TimedCheck[]): PlacedCheck[] {
  const origin = Date.parse(runStartedAt);
  const placed: PlacedCheck[] = [];
  for (const c of checks) {
    if (!c.timeline) continue;
    const at = Date.parse(c.timeline.startedAt);
    if (!Number.isFinite(at) || !Number.isFinite(origin)) continue;
    const startMs = at - origin;
    placed.push({
      id: c.id,
      startMs,
      endMs: startMs + c.durationMs,
      spans: c.timeline.spans.map((s) => ({ ...s, startMs: startMs + s.startMs, endMs: startMs + s.endMs })),
    });
  }
  return placed.sort((a, b) => a.startMs - b.startMs || a.id.localeCompare(b.id));
}

/** Milliseconds covered by the union of `spans` (overlapping spans count once). */
export function coveredMs(spans: readonly Pick<Span, 'startMs' | 'endMs'>[]): number {
  const sorted = [...spans].filter((s) => s.endMs > s.startMs).sort((a, b) => a.startMs - b.startMs);
  let total = 0;
  let end = -Infinity;
  for (const s of sorted) {
    if (s.endMs <= end) continue;
    total += s.endMs - Math.max(s.startMs, end);
    end = s.endMs;
  }
  return total;
}

/** One link of the critical path. */
interface PathSegment {
  /** `setup`, a check id, or `report`. */
  readonly name: string;
  readonly ms: number;
  /** For a check: time covered by each kind of span (overlaps counted once), and the rest. */
  readonly breakdown?: Readonly<Partial<Record<SpanKind | 'other', number>>>;
}

/** The run's critical path, and how the run's wall time compares with it. */
export interface CriticalPath {
  readonly segments: readonly PathSegment[];
  /** The sum of the segments: the shortest this run could have taken, had every check started at once. */
  readonly ms: number;
  /** run.startedAt to run.endedAt. */
  readonly wallMs: number;
}

/**
 * The run's critical path. The checks of a run do not depend on one another (each has its own
 * keys, cache namespace and trace ids; §5.1's burst its own key), so what must happen one after
 * another is: the setup (configuration, the sandbox, Vitest starting the workers, up to the
 * first check), then the longest check, each of whose steps waits for the one before (send,
 * settle, wait for the trace), then writing the evidence after the last check. Wall time above
 * that sum was spent queueing: checks waiting for a worker, or waits that did not overlap.
 * `undefined` when no check has a timeline (nothing ran, or a bundle written before timelines).
 */
export function criticalPath(
  run: { readonly startedAt: string; readonly endedAt: string },
  checks: readonly TimedCheck[],
): CriticalPath | undefined {
  const placed = placeChecks(run.startedAt, checks);
  if (placed.length === 0) return undefined;
  const wallMs = Date.parse(run.endedAt) - Date.parse(run.startedAt);
  const setupMs = Math.max(0, Math.min(...placed.map((c) => c.startMs)));
  const reportMs = Math.max(0, wallMs - Math.max(...placed.map((c) => c.endMs)));
  const longest = placed.reduce((a, b) => (b.endMs - b.startMs > a.endMs - a.startMs ? b : a));
  const checkMs = longest.endMs - longest.startMs;
  const breakdown: Partial<Record<SpanKind | 'other', number>> = {};
  for (const kind of SpanKind.options) {
    const ms = coveredMs(longest.spans.filter((s) => s.kind === kind));
    if (ms > 0) breakdown[kind] = ms;
  }
  breakdown.other = Math.max(0, checkMs - coveredMs(longest.spans));
  const segments: PathSegment[] = [
    { name: 'setup', ms: setupMs },
    { name: longest.id, ms: checkMs, breakdown },
    { name: 'report', ms: reportMs },
  ];
  return { segments, ms: segments.reduce((t, s) => t + s.ms, 0), wallMs };
}
