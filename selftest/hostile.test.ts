import { decisionOf } from '../src/evidence/model.ts';
import { describe, expect, test } from 'vitest';
import { sharedSandbox } from './shared-sandbox.ts';
import { startHostile, type Behaviour } from './hostile.ts';
import { runCutover } from './run-cutover.ts';

/**
 * Hostile servers: the run must end within its configured budget, the affected check must fail
 * with a message naming the endpoint, and the verdict must never be go.
 */
const BUDGET = { HTTP_TIMEOUT_MS: '2000', LANGFUSE_WAIT_MS: '3000' };

const CASES: { name: string; role: 'gateway' | 'langfuse'; behaviour: Behaviour; says: RegExp }[] = [
  { name: 'a gateway that accepts and never answers', role: 'gateway', behaviour: 'never-answers', says: /unreachable|timeout|Timeout/i },
  { name: 'a Langfuse that answers 500 forever', role: 'langfuse', behaviour: 'error-500', says: /500/ },
  { name: 'HTML where JSON was expected', role: 'gateway', behaviour: 'html', says: /expected a chat completion as JSON; body starts: ".*502 Bad Gateway/ },
  { name: 'a 10 MB body', role: 'gateway', behaviour: 'huge-body', says: /expected a body under \d+ bytes/ },
  { name: 'a truncated chunked response', role: 'gateway', behaviour: 'truncated-chunked', says: /cut short/ },
];

describe('hostile servers: bounded, named, never go', () => {
  const sandboxOf = sharedSandbox();

  test.concurrent.each(CASES)('$name', async (c) => {
    const hostile = await startHostile(c.behaviour);
    try {
      const target = c.role === 'gateway' ? { GATEWAY_URL: hostile.url } : { LANGFUSE_URL: hostile.url };
      const run = await runCutover({ ...sandboxOf().env, ...BUDGET, ...target }, { timeoutMs: 240_000 });
      expect(run.bundle, run.stderr.slice(0, 800)).toBeDefined();
      expect(decisionOf(run.bundle!.verdict)).not.toMatch(/^go/);
      const smoke = run.check('3/smoke');
      expect(smoke.status).toBe('failed');
      expect(smoke.error).toContain(hostile.url.replace('http://', ''));
      expect(smoke.error).toMatch(c.says);
      // The check's own budget: two bounded HTTP exchanges (warm-up, request) plus the Langfuse
      // wait, with slack for a loaded machine. Wall time is not asserted: Vitest's start-up on a
      // busy 2-core box is not the suite's budget.
      expect(smoke.durationMs).toBeLessThan(3 * Number(BUDGET.HTTP_TIMEOUT_MS) * 2 + Number(BUDGET.LANGFUSE_WAIT_MS) + 5_000);
      expect(run.exitCode).not.toBe(0);
    } finally {
      await hostile.close();
    }
  });
});
