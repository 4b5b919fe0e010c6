import type { MatrixRow } from './row.ts';

/** Runbook §7 rollback readiness (pre-cutover): the direct OpenAI path must be proven, never assumed. */
export const rows: readonly MatrixRow[] = [
  {
    name: 'rollback: OPENAI_DIRECT_KEY missing',
    faults: [],
    // An explicitly empty value wins over the sandbox default (vitest.global-setup.ts).
    env: { OPENAI_DIRECT_KEY: '' },
    fails: ['7/rollback-readiness'],
    status: 'skipped',
    because: /OPENAI_DIRECT_KEY is not set/,
  },
  {
    name: 'rollback: direct OpenAI key revoked',
    faults: [],
    env: { OPENAI_DIRECT_KEY: 'sk-revoked-00000000000000000000' },
    fails: ['7/rollback-readiness'],
    because:
      /direct OpenAI \(the rollback target\) failed: POST http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions answered HTTP 401/,
  },
];

/**
 * §7 the pooled-database fallback against Debian's PgBouncer in front of a real PostgreSQL
 * (selftest/real-postgres.ts; run by selftest/real-postgres.test.ts, which starts them): `up`
 * is a pooler whose database runs, `databaseDown` one whose database is stopped. The sandbox
 * has no Postgres, so the healthy rows record the pooled database as not checked.
 */
export function realPoolerRows(pooled: { up: string; databaseDown: string }): readonly MatrixRow[] {
  return [
    {
      name: 'real PgBouncer: pooled database answers (7/rollback-readiness)',
      faults: [],
      only: ['7/rollback-readiness'],
      env: { LANGFUSE_POOLED_DATABASE_URL: pooled.up },
      fails: [],
      observes: [
        { check: '7/rollback-readiness', key: 'pooledDatabase', matches: /"select1":true,"auth":"scram-sha-256"/ },
      ],
    },
    {
      name: 'real PgBouncer up, its database down (7/rollback-readiness)',
      faults: [],
      only: ['7/rollback-readiness'],
      env: { LANGFUSE_POOLED_DATABASE_URL: pooled.databaseDown },
      fails: ['7/rollback-readiness'],
      because:
        /pooled database \(LANGFUSE_POOLED_DATABASE_URL\): postgres 127\.0\.0\.1:\d+\/langfuse: .*the pooler answered, but has no connection to the database behind it/,
    },
  ];
}
