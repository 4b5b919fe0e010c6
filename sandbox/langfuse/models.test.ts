import { LangfuseClient } from '@langfuse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOpenApiContract, type OpenApiContract } from '../contract/openapi.ts';
import { startTestLangfuse, type TestLangfuse } from './testing.ts';

// `GET /api/public/models` against the published v3.225.4 contract, and through the unmodified
// `@langfuse/client`: the plan's prices come from here when it targets the sandbox.

const CONTRACT = '/work/shared/contracts/langfuse-v3.225.4-openapi.yml';

let t: TestLangfuse;
let contract: OpenApiContract;
beforeAll(async () => {
  [t, contract] = await Promise.all([startTestLangfuse(), loadOpenApiContract(CONTRACT)]);
});
afterAll(() => t.lf.close());

describe('GET /api/public/models', () => {
  it("lists Langfuse's shipped gpt-4o and gpt-4o-mini definitions, valid against the contract", async () => {
    const r = await t.get('/api/public/models');
    expect(r.status).toBe(200);
    expect(contract.validateResponse('GET', '/api/public/models', r.status, r.body).errors).toEqual([]);
    expect(r.body.meta).toEqual({ page: 1, limit: 50, totalItems: 2, totalPages: 1 });
    const byName = Object.fromEntries(r.body.data.map((d: { modelName: string }) => [d.modelName, d]));
    expect(byName['gpt-4o']).toMatchObject({
      id: 'b9854a5c92dc496b997d99d20',
      matchPattern: '(?i)^(openai\\/)?(gpt-4o)$',
      isLangfuseManaged: true,
      unit: 'TOKENS',
      inputPrice: 0.0000025,
      outputPrice: 0.00001,
      totalPrice: null,
      prices: { input: { price: 0.0000025 }, output: { price: 0.00001 } },
    });
    expect(byName['gpt-4o-mini']).toMatchObject({
      id: 'clyrjp56f0000t0mzapoocd7u',
      inputPrice: 1.5e-7,
      outputPrice: 6e-7,
      pricingTiers: [{ isDefault: true, priority: 0, conditions: [], prices: { input: 1.5e-7, output: 6e-7 } }],
    });
  });

  it('pages with page and limit, and refuses a limit over 100 as v3 does', async () => {
    const second = await t.get('/api/public/models?page=2&limit=1');
    expect(second.body.meta).toEqual({ page: 2, limit: 1, totalItems: 2, totalPages: 2 });
    expect(second.body.data).toHaveLength(1);
    const tooMany = await t.get('/api/public/models?limit=101');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toBe('Invalid request data');
  });

  it('needs project access: no header 401, a Bearer public key 403', async () => {
    expect((await t.get('/api/public/models', {})).status).toBe(401);
    expect((await t.get('/api/public/models', { authorization: `Bearer ${t.publicKey}` })).status).toBe(403);
  });

  it('reads through @langfuse/client v5', async () => {
    const c = new LangfuseClient({ publicKey: t.publicKey, secretKey: t.secretKey, baseUrl: t.lf.url });
    const list = await c.api.models.list();
    expect(list.data.map((m) => m.modelName).sort()).toEqual(['gpt-4o', 'gpt-4o-mini']);
  });
});
