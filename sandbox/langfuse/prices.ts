import { MANAGED } from './models.ts';

// Langfuse computes a cost only when the client provided none: it looks the model name up in
// its price table (`findModel`) and multiplies usage by the matched prices. LiteLLM always
// sends its own cost, so these defaults matter only for generations logged without one: for a
// well-known model real Langfuse still shows a cost, for an unknown name it shows 0. The two
// entries mirror Langfuse's shipped defaults for the models the sandbox serves.

/** One price-table entry, matched against the generation's provided model name. */
export interface ModelPrice {
  readonly id: string;
  readonly modelName: string;
  readonly matchPattern: RegExp;
  /** USD per usage unit, keyed like `usageDetails` (`input`, `output`). */
  readonly prices: Readonly<Record<string, number>>;
}

// The same definitions `GET /api/public/models` lists (models.ts), so an ingested generation's
// modelId is the one the models API names. A leading `(?i)` is Postgres's case-insensitive
// flag, which JavaScript spells `i`; only the default tier's input and output prices are used.
const DEFAULT_PRICES: readonly ModelPrice[] = MANAGED.map((m) => ({
  id: m.id,
  modelName: m.modelName,
  matchPattern: new RegExp(m.matchPattern.replace(/^\(\?i\)/, ''), m.matchPattern.startsWith('(?i)') ? 'i' : ''),
  prices: Object.fromEntries(Object.entries(m.prices).filter(([k]) => k === 'input' || k === 'output')),
}));

/** Finds the price entry for a provided model name, or `undefined` when no pattern matches. */
export function findModelPrice(model: string | null): ModelPrice | undefined {
  if (!model) return undefined;
  return DEFAULT_PRICES.find((p) => p.matchPattern.test(model));
}

/** Costs computed from a price entry: one key per priced usage key, plus `total` as their sum. */
export function calculateCost(price: ModelPrice, usage: Readonly<Record<string, number>>): Record<string, number> {
  const cost: Record<string, number> = {};
  let total = 0;
  for (const [key, perUnit] of Object.entries(price.prices)) {
    const units = usage[key];
    if (units === undefined) continue;
    cost[key] = units * perUnit;
    total += cost[key];
  }
  if (Object.keys(cost).length > 0) cost.total = total;
  return cost;
}
