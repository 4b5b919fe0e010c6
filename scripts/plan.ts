import { randomBytes } from 'node:crypto';
import { startLangfuse } from '../sandbox/langfuse/index.ts';
import { safeUrl } from '../src/clients/errors.ts';
import { closePools } from '../src/clients/http.ts';
import { listModelDefinitions, type ModelDefinitions } from '../src/clients/langfuse-models.ts';
import { ConfigError, newRunId, parseConfig, readEnvironment, type CutoverConfig } from '../src/config/index.ts';
import { CATALOGUE } from '../src/evidence/catalogue.ts';
import { runSecrets } from '../src/evidence/secrets.ts';
import { entryCost, modelShares, type PriceOf, planRun, priceOf } from '../src/harness/plan.ts';
import { num, textTable } from '../src/measure/format.ts';

// `pnpm test:cutover:plan`: the dry run. Prints what a pre-cutover run with the current
// configuration will send to the gateway (requests, prompt tokens, completion-token ceiling per
// check) and sends nothing to the gateway. It prices the tokens with the target Langfuse's model
// definitions (one read, GET /api/public/models, page by page): the prices Langfuse itself
// applies to generations, so no price table is kept here. Without GATEWAY_URL the target is the
// bundled sandbox: its gateway variables are placeholders, and the prices come from the sandbox's
// Langfuse stand-in, started for the read and stopped after it.
function configOf(env: Record<string, string | undefined>): CutoverConfig {
  const sandbox = !env.GATEWAY_URL?.trim();
  const placeholders = sandbox
    ? {
        GATEWAY_URL: 'http://127.0.0.1:1',
        GATEWAY_ADMIN_KEY: 'placeholder',
        LANGFUSE_URL: 'http://127.0.0.1:1',
        LANGFUSE_PUBLIC_KEY: 'placeholder',
        LANGFUSE_SECRET_KEY: 'placeholder',
      }
    : {};
  const result = parseConfig(
    { CUTOVER_RUN_ID: newRunId(), ...env, ...placeholders },
    sandbox ? 'sandbox' : 'deployment',
  );
  if (!result.ok) throw new ConfigError(result.problems);
  return result.config;
}

/**
 * The target Langfuse's model definitions, or why they could not be read: a Langfuse that is
 * down or refuses the key leaves the plan without prices, never without its token counts.
 */
async function readDefinitions(config: CutoverConfig): Promise<ModelDefinitions | string> {
  const read = (url: string, publicKey: string, secretKey: string) =>
    listModelDefinitions({ url, publicKey, secretKey, timeoutMs: config.httpTimeoutMs });
  try {
    if (config.target !== 'sandbox')
      return await read(config.langfuse.url, config.langfuse.publicKey, config.langfuse.secretKey);
    const keys = { publicKey: 'pk-lf-plan', secretKey: `sk-lf-plan-${randomBytes(12).toString('hex')}` };
    const lf = await startLangfuse({
      ...keys,
      faults: new Set(),
      counter: { total: 0, byComponent: {} },
      ui: { email: 'plan@sandbox.invalid', password: keys.secretKey },
    });
    try {
      return await read(lf.url, keys.publicKey, keys.secretKey);
    } finally {
      await lf.close();
    }
  } catch (err) {
    return `Langfuse's model prices could not be read (${err instanceof Error ? err.message : String(err)})`;
  } finally {
    await closePools();
  }
}

/** USD with three significant digits below a dollar (a plan's cents matter), two places above. */
function usd(v: number): string {
  if (v === 0) return '$0';
  return `$${v.toFixed(v >= 1 ? 2 : Math.min(8, 2 - Math.floor(Math.log10(v))))}`;
}

function priceLine(model: string, p: PriceOf): string {
  if (!p.ok) return `  ${model}: price unknown: ${p.why}`;
  const { inputUsd, outputUsd, definitionId, definitionName, isLangfuseManaged } = p.price;
  const owner = isLangfuseManaged ? 'Langfuse-managed' : "the project's own";
  return `  ${model}: $${(inputUsd * 1e6).toFixed(2)} per 1M input tokens, $${(outputUsd * 1e6).toFixed(2)} per 1M output tokens (model definition ${definitionId} "${definitionName}", ${owner})`;
}

async function main(): Promise<void> {
  const config = configOf(readEnvironment());
  const plan = planRun(config);
  const definitions = await readDefinitions(config);
  const models = [...new Set(plan.entries.flatMap((e) => modelShares(e, config).map((s) => s.model)))];
  const prices = new Map(models.map((m) => [m, priceOf(definitions, m)]));
  const priceFor = (m: string): PriceOf => prices.get(m) ?? priceOf(definitions, m);
  const costs = plan.entries.map((e) => entryCost(e, config, priceFor));
  const known = costs.every((c) => c.ok);
  const total = costs.reduce((n, c) => n + (c.ok ? c.usd : 0), 0);
  const rows = [
    ...plan.entries.map((e, i) => {
      const cost = costs[i]!;
      return [
        e.checkId,
        num(e.requests),
        num(e.inputTokens),
        num(e.maxOutputTokens),
        cost.ok ? usd(cost.usd) : 'price unknown',
        e.note,
      ];
    }),
    [
      'total',
      num(plan.totals.requests),
      num(plan.totals.inputTokens),
      num(plan.totals.maxOutputTokens),
      known ? usd(total) : 'price unknown',
      '',
    ],
  ];
  const target = config.target === 'sandbox' ? 'the bundled sandbox' : safeUrl(config.gateway.url);
  const source =
    typeof definitions !== 'string'
      ? definitions.source
      : config.target === 'sandbox'
        ? "the sandbox Langfuse's /api/public/models"
        : `${safeUrl(config.langfuse.url).replace(/\/+$/, '')}/api/public/models`;
  process.stdout.write(
    `Cost plan of a pre-cutover run against ${target}. Nothing is sent to the gateway; the plan makes one read, of Langfuse's model prices (GET ${source}${config.target === 'sandbox' ? ", the sandbox's Langfuse stand-in, started for this read" : ''}).\n\n`,
  );
  const columns = [
    { title: 'check' },
    { title: 'requests', align: 'right' },
    { title: 'input tokens', align: 'right' },
    { title: 'max output tokens', align: 'right' },
    { title: 'max USD', align: 'right' },
    { title: 'note' },
  ] as const;
  process.stdout.write(`${textTable(columns, rows)}\n`);
  process.stdout.write(
    `\nPrices, as Langfuse applies them to generations of these models (from ${source}); max USD prices every prompt token and every max_tokens ceiling, cache hits and throttled requests included, so it is a ceiling:\n`,
  );
  for (const m of models) process.stdout.write(`${runSecrets().redact(priceLine(m, priceFor(m)))}\n`);
  // The registry says which checks spend; naming the rest shows the table left none out by mistake.
  const unplanned = CATALOGUE.filter((c) => c.phase === 'pre' && !c.planned).map((c) => c.id);
  const waived = config.waivers.map((w) => w.id);
  process.stdout.write(`\nThe other pre-cutover checks send no model requests: ${unplanned.join(', ')}.\n`);
  if (waived.length > 0) process.stdout.write(`Waived by CUTOVER_SKIP, so not planned: ${waived.join(', ')}.\n`);
}

// The plan is advice: a missing price is said in the output and the exit code stays 0.
main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
  process.exit(2);
});
