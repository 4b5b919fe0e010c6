import { describe, expect, it } from 'vitest';
import { startSandbox } from './index.ts';

// The three infra faults that break §1 prerequisites, each shown through the same routes the
// suite reads: the Fly secrets list, ClickHouse via Fly exec, and the Langfuse worker health.
describe('§1 prerequisite faults', () => {
  const fly = async (env: Record<string, string>, path: string, init?: RequestInit): Promise<any> => {
    const r = await fetch(`${env.FLY_API_URL}${path}`, {
      ...init,
      headers: { authorization: env.FLY_API_TOKEN!, 'content-type': 'application/json' },
    });
    return r.json();
  };
  const machineOf = async (env: Record<string, string>, app: string, group?: string): Promise<string> => {
    const machines = (await fly(env, `/v1/apps/${app}/machines`)) as {
      id: string;
      config: { metadata: Record<string, string> };
    }[];
    return machines.find((m) => !group || m.config.metadata.fly_process_group === group)!.id;
  };

  it('secret-missing: the gateway app no longer lists REDIS_URL; healthy lists it', async () => {
    for (const [faults, present] of [
      [[], true],
      [['secret-missing'], false],
    ] as const) {
      const sb = await startSandbox({ faults: [...faults] });
      try {
        const { secrets } = (await fly(sb.env, '/v1/apps/hotdash-llm-gateway/secrets')) as {
          secrets: { name: string }[];
        };
        expect(secrets.map((s) => s.name).includes('REDIS_URL')).toBe(present);
        expect(JSON.stringify(secrets)).not.toMatch(/value/);
      } finally {
        await sb.stop();
      }
    }
  });

  it('schema-dirty: the newest schema_migrations row is dirty', async () => {
    const sb = await startSandbox({ faults: ['schema-dirty'] });
    try {
      const id = await machineOf(sb.env, 'hotdash-langfuse-clickhouse');
      const out = await fly(sb.env, `/v1/apps/hotdash-langfuse-clickhouse/machines/${id}/exec`, {
        method: 'POST',
        body: JSON.stringify({
          command: [
            'clickhouse-client',
            '--query',
            'SELECT version, dirty FROM schema_migrations ORDER BY sequence DESC LIMIT 1',
          ],
        }),
      });
      expect(out.exit_code ?? 0).toBe(0);
      expect(out.stdout.trim().split('\t')[1]).toBe('1');
    } finally {
      await sb.stop();
    }
  });

  it('worker-redis-down: the worker health answers 500 {"status":"error"} through exec on the worker machine', async () => {
    const sb = await startSandbox({ faults: ['worker-redis-down'] });
    try {
      const id = await machineOf(sb.env, 'hotdash-llm-gateway', 'worker');
      const out = await fly(sb.env, `/v1/apps/hotdash-llm-gateway/machines/${id}/exec`, {
        method: 'POST',
        body: JSON.stringify({ command: ['curl', '--fail', '-s', 'http://localhost:3030/api/health'] }),
      });
      expect(out.exit_code).toBe(22);
    } finally {
      await sb.stop();
    }
  });
});
