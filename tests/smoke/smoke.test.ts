// Runbook §3 — Smoke Tests (pre-cutover).
// "Run from a trusted workstation using the admin key … Expect HTTP 200 in < 2s and trace
// visible in Langfuse."
import { describe } from 'vitest';
import { check } from '../../src/harness/check.ts';
import { measuringLatency } from '../../src/harness/gateway-quiet.ts';
import { SMOKE } from '../../src/harness/plan.ts';
import { stackFor } from '../../src/harness/stack.ts';
import { awaitTrace } from '../../src/harness/trace.ts';
import { isChatGeneration } from '../../src/clients/langfuse-generation.ts';

describe('§3 Smoke tests', () => {
  check('3/smoke', async (c, config) => {
    const { gateway, langfuse } = stackFor(config);
    const health = await langfuse.health().catch(() => undefined);
    if (health) c.observe('langfuseVersion', health.version);

    await gateway.warm();
    // Timed against < 2 s: never while §5.1's burst is sending (src/harness/gateway-quiet.ts).
    const res = await measuringLatency(c, () =>
      gateway.chat(
        {
          model: config.models.default,
          messages: [{ role: 'user', content: SMOKE.prompt(config.runId) }],
          max_tokens: SMOKE.maxTokens,
          // A smoke test proves the live path; a cached answer from an earlier run would not.
          cache: { 'no-cache': true },
        },
        { apiKey: config.gateway.adminKey, checkId: c.id },
      ),
    );
    c.observe('traceId', res.traceId);
    c.observe('gatewayVersion', res.litellm.version ?? null);
    c.observe('modelGroup', res.litellm.modelGroup ?? null);
    c.measure('http_status', res.status, 'code', { op: '==', value: 200 });
    c.measure('total_ms', res.timing.totalMs, 'ms', { op: '<', value: config.thresholds.smokeMs });
    c.measure('headers_ms', res.timing.headersMs, 'ms');
    if (res.status !== 200) c.fail(`gateway answered HTTP ${res.status}: ${res.error?.message ?? ''}`);

    const content = res.completion?.choices[0]?.message.content ?? '';
    c.observe('contentChars', content.length);
    c.expect(content.trim().length > 0, 'choices[0].message.content is empty');

    const { observation } = await awaitTrace(c, langfuse, config, res.traceId, {
      describe: 'a chat generation with a model',
      // A semantic cache's embedding calls are generations of the same trace.
      match: (o) => isChatGeneration(o) && Boolean(o.model),
    });
    c.observe('langfuseModel', observation.model);
  });
});
