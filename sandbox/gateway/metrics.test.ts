import { describe, expect, it } from 'vitest';
import { exposition, goFloat, Metrics } from './metrics.ts';

describe('goFloat (prometheus_client floatToGoString)', () => {
  it('writes large positive values in Go exponent form and everything else as repr(float)', () => {
    expect(goFloat(1733187362.45)).toBe('1.73318736245e+09');
    expect(goFloat(1733187362)).toBe('1.733187362e+09');
    expect(goFloat(1_000_000)).toBe('1e+06');
    expect(goFloat(123456.5)).toBe('123456.5');
    expect(goFloat(1)).toBe('1.0');
    expect(goFloat(0.00625)).toBe('0.00625');
    expect(goFloat(-12345678.5)).toBe('-12345678.5');
    expect(goFloat(Infinity)).toBe('+Inf');
    expect(goFloat(Number.NaN)).toBe('NaN');
  });
});

describe('exposition', () => {
  const start = 1733187362.45;
  const families = (text: string) => [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]);

  it('puts the process families before the litellm_* ones', () => {
    const f = families(exposition(new Metrics(), new Set(), start));
    expect(f.slice(0, 2)).toEqual(['process_start_time_seconds', 'process_cpu_seconds_total']);
    expect(f).toContain('litellm_proxy_total_requests_metric_total');
  });

  it('keeps the process families under metrics-off and metrics-gated', () => {
    expect(families(exposition(new Metrics(), new Set(['metrics-off']), start))).toEqual([
      'process_start_time_seconds',
      'process_cpu_seconds_total',
    ]);
    expect(families(exposition(new Metrics(), new Set(['metrics-gated']), start))).toEqual([
      'process_start_time_seconds',
      'process_cpu_seconds_total',
      'litellm_not_a_premium_user_metric_total',
    ]);
    expect(exposition(new Metrics(), new Set(['metrics-off']), start)).toContain(
      '\nprocess_start_time_seconds 1.73318736245e+09\n',
    );
  });
});
