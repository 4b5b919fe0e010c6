/**
 * Python's `json.dumps` with its defaults (`separators=(", ", ": ")`, `ensure_ascii=True`), for
 * the places where LiteLLM puts a JSON document *inside a string*: `/cache/ping`'s
 * `litellm_cache_params` and the `message` of its 503 (`safe_dumps` in
 * `litellm_core_utils/safe_json_dumps.py`). A client that parses those strings sees the same
 * text the real proxy sends. JSON numbers are written as JavaScript writes them, so a Python
 * float with no fraction (`5.0`) comes out as `5`; the sandbox only puts integers there.
 */
export function pyDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string')
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  if (typeof value === 'number')
    return Number.isFinite(value) ? String(value) : value > 0 ? 'Infinity' : Number.isNaN(value) ? 'NaN' : '-Infinity';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(pyDumps).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pyDumps(k)}: ${pyDumps(v)}`)
      .join(', ')}}`;
  }
  return pyDumps(String(value));
}
