import { calculateCost, findModelPrice, type ModelPrice } from './prices.ts';

// How v3 turns what a client sent into `usageDetails` and `costDetails`
// (`packages/shared/src/server/ingestion/types.ts` transforms, `IngestionService`).

/** Usage and cost details as provided by one event, before the worker derives anything. */
export interface ProvidedDetails {
  usageDetails: Record<string, number>;
  costDetails: Record<string, number>;
}

function definedNumbers(entries: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(entries)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}

/**
 * Normalizes a generation's legacy `usage`. The Langfuse form `{input, output, total, unit,
 * inputCost, outputCost, totalCost}` yields usage and provided cost; the OpenAI form
 * `{promptTokens, completionTokens, totalTokens}` yields usage only: its costs are dropped.
 */
export function fromUsage(usage: Record<string, unknown>): ProvidedDetails {
  if ('promptTokens' in usage || 'completionTokens' in usage || 'totalTokens' in usage) {
    return {
      usageDetails: definedNumbers({
        input: usage.promptTokens,
        output: usage.completionTokens,
        total: usage.totalTokens,
      }),
      costDetails: {},
    };
  }
  return {
    usageDetails: definedNumbers({ input: usage.input, output: usage.output, total: usage.total }),
    costDetails: definedNumbers({ input: usage.inputCost, output: usage.outputCost, total: usage.totalCost }),
  };
}

function nestedSum(details: unknown): number {
  if (!details || typeof details !== 'object') return 0;
  return Object.values(details).reduce<number>((s, v) => s + (typeof v === 'number' ? v : 0), 0);
}

function prefixed(prefix: string, details: unknown): Record<string, number> {
  if (!details || typeof details !== 'object') return {};
  return definedNumbers(Object.fromEntries(Object.entries(details).map(([k, v]) => [`${prefix}_${k}`, v])));
}

// The raw OpenAI usage objects: Chat Completions and Responses name the same counts differently.
const OPENAI_FORMS = [
  {
    input: 'prompt_tokens',
    output: 'completion_tokens',
    inputDetails: 'prompt_tokens_details',
    outputDetails: 'completion_tokens_details',
  },
  {
    input: 'input_tokens',
    output: 'output_tokens',
    inputDetails: 'input_tokens_details',
    outputDetails: 'output_tokens_details',
  },
] as const;

/**
 * Normalizes `usageDetails`: a plain `{key: count}` map is kept; the raw OpenAI chat form
 * (`prompt_tokens`, `…_details`) and the Responses form (`input_tokens`, `…_details`) are split
 * so that `input`/`output` exclude the detailed sub-counts, which become `input_<k>`/`output_<k>`.
 */
export function fromUsageDetails(details: Record<string, unknown>): Record<string, number> {
  const form = OPENAI_FORMS.find((f) => f.input in details || f.output in details);
  if (!form) return definedNumbers(details);
  return definedNumbers({
    input: Number(details[form.input] ?? 0) - nestedSum(details[form.inputDetails]),
    output: Number(details[form.output] ?? 0) - nestedSum(details[form.outputDetails]),
    total: details.total_tokens,
    ...prefixed('input', details[form.inputDetails]),
    ...prefixed('output', details[form.outputDetails]),
  });
}

function withTotal(details: Record<string, number>): Record<string, number> {
  if (Object.keys(details).length === 0 || 'total' in details) return details;
  return { ...details, total: Object.values(details).reduce((s, v) => s + v, 0) };
}

/** What the worker derives for an observation from its merged provided details. */
export interface DerivedUsage {
  usageDetails: Record<string, number>;
  costDetails: Record<string, number>;
  price: ModelPrice | undefined;
}

/**
 * Derives final usage and cost. `usageDetails.total` becomes the sum when missing. Provided
 * costs win: if any cost key was sent, no price lookup happens (and `total` defaults to the
 * sum). Otherwise the model's price entry, if any, prices the usage. The matched entry is
 * returned either way, because Langfuse links the model (`modelId`) even when the client priced it.
 */
export function deriveUsage(model: string | null, provided: ProvidedDetails): DerivedUsage {
  const usageDetails = withTotal(provided.usageDetails);
  const price = findModelPrice(model);
  if (Object.keys(provided.costDetails).length > 0) {
    return { usageDetails, costDetails: withTotal(provided.costDetails), price };
  }
  return { usageDetails, costDetails: price ? calculateCost(price, usageDetails) : {}, price };
}
