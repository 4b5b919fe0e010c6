import { describe, expect, it } from 'vitest';
import { CheckTimeline } from '../evidence/timeline.ts';
import { CheckRecorder } from './recorder.ts';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('CheckRecorder timeline', () => {
  it('records timed spans (even when they throw), requests without their origin, and the start', async () => {
    const before = Date.now();
    const c = new CheckRecorder('4.1/exact-cache', 'title');
    await c.timed('settle', 'cache write settle', () => pause(20));
    await expect(
      c.timed(
        'langfuse',
        (v) => `trace: ${v === undefined ? 'stopped' : v}`,
        () => Promise.reject(new Error('x')),
      ),
    ).rejects.toThrow('x');
    const t = performance.now();
    c.request({ method: 'POST', path: '/chat/completions', status: 200, startMs: t, endMs: t + 5 });
    c.request({ method: 'GET', path: '/', status: null, startMs: t, endMs: t + 1 });
    const r = c.toRecord('passed');
    const timeline = CheckTimeline.parse(r.timeline);
    expect(Date.parse(timeline.startedAt)).toBeGreaterThanOrEqual(before - 1);
    expect(timeline.spans.map((s) => [s.kind, s.label])).toEqual([
      ['settle', 'cache write settle'],
      ['langfuse', 'trace: stopped'],
      ['request', 'POST /chat/completions → 200'],
      ['request', 'GET / → no answer'],
    ]);
    const settle = timeline.spans[0]!;
    expect(settle.endMs - settle.startMs).toBeGreaterThanOrEqual(15);
    expect(settle.startMs).toBeGreaterThanOrEqual(0);
    expect(timeline.droppedSpans).toBeUndefined();
  });

  it('keeps at most 200 spans and counts the rest', () => {
    const c = new CheckRecorder('7/watch', 'title');
    const t = performance.now();
    for (let i = 0; i < 250; i++) c.request({ method: 'GET', path: '/metrics', status: 200, startMs: t, endMs: t });
    const r = c.toRecord('passed');
    expect(r.timeline?.spans).toHaveLength(200);
    expect(r.timeline?.droppedSpans).toBe(50);
  });
});
