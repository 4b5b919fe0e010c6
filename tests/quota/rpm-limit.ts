// Runbook §5.1 — RPM enforcement (pre-cutover).
// "Run 101 requests in a loop with the prod_customer key (limit 100 rpm). Expect the 101st
// request to receive HTTP 429. Confirm Langfuse logs the throttle event."
// A serial loop spans more than one 60 s window of LiteLLM's fixed-window limiter (anchored at
// the first request; rejected requests count too), so the limit+1 requests are sent as one
// concurrent burst, and by default with a fresh key carrying the prod_customer key's limit:
// the suite never throttles a live customer.
import { chatOutcome, prepareChatBurst } from '../../src/clients/chat-burst.ts';
import { type ActiveCallbacks, type GatewayAdmin, logsFailuresTo } from '../../src/clients/gateway-admin.ts';
import { readGatewayCache } from '../../src/clients/gateway-cache.ts';
import { burstingAlone } from '../../src/harness/gateway-quiet.ts';
import type { CheckBody } from '../../src/harness/check.ts';
import { ephemeralKeyAlias, withEphemeralKey } from '../../src/harness/ephemeral-key.ts';
import { observePlan, observeUsage, RPM_BURST, rpmLimitPlan } from '../../src/harness/plan.ts';
import { stackFor } from '../../src/harness/stack.ts';
import { awaitTrace } from '../../src/harness/trace.ts';
import { burst, burstBudgetMs, type BurstResult } from '../../src/measure/burst.ts';
import { errorMessage } from '../../src/evidence/error-text.ts';

/** LiteLLM's `LITELLM_RATE_LIMIT_WINDOW_SIZE` default: the whole burst must arrive inside it. */
const WINDOW_MS = 60_000;

export const rpmLimit: CheckBody = async (c, config) => {
  const literal = config.quota.useCustomerKey;
  if (literal && config.phase === 'post')
    c.fail(
      'QUOTA_USE_CUSTOMER_KEY=true is refused while CUTOVER_PHASE=post: bursting the prod_customer key after the switch would throttle real customers',
    );
  const { langfuse, admin } = stackFor(config);

  // Read before spending: if 429s cannot reach Langfuse, the last step cannot pass.
  const callbacks = await admin.activeCallbacks().catch((err: unknown) => {
    c.observe('activeCallbacksError', errorMessage(err));
    return undefined;
  });
  if (callbacks)
    c.observe('activeCallbacks', { callbacks: callbacks.callbacks, failure_callback: callbacks.failureCallback });

  // /key/info reads the key table; a gateway without one (custom_auth, or a database outage)
  // answers 500. The burst still runs on QUOTA_RPM_LIMIT, and then the gateway's own
  // x-ratelimit-api_key-limit-requests header must confirm that limit below.
  const customer = config.quota.customerKey
    ? await admin.keyInfo(config.quota.customerKey).catch((err: unknown) => {
        c.observe('keyInfoError', errorMessage(err));
        return null;
      })
    : undefined;
  const limitFromHeaders = customer === null;
  c.observe(
    'limitSource',
    customer
      ? 'GATEWAY_QUOTA_KEY /key/info rpm_limit'
      : limitFromHeaders
        ? 'QUOTA_RPM_LIMIT, confirmed by the rate-limit headers (/key/info failed)'
        : 'QUOTA_RPM_LIMIT',
  );
  const limit = customer
    ? (customer.rpmLimit ??
      c.fail(
        `the prod_customer key (GATEWAY_QUOTA_KEY, alias ${customer.alias ?? 'none'}) has no rpm_limit: the runbook's 100 rpm limit is not configured on it`,
      ))
    : config.quota.rpmLimit;
  c.observe('rpmLimit', limit);
  c.observe('keyMode', literal ? 'prod_customer key (QUOTA_USE_CUSTOMER_KEY=true)' : 'ephemeral key');

  const plan = rpmLimitPlan(config, limit);
  observePlan(c, plan);

  const sendBurst = async (apiKey: string) => {
    const prepared = prepareChatBurst({
      gatewayUrl: config.gateway.url,
      runId: config.runId,
      apiKey,
      checkId: c.id,
      count: plan.requests,
      request: {
        model: config.models.default,
        messages: [{ role: 'user', content: RPM_BURST.prompt(config.runId) }],
        max_tokens: RPM_BURST.maxTokens,
        // Every request must reach the limiter and the model: no cached answers, none stored.
        cache: { 'no-cache': true, 'no-store': true },
      },
    });
    const shape = {
      count: prepared.count,
      concurrency: config.quota.concurrency,
      timeoutMs: config.httpTimeoutMs,
      warmPath: '/health/liveliness',
    };
    // Past the window the statuses measure nothing; before it, every request's whole budget.
    const deadlineMs = Math.min(WINDOW_MS, burstBudgetMs(shape));
    const result = await c.timed(
      'burst',
      (r) =>
        `${prepared.count} requests at once${
          r
            ? `: ${Object.entries(r.statusCounts)
                .map(([s, n]) => `${n}× ${s}`)
                .join(', ')}`
            : ''
        }`,
      // Alone on the gateway: no check measures a latency while it sends (src/harness/gateway-quiet.ts).
      () => burstingAlone(c, () => burst({ ...prepared, ...shape, deadlineMs, keepBody: () => true })),
    );
    return { prepared, result };
  };
  const { prepared, result } = literal
    ? await sendBurst(config.quota.customerKey!)
    : await withEphemeralKey(
        c,
        admin,
        {
          alias: ephemeralKeyAlias(config, c.id),
          // Long enough for the burst; the key is deleted right after it anyway.
          duration: '5m',
          rpmLimit: limit,
          models: [config.models.default],
          metadata: { purpose: 'cutover §5.1 rpm-limit burst', run_id: config.runId },
        },
        sendBurst,
      );
  if (literal) c.observe('keyAlias', customer?.alias ?? null);

  const outcomes = result.responses.map(chatOutcome);
  const statuses = outcomes.map((o) => o.status);
  c.observe('statusSequence', statuses);
  c.observe('statusCounts', result.statusCounts);
  observeUsage(c, { requests: statuses.length, tokens: outcomes.reduce((n, o) => n + (o.totalTokens ?? 0), 0) });
  c.observe('burstDeadline', result.deadline);
  c.measure('burst_ms', result.totalMs, 'ms', { op: '<', value: result.deadline.ms });
  if (result.deadline.hit) c.fail(deadlineHit(result, config.httpTimeoutMs));
  c.measure('send_span_ms', result.sendSpanMs, 'ms');
  c.measure('arrival_span_ms', result.arrivalSpanMs, 'ms', { op: '<', value: WINDOW_MS });

  const answered = statuses.filter((s) => s === 200).length;
  const throttled = statuses.filter((s) => s === 429).length;
  if (answered > limit) c.expect(false, await tooManyAnswered(admin, answered, limit));
  c.measure('http_200_count', answered, 'requests', { op: '==', value: limit });
  c.measure('http_429_count', throttled, 'requests', { op: '==', value: plan.requests - limit });
  const other = result.responses.filter((r) => r.status !== 200 && r.status !== 429);
  c.expect(
    other.length === 0,
    `${other.length} of ${plan.requests} requests ended neither 200 nor 429 (${other
      .slice(0, 3)
      .map((r) => r.error ?? `HTTP ${r.status}: ${r.body?.slice(0, 200) ?? ''}`)
      .join('; ')})`,
  );

  const headerLimits = [...new Set(outcomes.map((o) => o.litellm.keyLimitRequests).filter((v) => v !== undefined))];
  c.observe('limitHeaderValues', headerLimits);
  if (limitFromHeaders && headerLimits.length === 0)
    c.fail(
      `GET /key/info failed and no response carried x-ratelimit-api_key-limit-requests, so nothing confirms the prod_customer key's limit is ${limit}`,
    );
  c.expect(
    headerLimits.every((v) => v === limit),
    `x-ratelimit-api_key-limit-requests says ${headerLimits.join(', ')}, but the key's rpm_limit is ${limit}`,
  );

  const first = statuses.indexOf(429);
  if (first < 0) c.fail(`no request was throttled, so there is no throttle event to find in Langfuse`);
  const throttle = outcomes[first]!;
  const traceId = prepared.traceIds[first]!;
  c.observe('throttledRequest', { index: first, traceId, message: throttle.error?.message ?? null });
  c.expect(
    throttle.error !== undefined && String(throttle.error.code) === '429',
    `the 429 does not carry LiteLLM's error body {"error":{"code":"429"}}: ${result.responses[first]!.body?.slice(0, 200) ?? '(no body)'}`,
  );
  c.observe('retryAfterS', throttle.litellm.retryAfterS ?? null);
  c.expect((throttle.litellm.retryAfterS ?? 0) > 0, 'the 429 has no retry-after header');

  if (callbacks && !logsFailuresTo(callbacks, 'langfuse')) c.fail(notAFailureCallback(callbacks));
  const { observation } = await awaitTrace(c, langfuse, config, traceId, {
    describe: 'a generation with level ERROR (the throttle)',
    match: (o) => o.type === 'GENERATION' && o.level === 'ERROR',
    label: 'throttle',
  });
  c.observe('langfuseStatusMessage', observation.statusMessage ?? null);
};

/**
 * Why more than `rpm_limit` requests of one window were answered, in the light of the
 * gateway's cache type: LiteLLM hands its limiter Redis only when the response cache is an
 * exact Redis cache (`proxy_server._init_cache`); otherwise every worker process and machine
 * counts alone (seen on the real 1.103.10: 2 workers, a qdrant-semantic cache, 101 of 101
 * answered). With an exact Redis cache the limit itself is the suspect.
 */
async function tooManyAnswered(admin: GatewayAdmin, answered: number, limit: number): Promise<string> {
  const cache = await readGatewayCache(admin);
  const head = `${answered} of ${limit + 1} requests in one window were answered, more than the key's rpm_limit ${limit}`;
  if (cache.kind === 'exact' && /redis/i.test(cache.type)) {
    return `${head}; the gateway's cache is the exact \`${cache.type}\` type, so its worker processes share the limiter's counters through Redis: the limit itself is not enforced (check the key's rpm_limit and the limiter's configuration)`;
  }
  const type =
    cache.kind === 'unknown' ? `unknown (${cache.reason})` : cache.kind === 'none' ? 'none' : `\`${cache.type}\``;
  return `${head}; the gateway's cache type is ${type}, and LiteLLM shares rate-limit counters across worker processes and machines only through an exact Redis cache (cache_params.type: redis), so each process likely counts alone and N of them let up to N × rpm_limit through`;
}

/**
 * Why a burst that hit its deadline measured nothing: how many requests were cut, and the first
 * cut one's error. Headers within HTTP_TIMEOUT_MS and no silent gap that long are not enough:
 * a gateway (or a proxy in front of it) that trickles its answers holds every request open.
 */
function deadlineHit(result: BurstResult, timeoutMs: number): string {
  const { ms, abortedInFlight, notSent } = result.deadline;
  const first = result.responses.find((r) => r.cut)?.error ?? '';
  return (
    `the burst did not finish within its deadline of ${ms} ms (the ${WINDOW_MS} ms rate-limit window, or every request using 2 × HTTP_TIMEOUT_MS=${timeoutMs} ms, whichever is shorter): ` +
    `${abortedInFlight} request(s) were aborted in flight and ${notSent} never sent (${first}), so the statuses measure nothing about the limiter. ` +
    'The gateway, or a proxy in front of it, answers too slowly: a body trickling in never trips the per-request timeout.'
  );
}

function notAFailureCallback(cb: ActiveCallbacks): string {
  return (
    `Langfuse is not a failure callback of the gateway (GET /active/callbacks: litellm.callbacks=${JSON.stringify(cb.callbacks)}, ` +
    `litellm.failure_callback=${JSON.stringify(cb.failureCallback)}), so LiteLLM never sends the 429 to Langfuse and the throttle cannot be logged. ` +
    `Fix the proxy config with litellm_settings: callbacks: ["langfuse"] (success and failure) or failure_callback: ["langfuse"], and restart it.`
  );
}
