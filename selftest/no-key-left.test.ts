import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { describe, expect, test } from 'vitest';
import { startSandbox } from '../sandbox/index.ts';
import { runCutover } from './run-cutover.ts';

// §5.1 mints an ephemeral virtual key per run. Whatever the outcome, the key must be gone
// afterwards. Each case starts its own sandbox (so the selftest can ask the same gateway
// afterwards), runs the cutover child against it as a deployment would be tested, then asks
// the gateway's admin API whether the alias the check reports is free: LiteLLM requires unique
// key aliases, so minting a key with that alias succeeds only when no key holds it. (Not
// `POST /key/delete`, which echoes what it was sent; the sandbox has no `GET /key/list`.)
const cases = [
  { name: 'passing run', faults: [], status: 'passed' },
  { name: 'counts wrong', faults: ['rpm-off'], status: 'failed' },
  { name: 'failure callback missing', faults: ['throttle-not-logged'], status: 'failed' },
  {
    name: 'throttle trace never ingested',
    faults: ['trace-dropped'],
    status: 'failed',
    env: { LANGFUSE_WAIT_MS: '2000' },
  },
] as const;

// One case at a time: each runs a sandbox and a whole Vitest child, and the burst times out on a starved CPU.
describe('5.1/rpm-limit leaves no ephemeral key behind', () => {
  for (const c of cases) {
    test(`${c.name} (${c.faults.join(',') || 'healthy'}) → ${c.status}, key deleted`, async () => {
      const sb = await startSandbox({ faults: [...c.faults] });
      try {
        const runId = `nokey-${randomBytes(4).toString('hex')}`;
        const run = await runCutover(
          { ...sb.env, ...('env' in c ? c.env : {}), CUTOVER_RUN_ID: runId },
          { args: ['-t', '5\\.1/rpm-limit'] },
        );
        const rec = run.check('5.1/rpm-limit');
        expect(rec.status, rec.error).toBe(c.status);
        const alias = rec.observations.keyAlias;
        expect(alias).toBe(`cutover-${runId}-5.1-rpm-limit`);
        expect(rec.observations.keyDeleted).toBe(true);
        expect(rec.observations.keyDeletion).toBe('GET /key/info answered 404 (key not found)');
        expect(JSON.stringify(run.bundle)).not.toMatch(/"sk-[A-Za-z0-9_-]{20,}/);

        const admin = (path: string, body: unknown) =>
          request(`${sb.env.GATEWAY_URL}${path}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${sb.env.GATEWAY_ADMIN_KEY}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
            headersTimeout: 5000,
            bodyTimeout: 5000,
          });
        const probe = await admin('/key/generate', { key_alias: alias, duration: '1m' });
        const minted = await probe.body.text();
        expect(
          probe.statusCode,
          `a key with alias ${String(alias)} was still there: ${minted.replace(/sk-[A-Za-z0-9_-]+/g, 'sk-…')}`,
        ).toBe(200);
        await (await admin('/key/delete', { keys: [(JSON.parse(minted) as { key: string }).key] })).body.dump();
      } finally {
        await sb.stop();
      }
    });
  }
});
