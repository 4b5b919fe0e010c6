import { describe, expect, test } from 'vitest';
import { CATALOGUE } from './catalogue.ts';
import { INJECTIONS, infra } from './html-fixtures.ts';
import type { CheckRecord } from './model.ts';
import { VERIFIED_MAX, verifiedText } from './verified.ts';

const passed = (id: string, observations: Record<string, unknown>, o: Partial<CheckRecord> = {}): CheckRecord => ({
  id,
  section: id.split('/')[0]!,
  title: id,
  status: 'passed',
  measurements: [],
  observations,
  links: [],
  durationMs: 1,
  ...o,
});

// Observations as a `pnpm test:cutover` rehearsal records them (trimmed), and the line each must give.
const RECORDED: [string, Record<string, unknown>, string][] = [
  [
    '1/redis',
    {
      gatewayCache: {
        kind: 'semantic',
        type: 'redis-semantic',
        healthy: true,
        redisPing: 'PONG',
        route: '/cache/ping',
      },
      workerHealth: 'worker e549e5d4b8a8b7: /api/health {"status":"ok"} (Postgres and Redis answered)',
    },
    'gateway cache redis-semantic healthy, PING PONG; worker e549e5d4b8a8b7: /api/health {"status":"ok"} (Postgres and Redis answered)',
  ],
  [
    '1/tls',
    {
      gateway: { host: 'gateway.hotrodan.com', issuer: 'CN=R11', validTo: '2027-03-03T07:40:25.000Z' },
      langfuse: { host: 'langfuse.hotrodan.com', validTo: '2027-02-01T00:00:00.000Z' },
    },
    'gateway gateway.hotrodan.com certificate valid until 2027-03-03; langfuse langfuse.hotrodan.com certificate valid until 2027-02-01',
  ],
  [
    '1/langfuse-schema',
    {
      postgresMigrations: { table: '_prisma_migrations', applied: 312, latest: '20261101_add_x', pending: [] },
      clickhouseMigration: { version: 46, dirty: false },
    },
    'ClickHouse schema_migrations version 46, not dirty; Postgres 312 migrations applied, latest 20261101_add_x, 0 pending',
  ],
  [
    '2/minio',
    { cluster: 'curl /minio/health/cluster inside e71a29a280a918 answered 200', writeQuorum: '2' },
    'curl /minio/health/cluster inside e71a29a280a918 answered 200; write quorum 2',
  ],
  [
    '2/fly-machines',
    {
      machines: { 'hotdash-llm-gateway': 4 },
      regions: ['iad'],
      deploys: {
        'hotdash-llm-gateway': { gateway: { version: '12' }, ui: { version: '12' }, worker: { version: '11' } },
      },
    },
    '4 machines started on 1 app; region iad; hotdash-llm-gateway release 12/11',
  ],
  [
    '3/smoke',
    { traceId: '895a', gatewayVersion: '1.103.10', modelGroup: 'gpt-4o-mini', langfuseModel: 'openai/gpt-4o-mini' },
    'model group gpt-4o-mini; LiteLLM 1.103.10; trace 895a in Langfuse as openai/gpt-4o-mini',
  ],
  [
    '4.1/exact-cache',
    {
      request_1: { cacheKey: 'absent' },
      request_2: { cacheKey: 'present' },
      request_3: { cacheKey: 'present' },
      request_1_langfuse: { cacheHit: false },
      request_2_langfuse: { cacheHit: true },
      request_3_langfuse: { cacheHit: true },
    },
    'gateway cache key absent/present/present; Langfuse cache hit no/yes/yes',
  ],
  [
    '4.2/semantic-cache',
    {
      pair: { prompt: 'What is the return policy?', paraphrase: 'How do I get a refund?' },
      prompt_2: { cacheKey: 'present', semanticSimilarity: 0.9578262852211513 },
      control: { cacheKey: 'absent' },
    },
    'paraphrase "How do I get a refund?" cache key present (similarity 0.958); control cache key absent',
  ],
  [
    '5.1/rpm-limit',
    {
      limitSource: 'QUOTA_RPM_LIMIT',
      rpmLimit: 100,
      statusCounts: { 200: 100, 429: 1 },
      retryAfterS: 60,
      keyDeleted: true,
    },
    'limit 100 rpm (QUOTA_RPM_LIMIT); HTTP 200 ×100, 429 ×1; Retry-After 60 s; test key deleted',
  ],
  [
    '5.2/failover',
    { escalation: { servedGroup: 'gpt-4o', attemptedFallbacks: 1 }, control: { servedGroup: 'gpt-4o-mini' } },
    'long prompt served by gpt-4o after 1 fallback; control served by gpt-4o-mini',
  ],
  [
    '6/agent-config',
    {
      configPath: 'fixtures/agents/good.json',
      gatewayUrl: 'https://gateway.hotrodan.com',
      agents: ['support-bot', 'order-tracker', 'returns-assistant'],
    },
    '3 agents (support-bot, order-tracker, returns-assistant); base URL https://gateway.hotrodan.com; in fixtures/agents/good.json',
  ],
  [
    '7/rollback-readiness',
    {
      gatewayStatuses: [200, 200, 200],
      cacheBypass: { served: true },
      directUrl: 'https://api.openai.com/v1/chat/completions',
      pooledDatabase: 'not checked: LANGFUSE_POOLED_DATABASE_URL is not set',
    },
    'direct target https://api.openai.com/v1/chat/completions answered; gateway 3/3 HTTP 200 with the cache bypassed',
  ],
  [
    '6/live-traffic',
    { agents: ['support-bot', 'order-tracker'], watchedMs: 1_800_000, trafficSource: 'Prometheus /metrics' },
    '2 agents (support-bot, order-tracker); watched 30 min; traffic from Prometheus /metrics',
  ],
  [
    '7/watch',
    { watchedMs: 1_800_000, series: [{}, {}], baselineSource: 'evidence/latest-pre/evidence.json' },
    'watched 30 min; 2 polls; baseline evidence/latest-pre/evidence.json',
  ],
];

describe('verifiedText', () => {
  test.each(RECORDED)('%s: says what it verified from its observations', (id, observations, text) => {
    expect(verifiedText(passed(id, observations))).toBe(text);
  });

  test('every check of the registry has a rule, and each of those rules is exercised here or in the fixtures', () => {
    const covered = new Set([
      ...RECORDED.map(([id]) => id),
      ...infra.sections.flatMap((s) => s.checks.map((c) => c.id)),
    ]);
    expect(CATALOGUE.map((c) => c.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  test('a check without a rule, or whose rule finds none of its fields, gets a summary of its observations', () => {
    expect(verifiedText(passed('9/unknown', { answer: 42, ok: true, detail: { a: 1 }, list: [1] }))).toBe(
      'answer: 42; ok: true; recorded detail, list',
    );
    // A bundle edited by hand, or from an older suite: the rule's fields are missing or of another type.
    expect(verifiedText(passed('2/clickhouse', { version: '24.8' }))).toBe('version: 24.8');
    expect(verifiedText(passed('2/fly-machines', { machines: [3], deploys: 'x' }))).toBe(
      'deploys: x; recorded machines',
    );
    expect(verifiedText(passed('6/team-keys', { teamKeys: 'TEAM_KEY_a' }))).toBe('teamKeys: TEAM_KEY_a');
  });

  test('an id that names an Object property gets the generic summary, not a prototype member', () => {
    for (const id of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
      expect(verifiedText(passed(id, { a: 1 })), id).toBe('a: 1');
  });

  test('is never empty', () => {
    expect(verifiedText(passed('9/nothing', {}))).toBe('nothing recorded beyond its status');
    expect(
      verifiedText(
        passed(
          '9/measured',
          {},
          { measurements: [{ name: 'x', value: 1, unit: 'ms', threshold: { op: '<', value: 2 }, pass: true }] },
        ),
      ),
    ).toBe('1 measurement, no observations');
    expect(verifiedText(passed('9/unchecked', { postgres: 'not checked: no URL' }))).toBe(
      'nothing recorded beyond its status',
    );
  });

  test("leaves the parts that were not checked to the views' unchecked notes", () => {
    expect(verifiedText(passed('9/x', { a: 'not checked: no URL', b: 'clean' }))).toBe('b: clean');
  });

  test('names a few items of a long list, then how many more', () => {
    expect(verifiedText(passed('6/agent-config', { agents: ['a', 'b', 'c', 'd', 'e', 'f'] }))).toBe(
      '6 agents (a, b, c, d +2 more)',
    );
  });

  test('a hostile server string: one line, no control characters, bounded', () => {
    const hostile = Object.values(INJECTIONS).join('\n');
    for (const [id, observations] of [
      ['2/clickhouse', { clickhouseVersion: hostile, where: hostile }],
      ['1/fly-secrets', { secrets: { [hostile]: { expected: 1 } } }],
      ['6/team-keys', { teamKeys: [{ variable: hostile, state: hostile }] }],
      ['9/unknown', { [hostile]: hostile }],
    ] as const) {
      const text = verifiedText(passed(id, observations));
      expect(text.length, id).toBeLessThanOrEqual(VERIFIED_MAX + 20);
      expect(text, id).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
      expect(text, id).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
      expect(text, id).toContain('# Cutover pre-check');
    }
  });

  test('is pure: the same check gives the same text', () => {
    const c = infra.sections[0]!.checks[0]!;
    expect(verifiedText(c)).toBe(verifiedText(structuredClone(c)));
  });
});
