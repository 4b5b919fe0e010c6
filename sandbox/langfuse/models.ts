import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { sendJson } from '../http.ts';
import { authorizeRead, type ApiKeys } from './auth.ts';
import { sendInvalidQuery } from './errors.ts';
import { paginate, pagination, queryObject } from './query.ts';

// `GET /api/public/models` as v3 answers it (`web/src/pages/api/public/models/index.ts`,
// `web/src/features/public-api/types/models.ts`, `prismaToApiModelDefinition`): the project's
// own definitions and the Langfuse-managed ones (project_id NULL, `isLangfuseManaged: true`),
// ordered by modelName, unit, startDate desc nulls last, paginated with `page`/`limit`.
// `prices` and the deprecated `inputPrice`/`outputPrice`/`totalPrice` are filled from the
// default pricing tier. The sandbox ships only the two models its upstream serves, with the ids,
// patterns and prices of Langfuse's seed file `worker/src/constants/default-model-prices.json`
// (langfuse/langfuse, stored version 00e25def): gpt-4o `b9854a5c92dc496b997d99d20` input
// 2.5e-6, cached input 1.25e-6, output 1e-5 USD per token; gpt-4o-mini
// `clyrjp56f0000t0mzapoocd7u` input 1.5e-7, cached input 7.5e-8, output 6e-7 USD per token.

export interface ManagedModel {
  readonly id: string;
  readonly modelName: string;
  readonly matchPattern: string;
  readonly createdAt: string;
  readonly tokenizerConfig: Readonly<Record<string, unknown>>;
  readonly prices: Readonly<Record<string, number>>;
}

/** Langfuse's managed definitions of the models the sandbox serves; prices.ts costs generations with them too. */
export const MANAGED: readonly ManagedModel[] = [
  {
    id: 'b9854a5c92dc496b997d99d20',
    modelName: 'gpt-4o',
    matchPattern: '(?i)^(openai\\/)?(gpt-4o)$',
    createdAt: '2024-05-13T23:15:07.670Z',
    tokenizerConfig: { tokensPerName: 1, tokenizerModel: 'gpt-4o', tokensPerMessage: 3 },
    prices: { input: 0.0000025, input_cached_tokens: 0.00000125, input_cache_read: 0.00000125, output: 0.00001 },
  },
  {
    id: 'clyrjp56f0000t0mzapoocd7u',
    modelName: 'gpt-4o-mini',
    matchPattern: '(?i)^(openai\\/)?(gpt-4o-mini)$',
    createdAt: '2024-07-18T17:56:09.591Z',
    tokenizerConfig: { tokensPerName: 1, tokenizerModel: 'gpt-4o', tokensPerMessage: 3 },
    prices: { input: 1.5e-7, output: 6e-7, input_cached_tokens: 7.5e-8, input_cache_read: 7.5e-8 },
  },
];

/** A managed definition as the API renders it: flat prices from the default tier, as `prismaToApiModelDefinition` does. */
function render(m: ManagedModel) {
  return {
    id: m.id,
    modelName: m.modelName,
    matchPattern: m.matchPattern,
    startDate: null,
    inputPrice: m.prices.input ?? null,
    outputPrice: m.prices.output ?? null,
    totalPrice: m.prices.total ?? null,
    unit: 'TOKENS',
    tokenizerId: 'openai',
    tokenizerConfig: m.tokenizerConfig,
    isLangfuseManaged: true,
    createdAt: m.createdAt,
    prices: Object.fromEntries(Object.entries(m.prices).map(([k, price]) => [k, { price }])),
    pricingTiers: [
      { id: `${m.id}_tier_default`, name: 'Standard', isDefault: true, priority: 0, conditions: [], prices: m.prices },
    ],
  };
}

const Query = z.object(pagination);

/** `GET /api/public/models`: the model definitions visible to the key's project, one page. */
export function handleModelList(req: IncomingMessage, res: ServerResponse, url: URL, keys: ApiKeys): void {
  if (!authorizeRead(req, res, keys)) return;
  const q = Query.safeParse(queryObject(url));
  if (!q.success) return sendInvalidQuery(res, q.error.issues);
  const sorted = [...MANAGED].sort((a, b) => a.modelName.localeCompare(b.modelName)).map(render);
  sendJson(res, 200, paginate(sorted, q.data.page, q.data.limit));
}
