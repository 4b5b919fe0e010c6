import { parseArgs } from 'node:util';
import { FAULTS, parseProfile, profileSeed, startSandbox } from './index.ts';

const USAGE = `usage: pnpm sandbox [--list-faults] [--profile default|production] [--gateway sandbox|litellm] [--cache redis|qdrant-semantic]
  --profile NAME      latencies: default (fast) or production (realistic, seeded; sandbox/profile.ts);
                      default SANDBOX_PROFILE, seeded by SANDBOX_SEED
  --gateway litellm   run the real LiteLLM proxy (sandbox/reference/requirements.lock) as the gateway;
                      the first run creates .venv-litellm/ (needs python3 and, for --cache redis, redis-server)
  --cache TYPE        the real proxy's one response cache (default qdrant-semantic)
SANDBOX_FAULTS=a,b picks faults; SANDBOX_CACHE_TYPE=redis|redis-semantic|qdrant-semantic the sandbox gateway's cache`;

// `pnpm sandbox`: runs the stand-in stack until Ctrl+C and prints the `.env` lines that point the
// suite (or curl, or an SDK) at it. Faults come from SANDBOX_FAULTS, the cache type from SANDBOX_CACHE_TYPE,
// the latency profile from --profile or SANDBOX_PROFILE. With `--gateway litellm` the
// gateway is the real LiteLLM proxy, in front of the same sandbox upstream and Langfuse.
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'list-faults': { type: 'boolean' },
      gateway: { type: 'string', default: 'sandbox' },
      cache: { type: 'string', default: 'qdrant-semantic' },
      profile: { type: 'string', default: process.env.SANDBOX_PROFILE ?? '' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  if (values['list-faults']) {
    const width = Math.max(...Object.keys(FAULTS).map((k) => k.length));
    for (const [name, description] of Object.entries(FAULTS))
      process.stdout.write(`${name.padEnd(width)}  ${description}\n`);
    return;
  }
  if (values.gateway !== 'sandbox' && values.gateway !== 'litellm')
    throw new Error(`--gateway must be sandbox or litellm, not ${values.gateway}\n${USAGE}`);
  if (values.cache !== 'redis' && values.cache !== 'qdrant-semantic')
    throw new Error(`--cache must be redis or qdrant-semantic, not ${values.cache}\n${USAGE}`);
  const profile = parseProfile(values.profile);
  if (profile !== 'default' && values.gateway === 'litellm')
    throw new Error(`--profile ${profile} applies to the sandbox gateway only, not --gateway litellm\n${USAGE}`);
  const started = performance.now();
  const faults = process.env.SANDBOX_FAULTS ?? '';
  let env: Record<string, string>;
  let what: string;
  let stop: () => Promise<void>;
  if (values.gateway === 'litellm') {
    // Loaded only here: a plain sandbox needs no Python.
    const { startReferenceStack, pinnedLitellmVersion } = await import('./reference/index.ts');
    const stack = await startReferenceStack(values.cache, { faults, log: (l) => process.stderr.write(`# ${l}\n`) });
    ({ env, stop } = stack);
    what = `gateway: real LiteLLM ${pinnedLitellmVersion()}, cache ${values.cache}`;
  } else {
    const seed = profileSeed(process.env);
    const sandbox = await startSandbox({ faults, cacheType: process.env.SANDBOX_CACHE_TYPE, profile, seed });
    ({ env, stop } = sandbox);
    what = `gateway: sandbox, cache ${sandbox.cacheType ?? 'none'}, profile ${profile}${profile === 'default' ? '' : ` (seed ${seed})`}`;
  }
  process.stdout.write(
    `# gateway-cutover sandbox, started in ${Math.round(performance.now() - started)} ms; ${what}${faults ? `; faults: ${faults}` : ''}\n`,
  );
  process.stdout.write('# Paste into .env (or export) to point the suite at this sandbox. Ctrl+C stops it.\n');
  for (const [k, v] of Object.entries(env)) process.stdout.write(`${k}=${v}\n`);
  const onSignal = (): void => {
    void stop().then(() => process.exit(0));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

main().catch((err: unknown) => {
  process.stderr.write(`sandbox: ${(err as Error).message}\n`);
  process.exit(1);
});
