import { describe, expect, test } from 'vitest';
import { healthy, postWatch } from './html-fixtures.ts';
import { renderMarkdown } from './markdown.ts';
import { decisionOf } from './model.ts';

const deployment = <B extends typeof healthy>(b: B): B => ({ ...b, verdict: decisionOf(b.verdict), run: { ...b.run, target: 'deployment', kind: 'cutover' } });

describe('renderMarkdown', () => {
  test('a rehearsal says so on the first line, and what it does and does not prove', () => {
    const [first, , meaning] = renderMarkdown(healthy).split('\n');
    expect(first).toBe('# Cutover pre-check: **REHEARSAL-GO** (sandbox rehearsal)');
    expect(meaning).toBe("Rehearsal against the bundled sandbox: every check passed. This proves that the suite and the runbook's checks work end to end; it proves nothing about production: decide with a run against the deployment (GATEWAY_URL in .env).");
  });

  test('a deployment run states the decision', () => {
    const [first, , meaning] = renderMarkdown(deployment(healthy)).split('\n');
    expect(first).toBe('# Cutover pre-check: **GO**');
    expect(meaning).toBe('Every check of the pre-cutover runbook ran and passed: production agents may be switched to the gateway.');
  });

  test('hold-with-findings lists each finding under the verdict', () => {
    const md = renderMarkdown(deployment({ ...postWatch, verdict: 'hold-with-findings', verdictReasons: ['6/live-traffic: agent returns-assistant: no trace tagged agent:returns-assistant in Langfuse over 30 min of watching'] }));
    expect(md.split('\n').slice(0, 5)).toEqual([
      '# Cutover watch: **HOLD-WITH-FINDINGS**',
      '',
      'No rollback trigger fired (error rate and latency within the runbook §7 limits): keep the agents on the gateway, and act on each runbook §6 finding listed.',
      '',
      '- 6/live-traffic: agent returns-assistant: no trace tagged agent:returns-assistant in Langfuse over 30 min of watching',
    ]);
  });
});

describe('a pass with a part unchecked', () => {
  test('says which part, next to the check', async () => {
    const { uncheckedParts } = await import('./unchecked.ts');
    const check = { ...healthy.sections[0]!.checks[0]!, id: '1/langfuse-schema', observations: { postgres: 'not checked: LANGFUSE_DATABASE_URL is not set', clickhouse: 'clean' } };
    expect(uncheckedParts(check)).toEqual([{ part: 'postgres', why: 'LANGFUSE_DATABASE_URL is not set' }]);
    const md = renderMarkdown({ ...healthy, sections: [{ section: '1', checks: [check] }] });
    expect(md).toContain('> 1/langfuse-schema passed, but postgres was not checked: LANGFUSE_DATABASE_URL is not set');
  });
});
