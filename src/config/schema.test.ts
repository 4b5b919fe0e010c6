import { describe, expect, test } from 'vitest';
import { formatProblems, parseConfig, sandboxConflicts } from './schema.ts';

const target = {
  GATEWAY_URL: 'https://gateway.example.com/',
  GATEWAY_ADMIN_KEY: 'sk-admin-123456',
  LANGFUSE_URL: 'https://langfuse.example.com',
  LANGFUSE_PUBLIC_KEY: 'pk-lf-123456',
  LANGFUSE_SECRET_KEY: 'sk-lf-123456',
  CUTOVER_RUN_ID: 'run-1',
};

describe('parseConfig', () => {
  test('applies the runbook defaults and normalises URLs', () => {
    const r = parseConfig(target, 'deployment');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.gateway.url).toBe('https://gateway.example.com');
    expect(r.config.models).toEqual({ default: 'gpt-4o-mini', escalation: 'gpt-4o' });
    expect(r.config.thresholds.smokeMs).toBe(2000);
    expect(r.config.langfuse.waitMs).toBe(90_000);
    expect(r.config.phase).toBe('pre');
    expect(r.config.evidenceDir).toBe('evidence');
  });

  test('reports every problem at once, each by variable name, never echoing values', () => {
    const r = parseConfig(
      { GATEWAY_URL: 'gateway.example.com', LANGFUSE_URL: 'https://user:sk-secret-value@x', THRESHOLD_SMOKE_MS: '-5', CUTOVER_PHASE: 'during', LANGFUSE_SECRET_KEY: '  ', CUTOVER_RUN_ID: 'r' },
      'deployment',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byVar = Object.fromEntries(r.problems.map((p) => [p.variable, p.problem]));
    expect(Object.keys(byVar).sort()).toEqual(
      ['CUTOVER_PHASE', 'GATEWAY_ADMIN_KEY', 'GATEWAY_URL', 'LANGFUSE_PUBLIC_KEY', 'LANGFUSE_SECRET_KEY', 'LANGFUSE_URL', 'THRESHOLD_SMOKE_MS'].sort(),
    );
    expect(byVar.GATEWAY_ADMIN_KEY).toMatch(/required when GATEWAY_URL is set/);
    expect(byVar.THRESHOLD_SMOKE_MS).toMatch(/greater than 0/);
    expect(byVar.CUTOVER_PHASE).toMatch(/pre or post/);
    const message = formatProblems(r.problems);
    expect(message).not.toContain('sk-secret-value');
    expect(message).toMatch(/\(7 problems\); nothing was sent/);
  });

  test('a partial target without GATEWAY_URL is contradictory', () => {
    expect(sandboxConflicts({ LANGFUSE_URL: 'https://langfuse.example.com' }).map((p) => p.variable)).toEqual(['LANGFUSE_URL']);
    expect(sandboxConflicts({})).toEqual([]);
  });
});
