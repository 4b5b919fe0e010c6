import type { SentRequest } from '../clients/request-log.ts';
import type { CheckRecord, CheckStatus, Link, Measurement, Threshold } from '../evidence/model.ts';
import type { Span, SpanKind } from '../evidence/timeline.ts';
import { unitProblem, type Unit } from '../evidence/units.ts';

/** Thrown to end a check as `inconclusive`: it ran but the data cannot decide (no samples, no clean miss). */
export class Inconclusive extends Error {
  override readonly name = 'Inconclusive';
}

/** Thrown to end a check as `skipped` with the reason (e.g. no credentials for that part of the stack). */
export class CheckSkipped extends Error {
  override readonly name = 'CheckSkipped';
  constructor(
    reason: string,
    readonly explicit: boolean,
  ) {
    super(reason);
  }
}

/** Whether `value op threshold` holds. */
export function meets(value: number, t: Threshold): boolean {
  switch (t.op) {
    case '<':
      return value < t.value;
    case '<=':
      return value <= t.value;
    case '>':
      return value > t.value;
    case '>=':
      return value >= t.value;
    case '==':
      return value === t.value;
  }
}

/**
 * What a runbook test writes into: measurements against thresholds, observations, links and
 * failures. Failures are collected rather than thrown at once (except `fail`), so one broken
 * promise does not hide the next: the evidence shows every threshold the run missed.
 */
export class CheckRecorder {
  private readonly measurements: Measurement[] = [];
  private readonly observations: Record<string, unknown> = {};
  private readonly links: Link[] = [];
  private readonly failures: string[] = [];
  private readonly started = performance.now();
  private readonly startedAt = new Date();
  private readonly spans: Span[] = [];
  private droppedSpans = 0;

  /**
   * @param onChange called with the current record (status `inconclusive`: not finished) after
   * every change, so an interrupted run still has what was measured.
   */
  constructor(
    readonly id: string,
    readonly title: string,
    private readonly onChange?: (partial: CheckRecord) => void,
  ) {}

  private changed(): void {
    this.onChange?.(this.toRecord('inconclusive', 'interrupted before the check finished'));
  }

  /**
   * Records a number. With a threshold, a miss is a failure of the check (reported at the end
   * with the value and the threshold). `null` means "not measured" and fails any threshold:
   * no data is never a pass. A name that does not carry its unit the way every name does
   * (`unitProblem`: a duration ends in `_ms`, a ratio has `_rate`) throws a TypeError: the
   * evidence would mislead whoever reads it, so the code is wrong, not the stack.
   */
  measure(name: string, value: number | null, unit: Unit, threshold?: Threshold): boolean {
    const misnamed = unitProblem(name, unit);
    if (misnamed) throw new TypeError(misnamed);
    // Judged on the value as stored, so that evidence:verify, recomputing it from the file,
    // always agrees (99.99996 stored as 100 against < 100 fails here too).
    const stored = value === null ? null : round(value);
    const pass = threshold ? stored !== null && meets(stored, threshold) : undefined;
    this.measurements.push({ name, value: stored, unit, ...(threshold ? { threshold, pass } : {}) });
    if (pass === false)
      this.failures.push(
        `${name} = ${value === null ? 'not measured' : `${round(value)} ${unit}`}, required ${threshold!.op} ${threshold!.value} ${unit}`,
      );
    this.changed();
    return pass ?? true;
  }

  /**
   * Times `fn` as one span of the check's timeline (a settle, a burst, a trace wait). The span is
   * recorded however `fn` ends; `label` may be a function of the result, to say how it went.
   */
  async timed<T>(kind: SpanKind, label: string | ((value: T | undefined) => string), fn: () => Promise<T>): Promise<T> {
    const startMs = performance.now();
    let value: T | undefined;
    try {
      value = await fn();
      return value;
    } finally {
      this.span(kind, typeof label === 'string' ? label : label(value), startMs, performance.now());
    }
  }

  /** Records one HTTP exchange the check sent (`check()` routes the transport's log here). */
  request(r: SentRequest): void {
    this.span('request', `${r.method} ${r.path} → ${r.status ?? 'no answer'}`, r.startMs, r.endMs);
  }

  /**
   * Adds a span, times on this thread's `performance.now()` clock. Past `MAX_SPANS` spans are
   * counted, not kept: a check looping for 30 minutes must not grow its record without bound.
   */
  span(kind: SpanKind, label: string, startMs: number, endMs: number): void {
    if (this.spans.length >= MAX_SPANS) {
      this.droppedSpans += 1;
      return;
    }
    this.spans.push({ kind, label, startMs: round(startMs - this.started), endMs: round(endMs - this.started) });
  }

  /** Records a fact (a header's presence, a model name, a version); must be JSON-serializable. */
  observe(key: string, value: unknown): void {
    this.observations[key] = value;
    this.changed();
  }

  link(label: string, url: string): void {
    this.links.push({ label, url });
    this.changed();
  }

  /** Records a failed expectation and continues; the check fails at the end. */
  expect(ok: boolean, failure: string): boolean {
    if (!ok) this.failures.push(failure);
    return ok;
  }

  /** Fails the check now: what follows depends on something that did not happen. */
  fail(reason: string): never {
    this.failures.push(reason);
    throw new CheckFailure(this.failures);
  }

  /** Ends the check as inconclusive with the reason. */
  inconclusive(reason: string): never {
    throw new Inconclusive(reason);
  }

  /** Ends the check as skipped; `explicit` when the operator asked for it (CUTOVER_SKIP). */
  skip(reason: string, explicit = false): never {
    throw new CheckSkipped(reason, explicit);
  }

  get failed(): readonly string[] {
    return this.failures;
  }

  /** Throws the collected failures, if any, as one error. */
  settle(): void {
    if (this.failures.length > 0) throw new CheckFailure(this.failures);
  }

  /** The serializable record; `section` is the id's prefix (`4.1/exact-cache` → `4.1`). */
  toRecord(status: CheckStatus, error?: string, skip?: CheckRecord['skip']): CheckRecord {
    return {
      id: this.id,
      section: this.id.split('/')[0] ?? this.id,
      title: this.title,
      status,
      measurements: this.measurements,
      observations: this.observations,
      links: this.links,
      ...(error ? { error } : {}),
      ...(skip ? { skip } : {}),
      durationMs: round(performance.now() - this.started),
      timeline: {
        startedAt: this.startedAt.toISOString(),
        spans: [...this.spans],
        ...(this.droppedSpans > 0 ? { droppedSpans: this.droppedSpans } : {}),
      },
    };
  }
}

/** Spans one check keeps; the rest are counted (`droppedSpans`). */
const MAX_SPANS = 200;

/** The failures of one check, one per line; already what the on-call engineer reads. */
class CheckFailure extends Error {
  override readonly name = 'CheckFailure';
  constructor(failures: readonly string[]) {
    super(failures.join('\n'));
  }
}

/**
 * Six significant digits: enough for milliseconds to the microsecond, and small values such as
 * a cost of 0.0000105 USD keep their meaning (fixed decimals would round them to a false 0).
 */
function round(n: number): number {
  return Number.isFinite(n) ? Number(n.toPrecision(6)) : n;
}
