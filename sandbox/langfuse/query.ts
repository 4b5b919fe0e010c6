import { z } from 'zod';

// Query-string parsing shared by the read routes, modelled on v3's zod query schemas
// (`publicApiPaginationZod`, `z.iso.datetime({ offset: true })`). Failing a schema gives the
// route's 400 `{message: "Invalid request data", error: <zod issues>}`.

/** `page` (> 0, default 1) and `limit` (1..100, default 50). */
export const pagination = {
  page: z.coerce.number().int().positive().default(1),
  limit: z.coerce.number().int().min(1).max(100).default(50),
};

/** An ISO datetime that must carry an offset (`Z` or `+hh:mm`); date-only values fail. */
export const isoWithOffset = z.iso.datetime({ offset: true });

/** A parameter that may repeat (`tags=a&tags=b`) or come once with commas (`tags=a,b`). */
export const stringList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean));

/**
 * Turns a URL's search params into a plain object for zod: a key given once maps to its
 * string, a repeated key to the array of its values.
 */
export function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    out[key] = all.length === 1 ? (all[0] as string) : all;
  }
  return out;
}

/** Slices one page and builds the `meta` block every paginated v1 route returns. */
export function paginate<T>(items: readonly T[], page: number, limit: number) {
  return {
    data: items.slice((page - 1) * limit, page * limit),
    meta: { page, limit, totalItems: items.length, totalPages: Math.ceil(items.length / limit) },
  };
}
