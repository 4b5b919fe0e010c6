import { describe, expect, test } from 'vitest';
import { runCutover } from './run-cutover.ts';

// The runbook against the sandbox's production profile (`sandbox/profile.ts`): the real stack's
// latencies, Langfuse's 6–10 s ingestion lag with its spikes included. Every check must still
// pass: a wait sized for the default sandbox's 0.3 s would fail here first. The seed is fixed so
// a failure replays with the same draws; this one puts lag spikes (16–20 s) among the first
// ingestion batches (draws 2 and 6 of its Langfuse stream).
const SEED = 'selftest-production-1';

describe('the production latency profile', () => {
  test('pnpm test:cutover with SANDBOX_PROFILE=production: rehearsal-go, every check passed, the profile recorded', async () => {
    const run = await runCutover({ SANDBOX_PROFILE: 'production', SANDBOX_SEED: SEED }, { timeoutMs: 600_000 });
    const bundle = run.bundle;
    expect(bundle, run.stderr.slice(-2_000)).toBeDefined();
    const checks = bundle!.sections.flatMap((s) => s.checks);
    expect(checks.filter((c) => c.status !== 'passed').map((c) => `${c.id}: ${c.status} ${c.error ?? ''}`)).toEqual([]);
    expect(checks.length).toBeGreaterThan(0);
    expect(bundle!.run.notRun).toEqual([]);
    expect(bundle!.verdict).toBe('rehearsal-go');
    expect(run.exitCode).toBe(0);
    expect(bundle!.run.sandboxProfile).toBe('production');
    expect(bundle!.run.sandboxFaults).toEqual([]);
    expect(run.stdout).toContain('Target: bundled sandbox (no GATEWAY_URL configured), profile: production');
    // The profile really ran: the upstream answers in a few hundred ms, not the default 150, and
    // the trace the smoke check waited for took Langfuse seconds, not 0.3 s, to become readable.
    const direct = run.check('7/rollback-readiness').measurements.find((m) => m.name === 'direct_p50_ms');
    expect(direct?.value).toBeGreaterThanOrEqual(300);
    const wait = run.check('3/smoke').measurements.find((m) => m.name === 'langfuse_wait_ms');
    expect(wait?.value).toBeGreaterThanOrEqual(5_000);
  });
});
