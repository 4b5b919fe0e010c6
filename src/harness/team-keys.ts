import type { OwnKeyAnswer } from '../clients/key-info.ts';
import { type AgentEntry, teamKeyReference } from './agents-config.ts';

/** A model an agent needs its team key to allow, and where that requirement comes from. */
export interface RequiredModel {
  readonly model: string;
  /** The JSON path of the config field naming it, or the variable it defaults from (`MODEL_DEFAULT`). */
  readonly source: string;
}

/** One `TEAM_KEY_*` variable as the agents config uses it: by which agents, for which models. */
export interface TeamKeyUse {
  readonly variable: string;
  readonly agents: readonly string[];
  readonly requiredModels: readonly RequiredModel[];
}

/** A key reference this check leaves to `6/agent-config`: missing, inline, or not set. */
export interface UncheckedReference {
  readonly agent: string;
  readonly path: string;
  readonly reason: string;
}

/**
 * The `TEAM_KEY_*` variables the agents use and the models each must allow. A key field counts
 * when it references a `TEAM_KEY_*` variable that is set in `env`; anything else (no key, an
 * inline key, an unset variable) is returned as `unchecked`, because `6/agent-config` fails on
 * it with the agent and path. An agent's models are the strings under `model`, `models` or
 * `model_name` anywhere in its own subtree (`llm.model` counts); an agent naming none calls
 * whatever its code picks, so it needs the runbook's groups, `defaults` (MODEL_DEFAULT and
 * MODEL_ESCALATION). Agents sharing a variable are merged, their models united.
 */
export function teamKeyUses(
  agents: readonly AgentEntry[],
  env: Readonly<Record<string, string | undefined>>,
  defaults: readonly RequiredModel[],
): { uses: TeamKeyUse[]; unchecked: UncheckedReference[] } {
  const byVariable = new Map<string, { agents: string[]; models: Map<string, string> }>();
  const unchecked: UncheckedReference[] = [];
  for (const a of agents) {
    if (a.keys.length === 0) unchecked.push({ agent: a.name, path: a.path, reason: 'no key reference' });
    const named: RequiredModel[] = a.models.map((m) => ({ model: m.value, source: m.path }));
    for (const k of a.keys) {
      const variable = teamKeyReference(k.value);
      if (!variable) {
        unchecked.push({ agent: a.name, path: k.path, reason: 'not a TEAM_KEY_* reference' });
        continue;
      }
      if (!env[variable]?.trim()) {
        unchecked.push({ agent: a.name, path: k.path, reason: `${variable} is not set` });
        continue;
      }
      const entry = byVariable.get(variable) ?? { agents: [], models: new Map<string, string>() };
      byVariable.set(variable, entry);
      if (!entry.agents.includes(a.name)) entry.agents.push(a.name);
      for (const m of named.length > 0 ? named : defaults)
        if (!entry.models.has(m.model)) entry.models.set(m.model, m.source);
    }
  }
  const uses = [...byVariable].map(([variable, e]) => ({
    variable,
    agents: e.agents,
    requiredModels: [...e.models].map(([model, source]) => ({ model, source })),
  }));
  return { uses, unchecked };
}

/**
 * Whether a key whose `models` are `allowed` may call `model`, as LiteLLM's
 * `_check_model_access_helper` decides from the key alone: an empty list, `*` or
 * `all-proxy-models` allow everything; otherwise the exact name or a wildcard pattern
 * (`openai/*`, `*` matching any run of characters). `all-team-models` and model access groups
 * resolve through the team table and the router, which `/key/info` does not show: such a key
 * is not confirmed here.
 */
export function keyAllowsModel(allowed: readonly string[], model: string): boolean {
  if (allowed.length === 0 || allowed.includes('*') || allowed.includes('all-proxy-models') || allowed.includes(model))
    return true;
  return allowed.some(
    (p) => p.includes('*') && new RegExp(`^${p.split('*').map(escapeRegExp).join('.*')}$`).test(model),
  );
}

/** What the evidence keeps of one team key: its variable and alias, never the key itself. */
export interface TeamKeyRecord {
  readonly variable: string;
  readonly agents: readonly string[];
  /** `live` answered 200 and is neither blocked nor expired; `refused` is the gateway's 401; `unread` is any other failure. */
  readonly state: 'live' | 'not live' | 'refused' | 'unread';
  readonly alias: string | null;
  readonly teamId: string | null;
  readonly refused: 'expired' | 'blocked' | 'unknown' | null;
  /** The key's own `models`; `[]` allows every model, null when the row was not read. */
  readonly models: readonly string[] | null;
  readonly requiredModels: readonly RequiredModel[];
  readonly rpmLimit: number | null;
  readonly tpmLimit: number | null;
  readonly expires: string | null;
  readonly blocked: boolean | null;
  readonly status: string | null;
}

/**
 * Runbook §6 step 1 for one team key: what `readOwnKeyInfo` answered (or threw) against the
 * promises "live, not expired, not blocked, allows the agents' models". Returns the evidence
 * record and one problem per broken promise, each naming the variable, the alias when known and
 * the agents; never the key. An error (unreachable gateway, 500) is a problem too: an unread key
 * is not a live one.
 */
export function judgeTeamKey(
  use: TeamKeyUse,
  answer: OwnKeyAnswer | Error,
  nowMs: number,
): { record: TeamKeyRecord; problems: string[] } {
  const base = {
    variable: use.variable,
    agents: use.agents,
    requiredModels: use.requiredModels,
    alias: null,
    teamId: null,
    refused: null,
    models: null,
    rpmLimit: null,
    tpmLimit: null,
    expires: null,
    blocked: null,
    status: null,
  };
  const agents = `agent${use.agents.length === 1 ? '' : 's'} ${use.agents.join(', ')}`;
  if (answer instanceof Error) {
    return {
      record: { ...base, state: 'unread' },
      problems: [`${use.variable} (${agents}): cannot tell whether it is a live key: ${answer.message}`],
    };
  }
  if (!answer.live) {
    const why = {
      unknown: `not a live key: the gateway does not know it (never created, revoked or deleted); create the rotated key on the gateway, or push the right value with fly secrets set ${use.variable}=…`,
      expired: `the key has expired${answer.expiredAt ? ` (at ${answer.expiredAt})` : ''}`,
      blocked: 'the key is blocked (unblock it with /key/unblock, or rotate it)',
    }[answer.refused];
    return {
      record: { ...base, state: 'refused', refused: answer.refused },
      problems: [`${use.variable} (${agents}): GET /key/info asked with this key answered 401: ${why}`],
    };
  }
  const r = answer.row;
  const who = `${use.variable} (alias ${r.alias ?? 'none'}; ${agents})`;
  const problems: string[] = [];
  if (r.blocked || r.status === 'revoked') problems.push(`${who} is blocked (status ${r.status ?? 'revoked'})`);
  const expired =
    r.status === 'expired' || r.status === 'deleted' || (r.expires !== null && expiresAtMs(r.expires) <= nowMs);
  if (expired && !r.blocked)
    problems.push(
      `${who} is not live: ${r.status === 'deleted' ? 'deleted' : `expired at ${r.expires ?? '(no expiry given)'}`}`,
    );
  const live = problems.length === 0;
  for (const m of use.requiredModels) {
    if (!keyAllowsModel(r.models, m.model))
      problems.push(
        `${who} does not allow model ${m.model} (required by ${m.source}); the key allows only ${r.models.join(', ')}`,
      );
  }
  return { record: { ...base, ...r, state: live ? 'live' : 'not live' }, problems };
}

/** LiteLLM parses a naive `expires` as UTC (`_derive_key_status`); so does this. */
function expiresAtMs(expires: string): number {
  return Date.parse(/(?:Z|[+-]\d\d:?\d\d)$/i.test(expires) ? expires : `${expires}Z`);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
