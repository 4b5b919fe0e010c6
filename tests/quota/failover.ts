// Runbook §5.2 — Failover (pre-cutover).
// "Send a prompt with >2,000 tokens (e.g., repeat lorem text) to force escalation from
// gpt-4o-mini → gpt-4o. Confirm Langfuse trace shows model override and cost attribution."
// LiteLLM decides with cl100k_base plus message overhead, so the prompt is sized that way,
// clearly past the limit (2,400) and, as a control, clearly below it (1,500).
import { excerptOf } from '../../src/clients/errors.ts';
import type { GatewayClient } from '../../src/clients/gateway.ts';
import { generationCost, generationGroup, isChatGeneration } from '../../src/clients/langfuse-generation.ts';
import type { LangfuseObservation } from '../../src/clients/langfuse.ts';
import { servedGroup } from '../../src/clients/model-group.ts';
import type { CheckBody } from '../../src/harness/check.ts';
import { failoverPlan, failoverPrompt, FAILOVER, observePlan, observeUsage } from '../../src/harness/plan.ts';
import type { CheckRecorder } from '../../src/harness/recorder.ts';
import { stackFor } from '../../src/harness/stack.ts';
import { awaitTraces } from '../../src/harness/trace.ts';
import type { CutoverConfig } from '../../src/config/index.ts';

export const failover: CheckBody = async (c, config) => {
  const { gateway, langfuse, admin } = stackFor(config);
  const { default: small, escalation: big } = config.models;
  observePlan(c, failoverPlan(config));

  await gateway.warm();
  // Sent together and traced together: neither depends on the other's answer.
  const [long, control] = await Promise.all([
    send(c, gateway, config, 'escalation'),
    send(c, gateway, config, 'control'),
  ]);
  observeUsage(c, { requests: 2, tokens: (long.usageTokens ?? 0) + (control.usageTokens ?? 0) });
  c.measure('escalation_prompt_tokens', long.tokens, 'tokens', { op: '>', value: config.thresholds.failoverTokens });
  c.measure('control_prompt_tokens', control.tokens, 'tokens', { op: '<', value: config.thresholds.failoverTokens });

  // The gateway's own account of who served each request.
  const routing = { requested: small, fallbackGroup: big, lookup: (id: string) => admin.modelGroupOf(id) };
  const longGroup = await servedGroup(long.res.litellm, routing);
  const controlGroup = await servedGroup(control.res.litellm, routing);
  c.observe('escalation', {
    servedGroup: longGroup,
    modelId: long.res.litellm.modelId ?? null,
    attemptedFallbacks: long.res.litellm.attemptedFallbacks ?? null,
    bodyModel: long.res.completion?.model ?? null,
  });
  c.observe('control', {
    servedGroup: controlGroup,
    modelId: control.res.litellm.modelId ?? null,
    attemptedFallbacks: control.res.litellm.attemptedFallbacks ?? null,
  });
  c.expect(
    longGroup === big,
    `the ${long.tokens}-token prompt to ${small} was served by ${longGroup ?? 'an unknown group'}, not ${big}: is context_window_fallbacks [{"${small}": ["${big}"]}] set, with enable_pre_call_checks: true and max_input_tokens ${config.thresholds.failoverTokens} on ${small}?`,
  );
  c.expect(
    controlGroup === small,
    `the ${control.tokens}-token control prompt was served by ${controlGroup ?? 'an unknown group'}, not ${small}: the gateway escalates prompts below the ${config.thresholds.failoverTokens}-token limit`,
  );

  // Langfuse's account: the model override and the cost attribution.
  // LiteLLM logs the rejected attempt on the requested group too (ERROR generations naming
  // gpt-4o-mini, "ContextWindowExceededError", seen on the real proxy 1.103.10), in the same
  // trace: the generation that served the request is the one that did not fail.
  const groups = [small, big];
  const served = (o: LangfuseObservation) => isChatGeneration(o) && o.level !== 'ERROR';
  const want = (label: string) => ({ describe: 'a generation that did not fail', match: served, label });
  const [{ observation: gen, trace }, { observation: ctl }] = await awaitTraces(c, langfuse, config, [
    { traceId: long.res.traceId, want: want('escalation') },
    { traceId: control.res.traceId, want: want('control') },
  ]);
  c.observe(
    'langfuseRejectedAttempts',
    trace.observations
      .filter((o) => o.type === 'GENERATION' && o.level === 'ERROR')
      .map((o) => ({
        model: o.model ?? null,
        statusMessage: o.statusMessage ? excerptOf(o.statusMessage, 160) : null,
      })),
  );
  const genGroup = generationGroup(gen, groups);
  const cost = generationCost(gen);
  c.observe('langfuseEscalation', {
    model: gen.model ?? null,
    group: genGroup ?? null,
    calculatedTotalCost: gen.calculatedTotalCost ?? null,
    costDetails: gen.costDetails ?? null,
  });
  c.expect(
    genGroup === big,
    `Langfuse's generation for the escalated request names model ${JSON.stringify(gen.model ?? null)}, not ${big}`,
  );
  // In micro-dollars: a 2,400-token prompt costs fractions of a cent, and measurements keep six significant digits (src/harness/recorder.ts).
  c.measure('escalation_cost_microusd', cost === null ? null : cost * 1e6, 'µUSD', { op: '>', value: 0 });
  c.observe('langfuseControl', {
    model: ctl.model ?? null,
    group: generationGroup(ctl, groups) ?? null,
    cost: generationCost(ctl),
  });
};

/** Sends one sized prompt to MODEL_DEFAULT, uncached, and fails the check unless it is answered. */
async function send(c: CheckRecorder, gateway: GatewayClient, config: CutoverConfig, kind: 'escalation' | 'control') {
  const prompt = failoverPrompt(config, kind);
  const res = await gateway.chat(
    // A cached answer would hide the routing decision (and log no cost), so neither read nor write the cache.
    {
      model: config.models.default,
      messages: prompt.messages,
      max_tokens: FAILOVER.maxTokens,
      cache: { 'no-cache': true, 'no-store': true },
    },
    { apiKey: config.gateway.adminKey, checkId: c.id },
  );
  c.measure(`${kind}_http_status`, res.status, 'code', { op: '==', value: 200 });
  if (res.status !== 200)
    c.fail(`the ${prompt.tokens}-token ${kind} prompt got HTTP ${res.status}: ${res.error?.message ?? ''}`);
  return { res, tokens: prompt.tokens, usageTokens: res.completion?.usage?.total_tokens };
}
