import { ConfigError, newRunId, parseConfig, readEnvironment, type CutoverConfig } from '../src/config/index.ts';
import { CATALOGUE } from '../src/evidence/catalogue.ts';
import { planRun } from '../src/harness/plan.ts';
import { num, textTable } from '../src/measure/format.ts';

// `pnpm test:cutover:plan`: the dry run. Prints what a pre-cutover run with the current
// configuration will send to the gateway (requests, prompt tokens, completion-token ceiling per
// check) and sends nothing. Without GATEWAY_URL the target is the bundled sandbox; its target
// variables are placeholders here, since the plan does not depend on them.
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

function main(): void {
  const config = configOf(readEnvironment());
  const plan = planRun(config);
  const rows = [
    ...plan.entries.map((e) => [e.checkId, num(e.requests), num(e.inputTokens), num(e.maxOutputTokens), e.note]),
    ['total', num(plan.totals.requests), num(plan.totals.inputTokens), num(plan.totals.maxOutputTokens), ''],
  ];
  process.stdout.write(
    `Cost plan of a pre-cutover run against ${config.target === 'sandbox' ? 'the bundled sandbox' : config.gateway.url} (nothing was sent):\n\n`,
  );
  const columns = [
    { title: 'check' },
    { title: 'requests', align: 'right' },
    { title: 'input tokens', align: 'right' },
    { title: 'max output tokens', align: 'right' },
    { title: 'note' },
  ] as const;
  process.stdout.write(`${textTable(columns, rows)}\n`);
  // The registry says which checks spend; naming the rest shows the table left none out by mistake.
  const unplanned = CATALOGUE.filter((c) => c.phase === 'pre' && !c.planned).map((c) => c.id);
  const waived = config.waivers.map((w) => w.id);
  process.stdout.write(`\nThe other pre-cutover checks send no model requests: ${unplanned.join(', ')}.\n`);
  if (waived.length > 0) process.stdout.write(`Waived by CUTOVER_SKIP, so not planned: ${waived.join(', ')}.\n`);
}

try {
  main();
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
  process.exit(2);
}
