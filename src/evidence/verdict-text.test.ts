import { describe, expect, test } from 'vitest';
import { verdictLine, verdictMeaning } from './verdict-text.ts';

const run = (target: 'sandbox' | 'deployment', sandboxFaults?: string[]) => ({
  target,
  ...(sandboxFaults ? { sandboxFaults } : {}),
});

describe('verdict wording', () => {
  test('a deployment verdict line is the word and the reasons', () => {
    expect(
      verdictLine({
        verdict: 'rollback',
        verdictReasons: ['7/watch: ROLLBACK: error rate 3.1 % > 2.0 % over 412 requests (window 5 min)'],
        run: run('deployment'),
      }),
    ).toBe('Verdict: ROLLBACK (7/watch: ROLLBACK: error rate 3.1 % > 2.0 % over 412 requests (window 5 min))');
    expect(verdictLine({ verdict: 'hold', verdictReasons: [], run: run('deployment') })).toBe('Verdict: HOLD');
  });

  test('a rehearsal verdict line says it was one, against which sandbox, and that it proves nothing about production', () => {
    expect(verdictLine({ verdict: 'rehearsal-go', verdictReasons: [], run: run('sandbox', []) })).toBe(
      "Verdict: REHEARSAL-GO — rehearsal against the bundled sandbox: every check passed. This proves that the suite and the runbook's checks work end to end; it proves nothing about production: decide with a run against the deployment (GATEWAY_URL in .env).",
    );
    expect(
      verdictLine({
        verdict: 'rehearsal-rollback',
        verdictReasons: ['7/watch: ROLLBACK: …'],
        run: run('sandbox', ['error-burst']),
      }),
    ).toMatch(
      /^Verdict: REHEARSAL-ROLLBACK \(7\/watch: ROLLBACK: …\) — rehearsal against the bundled sandbox with faults error-burst: a rollback trigger fired on the sandbox's simulated traffic\. A rehearsal tests the suite and the runbook's checks, never production: do not roll anything back for it\.$/,
    );
  });

  test('no rehearsal meaning claims a production fact', () => {
    for (const verdict of [
      'rehearsal-go',
      'rehearsal-go-with-waivers',
      'rehearsal-no-go',
      'rehearsal-hold',
      'rehearsal-hold-with-findings',
      'rehearsal-rollback',
      'incomplete',
    ] as const) {
      const meaning = verdictMeaning({ verdict, run: run('sandbox') });
      expect(meaning).toMatch(
        /^Rehearsal against the bundled sandbox: .*(proves nothing about production|never production)/,
      );
      expect(meaning).not.toMatch(/may be switched|roll back now|keep the agents/);
    }
  });
});

describe('verdict wording of waivers and of the config gate', () => {
  test('go-with-waivers never says every check passed', () => {
    const meaning = verdictMeaning({ verdict: 'go-with-waivers', run: { target: 'deployment', kind: 'cutover' } });
    expect(meaning).not.toMatch(/^Every check (of the pre-cutover runbook )?(ran and )?passed/);
    expect(meaning).toMatch(/waived by CUTOVER_SKIP .*Not every check passed/);
  });
  test('the config gate says it is not a cutover verdict', () => {
    expect(verdictMeaning({ verdict: 'config-ok', run: { target: 'deployment', kind: 'config-gate' } })).toMatch(
      /This is not a cutover verdict: no live check ran\.$/,
    );
    expect(
      verdictLine({
        verdict: 'config-failed',
        verdictReasons: ['6/agent-config failed'],
        run: { target: 'deployment', kind: 'config-gate' },
      }),
    ).toBe('Verdict: CONFIG-FAILED (6/agent-config failed)');
  });
});
