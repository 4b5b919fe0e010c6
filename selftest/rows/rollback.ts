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
    because: /direct OpenAI \(the rollback target\) failed: POST http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions answered HTTP 401/,
  },
];
