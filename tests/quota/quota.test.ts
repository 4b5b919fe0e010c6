// Runbook §5 — Quota + failover tests: §5.1 RPM enforcement and §5.2 failover.
// The two checks run at the same time, each mostly waiting for its Langfuse traces. §5.1's
// window stays its own: its burst goes out on a key no other check uses (a fresh key by default,
// the prod_customer key only with QUOTA_USE_CUSTOMER_KEY=true, which nothing else sends on),
// while §5.2 sends on the admin key.
import { describe } from 'vitest';
import { check } from '../../src/harness/check.ts';
import { failover } from './failover.ts';
import { rpmLimit } from './rpm-limit.ts';

describe.concurrent('§5 Quota + failover', () => {
  check('5.1/rpm-limit', rpmLimit);
  check('5.2/failover', failover);
});
