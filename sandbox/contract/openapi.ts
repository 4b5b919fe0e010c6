import { readFile } from 'node:fs/promises';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { parse } from 'yaml';

// OpenAPI 3.0 schemas are almost JSON Schema. The differences that matter to Ajv:
// `nullable: true` (Ajv only accepts it next to `type`, and it must also reach `$ref`s and
// enums), and the draft-4 boolean `exclusiveMinimum`/`exclusiveMaximum`. Everything else
// (`discriminator`, `example`, `x-*`, …) is annotation, which Ajv ignores in non-strict mode.
// 3.1 documents are JSON Schema already and pass through unchanged.

// ajv-formats is CommonJS with a default export; under NodeNext ESM it arrives wrapped.
const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  (addFormatsModule as unknown as FormatsPlugin);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

const NAME_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'schemas']);

/** Converts one OpenAPI 3.0 schema node (recursively) to plain JSON Schema. */
export function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'nullable' || key === 'discriminator' || key === 'example' || key.startsWith('x-')) continue;
    // Maps keyed by names (a property called `nullable`, a schema called `example`) hold
    // schemas as values; their keys are not keywords.
    out[key] =
      NAME_MAPS.has(key) && isObject(value)
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSchema(v)]))
        : toJsonSchema(value);
  }
  for (const bound of ['Minimum', 'Maximum'] as const) {
    const flag = out[`exclusive${bound}`];
    if (typeof flag === 'boolean') {
      const limit = out[bound.toLowerCase()];
      delete out[`exclusive${bound}`];
      if (flag && typeof limit === 'number') {
        out[`exclusive${bound}`] = limit;
        delete out[bound.toLowerCase()];
      }
    }
  }
  if (node.nullable !== true) return out;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  // A nullable `$ref` or composition: OpenAPI 3.0 ignores siblings of `$ref`, so wrap it.
  if ('$ref' in out || 'allOf' in out || 'oneOf' in out || 'anyOf' in out) return { anyOf: [out, { type: 'null' }] };
  return out;
}

/** The outcome of validating a value: `errors` are Ajv's messages, prefixed with the JSON path. */
interface ValidationResult {
  readonly valid: boolean;
  readonly errors: readonly string[];
}

/** A loaded contract that validates values against its component schemas or response schemas. */
export interface OpenApiContract {
  /** Validates against `#/components/schemas/<name>`. Throws if the schema does not exist. */
  validateSchema(name: string, value: unknown): ValidationResult;
  /**
   * Validates a response body against the schema declared for `method` + `pathTemplate`
   * (as written in the document, e.g. `/api/public/traces/{traceId}`) and `status`
   * (falling back to `default`) for `application/json`. Throws if the contract declares none.
   */
  validateResponse(method: string, pathTemplate: string, status: number, body: unknown): ValidationResult;
}

function collectFormats(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const v of node) collectFormats(v, found);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'format' && typeof v === 'string') found.add(v);
      else collectFormats(v, found);
    }
  }
  return found;
}

const pointerEscape = (s: string) => s.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * Loads an OpenAPI 3.0/3.1 document (YAML or JSON) and prepares Ajv validators on demand.
 * All `$ref`s are resolved inside the one document, so component schemas, path responses
 * and their references validate exactly as written. Formats come from ajv-formats
 * (`date-time` requires an offset; `double`, `int64`, … are checked as numbers).
 */
export async function loadOpenApiContract(file: string): Promise<OpenApiContract> {
  // Generated specs share `security` blocks through YAML aliases, far beyond yaml's default cap.
  const doc = parse(await readFile(file, 'utf8'), { maxAliasCount: -1 }) as JsonObject;
  const id = 'openapi-contract';
  const converted = { $id: id, components: toJsonSchema(doc.components ?? {}), paths: toJsonSchema(doc.paths ?? {}) };
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  // Vendor formats (OpenAI's `unixtime`, …) are documentation, not constraints: accept them.
  for (const format of collectFormats(converted)) if (!(format in ajv.formats)) ajv.addFormat(format, true);
  ajv.addSchema(converted as object);
  const cache = new Map<string, ValidateFunction>();
  const validatorAt = (pointer: string): ValidateFunction => {
    let fn = cache.get(pointer);
    if (!fn) {
      fn = ajv.getSchema(`${id}#${pointer}`);
      if (!fn) throw new Error(`the contract ${file} has no schema at ${pointer}`);
      cache.set(pointer, fn);
    }
    return fn;
  };
  const run = (fn: ValidateFunction, value: unknown): ValidationResult => {
    const valid = fn(value) as boolean;
    return {
      valid,
      errors: (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`),
    };
  };
  return {
    validateSchema: (name, value) => run(validatorAt(`/components/schemas/${pointerEscape(name)}`), value),
    validateResponse: (method, pathTemplate, status, body) => {
      const responses = (doc.paths as JsonObject | undefined)?.[pathTemplate];
      const op = isObject(responses) ? responses[method.toLowerCase()] : undefined;
      const declared = isObject(op) && isObject(op.responses) ? op.responses : {};
      const code = String(status) in declared ? String(status) : 'default';
      return run(
        validatorAt(
          `/paths/${pointerEscape(pathTemplate)}/${method.toLowerCase()}/responses/${code}/content/${pointerEscape('application/json')}/schema`,
        ),
        body,
      );
    },
  };
}
