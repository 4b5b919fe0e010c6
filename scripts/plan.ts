import { ConfigError, newRunId, parseConfig, readEnvironment, type CutoverConfig } from '../src/config/index.ts';
import { CATALOGUE } from '../src/evidence/catalogue.ts';
import { planRun } from '../src/harness/plan.ts';

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
  const n = (v: number): string => v.toLocaleString('en-US');
  const rows = [
    ['check', 'requests', 'input tokens', 'max output tokens', 'note'],
    ...plan.entries.map((e) => [e.checkId, n(e.requests), n(e.inputTokens), n(e.maxOutputTokens), e.note]),
    ['total', n(plan.totals.requests), n(plan.totals.inputTokens), n(plan.totals.maxOutputTokens), ''],
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string =>
    r
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[0]!) : i < 4 ? cell.padStart(widths[i]!) : cell))
      .join('  ')
      .trimEnd();
  process.stdout.write(
    `Cost plan of a pre-cutover run against ${config.target === 'sandbox' ? 'the bundled sandbox' : config.gateway.url} (nothing was sent):\n\n`,
  );
  process.stdout.write(
    `${line(rows[0]!)}\n${rows[0]!
      .slice(0, 4)
      .map((_, i) => '-'.repeat(widths[i]!))
      .join('  ')}\n`,
  );
  for (const r of rows.slice(1, -1)) process.stdout.write(`${line(r)}\n`);
  process.stdout.write(`${line(rows.at(-1)!)}\n`);
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
