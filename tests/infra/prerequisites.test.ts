// Runbook §1 — Prerequisites.
// "DNS + TLS certificates issued for gateway.hotrodan.com and langfuse.hotrodan.com;
// hotdash-llm-cache Fly Redis provisioned, REDIS_URL configured on the gateway app; vault
// entry synced to Fly secrets (gateway, clickhouse, minio apps); Supabase langfuse schema
// created and migrations applied."
// The four checks are independent, so they run concurrently.
import { describe } from 'vitest';
import { probeMachine } from '../../src/harness/fly-fleet.ts';
import { langfuseWorkerHealth } from '../../src/clients/langfuse-worker.ts';
import { readGatewayCache } from '../../src/clients/gateway-cache.ts';
import { readPrismaMigrations } from '../../src/clients/prisma-migrations.ts';
import { probeTls, trustedCas } from '../../src/clients/tls-probe.ts';
import { check } from '../../src/harness/check.ts';
import { stackFor } from '../../src/harness/stack.ts';
import { clickhouseFor, execTimeoutS, flyFor, flyOrReason } from './access.ts';
import { errorMessage } from '../../src/evidence/error-text.ts';

describe.concurrent('§1 Prerequisites', () => {
  check('1/tls', async (c, config) => {
    const sites = [
      { site: 'gateway', url: config.tls.gatewayUrl, variable: 'TLS_GATEWAY_URL' },
      { site: 'langfuse', url: config.tls.langfuseUrl, variable: 'TLS_LANGFUSE_URL' },
    ];
    const unset = sites.filter((s) => !s.url?.startsWith('https:'));
    const set = sites.filter((s) => s.url?.startsWith('https:'));
    const ca = await trustedCas(config.tls.caFile);
    const results = await Promise.allSettled(set.map((s) => probeTls(s.url!, { ca, timeoutMs: config.httpTimeoutMs })));
    results.forEach((r, i) => {
      const { site } = set[i]!;
      if (r.status === 'rejected') {
        c.measure(`${site}_days_left`, null, 'days', { op: '>=', value: config.thresholds.tlsMinDays });
        return void c.expect(false, `${site}: ${errorMessage(r.reason)}`);
      }
      const t = r.value;
      c.observe(site, {
        host: t.host,
        addresses: t.addresses,
        issuer: t.issuer,
        validTo: t.validTo,
        san: t.san,
        fingerprint256: t.fingerprint256,
      });
      c.expect(t.verified, `${site} ${t.host}: ${t.problem ?? ''}`);
      c.measure(`${site}_days_left`, t.daysLeft, 'days', { op: '>=', value: config.thresholds.tlsMinDays });
    });
    if (unset.length > 0) {
      c.settle(); // a failing host outranks an unchecked one
      return c.skip(
        `no https URL configured for ${unset.map((s) => `${s.site} (${s.variable})`).join(' and ')}, so its certificate was not checked`,
      );
    }
  });

  check('1/redis', async (c, config) => {
    const { admin } = stackFor(config);
    // Half one: the gateway's /cache/ping names its cache type; for `redis` it also PINGs Redis
    // (and writes one test entry; it flushes nothing).
    const cache = await readGatewayCache(admin);
    c.observe('gatewayCache', cache);
    if (cache.kind === 'unknown') c.expect(false, `the gateway's cache backend is unknown: ${cache.reason}`);
    else if (cache.kind === 'none')
      c.expect(
        false,
        `the gateway has no cache configured (${cache.detail}): REDIS_URL is missing or caching is disabled`,
      );
    else {
      c.expect(/redis/i.test(cache.type), `the gateway's cache backend is ${cache.type}, not Redis`);
      c.expect(
        cache.healthy,
        `the gateway's ${cache.type} cache is unhealthy (${cache.detail ?? 'no detail'}): Redis does not answer the gateway`,
      );
    }

    // Half two: the Langfuse worker PINGs Redis (and Postgres) from inside the private network.
    const access = flyOrReason(config);
    if ('reason' in access) return void c.observe('workerHealth', `not probed: ${access.reason}`);
    if (!config.fly.gatewayProcesses.includes('worker'))
      return void c.observe('workerHealth', 'not probed: FLY_GATEWAY_PROCESSES has no worker group');
    const app = config.fly.apps.gateway;
    const m = probeMachine(await access.fly.machines(app), 'worker');
    // A missing worker is 2/fly-machines' finding; this check then rests on the gateway's report.
    if (!m) return void c.observe('workerHealth', 'not probed: no started worker machine (see 2/fly-machines)');
    c.observe('probeMachine', `${app}/${m.id}`);
    const worker = await langfuseWorkerHealth(access.fly, app, m.id, execTimeoutS(config));
    c.observe('workerHealth', worker.detail);
    c.expect(worker.healthy, `the Langfuse worker cannot reach Redis or Postgres: ${worker.detail}`);
  });

  check('1/fly-secrets', async (c, config) => {
    const fly = flyFor(c, config);
    const expected = Object.entries(config.fly.expectedSecrets);
    if (expected.length === 0) return c.skip('FLY_EXPECTED_SECRETS names no secrets to look for');
    const results = await Promise.allSettled(expected.map(([app]) => fly.secretNames(app)));
    const seen: Record<string, { expected: number; missing: string[] }> = {};
    results.forEach((r, i) => {
      const [app, names] = expected[i]!;
      if (r.status === 'rejected')
        return void c.expect(false, `${app}: secrets could not be listed: ${errorMessage(r.reason)}`);
      const missing = names.filter((n) => !r.value.includes(n));
      seen[app] = { expected: names.length, missing };
      c.expect(
        missing.length === 0,
        `${app} lacks secret(s) ${missing.join(', ')} (FLY_EXPECTED_SECRETS); sync them from the vault with fly secrets set`,
      );
    });
    c.observe('secrets', seen);
  });

  check('1/langfuse-schema', async (c, config) => {
    // Postgres: Prisma's own record, _prisma_migrations. Without a URL that half is recorded as
    // not checked (the evidence lists it as an unchecked part), never as a pass.
    const url = config.langfuse.databaseUrl;
    if (!url) c.observe('postgresMigrations', 'not checked: LANGFUSE_DATABASE_URL is not set');
    else {
      const prisma = await readPrismaMigrations(url, { timeoutMs: config.httpTimeoutMs });
      if (prisma.kind === 'unreachable')
        c.expect(false, `Langfuse Postgres (LANGFUSE_DATABASE_URL) could not be read: ${prisma.error}`);
      else if (prisma.kind === 'missing')
        c.expect(
          false,
          `Langfuse Postgres has no ${prisma.table} table: Prisma has never migrated this database (wrong database, or a missing ?schema= in LANGFUSE_DATABASE_URL): ${prisma.error}`,
        );
      else {
        c.observe('postgresMigrations', {
          table: prisma.table,
          applied: prisma.applied,
          latest: prisma.latest,
          pending: prisma.pending,
        });
        c.measure('postgres_migrations_applied', prisma.applied, 'migrations', { op: '>', value: 0 });
        const named = prisma.pending.map((m) => `${m.name} (${m.state}${m.logs ? `: ${m.logs.split('\n')[0]}` : ''})`);
        c.expect(
          prisma.pending.length === 0,
          `Langfuse Postgres ${prisma.table} has migration(s) not applied: ${named.join(', ')}; prisma migrate deploy refuses to run (P3009) until each is resolved (prisma migrate resolve)`,
        );
      }
    }
    const clickhouse = await clickhouseFor(c, config);
    c.observe('via', clickhouse.via);
    // golang-migrate reads its state the same way: the row with the highest sequence is the last step.
    const rows = await clickhouse.query('SELECT version, dirty FROM schema_migrations ORDER BY sequence DESC LIMIT 1');
    const [version, dirty] = rows[0] ?? [];
    if (version === undefined)
      return c.fail('ClickHouse schema_migrations is empty: Langfuse has never migrated ClickHouse');
    c.observe('clickhouseMigration', { version: Number(version), dirty: dirty === '1' });
    c.expect(
      dirty === '0',
      `ClickHouse schema_migrations is dirty at version ${version}: a Langfuse migration stopped half-way; the web container will not start until it is fixed (migrate force)`,
    );
  });
});
