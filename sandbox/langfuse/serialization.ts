// Langfuse v3 keeps metadata in a ClickHouse `Map(String,String)` and input/output as strings,
// then JSON-parses them on read (`convertRecordValuesToString`, `parseJsonPrioritised`,
// `applyInputOutputRendering`). The round trip is lossy on purpose: the string "42" comes
// back as the number 42 and "true" as true. The sandbox reproduces that so a suite that
// compares ingested and read values naively fails here the way it would in production.

/** Metadata as stored: a flat string map. */
export type StoredMetadata = Record<string, string>;

function toStoredString(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Converts ingested metadata to the stored string map; non-object metadata is wrapped as `{ metadata: … }`. */
export function storeMetadata(metadata: unknown): StoredMetadata {
  if (metadata === null || metadata === undefined) return {};
  if (typeof metadata !== 'object' || Array.isArray(metadata)) return { metadata: toStoredString(metadata) };
  const out: StoredMetadata = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (value !== undefined) out[key] = toStoredString(value);
  }
  return out;
}

/** Parses a stored string back the way Langfuse renders it: JSON when it parses, the raw string otherwise. */
function parseStored(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** Reads stored metadata back, JSON-parsing each value. */
export function readMetadata(stored: StoredMetadata): Record<string, unknown> {
  return Object.fromEntries(Object.entries(stored).map(([k, v]) => [k, parseStored(v)]));
}

/** Stores input/output: strings raw, everything else as JSON; null stays null. */
export function storeIo(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return toStoredString(value);
}

/** Reads input/output back with the same JSON coercion as metadata. */
export function readIo(stored: string | null): unknown {
  return stored === null ? null : parseStored(stored);
}

/**
 * Normalizes an ingested environment like v3's ingestion schema: lower-cased, a leading
 * `langfuse` prefix stripped, and `default` when what remains is not a valid name.
 */
export function normalizeEnvironment(environment: unknown): string {
  if (typeof environment !== 'string') return 'default';
  const env = environment.toLowerCase().replace(/^langfuse/, '');
  return /^[a-z0-9_-]{1,40}$/.test(env) ? env : 'default';
}
