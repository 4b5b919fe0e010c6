import { createHash } from 'node:crypto';

/**
 * Canonical JSON: object keys sorted, no whitespace, arrays in order. Two bundles with the
 * same content have the same canonical text whatever order their keys were built in, so the
 * digest survives pretty-printing and re-serialization by other tools.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** `sha256:<hex>` of the bundle's canonical JSON without its `digest` field. */
export function digestOf(bundle: Record<string, unknown>): string {
  const { digest: _ignored, ...rest } = bundle;
  return `sha256:${createHash('sha256').update(canonicalJson(rest)).digest('hex')}`;
}
