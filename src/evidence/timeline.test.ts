import { describe, expect, it } from 'vitest';
import { coveredMs, criticalPath, placeChecks, type TimedCheck } from './timeline.ts';

const run = { startedAt: '2026-12-03T10:00:00.000Z', endedAt: '2026-12-03T10:00:20.000Z' };
const at = (ms: number) => new Date(Date.parse(run.startedAt) + ms).toISOString();

const checks: TimedCheck[] = [
  { id: '1/tls', durationMs: 500, timeline: { startedAt: at(3000), spans: [] } },
  {
    id: '4.1/exact-cache',
    durationMs: 12_000,
    timeline: {
      startedAt: at(3000),
      spans: [
        { kind: 'request', label: 'POST /chat/completions → 200', startMs: 0, endMs: 500 },
        { kind: 'settle', label: 'settle', startMs: 500, endMs: 1500 },
        { kind: 'langfuse', label: 'trace request_1', startMs: 2000, endMs: 9000 },
        { kind: 'langfuse', label: 'trace request_2', startMs: 2000, endMs: 11_000 },
      ],
    },
  },
  { id: '3/smoke', durationMs: 9000, timeline: { startedAt: at(4000), spans: [] } },
  { id: 'old', durationMs: 100 },
];

describe('timeline', () => {
  it('counts overlapping spans once', () => {
    expect(coveredMs([])).toBe(0);
    expect(
      coveredMs([
        { startMs: 0, endMs: 10 },
        { startMs: 5, endMs: 20 },
        { startMs: 30, endMs: 40 },
        { startMs: 32, endMs: 35 },
      ]),
    ).toBe(30);
  });

  it('places checks on the run clock in start order, leaving out checks without a timeline', () => {
    const placed = placeChecks(run.startedAt, checks);
    expect(placed.map((c) => [c.id, c.startMs, c.endMs])).toEqual([
      ['1/tls', 3000, 3500],
      ['4.1/exact-cache', 3000, 15_000],
      ['3/smoke', 4000, 13_000],
    ]);
    expect(placed[1]!.spans[1]).toMatchObject({ kind: 'settle', startMs: 3500, endMs: 4500 });
  });

  it('is setup, then the longest check with its breakdown, then the report', () => {
    const cp = criticalPath(run, checks)!;
    expect(cp.segments.map((s) => [s.name, s.ms])).toEqual([
      ['setup', 3000],
      ['4.1/exact-cache', 12_000],
      ['report', 5000],
    ]);
    expect(cp.segments[1]!.breakdown).toEqual({ request: 500, settle: 1000, langfuse: 9000, other: 1500 });
    expect(cp.ms).toBe(20_000);
    expect(cp.wallMs).toBe(20_000);
  });

  it('is undefined when no check has a timeline', () => {
    expect(criticalPath(run, [{ id: 'old', durationMs: 5 }])).toBeUndefined();
  });
});
