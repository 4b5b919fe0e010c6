import { z } from 'zod';
import { UnexpectedResponseError } from './errors.ts';
import { jsonOf, send } from './http.ts';
import { LangfuseApiError, langfuseAuth } from './langfuse.ts';

/**
 * One Langfuse model definition (`GET /api/public/models`), reduced to what pricing needs.
 * `prices` is USD per unit by usage type (`input`, `output`, `total`, …), from the definition's
 * `prices` (its default pricing tier), or from the deprecated `inputPrice`/`outputPrice`/
 * `totalPrice` when a server sends only those.
 */
export interface ModelDefinition {
  readonly id: string;
  readonly modelName: string;
  /** A Postgres regex, as Langfuse matches it against a generation's model name (`(?i)` prefix allowed). */
  readonly matchPattern: string;
  readonly startDate: string | null;
  /** `TOKENS`, `CHARACTERS`, …; `null` when the definition names none. */
  readonly unit: string | null;
  /** True for Langfuse's shipped definitions, false for the project's own. */
  readonly isLangfuseManaged: boolean;
  readonly prices: Readonly<Record<string, number>>;
}

/** The definitions Langfuse holds for the key's project, and the URL they were read from. */
export interface ModelDefinitions {
  /** `<LANGFUSE_URL>/api/public/models`, without credentials. */
  readonly source: string;
  readonly definitions: readonly ModelDefinition[];
}

const Definition = z.looseObject({
  id: z.string(),
  modelName: z.string(),
  matchPattern: z.string(),
  startDate: z.string().nullish(),
  unit: z.string().nullish(),
  isLangfuseManaged: z.boolean(),
  inputPrice: z.number().nullish(),
  outputPrice: z.number().nullish(),
  totalPrice: z.number().nullish(),
  prices: z.record(z.string(), z.object({ price: z.number() })).optional(),
});
const Page = z.looseObject({
  data: z.array(Definition),
  meta: z.looseObject({ page: z.number(), totalPages: z.number() }),
});

/** Langfuse caps `limit` at 100 (`publicApiPaginationZod`). */
const PAGE_LIMIT = 100;
/** Langfuse ships a few hundred definitions; past this many pages the server is not paging as promised. */
const MAX_PAGES = 50;

function flatPrices(d: z.infer<typeof Definition>): Record<string, number> {
  if (d.prices && Object.keys(d.prices).length > 0)
    return Object.fromEntries(Object.entries(d.prices).map(([k, v]) => [k, v.price]));
  const out: Record<string, number> = {};
  if (d.inputPrice != null) out.input = d.inputPrice;
  if (d.outputPrice != null) out.output = d.outputPrice;
  if (d.totalPrice != null) out.total = d.totalPrice;
  return out;
}

/**
 * Reads every model definition the key's project sees (its own and Langfuse-managed ones),
 * page by page with Basic auth, each page bounded by `timeoutMs`. Throws `LangfuseApiError` on
 * an error status, `EndpointUnreachableError` when Langfuse cannot be reached, and
 * `UnexpectedResponseError` on a body that is not the contract's `PaginatedModels` or on a
 * server that never reaches its last page.
 */
export async function listModelDefinitions(o: {
  readonly url: string;
  readonly publicKey: string;
  readonly secretKey: string;
  readonly timeoutMs: number;
  /** Definitions per page, 1..100; default 100, the most Langfuse serves in one page. */
  readonly pageLimit?: number;
}): Promise<ModelDefinitions> {
  const limit = o.pageLimit ?? PAGE_LIMIT;
  const source = `${o.url.replace(/\/+$/, '')}/api/public/models`;
  const authorization = langfuseAuth(o);
  const definitions: ModelDefinition[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const res = await send(`${source}?page=${page}&limit=${limit}`, {
      headers: { authorization, accept: 'application/json' },
      timeoutMs: o.timeoutMs,
    });
    const expected = 'PaginatedModels {data, meta}';
    if (res.status !== 200) throw new LangfuseApiError(res.url, res.status, jsonOrText(res.text));
    const parsed = Page.safeParse(jsonOf(res, expected));
    if (!parsed.success) throw new UnexpectedResponseError(res.method, res.url, res.status, expected, res.text);
    for (const d of parsed.data.data)
      definitions.push({
        id: d.id,
        modelName: d.modelName,
        matchPattern: d.matchPattern,
        startDate: d.startDate ?? null,
        unit: d.unit ?? null,
        isLangfuseManaged: d.isLangfuseManaged,
        prices: flatPrices(d),
      });
    if (page >= parsed.data.meta.totalPages || parsed.data.data.length === 0) return { source, definitions };
  }
  throw new UnexpectedResponseError(
    'GET',
    source,
    200,
    `the last page within ${MAX_PAGES} pages of ${limit}`,
    `${definitions.length} definitions read`,
  );
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * A definition's `matchPattern` as a JavaScript regex, or `undefined` when it cannot be read
 * as one. Langfuse matches in Postgres (`model ~ match_pattern`), whose leading embedded option
 * `(?i)` makes the whole pattern case-insensitive; JavaScript has no such prefix, so it becomes
 * the `i` flag. Any other embedded option would change the meaning in ways not mirrored here.
 */
export function compileMatchPattern(pattern: string): RegExp | undefined {
  const options = /^\(\?([a-z]+)\)/.exec(pattern);
  const flags = options?.[1] ?? '';
  if ([...flags].some((f) => f !== 'i')) return undefined;
  try {
    return new RegExp(options ? pattern.slice(options[0].length) : pattern, flags ? 'i' : '');
  } catch {
    return undefined;
  }
}

/** What matching a model name found: the definition Langfuse would apply, or why none. */
export type ModelMatch =
  | { readonly ok: true; readonly definition: ModelDefinition }
  | { readonly ok: false; readonly why: string };

/**
 * The definition Langfuse would apply to a generation of `model` now, as its `findModel`
 * orders matches: the project's own before Langfuse-managed ones, then the newest `startDate`
 * (none last). Definitions whose `startDate` is after `now` do not apply yet. Patterns that
 * cannot be read as a JavaScript regex are left out, and the answer says how many.
 */
export function matchModel(defs: readonly ModelDefinition[], model: string, now = new Date()): ModelMatch {
  let unreadable = 0;
  const matching = defs.filter((d) => {
    if (d.startDate && Date.parse(d.startDate) > now.getTime()) return false;
    const re = compileMatchPattern(d.matchPattern);
    if (!re) unreadable++;
    return re?.test(model) ?? false;
  });
  const startOf = (d: ModelDefinition): number => (d.startDate ? Date.parse(d.startDate) : Number.NEGATIVE_INFINITY);
  matching.sort((a, b) => Number(a.isLangfuseManaged) - Number(b.isLangfuseManaged) || startOf(b) - startOf(a));
  const [definition] = matching;
  if (definition) return { ok: true, definition };
  const skipped = unreadable ? `; ${unreadable} pattern(s) could not be read as a JavaScript regex` : '';
  return { ok: false, why: `no model definition's matchPattern matches "${model}" (${defs.length} read${skipped})` };
}
