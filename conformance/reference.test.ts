// The whole pre-cutover runbook against the real LiteLLM proxy, in both cache configurations,
// with the sandbox as the rest of the stack. Each check must end exactly as `expected.ts` says,
// for the reason it gives: this is how we know the suite reads LiteLLM as LiteLLM behaves, not
// only as our sandbox does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pinnedLitellmVersion,
  type ReferenceCacheType,
  type ReferenceStack,
  startReferenceStack,
} from '../sandbox/reference/index.ts';
import { evidenceFiles, runCutover, type CutoverRun } from '../selftest/run-cutover.ts';
import { EXPECTED } from './expected.ts';

const SECRET_VARIABLE = /KEY|TOKEN|PASSWORD|SECRET/;

for (const cacheType of Object.keys(EXPECTED) as ReferenceCacheType[]) {
  describe(`pnpm test:cutover against real LiteLLM ${pinnedLitellmVersion()} (cache: ${cacheType})`, () => {
    let stack: ReferenceStack | undefined;
    let run: CutoverRun | undefined;
    beforeAll(async () => {
      stack = await startReferenceStack(cacheType);
      run = await runCutover(stack.env, { slot: false });
    }, 300_000);
    afterAll(async () => {
      await stack?.stop();
    });
    const ran = (): CutoverRun => {
      if (!run) throw new Error('the conformance run did not start');
      return run;
    };

    for (const [id, want] of Object.entries(EXPECTED[cacheType])) {
      it(`${id} ${want.status}: ${want.why}`, () => {
        const c = ran().check(id);
        const context = `${id} ended ${c.status}: ${c.error ?? '(no error)'}\n--- proxy log tail ---\n${stack?.gateway.logTail() ?? ''}`;
        expect(c.status, context).toBe(want.status);
        if (want.because) expect(c.error ?? '', context).toMatch(want.because);
      });
    }

    it('runs no check the expectations do not name, and ends no-go', () => {
      const ids = ran().bundle?.sections.flatMap((s) => s.checks.map((c) => c.id)) ?? [];
      expect(ids.sort()).toEqual(Object.keys(EXPECTED[cacheType]).sort());
      expect(ran().bundle?.verdict).toBe('no-go');
      expect(ran().exitCode).toBe(1);
    });

    it('leaks no credential of the stack into stdout, stderr or the evidence', () => {
      const secrets = Object.entries(stack?.env ?? {})
        .filter(([k, v]) => SECRET_VARIABLE.test(k) && v.length >= 12)
        .map(([, v]) => v);
      expect(secrets.length).toBeGreaterThan(5);
      const outputs: [string, string][] = [
        ['stdout', ran().stdout],
        ['stderr', ran().stderr],
        ...evidenceFiles(ran().evidenceDir),
      ];
      const leaks = outputs.filter(([, text]) => secrets.some((s) => text.includes(s))).map(([name]) => name);
      expect(leaks).toEqual([]);
    });
  });
}
