import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';

/** A field found in the config: its value and the JSON path that locates it (`$.agents[0].baseUrl`). */
export interface Located<T> {
  readonly value: T;
  readonly path: string;
}

/** One agent as the walker found it; fields are undefined when the agent has none. */
export interface AgentEntry {
  readonly name: string;
  /** JSON path of the agent's own object. */
  readonly path: string;
  readonly baseUrls: readonly Located<string>[];
  readonly keys: readonly Located<unknown>[];
  /** The model (group) names under `model`, `models` or `model_name` in the agent's own subtree. */
  readonly models: readonly Located<string>[];
}

/** Field names read as an agent's base URL (OpenAI SDKs, LiteLLM and hand-rolled configs spell it differently). */
const URL_FIELDS = new Set(['baseurl', 'base_url', 'apibase', 'api_base', 'endpoint', 'apiurl', 'api_url', 'openaibaseurl', 'openai_base_url', 'gatewayurl', 'gateway_url']);
/** Field names read as an agent's API key or key reference. */
const KEY_FIELDS = new Set(['apikey', 'api_key', 'apikeyref', 'api_key_ref', 'keyref', 'key_ref', 'apikeysecret', 'api_key_secret', 'apikeyenv', 'api_key_env', 'secretref', 'secret_ref', 'key', 'token', 'openaiapikey', 'openai_api_key']);
const NAME_FIELDS = ['name', 'id', 'agent', 'agentName', 'agent_name'];
/** Field names read as the model (group) an agent calls. */
const MODEL_FIELDS = new Set(['model', 'models', 'model_name', 'modelname']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const norm = (k: string): string => k.toLowerCase().replace(/-/g, '_');
const isUrlField = (k: string): boolean => URL_FIELDS.has(norm(k)) || URL_FIELDS.has(norm(k).replace(/_/g, ''));
const isKeyField = (k: string): boolean => KEY_FIELDS.has(norm(k)) || KEY_FIELDS.has(norm(k).replace(/_/g, ''));

/** `$.a.b`, `$.a["odd-key"]`, `$.a[0]`: readable, and unambiguous for any key. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/**
 * Reads an agents config file (JSON, or YAML by extension). Throws with the path and the parse
 * error: a config the gate cannot read must fail the gate, not pass it.
 */
export function readAgentsConfig(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  const ext = extname(file).toLowerCase();
  try {
    return ext === '.yaml' || ext === '.yml' ? parseYaml(text) : (JSON.parse(text) as unknown);
  } catch (err) {
    throw new Error(`agents config ${file} is not valid ${ext === '.yaml' || ext === '.yml' ? 'YAML' : 'JSON'}: ${(err as Error).message}`);
  }
}

/**
 * Finds the agents in a config of any reasonable layout. Every property named `agents` (at any
 * depth) is a collection: each array item or map value under it is one agent, named by its
 * `name`/`id` field or its map key. With no `agents` collection anywhere, every object holding
 * a base-URL field is an agent. Inside an agent, base-URL and key fields are collected from the
 * whole subtree (so `llm.auth.apiKey` counts), with the JSON path of each. Edge cases: an empty
 * collection yields no agents (the caller must treat "no agents" as a failure), and a nested
 * `agents` collection inside an agent is walked as its own agents, not as fields of the parent.
 */
export function findAgents(root: unknown): AgentEntry[] {
  const agents: AgentEntry[] = [];
  const visitCollections = (node: unknown, path: string): void => {
    if (Array.isArray(node)) node.forEach((v, i) => visitCollections(v, childPath(path, i)));
    else if (isObject(node)) {
      for (const [k, v] of Object.entries(node)) {
        const p = childPath(path, k);
        if (k.toLowerCase() === 'agents' && (Array.isArray(v) || isObject(v))) {
          const members: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
          for (const [mk, mv] of members) if (isObject(mv)) agents.push(entryOf(mv, childPath(p, mk), typeof mk === 'string' ? mk : undefined));
        }
        visitCollections(v, p);
      }
    }
  };
  visitCollections(root, '$');
  if (agents.length > 0) return agents;

  // Loose layouts: the agent owning a base-URL field is its nearest ancestor that is an array
  // item or carries a name, else the object holding the field itself.
  const owners = new Map<string, { node: Record<string, unknown>; key?: string }>();
  const visitLoose = (node: unknown, path: string, owner: { node: Record<string, unknown>; path: string; key?: string } | undefined, key?: string, inArray = false): void => {
    if (Array.isArray(node)) node.forEach((v, i) => visitLoose(v, childPath(path, i), owner, undefined, true));
    else if (isObject(node)) {
      const self = inArray || NAME_FIELDS.some((f) => typeof node[f] === 'string') ? { node, path, key } : owner;
      for (const [k, v] of Object.entries(node)) {
        if (isUrlField(k) && typeof v === 'string') {
          const o = self ?? { node, path, key };
          if (!owners.has(o.path)) owners.set(o.path, { node: o.node, key: o.key });
        } else visitLoose(v, childPath(path, k), self, k);
      }
    }
  };
  visitLoose(root, '$', undefined);
  for (const [path, o] of owners) agents.push(entryOf(o.node, path, o.key));
  return agents;
}

function entryOf(node: Record<string, unknown>, path: string, key: string | undefined): AgentEntry {
  const named = NAME_FIELDS.map((f) => node[f]).find((v): v is string => typeof v === 'string' && v.trim() !== '');
  const baseUrls: Located<string>[] = [];
  const keys: Located<unknown>[] = [];
  const models: Located<string>[] = [];
  const model = (v: unknown, p: string): void => {
    if (typeof v === 'string' && v.trim()) models.push({ value: v.trim(), path: p });
    else if (Array.isArray(v)) v.forEach((m, i) => model(m, childPath(p, i)));
  };
  const walk = (n: unknown, p: string): void => {
    if (Array.isArray(n)) n.forEach((v, i) => walk(v, childPath(p, i)));
    else if (isObject(n)) {
      for (const [k, v] of Object.entries(n)) {
        if (k.toLowerCase() === 'agents') continue;
        const cp = childPath(p, k);
        if (isUrlField(k) && typeof v === 'string') baseUrls.push({ value: v, path: cp });
        else if (isKeyField(k) && v !== null && v !== undefined) keys.push({ value: v, path: cp });
        else if (MODEL_FIELDS.has(norm(k))) model(v, cp);
        else walk(v, cp);
      }
    }
  };
  walk(node, path);
  return { name: named ?? key ?? path, path, baseUrls, keys, models };
}

/** One broken promise of §6, located: which agent, which field, what is wrong. */
export interface AgentProblem {
  readonly agent: string;
  readonly path: string;
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
/** OpenAI key shapes (`sk-…`, `sk-proj-…`, `sk-svcacct-…`) and LiteLLM virtual keys (`sk-…`). */
const INLINE_KEY = /^sk-[A-Za-z0-9_-]{8,}/;

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

/**
 * Applies runbook §6 to each agent: its base URL must be the gateway (normalized), it must have
 * a key, the key must not be inline (an `sk-…` shape or the value of any configured secret),
 * and it must reference a `TEAM_KEY_*` secret that is present and non-empty in `env`. Returns
 * one problem per broken rule, each naming the agent and the JSON path of the field (or of the
 * agent, when the field is missing). Never echoes a key value.
 */
export function auditAgents(agents: readonly AgentEntry[], i: AgentAuditInputs): AgentProblem[] {
  const out: AgentProblem[] = [];
  const gateway = normalizeBaseUrl(i.gatewayUrl);
  const secretValues = new Set([...i.secrets.values()].filter((v) => v.length >= 8));
  for (const a of agents) {
    if (a.baseUrls.length === 0) out.push({ agent: a.name, path: a.path, problem: `has no base URL (expected baseUrl = ${i.gatewayUrl})` });
    for (const u of a.baseUrls) {
      if (normalizeBaseUrl(u.value) !== gateway) out.push({ agent: a.name, path: u.path, problem: `base URL ${JSON.stringify(u.value)} is not the gateway ${i.gatewayUrl}` });
    }
    if (a.keys.length === 0) out.push({ agent: a.name, path: a.path, problem: 'has no API key reference (expected e.g. apiKeyRef: "TEAM_KEY_<team>")' });
    for (const k of a.keys) {
      const raw = keyString(k.value)?.trim();
      if (raw === undefined || raw === '') {
        out.push({ agent: a.name, path: k.path, problem: 'API key reference is empty' });
        continue;
      }
      if (INLINE_KEY.test(raw) || secretValues.has(raw)) {
        out.push({ agent: a.name, path: k.path, problem: 'holds an inline provider key; reference a TEAM_KEY_* secret instead (and rotate the exposed key)' });
        continue;
      }
      const ref = REFERENCE.exec(raw)?.[1];
      if (!ref || !TEAM_KEY.test(ref)) {
        // Only an environment-variable-shaped name is safe to echo; anything else may be a credential.
        const shown = ref && /^[A-Z][A-Z0-9_]*$/.test(ref) ? `the reference ${ref}` : 'a literal value';
        out.push({ agent: a.name, path: k.path, problem: `is not a reference to a TEAM_KEY_* secret (found ${shown})` });
        continue;
      }
      if (!i.env[ref]?.trim()) out.push({ agent: a.name, path: k.path, problem: `references ${ref}, which is not set in the environment (push it with fly secrets set ${ref}=…)` });
    }
  }
  return out;
}

/** `yaml`, loaded synchronously on first use: most agent configs are JSON, and it costs ~10 MB. */
function parseYaml(text: string): unknown {
  const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yaml.parse(text) as unknown;
}
