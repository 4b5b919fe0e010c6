import type { CheckId } from './catalogue.ts';
import type { CheckRecord } from './model.ts';
import { bound, stripControl } from './sanitize.ts';
import { duration, num } from '../measure/format.ts';

/** The longest text `verifiedText` returns before its `… (N chars)` note: one table cell of a PR comment. */
export const VERIFIED_MAX = 240;

/** The longest one recorded value (a version, a host, a machine id) may be inside the text. */
const VALUE_MAX = 96;

/** How many items of a list (agents, apps, keys) are named before `+N more`. */
const LIST_MAX = 4;

type Obs = Readonly<Record<string, unknown>>;

/** One rule: the phrases that say what a check verified, read from its observations; `undefined` phrases are left out. */
type Rule = (o: Obs) => readonly (string | undefined)[];

/**
 * What each check verified, as the check recorded it: one rule per registry id, each naming the
 * observations it reads (see the `c.observe` calls in `tests/`). A rule that finds none of its
 * fields (a bundle from an older suite, or edited by hand) yields nothing, and the generic
 * summary stands in for it.
 */
const RULES: Readonly<Partial<Record<CheckId, Rule>>> = {
  '1/fly-secrets': (o) => {
    const apps = entries(o.secrets).map(([app, s]) => [app, int(obj(s).expected)] as const);
    const total = apps.reduce((n, [, e]) => n + (e ?? 0), 0);
    if (apps.length === 0) return [];
    return [
      `${total} secret names present on ${plural(apps.length, 'app')} (${list(apps.map(([a, e]) => `${a} ${e ?? '?'}`))})`,
    ];
  },
  '1/langfuse-schema': (o) => {
    const ch = obj(o.clickhouseMigration);
    const pg = obj(o.postgresMigrations);
    return [
      has(ch, 'version')
        ? `ClickHouse schema_migrations version ${val(ch.version)}, ${ch.dirty ? 'dirty' : 'not dirty'}`
        : undefined,
      has(pg, 'applied')
        ? `Postgres ${val(pg.applied)} migrations applied${has(pg, 'latest') ? `, latest ${val(pg.latest)}` : ''}, ${arr(pg.pending).length} pending`
        : undefined,
    ];
  },
  '1/redis': (o) => {
    const cache = obj(o.gatewayCache);
    return [
      has(cache, 'type')
        ? `gateway cache ${val(cache.type)} ${cache.healthy === true ? 'healthy' : 'answered'}${has(cache, 'redisPing') ? `, PING ${val(cache.redisPing)}` : ''}`
        : undefined,
      opt(o.workerHealth),
    ];
  },
  '1/tls': (o) =>
    ['gateway', 'langfuse'].map((site) => {
      const s = obj(o[site]);
      if (!has(s, 'host')) return undefined;
      const until = typeof s.validTo === 'string' ? s.validTo.slice(0, 10) : undefined;
      return `${site} ${val(s.host)}${until ? ` certificate valid until ${val(until)}` : ''}`;
    }),
  '2/clickhouse': (o) => [
    has(o, 'clickhouseVersion') ? `SELECT 1 = 1 on ClickHouse ${val(o.clickhouseVersion)}` : undefined,
    opt(o.where),
  ],
  '2/fly-machines': (o) => {
    const machines = entries(o.machines).map(([app, n]) => [app, int(n) ?? 0] as const);
    const releases = entries(o.deploys).map(([app, groups]) => {
      const versions = [...new Set(entries(groups).map(([, g]) => val(obj(g).version)))];
      return `${app} release ${versions.join('/')}`;
    });
    const regions = arr(o.regions).length > 0 ? arr(o.regions) : has(o, 'region') ? [o.region] : [];
    return [
      machines.length > 0
        ? `${plural(
            machines.reduce((n, [, m]) => n + m, 0),
            'machine',
          )} started on ${plural(machines.length, 'app')}`
        : undefined,
      regions.length > 0 ? `region ${list(regions.map(val))}` : undefined,
      releases.length > 0 ? list(releases) : undefined,
    ];
  },
  '2/langfuse-ui': (o) => {
    const bg = obj(o.backgroundMigrations);
    return [
      has(o, 'langfuseVersion') ? `Langfuse ${val(o.langfuseVersion)}` : undefined,
      has(o, 'sessionUser') ? 'logged in' : undefined,
      has(o, 'dashboard') ? `dashboard ${val(o.dashboard)}` : undefined,
      has(bg, 'finished')
        ? `background migrations ${val(bg.finished)} finished, ${arr(bg.pending).length} pending, ${arr(bg.failed).length} failed`
        : undefined,
    ];
  },
  '2/minio': (o) => [opt(o.cluster), has(o, 'writeQuorum') ? `write quorum ${val(o.writeQuorum)}` : undefined],
  '3/smoke': (o) => [
    has(o, 'modelGroup') ? `model group ${val(o.modelGroup)}` : undefined,
    has(o, 'gatewayVersion') ? `LiteLLM ${val(o.gatewayVersion)}` : undefined,
    has(o, 'traceId')
      ? `trace ${val(o.traceId)} in Langfuse${has(o, 'langfuseModel') ? ` as ${val(o.langfuseModel)}` : ''}`
      : undefined,
  ],
  '4.1/exact-cache': (o) => {
    const reqs = ['request_1', 'request_2', 'request_3'].filter((k) => has(o, k));
    if (reqs.length === 0) return [];
    return [
      `gateway cache key ${reqs.map((k) => val(obj(o[k]).cacheKey)).join('/')}`,
      `Langfuse cache hit ${reqs.map((k) => yesNo(obj(o[`${k}_langfuse`]).cacheHit)).join('/')}`,
      has(obj(o.gatewayCache), 'type') ? `cache ${val(obj(o.gatewayCache).type)}` : undefined,
    ];
  },
  '4.2/semantic-cache': (o) => {
    const p2 = obj(o.prompt_2);
    const control = obj(o.control);
    return [
      has(p2, 'cacheKey')
        ? `paraphrase "${val(obj(o.pair).paraphrase)}" cache key ${val(p2.cacheKey)}${typeof p2.semanticSimilarity === 'number' ? ` (similarity ${num(p2.semanticSimilarity)})` : ''}`
        : undefined,
      has(control, 'cacheKey') ? `control cache key ${val(control.cacheKey)}` : undefined,
    ];
  },
  '5.1/rpm-limit': (o) => [
    has(o, 'rpmLimit')
      ? `limit ${val(o.rpmLimit)} rpm${has(o, 'limitSource') ? ` (${val(o.limitSource)})` : ''}`
      : undefined,
    entries(o.statusCounts).length > 0
      ? `HTTP ${list(entries(o.statusCounts).map(([s, n]) => `${s} ×${val(n)}`))}`
      : undefined,
    has(o, 'retryAfterS') ? `Retry-After ${val(o.retryAfterS)} s` : undefined,
    o.keyDeleted === true ? 'test key deleted' : undefined,
  ],
  '5.2/failover': (o) => {
    const esc = obj(o.escalation);
    const control = obj(o.control);
    return [
      has(esc, 'servedGroup')
        ? `long prompt served by ${val(esc.servedGroup)}${has(esc, 'attemptedFallbacks') ? ` after ${plural(int(esc.attemptedFallbacks) ?? 0, 'fallback')}` : ''}`
        : undefined,
      has(control, 'servedGroup') ? `control served by ${val(control.servedGroup)}` : undefined,
    ];
  },
  '6/agent-config': (o) => [
    arr(o.agents).length > 0 ? `${plural(arr(o.agents).length, 'agent')} (${list(arr(o.agents).map(val))})` : undefined,
    has(o, 'gatewayUrl') ? `base URL ${val(o.gatewayUrl)}` : undefined,
    has(o, 'configPath') ? `in ${val(o.configPath)}` : undefined,
  ],
  '6/team-keys': (o) => {
    const keys = arr(o.teamKeys).map(obj);
    if (keys.length === 0) return [];
    return [
      `${plural(keys.length, 'key')}: ${list(keys.map((k) => `${val(k.variable)} ${val(k.state)}${has(k, 'rpmLimit') ? ` rpm ${val(k.rpmLimit)}` : ''}`))}`,
    ];
  },
  '7/rollback-readiness': (o) => {
    const statuses = arr(o.gatewayStatuses);
    return [
      has(o, 'directUrl') ? `direct target ${val(o.directUrl)} answered` : undefined,
      statuses.length > 0
        ? `gateway ${statuses.filter((s) => s === 200).length}/${statuses.length} HTTP 200${obj(o.cacheBypass).served === true ? ' with the cache bypassed' : ''}`
        : undefined,
    ];
  },
  '6/live-traffic': (o) => [
    arr(o.agents).length > 0 ? `${plural(arr(o.agents).length, 'agent')} (${list(arr(o.agents).map(val))})` : undefined,
    typeof o.watchedMs === 'number' ? `watched ${duration(o.watchedMs)}` : undefined,
    has(o, 'trafficSource') ? `traffic from ${val(o.trafficSource)}` : undefined,
  ],
  '7/watch': (o) => [
    typeof o.watchedMs === 'number' ? `watched ${duration(o.watchedMs)}` : undefined,
    arr(o.series).length > 0 ? plural(arr(o.series).length, 'poll') : undefined,
    has(o, 'baselineSource') ? `baseline ${val(o.baselineSource)}` : undefined,
  ],
};

/**
 * What a check verified, in one short line of plain text: its registry rule applied to its
 * observations (the machine count and releases of `2/fly-machines`, the ClickHouse version of
 * `2/clickhouse`…), or, for an id without a rule or a rule that finds none of its fields, a
 * generic summary of its observations (scalars as `name: value`, then the names of the rest).
 * Never empty: a check that recorded nothing says so.
 *
 * The text is data, not markup: every recorded string in it is stripped of control characters
 * (one line) and cut to `VALUE_MAX`, the whole to `VERIFIED_MAX`, and each view still escapes it
 * for where it lands (`mdCell`, HTML escaping). `not checked` parts are left out (the views list
 * them as unchecked). Pure: the views are re-rendered from evidence.json and compared.
 */
export function verifiedText(c: CheckRecord): string {
  const o = obj(c.observations);
  // Own keys only: an id read from a bundle may be `constructor` or `__proto__`.
  const rule = Object.hasOwn(RULES, c.id) ? RULES[c.id as CheckId] : undefined;
  let parts = rule ? safe(() => rule(o)) : [];
  if (parts.length === 0) parts = generic(o, c);
  return bound(stripControl(parts.join('; ')).trim(), VERIFIED_MAX);
}

/** A rule's phrases without the empty ones; a rule that throws on a bundle edited by hand yields none. */
function safe(f: () => readonly (string | undefined)[]): string[] {
  try {
    return f().filter((p): p is string => typeof p === 'string' && p.trim() !== '');
  } catch {
    return [];
  }
}

function generic(o: Obs, c: CheckRecord): string[] {
  const kept = Object.entries(o).filter(([, v]) => !(typeof v === 'string' && /^not checked\b/.test(v)));
  const scalars = kept.filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v));
  const rest = kept.filter(([, v]) => !['string', 'number', 'boolean'].includes(typeof v));
  const parts = scalars.slice(0, LIST_MAX).map(([k, v]) => `${val(k)}: ${val(v)}`);
  const more = [...scalars.slice(LIST_MAX), ...rest].map(([k]) => val(k));
  if (more.length > 0) parts.push(`recorded ${list(more)}`);
  if (parts.length === 0)
    parts.push(
      c.measurements.length > 0
        ? `${plural(c.measurements.length, 'measurement')}, no observations`
        : 'nothing recorded beyond its status',
    );
  return parts;
}

/** A recorded value as one bounded line of text. */
function val(v: unknown): string {
  if (typeof v === 'number') return num(v);
  return bound(stripControl(typeof v === 'object' && v !== null ? JSON.stringify(v) : v).trim(), VALUE_MAX);
}

/** A string value, bounded, or undefined when absent or blank. */
function opt(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? val(v) : undefined;
}

function has(o: Obs, k: string): boolean {
  return o[k] !== undefined && o[k] !== null && o[k] !== '';
}

function obj(v: unknown): Obs {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obs) : {};
}

function arr(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

function entries(v: unknown): [string, unknown][] {
  return Object.entries(obj(v));
}

function int(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function yesNo(v: unknown): string {
  return v === true ? 'yes' : v === false ? 'no' : '?';
}

function plural(n: number, noun: string): string {
  return `${num(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/** The first `LIST_MAX` items, bounded, then how many more. */
function list(items: readonly unknown[]): string {
  const shown = items
    .slice(0, LIST_MAX)
    .map((i) => (typeof i === 'string' ? bound(stripControl(i).trim(), VALUE_MAX * 2) : val(i)));
  return `${shown.join(', ')}${items.length > LIST_MAX ? ` +${items.length - LIST_MAX} more` : ''}`;
}
