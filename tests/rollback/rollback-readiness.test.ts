// Runbook §7 — Rollback Plan, proven before the switch.
// | LiteLLM unavailable | Update agent configs to use direct OpenAI key/endpoint (previous values stored in vault). |
// | Langfuse migrations fail | Revert gateway secrets DATABASE_URL back to pooled connection (6543) … |
// | Cache outage (Redis down) | Disable caching by setting LITELLM_CACHE_DISABLED=true secret, redeploy gateway … |
// The latencies measured here are the baseline the post-cutover watch compares against.
import { describe } from 'vitest';
import { DirectOpenAI } from '../../src/clients/openai-direct.ts';
import { probePostgres } from '../../src/clients/postgres-probe.ts';
import { check } from '../../src/harness/check.ts';
import { measuringLatency } from '../../src/harness/gateway-quiet.ts';
import { ROLLBACK_BASELINE } from '../../src/harness/plan.ts';
import { stackFor } from '../../src/harness/stack.ts';
import { BASELINE_MEASUREMENT } from '../../src/measure/baseline.ts';
import { summarize } from '../../src/measure/stats.ts';

/** notes/litellm.md §7: the runbook's switch does not exist; these do. */
const CACHE_SWITCH_WARNING =
  'LITELLM_CACHE_DISABLED is not a LiteLLM setting (0 matches in LiteLLM source and docs); setting it changes nothing. ' +
  'To disable caching: litellm_settings.cache: false (or cache_params.mode: default_off, or cache_params.supported_call_types: []) and redeploy; ' +
  'POST /cache/settings; per key metadata.cache; per request cache: {"no-cache": true, "no-store": true}.';

describe('§7 Rollback plan', () => {
  check('7/rollback-readiness', async (c, config) => {
    const { gateway } = stackFor(config);
    const n = config.rollback.baselineSamples;

    // Cache outage: the gateway must still answer with the cache out of the path. Every sample
    // bypasses it, which also makes these the uncached baseline the watch compares against.
    // LiteLLM unavailable: the previous direct OpenAI endpoint and key must still work. The two
    // series run side by side (each one request at a time), so the section costs one series' time.
    await gateway.warm();
    const key = config.rollback.directKey;
    const direct = key
      ? new DirectOpenAI({ url: config.rollback.directUrl, apiKey: key, timeoutMs: config.httpTimeoutMs })
      : undefined;
    const viaGateway: number[] = [];
    const gatewayStatuses: number[] = [];
    const viaDirect: number[] = [];
    let firstError: string | undefined;
    await Promise.all([
      (async () => {
        for (let i = 0; i < n; i++) {
          // The latency baseline: never sampled while §5.1's burst is sending (src/harness/gateway-quiet.ts).
          const res = await measuringLatency(c, () =>
            gateway.chat(
              {
                model: config.models.default,
                messages: [{ role: 'user', content: ROLLBACK_BASELINE.gatewayPrompt(config.runId, i) }],
                max_tokens: ROLLBACK_BASELINE.maxTokens,
                cache: { 'no-cache': true, 'no-store': true },
              },
              { apiKey: config.gateway.adminKey, checkId: c.id },
            ),
          );
          gatewayStatuses.push(res.status);
          if (res.status === 200) viaGateway.push(res.timing.totalMs);
        }
      })(),
      (async () => {
        for (let i = 0; direct && i < n; i++) {
          const res = await direct.tinyChat(config.models.default, ROLLBACK_BASELINE.directPrompt(i));
          if (res.status === 200 && !res.errorExcerpt) viaDirect.push(res.timing.totalMs);
          else
            firstError ??= `POST ${direct.chatUrl} answered HTTP ${res.status}${res.errorExcerpt ? `: ${res.errorExcerpt}` : ''}`;
        }
      })(),
    ]);
    const g = summarize(viaGateway);
    c.measure('gateway_ok_samples', viaGateway.length, 'requests', { op: '==', value: n });
    c.measure('gateway_p50_ms', g.p50, 'ms');
    c.measure(BASELINE_MEASUREMENT, g.p95, 'ms');
    c.observe('gatewayStatuses', gatewayStatuses);
    c.observe('cacheBypass', { cache: { 'no-cache': true, 'no-store': true }, served: viaGateway.length === n });
    c.observe('cacheDisableSwitch', CACHE_SWITCH_WARNING);

    // Migration failure: the pooled Postgres connection the gateway would fall back to.
    const pooled = config.rollback.pooledDatabaseUrl;
    if (pooled) {
      const probe = await probePostgres(pooled, { timeoutMs: config.httpTimeoutMs });
      c.observe(
        'pooledDatabase',
        probe.ok
          ? {
              select1: true,
              auth: probe.auth,
              serverVersion: probe.serverVersion,
              tls: probe.tls,
              tlsPolicy: probe.tlsPolicy,
            }
          : { select1: false },
      );
      c.measure('pooled_db_select_1_ms', probe.ok ? probe.ms : null, 'ms', { op: '<', value: config.httpTimeoutMs });
      if (!probe.ok) c.expect(false, `pooled database (LANGFUSE_POOLED_DATABASE_URL): ${probe.error}`);
    } else {
      c.observe(
        'pooledDatabase',
        'not checked: LANGFUSE_POOLED_DATABASE_URL is not set (the migration-failure fallback is unverified)',
      );
    }

    // A gateway that failed above is a failure, not hidden behind the skip.
    if (!direct) c.settle();
    if (!direct)
      c.skip(
        'OPENAI_DIRECT_KEY is not set: the rollback target (direct OpenAI with the previous vault key) cannot be proven; set it to the key the agents would fall back to',
      );
    c.observe('directUrl', direct!.chatUrl);
    const d = summarize(viaDirect);
    c.measure('direct_ok_samples', viaDirect.length, 'requests', { op: '==', value: n });
    c.measure('direct_p50_ms', d.p50, 'ms');
    c.measure('direct_p95_ms', d.p95, 'ms');
    if (g.p50 !== null && d.p50 !== null) c.measure('gateway_overhead_p50_ms', g.p50 - d.p50, 'ms');
    if (firstError) c.expect(false, `direct OpenAI (the rollback target) failed: ${firstError}`);
  });
});
