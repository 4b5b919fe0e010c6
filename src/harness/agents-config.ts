import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { excerptOf } from '../clients/errors.ts';
import { errorMessage } from '../evidence/error-text.ts';

/** A field found in the config: its value and the JSON path that locates it (`$.agents[0].baseUrl`). */
interface Located<T> {
  readonly value: T;
  readonly path: string;
  /** True when the agent sets no such field itself and takes it from a `defaults` block above it. */
  readonly inherited?: true;
}

/** One agent as the walker found it; fields are undefined when the agent has none. */
export interface AgentEntry {
  readonly name: string;
  /** JSON path of the agent's own object. */
  readonly path: string;
  readonly baseUrls: readonly Located<string>[];
  readonly keys: readonly Located<unknown>[];
  /** The model (group) names under `model`, `models` or `model_name` in the agent's own subtree, else inherited. */
  readonly models: readonly Located<string>[];
}

/** The largest agents config the gate reads: a real one is a few KB. */
export const AGENTS_CONFIG_MAX_BYTES = 1024 * 1024;
/** Deeper documents are refused before any walk: a real config nests a handful of levels. */
const MAX_DEPTH = 64;

/** Field names read as an agent's base URL (OpenAI SDKs, LiteLLM and hand-rolled configs spell it differently). */
const URL_FIELDS = new Set([
  'baseurl',
  'base_url',
  'apibase',
  'api_base',
  'endpoint',
  'apiurl',
  'api_url',
  'openaibaseurl',
  'openai_base_url',
  'gatewayurl',
  'gateway_url',
]);
/** Field names read as an agent's API key or key reference. */
const KEY_FIELDS = new Set([
  'apikey',
  'api_key',
  'apikeyref',
  'api_key_ref',
  'keyref',
  'key_ref',
  'apikeysecret',
  'api_key_secret',
  'apikeyenv',
  'api_key_env',
  'secretref',
  'secret_ref',
  'key',
  'token',
  'openaiapikey',
  'openai_api_key',
]);
const NAME_FIELDS = ['name', 'id', 'agent', 'agentName', 'agent_name'];
/** Field names read as the model (group) an agent calls. */
const MODEL_FIELDS = new Set(['model', 'models', 'model_name', 'modelname']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const norm = (k: string): string => k.toLowerCase().replace(/-/g, '_');
const isUrlField = (k: string): boolean => URL_FIELDS.has(norm(k)) || URL_FIELDS.has(norm(k).replace(/_/g, ''));
const isKeyField = (k: string): boolean => KEY_FIELDS.has(norm(k)) || KEY_FIELDS.has(norm(k).replace(/_/g, ''));
/** `defaults: { … }` (also `default`, `_defaults`): settings every agent below its parent inherits. */
const isDefaultsBlock = (k: string, v: unknown): v is Record<string, unknown> =>
  /^_?defaults?$/i.test(k) && isObject(v);

/** `$.a.b`, `$.a["odd-key"]`, `$.a[0]`: readable, and unambiguous for any key that is not itself a credential. */
function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  // A property name can be a pasted key too; the path must not carry it into the evidence.
  if (keyShape(key)) return `${parent}[<a property named with ${keyShape(key)}>]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** What kind of failure kept the agents config from being read as a document. */
export type AgentsConfigErrorKind = 'missing' | 'not-a-file' | 'too-large' | 'unreadable' | 'syntax' | 'too-deep';

/**
 * The agents config could not be read as a document: missing, not a regular file (a symbolic
 * link, a FIFO, a directory), over `AGENTS_CONFIG_MAX_BYTES`, unreadable, not valid JSON/YAML,
 * or nested too deep. The message names the file, the kind of failure and, for a syntax error,
 * the line and column (1-based), and never any content of the file: parser messages quote the
 * offending line, and that line may hold a key.
 */
export class AgentsConfigError extends Error {
  readonly kind: AgentsConfigErrorKind;
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  constructor(kind: AgentsConfigErrorKind, file: string, what: string, at?: { line: number; column: number }) {
    super(`agents config ${file} ${what}${at ? ` at line ${at.line}, column ${at.column}` : ''}`);
    this.name = 'AgentsConfigError';
    this.kind = kind;
    this.file = file;
    if (at) {
      this.line = at.line;
      this.column = at.column;
    }
  }
}

/** An agents config as read: the parsed document and the text it came from (to find keys outside the parsed values). */
export interface AgentsConfigDocument {
  readonly root: unknown;
  readonly text: string;
}

/**
 * Reads an agents config file (YAML by extension `.yaml`/`.yml`, else JSON) and parses it.
 * Accepts only a regular file: a symbolic link (it can point at any file, a credentials file
 * included), a FIFO (a read would block the gate forever) or a directory is refused before any
 * byte is read, and the file is opened `O_NOFOLLOW | O_NONBLOCK` and checked again, so a swap
 * in between cannot get past. At most `maxBytes` (default `AGENTS_CONFIG_MAX_BYTES`) are read.
 * YAML is read with unique keys, merge keys (`<<: *defaults`) and a bound on alias expansion.
 * Throws `AgentsConfigError`; a config the gate cannot read fails the gate, never passes it.
 */
export function loadAgentsConfig(file: string, o: { maxBytes?: number } = {}): AgentsConfigDocument {
  const text = readRegularFile(file, o.maxBytes ?? AGENTS_CONFIG_MAX_BYTES).replace(/^\uFEFF/, '');
  const ext = extname(file).toLowerCase();
  const root = ext === '.yaml' || ext === '.yml' ? parseYaml(file, text) : parseJson(file, text);
  if (deeperThan(root, MAX_DEPTH))
    throw new AgentsConfigError(
      'too-deep',
      file,
      `nests deeper than ${MAX_DEPTH} levels; an agents config is a few levels deep`,
    );
  return { root, text };
}

/** `loadAgentsConfig(file).root`: the parsed document alone, for callers that only walk agents. */
export function readAgentsConfig(file: string): unknown {
  return loadAgentsConfig(file).root;
}

function readRegularFile(file: string, maxBytes: number): string {
  let st: Stats;
  try {
    st = lstatSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AgentsConfigError('missing', file, 'does not exist');
    throw new AgentsConfigError('unreadable', file, `cannot be read (${code ?? 'error'})`);
  }
  if (!st.isFile()) throw new AgentsConfigError('not-a-file', file, notRegular(st));
  if (st.size > maxBytes)
    throw new AgentsConfigError(
      'too-large',
      file,
      `is ${st.size} bytes, over the ${maxBytes}-byte cap of the gate; an agents config is a few KB`,
    );
  let fd: number;
  try {
    // O_NONBLOCK: should a FIFO be swapped in after the lstat, opening it must not wait for a writer.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new AgentsConfigError('not-a-file', file, notRegular(lstatSync(file)));
    throw new AgentsConfigError('unreadable', file, `cannot be read (${code ?? 'error'})`);
  }
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile()) throw new AgentsConfigError('not-a-file', file, notRegular(opened));
    const buf = Buffer.alloc(maxBytes + 1);
    let n = 0;
    for (let r = -1; r !== 0 && n < buf.length; n += r) r = readSync(fd, buf, n, buf.length - n, null);
    if (n > maxBytes)
      throw new AgentsConfigError(
        'too-large',
        file,
        `grew past the ${maxBytes}-byte cap of the gate while it was read`,
      );
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function notRegular(st: Stats): string {
  const what = st.isSymbolicLink()
    ? 'a symbolic link (a link can point at any file, a credentials file included)'
    : st.isFIFO()
      ? 'a named pipe (FIFO), which would block the gate'
      : st.isDirectory()
        ? 'a directory'
        : 'not a regular file (a socket or a device)';
  return `is ${what}; the gate reads only a regular file: point AGENTS_CONFIG_PATH at the config file itself`;
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // V8's message quotes the text around the error ("Unexpected token 's', "{"key": sk-pr"…"):
    // the position and the kind are found again here, and that is all the message says.
    const { at, kind } = locateJsonError(text);
    throw new AgentsConfigError('syntax', file, `is not valid JSON: ${kind}`, lineColumn(text, at));
  }
}

/** Plain words for the `yaml` error codes a hand-edited config most often hits. */
const YAML_ERRORS: Readonly<Record<string, string>> = {
  MISSING_CHAR: 'a closing quote or bracket is missing',
  BAD_INDENT: 'bad indentation',
  TAB_AS_INDENT: 'a tab used as indentation',
  DUPLICATE_KEY: 'a duplicate key',
  MULTIPLE_DOCS: 'more than one YAML document',
  MULTILINE_IMPLICIT_KEY: 'a key that runs over more than one line (often a missing closing quote)',
  BLOCK_AS_IMPLICIT_KEY: 'a nested mapping where a plain key was expected',
  UNEXPECTED_TOKEN: 'an unexpected token',
  BAD_DQ_ESCAPE: 'a bad escape in a double-quoted string',
};

function parseYaml(file: string, text: string): unknown {
  // Loaded on first use: most agent configs are JSON, and `yaml` costs ~10 MB (commit 439c411).
  const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  let doc: import('yaml').Document.Parsed;
  try {
    doc = yaml.parseDocument(text, { uniqueKeys: true, merge: true, prettyErrors: true });
  } catch {
    throw new AgentsConfigError('syntax', file, 'is not valid YAML: the parser gave up');
  }
  const first = doc.errors[0];
  if (first) {
    // `code` is the library's fixed error name; the message would quote the offending line.
    const kind = /^[A-Z_]+$/.test(first.code)
      ? `${YAML_ERRORS[first.code] ?? first.code.toLowerCase().replace(/_/g, ' ')} (${first.code})`
      : 'syntax error';
    const pos = first.linePos?.[0];
    throw new AgentsConfigError(
      'syntax',
      file,
      `is not valid YAML: ${kind}`,
      pos ? { line: pos.line, column: pos.col } : lineColumn(text, first.pos[0]),
    );
  }
  try {
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch {
    throw new AgentsConfigError('syntax', file, 'is not valid YAML: its aliases expand too far (over 100 expansions)');
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * Where and why `JSON.parse` failed, found by a small RFC 8259 scanner, because V8's own
 * message quotes the text around the error and gives no position for some kinds. Called only
 * on text `JSON.parse` refused.
 */
function locateJsonError(t: string): { at: number; kind: string } {
  let i = 0;
  const fail = (kind: string, at = i): never => {
    throw Object.assign(new Error(kind), { at });
  };
  const ws = (): void => {
    while (t[i] === ' ' || t[i] === '\t' || t[i] === '\n' || t[i] === '\r') i++;
  };
  const string = (): void => {
    const start = i++;
    for (;;) {
      const ch = t[i];
      if (ch === undefined) fail('unterminated string', start);
      if (ch === '"') break;
      if (ch! < ' ') fail('control character in a string');
      if (ch === '\\') {
        const e = t[i + 1];
        if (e === 'u' ? !/^[0-9a-fA-F]{4}$/.test(t.slice(i + 2, i + 6)) : !'"\\/bfnrt'.includes(e ?? 'x'))
          fail('bad escape in a string');
        i += e === 'u' ? 6 : 2;
      } else i++;
    }
    i++;
  };
  const value = (depth: number): void => {
    if (depth > 256) fail(`nesting deeper than 256 levels`);
    ws();
    const ch = t[i];
    if (ch === undefined) return fail('unexpected end of input');
    if (ch === '"') return string();
    if (ch === '{' || ch === '[') {
      const close = ch === '{' ? '}' : ']';
      i++;
      ws();
      if (t[i] === close) return void i++;
      for (;;) {
        if (close === '}') {
          ws();
          if (t[i] !== '"')
            fail(t[i] === undefined ? 'unexpected end of input' : 'expected a property name in double quotes');
          string();
          ws();
          if (t[i] !== ':') fail("expected ':' after a property name");
          i++;
        }
        value(depth + 1);
        ws();
        if (t[i] === ',') i++;
        else if (t[i] === close) return void i++;
        else fail(t[i] === undefined ? 'unexpected end of input' : `expected ',' or '${close}'`);
      }
    }
    const num = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(t.slice(i, i + 400))?.[0];
    if (num) {
      i += num.length;
      return;
    }
    const lit = ['true', 'false', 'null'].find((l) => t.startsWith(l, i));
    if (lit) {
      i += lit.length;
      return;
    }
    fail('unexpected character');
  };
  try {
    value(0);
    ws();
    if (i < t.length) fail('unexpected content after the JSON value');
    return { at: 0, kind: 'not valid JSON' };
  } catch (err) {
    const at = (err as { at?: number }).at;
    return at === undefined ? { at: 0, kind: 'not valid JSON' } : { at, kind: errorMessage(err) };
  }
}

/** Whether `root` nests containers more than `max` deep; iterative, so a hostile depth cannot overflow the stack. */
function deeperThan(root: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[root, 0]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [node, depth] = item;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= max) return true;
    for (const v of Object.values(node)) stack.push([v, depth + 1]);
  }
  return false;
}

/** A `defaults` block in scope of an agent, nearest first. */
type Scope = readonly { readonly node: Record<string, unknown>; readonly path: string }[];

function withOwnDefaults(node: Record<string, unknown>, path: string, scope: Scope): Scope {
  const own = Object.entries(node)
    .filter(([k, v]) => isDefaultsBlock(k, v))
    .map(([k, v]) => ({ node: v as Record<string, unknown>, path: childPath(path, k) }));
  return own.length > 0 ? [...own, ...scope] : scope;
}

/**
 * Finds the agents in a config of any reasonable layout. Every property named `agents` (at any
 * depth) is a collection: each array item or map value under it is one agent, named by its
 * `name`/`id` field or its map key. With no `agents` collection anywhere, every object holding
 * a base-URL field is an agent. Inside an agent, base-URL, key and model fields are collected
 * from the whole subtree (so `llm.auth.apiKey` counts), with the JSON path of each. A kind of
 * field the agent does not set itself is inherited from the nearest `defaults` block (also
 * `default`, `_defaults`) held by one of its ancestors, or by its collection
 * (`defaults.openai.baseURL` applies to every agent without its own base URL), and marked
 * `inherited`; `defaults` blocks are never agents themselves. Edge cases: an empty collection
 * yields no agents (the caller must treat "no agents" as a failure), and a nested `agents`
 * collection inside an agent is walked as its own agents, not as fields of the parent.
 */
export function findAgents(root: unknown): AgentEntry[] {
  const agents: AgentEntry[] = [];
  const visitCollections = (node: unknown, path: string, scope: Scope): void => {
    if (Array.isArray(node)) node.forEach((v, i) => visitCollections(v, childPath(path, i), scope));
    else if (isObject(node)) {
      const inner = withOwnDefaults(node, path, scope);
      for (const [k, v] of Object.entries(node)) {
        if (isDefaultsBlock(k, v)) continue;
        const p = childPath(path, k);
        if (k.toLowerCase() === 'agents' && (Array.isArray(v) || isObject(v))) {
          const members: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
          const memberScope = isObject(v) ? withOwnDefaults(v, p, inner) : inner;
          for (const [mk, mv] of members) {
            if (typeof mk === 'string' && isDefaultsBlock(mk, mv)) continue;
            if (isObject(mv))
              agents.push(entryOf(mv, childPath(p, mk), typeof mk === 'string' ? mk : undefined, memberScope));
          }
        }
        visitCollections(v, p, inner);
      }
    }
  };
  visitCollections(root, '$', []);
  if (agents.length > 0) return agents;

  // Loose layouts: the agent owning a base-URL field is its nearest ancestor that is an array
  // item or carries a name, else the object holding the field itself.
  type Owner = { node: Record<string, unknown>; path: string; key?: string; scope: Scope };
  const owners = new Map<string, Owner>();
  const visitLoose = (
    node: unknown,
    path: string,
    owner: Owner | undefined,
    scope: Scope,
    key?: string,
    inArray = false,
  ): void => {
    if (Array.isArray(node)) node.forEach((v, i) => visitLoose(v, childPath(path, i), owner, scope, undefined, true));
    else if (isObject(node)) {
      const self = inArray || NAME_FIELDS.some((f) => typeof node[f] === 'string') ? { node, path, key, scope } : owner;
      const inner = withOwnDefaults(node, path, scope);
      for (const [k, v] of Object.entries(node)) {
        if (isDefaultsBlock(k, v)) continue;
        if (isUrlField(k) && typeof v === 'string') {
          const o = self ?? { node, path, key, scope };
          if (!owners.has(o.path)) owners.set(o.path, o);
        } else visitLoose(v, childPath(path, k), self, inner, k);
      }
    }
  };
  visitLoose(root, '$', undefined, []);
  for (const [path, o] of owners) agents.push(entryOf(o.node, path, o.key, o.scope));
  return agents;
}

interface Fields {
  baseUrls: Located<string>[];
  keys: Located<unknown>[];
  models: Located<string>[];
}

function fieldsOf(node: Record<string, unknown>, path: string): Fields {
  const f: Fields = { baseUrls: [], keys: [], models: [] };
  const model = (v: unknown, p: string): void => {
    if (typeof v === 'string' && v.trim()) f.models.push({ value: v.trim(), path: p });
    else if (Array.isArray(v)) v.forEach((m, i) => model(m, childPath(p, i)));
  };
  const walk = (n: unknown, p: string): void => {
    if (Array.isArray(n)) n.forEach((v, i) => walk(v, childPath(p, i)));
    else if (isObject(n)) {
      for (const [k, v] of Object.entries(n)) {
        if (k.toLowerCase() === 'agents') continue;
        const cp = childPath(p, k);
        if (isUrlField(k) && typeof v === 'string') f.baseUrls.push({ value: v, path: cp });
        else if (isKeyField(k) && v !== null && v !== undefined) f.keys.push({ value: v, path: cp });
        else if (MODEL_FIELDS.has(norm(k))) model(v, cp);
        else walk(v, cp);
      }
    }
  };
  walk(node, path);
  return f;
}

function entryOf(node: Record<string, unknown>, path: string, key: string | undefined, scope: Scope): AgentEntry {
  const named = NAME_FIELDS.map((f) => node[f]).find((v): v is string => typeof v === 'string' && v.trim() !== '');
  const own = fieldsOf(node, path);
  const defaults = scope.map((d) => fieldsOf(d.node, d.path));
  const inherit = <K extends keyof Fields>(kind: K): Fields[K] => {
    if (own[kind].length > 0) return own[kind];
    const from = defaults.find((d) => d[kind].length > 0)?.[kind] ?? [];
    return from.map((l) => ({ ...l, inherited: true as const })) as Fields[K];
  };
  return {
    name: named ?? key ?? path,
    path,
    baseUrls: inherit('baseUrls'),
    keys: inherit('keys'),
    models: inherit('models'),
  };
}

/** Which promise of §6 a problem breaks. */
type AgentRule = 'base-url' | 'no-key' | 'inline-key' | 'not-a-reference' | 'unset-reference';

/** One broken promise of §6, located: which agent (none for a key outside every agent), which field, what is wrong. */
export interface AgentProblem {
  readonly agent?: string;
  readonly path: string;
  readonly rule: AgentRule;
  readonly problem: string;
}

/** What the audit compares against. `env` resolves key references; `secrets` are values that must never appear inline. */
export interface AgentAuditInputs {
  readonly gatewayUrl: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly secrets: ReadonlyMap<string, string>;
}

/** Secret references the gate accepts: `TEAM_KEY_x`, `${TEAM_KEY_x}`, `$TEAM_KEY_x`, `env:TEAM_KEY_x`, `os.environ/TEAM_KEY_x`, `secret:TEAM_KEY_x`. */
const REFERENCE = /^(?:\$\{|\$|env:|os\.environ\/|secret:|vault:)?([A-Za-z_][A-Za-z0-9_]*)\}?$/;
const TEAM_KEY = /^TEAM_KEY_[A-Za-z0-9_]+$/;
/** In a key field, any `sk-` value is a provider or LiteLLM key, however short. */
const KEY_FIELD_SK = /^sk-[A-Za-z0-9_-]{8,}/;
/** Anywhere else: an `sk-…` token (OpenAI `sk-`, `sk-proj-`, `sk-svcacct-`, LiteLLM virtual keys), long and with a digit, as random keys are. */
const SK_TOKEN = /(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{16,}/g;
/** AWS access key ids: long-term `AKIA…` and temporary `ASIA…`. */
const AWS_TOKEN = /(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/g;
/** An Authorization header value: scheme and credential. */
const AUTH_VALUE = /^\s*(Bearer|Basic|Token)\s+(\S+)\s*$/i;
/** A credential that names where the secret lives instead of holding it (`${X}`, `$X`, `{{ secrets.X }}`, `env:X`, a variable name such as `TEAM_KEY_x`). */
const CREDENTIAL_REFERENCE =
  /^(?:\$\{[^}]+\}|\$[A-Za-z_]\w*|\{\{[^}]+\}\}|(?:env:|os\.environ\/|secret:|vault:)[\w./-]+|[A-Z][A-Z0-9]*(?:_[A-Za-z0-9]+)*)$/;

/** The key shapes found in `s`, each token with its kind. */
function keyTokens(s: string): { token: string; kind: string }[] {
  const out: { token: string; kind: string }[] = [];
  for (const m of s.matchAll(SK_TOKEN)) if (/\d/.test(m[0])) out.push({ token: m[0], kind: 'an sk-… API key' });
  for (const m of s.matchAll(AWS_TOKEN)) out.push({ token: m[0], kind: 'an AWS access key id (AKIA…)' });
  return out;
}

/** The kind of key shape in `s`, if any. */
function keyShape(s: string): string | undefined {
  return keyTokens(s)[0]?.kind;
}

/**
 * What makes `value` an inline credential, or undefined: a configured secret's value anywhere
 * in it (named by its variable), an `sk-…` or AWS key shape, or a literal Authorization
 * credential (`Bearer …`, `Basic …` that is not a reference). In a key field (`inKeyField`)
 * any `sk-` value counts, however short.
 */
function inlineKind(value: string, secrets: ReadonlyMap<string, string>, inKeyField: boolean): string | undefined {
  for (const [name, secret] of secrets) if (secret.length >= 8 && value.includes(secret)) return `the value of ${name}`;
  const shape = keyShape(value);
  if (shape) return shape;
  if (inKeyField && KEY_FIELD_SK.test(value.trim())) return 'an sk-… API key';
  const auth = AUTH_VALUE.exec(value);
  if (auth && !CREDENTIAL_REFERENCE.test(auth[2]!)) return `a literal ${auth[1]} credential`;
  return undefined;
}

/** A credential written into the config itself: where (a JSON path, or a line and column outside the parsed values) and what kind; never its value. */
export interface InlineKey {
  readonly path: string;
  readonly kind: string;
  /** Found in the text but in no parsed value: a YAML comment, or a key a later duplicate overrides. */
  readonly outsideValues?: true;
}

/**
 * Every inline credential in the document, at any depth under any field name, by JSON path:
 * configured secret values, `sk-…`/`sk-proj-…` keys, AWS `AKIA…` key ids, literal
 * `Authorization` credentials (`headers.Authorization: Bearer …`), key-shaped property names,
 * and any `sk-` value in a key field. With the file's `text`, key shapes that the parsed
 * document does not hold (in a YAML comment, or under a key a later duplicate overrode) are
 * reported too, by line and column. Never returns a value.
 */
export function findInlineKeys(root: unknown, secrets: ReadonlyMap<string, string>, text?: string): InlineKey[] {
  const out: InlineKey[] = [];
  const seenTokens = new Set<string>();
  const seenSecrets = new Set<string>();
  const note = (path: string, kind: string, s: string): void => {
    out.push({ path, kind });
    for (const t of keyTokens(s)) seenTokens.add(t.token);
    for (const [name, secret] of secrets) if (secret.length >= 8 && s.includes(secret)) seenSecrets.add(name);
  };
  // Depth-first in document order, without recursion: the stack holds children reversed.
  const stack: { node: unknown; path: string; inKeyField: boolean }[] = [{ node: root, path: '$', inKeyField: false }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { node, path, inKeyField } = item;
    if (typeof node === 'string') {
      const kind = inlineKind(node, secrets, inKeyField);
      if (kind) note(path, kind, node);
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push({ node: node[i], path: childPath(path, i), inKeyField });
    } else if (isObject(node)) {
      const entries = Object.entries(node);
      for (const [k] of entries) {
        const shape = keyShape(k);
        if (shape) note(childPath(path, k), `${shape} as a property name`, k);
      }
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, v] = entries[i]!;
        stack.push({ node: v, path: childPath(path, k), inKeyField: inKeyField || isKeyField(k) });
      }
    }
  }
  if (text === undefined) return out;
  const outside = (at: number, kind: string): void => {
    const { line, column } = lineColumn(text, at);
    out.push({ path: `line ${line}, column ${column}`, kind, outsideValues: true });
  };
  for (const re of [SK_TOKEN, AWS_TOKEN]) {
    for (const m of text.matchAll(re)) {
      const kind = keyShape(m[0]);
      if (kind && !seenTokens.has(m[0])) outside(m.index, kind);
    }
  }
  for (const [name, secret] of secrets) {
    const at = secret.length >= 8 && !seenSecrets.has(name) ? text.indexOf(secret) : -1;
    if (at >= 0) outside(at, `the value of ${name}`);
  }
  return out;
}

/**
 * A base URL reduced to what identifies the endpoint: lower-case scheme and host, no default
 * port, no trailing slash, and no trailing `/v1` (OpenAI SDKs are configured with or without
 * it and reach the same gateway). Unparseable input is returned trimmed, so it never matches.
 */
export function normalizeBaseUrl(url: string): string {
  try {
    const u = new URL(url.trim());
    const path = u.pathname.replace(/\/+$/, '').replace(/\/v1$/i, '');
    return `${u.protocol}//${u.host.toLowerCase()}${path}`;
  } catch {
    return url.trim();
  }
}

/** A base URL as a message may show it: quoted, without credentials or query, and not at all when it holds a key. */
function shownUrl(value: string, secrets: ReadonlyMap<string, string>): string {
  if (inlineKind(value, secrets, false)) return '(a value holding a key; not shown)';
  try {
    const u = new URL(value.trim());
    if (u.username || u.password || u.search) {
      u.username = '';
      u.password = '';
      u.search = '';
      return `${JSON.stringify(u.href)} (credentials and query not shown)`;
    }
  } catch {
    // Not a URL: shown as written, which is what the engineer must find in the file.
  }
  // Redacted before it is cut, so a secret split by the cut cannot leave a readable half.
  return JSON.stringify(excerptOf(value, 200));
}

/**
 * The `TEAM_KEY_*` variable a key field references, in any form the gate accepts, or undefined
 * (no reference, an inline key, another variable). `6/agent-config` and `6/team-keys` both use
 * it, so they agree on which variable an agent uses.
 */
export function teamKeyReference(value: unknown): string | undefined {
  const ref = REFERENCE.exec(keyString(value)?.trim() ?? '')?.[1];
  return ref && TEAM_KEY.test(ref) ? ref : undefined;
}

/** The string a key field holds: the value itself, or for `{ secretRef: "X" }`-style objects the first string inside. */
function keyString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isObject(value)) for (const v of Object.values(value)) if (typeof v === 'string') return v;
  return undefined;
}

const inherited = (l: Located<unknown>): string => (l.inherited ? ' (inherited from a defaults block)' : '');

/**
 * Applies runbook §6 to each agent: its base URL must be the gateway (normalized), it must have
 * a key, the key must not be inline (see `findInlineKeys`), and it must reference a
 * `TEAM_KEY_*` variable that is present and non-empty in `env`. Inherited fields are judged
 * like the agent's own and say so. Returns one problem per broken rule, each naming the agent
 * and the JSON path of the field (or of the agent, when the field is missing). Never echoes a
 * key value.
 */
export function auditAgents(agents: readonly AgentEntry[], i: AgentAuditInputs): AgentProblem[] {
  const out: AgentProblem[] = [];
  const gateway = normalizeBaseUrl(i.gatewayUrl);
  for (const a of agents) {
    const problem = (path: string, rule: AgentRule, text: string): void =>
      void out.push({ agent: a.name, path, rule, problem: text });
    if (a.baseUrls.length === 0)
      problem(
        a.path,
        'base-url',
        `has no base URL, of its own or from a defaults block (expected baseUrl = ${i.gatewayUrl})`,
      );
    for (const u of a.baseUrls) {
      if (normalizeBaseUrl(u.value) !== gateway)
        problem(
          u.path,
          'base-url',
          `base URL ${shownUrl(u.value, i.secrets)}${inherited(u)} is not the gateway ${i.gatewayUrl}`,
        );
    }
    if (a.keys.length === 0)
      problem(a.path, 'no-key', 'has no API key reference (expected e.g. apiKeyRef: "TEAM_KEY_<team>")');
    for (const k of a.keys) {
      const raw = keyString(k.value)?.trim();
      if (raw === undefined || raw === '') {
        problem(k.path, 'no-key', `API key reference${inherited(k)} is empty`);
        continue;
      }
      const kind = inlineKind(raw, i.secrets, true);
      if (kind) {
        problem(
          k.path,
          'inline-key',
          `holds an inline provider key (${kind})${inherited(k)}; reference a TEAM_KEY_* secret instead (and rotate the exposed key)`,
        );
        continue;
      }
      const ref = REFERENCE.exec(raw)?.[1];
      if (!ref || !TEAM_KEY.test(ref)) {
        // Only an environment-variable-shaped name is safe to echo; anything else may be a credential.
        const shown = ref && /^[A-Z][A-Z0-9_]*$/.test(ref) ? `the reference ${ref}` : 'a literal value';
        problem(k.path, 'not-a-reference', `is not a reference to a TEAM_KEY_* secret (found ${shown}${inherited(k)})`);
        continue;
      }
      if (!i.env[ref]?.trim()) {
        problem(
          k.path,
          'unset-reference',
          `references ${ref}, which is not set in the environment this check runs in${inherited(k)}. The gate reads TEAM_KEY_* from its own environment: ` +
            `in CI, add ${ref} as a GitHub Actions secret and map it into the job (env: ${ref}: \${{ secrets.${ref} }}); locally, put it in .env. ` +
            "Fly secrets (fly secrets set) reach the agents' machines, not this gate.",
        );
      }
    }
  }
  return out;
}

/** What `auditAgentsConfig` found: the agents, every broken §6 promise, and every inline credential in the file. */
export interface AgentsConfigAudit {
  readonly agents: AgentEntry[];
  readonly problems: AgentProblem[];
  readonly inlineKeys: InlineKey[];
}

/**
 * The whole §6 gate over one document: `auditAgents` on the agents `findAgents` finds, plus
 * every inline credential `findInlineKeys` finds anywhere in the file, each reported once (a
 * key in an agent's key field is that agent's problem; one elsewhere, under `defaults` or in a
 * comment, is reported by its location with the agent that holds it, if any).
 */
export function auditAgentsConfig(
  doc: { readonly root: unknown; readonly text?: string },
  i: AgentAuditInputs,
): AgentsConfigAudit {
  const agents = findAgents(doc.root);
  const problems = auditAgents(agents, i);
  const inlineKeys = findInlineKeys(doc.root, i.secrets, doc.text);
  const reported = new Set(problems.filter((p) => p.rule === 'inline-key').map((p) => p.path));
  const holder = (path: string): string | undefined =>
    agents
      .filter((a) => path === a.path || path.startsWith(`${a.path}.`) || path.startsWith(`${a.path}[`))
      .sort((x, y) => y.path.length - x.path.length)[0]?.name;
  for (const k of inlineKeys) {
    if (reported.has(k.path)) continue;
    const agent = holder(k.path);
    const where = k.outsideValues
      ? ' in text the parser reads as no value (a comment, or a key a later duplicate overrides)'
      : ' inline';
    problems.push({
      ...(agent ? { agent } : {}),
      path: k.path,
      rule: 'inline-key',
      problem: `holds ${k.kind}${where}; remove it from the file, reference a TEAM_KEY_* secret instead, and rotate the exposed key`,
    });
  }
  return { agents, problems, inlineKeys };
}
