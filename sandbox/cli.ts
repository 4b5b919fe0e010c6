import { FAULTS, startSandbox } from './index.ts';

// `pnpm sandbox [--list-faults]`: runs the stand-in stack until Ctrl+C and prints the `.env`
// lines that point the suite (or curl, or an SDK) at it. Faults come from SANDBOX_FAULTS.
async function main(): Promise<void> {
  if (process.argv.includes('--list-faults')) {
    const width = Math.max(...Object.keys(FAULTS).map((k) => k.length));
    for (const [name, description] of Object.entries(FAULTS)) process.stdout.write(`${name.padEnd(width)}  ${description}\n`);
    return;
  }
  const started = performance.now();
  const sandbox = await startSandbox({ faults: process.env.SANDBOX_FAULTS ?? '' });
  process.stdout.write(`# gateway-cutover sandbox, started in ${Math.round(performance.now() - started)} ms${sandbox.faults.length ? `; faults: ${sandbox.faults.join(', ')}` : ''}\n`);
  process.stdout.write('# Paste into .env (or export) to point the suite at this sandbox. Ctrl+C stops it.\n');
  for (const [k, v] of Object.entries(sandbox.env)) process.stdout.write(`${k}=${v}\n`);
  const stop = (): void => {
    void sandbox.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`sandbox: ${(err as Error).message}\n`);
  process.exit(1);
});
