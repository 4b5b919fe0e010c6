// Runbook §2 — Verify Infrastructure Health.
// "fly status -a hotdash-llm-gateway: confirm 3 processes (gateway/ui/worker) are running and
// passing health checks; ClickHouse: clickhouse-client --query 'SELECT 1'; MinIO: mc ready
// local; Langfuse UI: log in using credentials from the vault, confirm dashboards load and no
// migration banner is displayed."
// The four checks are independent, so they run concurrently.
import { describe } from 'vitest';
import { assessFleet, type GroupDeploy } from '../../src/harness/fly-fleet.ts';
import { classifyMigrations, LangfuseUi } from '../../src/clients/langfuse-ui.ts';
import { check } from '../../src/harness/check.ts';
import { stackFor } from '../../src/harness/stack.ts';
import { clickhouseFor, flyFor, minioFor } from './access.ts';
import { errorMessage } from '../../src/evidence/error-text.ts';

// Why a Langfuse v4 is a no-go, in the words the on-call engineer needs.
const V4_EVENTS_ONLY =
  "LiteLLM's `langfuse` callback writes through the legacy ingestion API (/api/public/ingestion), which v4 in events_only mode rejects " +
  'event by event, and the v1 read API the trace checks use answers 404; every trace check downstream would be blind. Run Langfuse v3 (images langfuse/langfuse:3 and langfuse/langfuse-worker:3)';

describe.concurrent('§2 Verify infrastructure health', () => {
  check('2/fly-machines', async (c, config) => {
    const fly = flyFor(c, config);
    const { apps, region, gatewayProcesses } = config.fly;
    const expectations = [
      { app: apps.gateway, region, groups: gatewayProcesses },
      { app: apps.clickhouse, region, groups: [] },
      { app: apps.minio, region, groups: [] },
    ];
    const results = await Promise.allSettled(expectations.map(async (e) => assessFleet(await fly.machines(e.app), e)));
    const deploys: Record<string, Record<string, GroupDeploy>> = {};
    const machines: Record<string, number> = {};
    const regions = new Set<string>();
    results.forEach((r, i) => {
      const app = expectations[i]!.app;
      if (r.status === 'rejected')
        return void c.expect(false, `${app}: machines could not be listed: ${errorMessage(r.reason)}`);
      deploys[app] = r.value.deploys;
      machines[app] = r.value.machines;
      for (const region of r.value.regions) regions.add(region);
      for (const problem of r.value.problems) c.expect(false, `${app}: ${problem}`);
    });
    c.observe('machines', machines);
    c.observe('regions', [...regions].sort());
    // Runbook §8 asks for the deploy hashes: the release and image digest each group runs.
    c.observe('deploys', deploys);
  });

  check('2/clickhouse', async (c, config) => {
    const clickhouse = await clickhouseFor(c, config);
    c.observe('via', clickhouse.via);
    c.observe('where', clickhouse.where);
    const rows = await clickhouse.query('SELECT 1, version()');
    c.observe('clickhouseVersion', rows[0]?.[1] ?? null);
    c.expect(rows[0]?.[0] === '1', `SELECT 1 returned ${JSON.stringify(rows).slice(0, 200)} instead of 1`);
  });

  check('2/minio', async (c, config) => {
    const minio = await minioFor(c, config);
    c.observe('via', minio.via);
    c.observe('where', minio.where);
    const health = await minio.cluster();
    c.observe('cluster', health.detail);
    if (health.writeQuorum) c.observe('writeQuorum', health.writeQuorum);
    if (health.status !== undefined) c.measure('cluster_status', health.status, 'code', { op: '==', value: 200 });
    c.expect(
      health.healthy,
      `MinIO cluster health is not OK: ${health.detail} (live/ready can be 200 while MinIO is offline; /minio/health/cluster is the readiness signal)`,
    );
  });

  check('2/langfuse-ui', async (c, config) => {
    const { langfuse } = stackFor(config);
    const health = await langfuse.health();
    c.observe('langfuseVersion', health.version);
    c.expect(
      health.version.startsWith('3.'),
      `Langfuse reports version ${health.version}, expected 3.x (/api/public/health). ${V4_EVENTS_ONLY}`,
    );

    const { uiEmail, uiPassword } = config.langfuse;
    if (!uiEmail || !uiPassword) {
      c.settle();
      return c.skip(
        'LANGFUSE_UI_EMAIL and LANGFUSE_UI_PASSWORD are not both set: the UI login (vault credentials) cannot be checked',
      );
    }
    const ui = new LangfuseUi({ url: config.langfuse.url, timeoutMs: config.httpTimeoutMs });
    await ui.login(uiEmail, uiPassword);
    const session = await ui.session();
    if (!session?.user.email)
      return c.fail('the login answered 200, but /api/auth/session has no user: the session cookie is not accepted');
    c.observe('sessionUser', session.user.email);
    c.observe('v4WriteMode', session.v4WriteMode ?? null);
    // A 4.x version has already failed with the explanation; say it once.
    if (health.version.startsWith('3.'))
      c.expect(
        session.v4WriteMode !== 'events_only',
        `Langfuse runs LANGFUSE_MIGRATION_V4_WRITE_MODE=events_only. ${V4_EVENTS_ONLY}`,
      );

    const project = session.user.organizations.flatMap((o) => o.projects)[0];
    if (!project) return c.fail(`${session.user.email} belongs to no project, so no dashboard can load`);
    const page = await ui.page(`/project/${project.id}`);
    c.observe('dashboard', `/project/${project.id} → ${page.status}`);
    c.measure('dashboard_status', page.status, 'code', { op: '==', value: 200 });

    // v3's backgroundMigrations.status stays ACTIVE forever because of dormant v4 rows, so the
    // rows themselves are judged (notes §5).
    const { failed, pending, dormant, finished } = classifyMigrations(await ui.backgroundMigrations());
    c.observe('backgroundMigrations', {
      finished,
      dormant: dormant.map((m) => m.name),
      pending: pending.map((m) => m.name),
      failed: failed.map((m) => m.name),
    });
    c.expect(
      failed.length === 0,
      `background migration(s) failed: ${failed.map((m) => `${m.name} (${m.failedReason ?? 'no reason'})`).join(', ')}`,
    );
    c.expect(
      pending.length === 0,
      `background migration(s) still pending: ${pending.map((m) => `${m.name}${m.workerId ? ` (locked by worker ${m.workerId})` : ''}`).join(', ')}; wait until /background-migrations shows them finished`,
    );
  });
});
