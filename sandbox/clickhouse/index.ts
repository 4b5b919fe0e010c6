import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listen, readText } from '../http.ts';
import type { ComponentContext, Listening } from '../types.ts';

/** The server version the stand-in reports, in error texts and `SELECT version()`. */
export const CLICKHOUSE_VERSION = '24.8.4.13';

/**
 * The newest Langfuse ClickHouse migration (`packages/shared/clickhouse/migrations/0046_*`), the
 * version a fully migrated `schema_migrations` table reports.
 */
export const LANGFUSE_CLICKHOUSE_MIGRATION = 46;

/** Options of `startClickHouse`: the one non-default user the Langfuse deployment created. */
export interface ClickHouseOptions extends ComponentContext {
  readonly user: string;
  readonly password: string;
}

// ClickHouse error codes the stand-in raises (src/Common/ErrorCodes.cpp).
const CODES = {
  UNKNOWN_IDENTIFIER: 47,
  NOT_IMPLEMENTED: 48,
  UNKNOWN_TABLE: 60,
  SYNTAX_ERROR: 62,
  UNKNOWN_FORMAT: 73,
  READONLY: 164,
  REQUIRED_PASSWORD: 194,
  AUTHENTICATION_FAILED: 516,
} as const;
type CodeName = keyof typeof CODES;

// exceptionCodeToHTTPStatus.cpp, for the codes above; READONLY is unmapped there, hence 500.
const HTTP_STATUS: Record<CodeName, number> = {
  UNKNOWN_IDENTIFIER: 404,
  NOT_IMPLEMENTED: 501,
  UNKNOWN_TABLE: 404,
  SYNTAX_ERROR: 400,
  UNKNOWN_FORMAT: 404,
  READONLY: 500,
  REQUIRED_PASSWORD: 401,
  AUTHENTICATION_FAILED: 403,
};

class ClickHouseError extends Error {
  constructor(
    readonly codeName: CodeName,
    message: string,
  ) {
    super(message);
  }

  get code(): number {
    return CODES[this.codeName];
  }

  /** The body ClickHouse sends: `Code: N. DB::Exception: … (NAME) (version …)`. */
  get body(): string {
    return `Code: ${this.code}. DB::Exception: ${this.message}. (${this.codeName}) (version ${CLICKHOUSE_VERSION} (official build))\n`;
  }
}

type Value = number | string;
interface Column {
  name: string;
  type: string;
}
interface Table {
  columns: Column[];
  rows: Record<string, Value>[];
}

function tables(dirty: boolean): Map<string, Table> {
  const start = 1_700_000_000_000_000_000n;
  // `schema-dirty`: golang-migrate marks the newest row dirty when a migration fails half-way.
  const migrations = Array.from({ length: LANGFUSE_CLICKHOUSE_MIGRATION }, (_, i) => ({
    version: i + 1,
    dirty: dirty && i === LANGFUSE_CLICKHOUSE_MIGRATION - 1 ? 1 : 0,
    sequence: (start + BigInt(i) * 1_000_000n).toString(),
  }));
  const langfuseTables = ['traces', 'observations', 'scores', 'event_log', 'schema_migrations'];
  return new Map<string, Table>([
    ['system.one', { columns: [{ name: 'dummy', type: 'UInt8' }], rows: [{ dummy: 0 }] }],
    [
      // golang-migrate's ClickHouse driver: `schema_migrations(version Int64, dirty UInt8, sequence UInt64)`.
      'default.schema_migrations',
      {
        columns: [
          { name: 'version', type: 'Int64' },
          { name: 'dirty', type: 'UInt8' },
          { name: 'sequence', type: 'UInt64' },
        ],
        rows: migrations,
      },
    ],
    [
      'system.tables',
      {
        columns: [
          { name: 'database', type: 'String' },
          { name: 'name', type: 'String' },
          { name: 'engine', type: 'String' },
        ],
        rows: [
          ...langfuseTables.map((name) => ({
            database: 'default',
            name,
            engine: name === 'schema_migrations' ? 'TinyLog' : 'ReplacingMergeTree',
          })),
          { database: 'system', name: 'one', engine: 'SystemOne' },
          { database: 'system', name: 'tables', engine: 'SystemTables' },
          { database: 'system', name: 'databases', engine: 'SystemDatabases' },
        ],
      },
    ],
    [
      'system.databases',
      {
        columns: [
          { name: 'name', type: 'String' },
          { name: 'engine', type: 'String' },
        ],
        rows: [
          { name: 'default', engine: 'Atomic' },
          { name: 'system', engine: 'Atomic' },
        ],
      },
    ],
  ]);
}

interface Result {
  columns: Column[];
  rows: Value[][];
}

/**
 * Strips `--` comments, a trailing `;`, and a trailing `FORMAT x` clause. Only a single
 * statement is accepted, as over the real HTTP interface (multi-statements are a client feature).
 */
function splitFormat(sql: string): { sql: string; format?: string } {
  let s = sql
    .replace(/--[^\n]*/g, ' ')
    .trim()
    .replace(/;\s*$/, '')
    .trim();
  if (s.includes(';')) throw new ClickHouseError('SYNTAX_ERROR', 'Syntax error (Multi-statements are not allowed)');
  const m = /\s+FORMAT\s+(\w+)\s*$/i.exec(s);
  if (!m) return { sql: s };
  s = s.slice(0, m.index);
  return { sql: s, format: m[1] };
}

const WRITE_RE = /^(INSERT|CREATE|DROP|ALTER|TRUNCATE|RENAME|OPTIMIZE|DELETE|UPDATE|SYSTEM|SET|GRANT|REVOKE|KILL)\b/i;

const SELECT_RE =
  /^SELECT\s+(?<cols>.+?)(?:\s+FROM\s+(?<table>[\w.]+))?(?:\s+WHERE\s+(?<where>.+?))?(?:\s+ORDER\s+BY\s+(?<order>\w+)(?:\s+(?<dir>ASC|DESC))?)?(?:\s+LIMIT\s+(?<limit>\d+))?$/is;

/** Splits on commas outside quotes and parentheses. */
function splitList(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const ch of text) {
    if (ch === "'") quoted = !quoted;
    if (!quoted && ch === '(') depth += 1;
    if (!quoted && ch === ')') depth -= 1;
    if (!quoted && depth === 0 && ch === ',') {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  parts.push(current.trim());
  return parts;
}

function literal(text: string): { value: Value; type: string } | undefined {
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    const type = n < 0 ? 'Int64' : n < 256 ? 'UInt8' : n < 65_536 ? 'UInt16' : n < 2 ** 32 ? 'UInt32' : 'UInt64';
    return { value: n, type: n < 0 && n >= -128 ? 'Int8' : type };
  }
  const str = /^'((?:[^'\\]|\\.)*)'$/.exec(text);
  if (str) return { value: (str[1] ?? '').replace(/\\(.)/g, '$1'), type: 'String' };
  return undefined;
}

/**
 * A tiny SELECT engine: literals, `version()`, `currentUser()`, `count()`, columns and `*` of
 * the few tables the suite's health checks read, `WHERE a = 'x' AND b = 1`, one-column
 * `ORDER BY`, and `LIMIT`. Anything else is a SYNTAX_ERROR, never a silently wrong answer.
 */
function runSelect(sql: string, user: string, data: Map<string, Table>): Result {
  const m = SELECT_RE.exec(sql);
  const g = m?.groups;
  if (!g?.['cols']) {
    throw new ClickHouseError(
      'SYNTAX_ERROR',
      `Syntax error: failed at position 1 ('${sql.slice(0, 20)}'): ${sql}. Expected SELECT`,
    );
  }
  const tableName = g['table'];
  let table: Table = { columns: [{ name: 'dummy', type: 'UInt8' }], rows: [{ dummy: 0 }] };
  if (tableName) {
    const key = tableName.includes('.') ? tableName : `default.${tableName}`;
    const found = data.get(key);
    if (!found) {
      throw new ClickHouseError('UNKNOWN_TABLE', `Unknown table expression identifier '${tableName}' in scope ${sql}`);
    }
    table = found;
  }
  const unknownIdentifier = (name: string): ClickHouseError =>
    new ClickHouseError('UNKNOWN_IDENTIFIER', `Unknown expression identifier \`${name}\` in scope ${sql}`);
  const columnOf = (name: string): Column => {
    const c = table.columns.find((col) => col.name === name);
    if (!c || !tableName) throw unknownIdentifier(name);
    return c;
  };

  let rows = table.rows;
  if (g['where']) {
    const conditions = g['where'].split(/\s+AND\s+/i).map((cond) => {
      const eq = /^(\w+)\s*=\s*(.+)$/.exec(cond.trim());
      const lit = eq?.[2] ? literal(eq[2].trim()) : undefined;
      if (!eq?.[1] || !lit)
        throw new ClickHouseError(
          'SYNTAX_ERROR',
          `Syntax error: the sandbox supports only col = literal in WHERE: ${cond}`,
        );
      return { column: columnOf(eq[1]).name, value: lit.value };
    });
    rows = rows.filter((r) => conditions.every((c) => String(r[c.column]) === String(c.value)));
  }
  if (g['order']) {
    const col = columnOf(g['order']).name;
    const sign = g['dir']?.toUpperCase() === 'DESC' ? -1 : 1;
    // UInt64 values are kept as decimal strings, so compare as BigInt where both sides are integers.
    const num = (v: Value | undefined): bigint | undefined =>
      v !== undefined && /^-?\d+$/.test(String(v)) ? BigInt(v) : undefined;
    rows = [...rows].sort((a, b) => {
      const x = num(a[col]);
      const y = num(b[col]);
      if (x !== undefined && y !== undefined) return x === y ? 0 : x < y ? -sign : sign;
      return String(a[col]).localeCompare(String(b[col])) * sign;
    });
  }

  const exprs = splitList(g['cols']);
  if (exprs.length === 1 && /^count\(\s*\*?\s*\)(\s+AS\s+\w+)?$/i.test(exprs[0] ?? '')) {
    const alias = /\s+AS\s+(\w+)$/i.exec(exprs[0] ?? '')?.[1];
    return { columns: [{ name: alias ?? 'count()', type: 'UInt64' }], rows: [[String(rows.length)]] };
  }
  if (g['limit']) rows = rows.slice(0, Number(g['limit']));

  const projections = exprs.flatMap((raw): { column: Column; value: (r: Record<string, Value>) => Value }[] => {
    const aliased = /^(.+?)\s+AS\s+(\w+)$/i.exec(raw);
    const expr = (aliased?.[1] ?? raw).trim();
    const alias = aliased?.[2];
    if (expr === '*') return table.columns.map((c) => ({ column: c, value: (r) => r[c.name] ?? '' }));
    const lit = literal(expr);
    if (lit) return [{ column: { name: alias ?? expr, type: lit.type }, value: () => lit.value }];
    if (/^version\(\)$/i.test(expr))
      return [{ column: { name: alias ?? 'version()', type: 'String' }, value: () => CLICKHOUSE_VERSION }];
    if (/^currentUser\(\)$/i.test(expr))
      return [{ column: { name: alias ?? 'currentUser()', type: 'String' }, value: () => user }];
    if (/^\w+$/.test(expr)) {
      const c = columnOf(expr);
      return [{ column: { name: alias ?? c.name, type: c.type }, value: (r) => r[c.name] ?? '' }];
    }
    throw new ClickHouseError('SYNTAX_ERROR', `Syntax error: the sandbox cannot evaluate '${expr}'`);
  });
  return { columns: projections.map((p) => p.column), rows: rows.map((r) => projections.map((p) => p.value(r))) };
}

// JSON output quotes 64-bit integers by default (output_format_json_quote_64bit_integers=1).
function jsonValue(v: Value, type: string): Value {
  if (/^U?Int64$/.test(type)) return String(v);
  if (/^U?Int(8|16|32)$/.test(type)) return Number(v);
  return v;
}

function tsvEscape(v: Value): string {
  return String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
}

const CONTENT_TYPES: Record<string, string> = {
  TabSeparated: 'text/tab-separated-values; charset=UTF-8',
  TabSeparatedWithNames: 'text/tab-separated-values; charset=UTF-8',
  JSON: 'application/json; charset=UTF-8',
  JSONEachRow: 'application/x-ndjson; charset=UTF-8',
};
const FORMAT_ALIASES: Record<string, string> = {
  tabseparated: 'TabSeparated',
  tsv: 'TabSeparated',
  tabseparatedwithnames: 'TabSeparatedWithNames',
  tsvwithnames: 'TabSeparatedWithNames',
  json: 'JSON',
  jsoneachrow: 'JSONEachRow',
};

function render(result: Result, format: string, elapsed: number): string {
  const tsvRows = result.rows.map((r) => `${r.map(tsvEscape).join('\t')}\n`).join('');
  switch (format) {
    case 'TabSeparated':
      return tsvRows;
    case 'TabSeparatedWithNames':
      return `${result.columns.map((c) => tsvEscape(c.name)).join('\t')}\n${tsvRows}`;
    case 'JSONEachRow':
      return result.rows
        .map(
          (r) =>
            `${JSON.stringify(Object.fromEntries(result.columns.map((c, i) => [c.name, jsonValue(r[i] ?? '', c.type)])))}\n`,
        )
        .join('');
    default: {
      const body = {
        meta: result.columns,
        data: result.rows.map((r) =>
          Object.fromEntries(result.columns.map((c, i) => [c.name, jsonValue(r[i] ?? '', c.type)])),
        ),
        rows: result.rows.length,
        statistics: { elapsed, rows_read: result.rows.length, bytes_read: result.rows.length },
      };
      return `${JSON.stringify(body, null, '\t')}\n`;
    }
  }
}

interface Credentials {
  user: string;
  password: string;
  supplied: boolean;
}

/** The three ways the HTTP interface takes credentials; none means user `default`, no password. */
function credentials(req: IncomingMessage, url: URL): Credentials {
  const headerUser = req.headers['x-clickhouse-user'];
  if (typeof headerUser === 'string') {
    const key = req.headers['x-clickhouse-key'];
    return { user: headerUser, password: typeof key === 'string' ? key : '', supplied: true };
  }
  const auth = req.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    return { user: i < 0 ? decoded : decoded.slice(0, i), password: i < 0 ? '' : decoded.slice(i + 1), supplied: true };
  }
  const user = url.searchParams.get('user');
  const password = url.searchParams.get('password');
  if (user !== null || password !== null) return { user: user ?? 'default', password: password ?? '', supplied: true };
  return { user: 'default', password: '', supplied: false };
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

/**
 * Starts a stand-in for ClickHouse's HTTP interface (port 8123 in production). `GET /`, `/ping`
 * and `/replicas_status` answer `Ok.\n` without auth. Queries come as `?query=` (GET is
 * read-only) or a POST body, optionally both (concatenated with a newline, as ClickHouse does);
 * credentials by `X-ClickHouse-User`/`-Key`, Basic auth or `user`/`password` params. Errors use
 * ClickHouse's text body, its HTTP status mapping and `X-ClickHouse-Exception-Code`. Output
 * formats: TabSeparated (default), TabSeparatedWithNames, JSON, JSONEachRow, chosen by a
 * `FORMAT` clause, `default_format` or `X-ClickHouse-Format`. Faults: `clickhouse-down` resets
 * every connection (even `/ping`), as a crashed server behind a live port would look to a
 * client; `clickhouse-bad-auth` rejects the configured credentials with 516.
 */
export async function startClickHouse(o: ClickHouseOptions): Promise<Listening> {
  const data = tables(o.faults.has('schema-dirty'));
  const baseHeaders = (): Record<string, string> => ({
    'x-clickhouse-server-display-name': 'hotdash-langfuse-clickhouse',
    'x-clickhouse-query-id': randomUUID(),
    'x-clickhouse-timezone': 'UTC',
  });
  const fail = (res: ServerResponse, err: ClickHouseError): void => {
    const headers: Record<string, string> = {
      ...baseHeaders(),
      'content-type': 'text/plain; charset=UTF-8',
      'x-clickhouse-exception-code': String(err.code),
    };
    if (err.codeName === 'REQUIRED_PASSWORD') headers['www-authenticate'] = 'Basic realm="ClickHouse server HTTP API"';
    sendText(res, HTTP_STATUS[err.codeName], err.body, headers);
  };

  return listen('clickhouse', o.counter, async (req, res, url) => {
    if (o.faults.has('clickhouse-down')) {
      req.socket.destroy();
      return;
    }
    const ok = (): void => sendText(res, 200, 'Ok.\n', { 'content-type': 'text/html; charset=UTF-8' });
    if (url.pathname === '/ping' || url.pathname === '/replicas_status') return ok();
    if (url.pathname !== '/') {
      return sendText(res, 404, `There is no handle ${url.pathname}\n\nUse / or /ping for health checks.\n`, {
        'content-type': 'text/plain; charset=UTF-8',
      });
    }
    const body = req.method === 'POST' ? await readText(req) : '';
    const param = url.searchParams.get('query');
    const query = [param, body].filter((q) => q !== null && q.trim() !== '').join('\n');
    if (query === '') return ok();

    const cred = credentials(req, url);
    const validUser = cred.user === o.user && cred.password === o.password && !o.faults.has('clickhouse-bad-auth');
    if (!validUser) {
      // Without any credentials ClickHouse asks for them (401) instead of refusing (403).
      const err = cred.supplied
        ? new ClickHouseError(
            'AUTHENTICATION_FAILED',
            `${cred.user}: Authentication failed: password is incorrect, or there is no user with such name`,
          )
        : new ClickHouseError('REQUIRED_PASSWORD', `${cred.user}: Authentication failed: password is required`);
      return fail(res, err);
    }

    const started = performance.now();
    try {
      const split = splitFormat(query);
      if (!/^SELECT\b/i.test(split.sql)) {
        // ClickHouse parses before it checks permissions: only a well-formed write is READONLY.
        if (!WRITE_RE.test(split.sql)) {
          throw new ClickHouseError(
            'SYNTAX_ERROR',
            `Syntax error: failed at position 1 ('${split.sql.split(/\s/)[0] ?? ''}')`,
          );
        }
        if (req.method !== 'POST') throw new ClickHouseError('READONLY', 'Cannot execute query in readonly mode');
        throw new ClickHouseError('NOT_IMPLEMENTED', 'The sandbox ClickHouse answers SELECT queries only');
      }
      const headerFormat = req.headers['x-clickhouse-format'];
      const requested =
        split.format ??
        url.searchParams.get('default_format') ??
        (typeof headerFormat === 'string' ? headerFormat : 'TabSeparated');
      const format = FORMAT_ALIASES[requested.toLowerCase()];
      if (!format) throw new ClickHouseError('UNKNOWN_FORMAT', `Unknown format ${requested}`);
      const result = runSelect(split.sql, cred.user, data);
      const elapsed = (performance.now() - started) / 1000;
      const n = String(result.rows.length);
      sendText(res, 200, render(result, format, Number(elapsed.toFixed(6))), {
        ...baseHeaders(),
        'content-type': CONTENT_TYPES[format] ?? 'text/plain; charset=UTF-8',
        'x-clickhouse-format': format,
        'x-clickhouse-summary': JSON.stringify({
          read_rows: n,
          read_bytes: n,
          written_rows: '0',
          written_bytes: '0',
          total_rows_to_read: n,
          result_rows: n,
          result_bytes: n,
          elapsed_ns: String(Math.round(elapsed * 1e9)),
        }),
      });
    } catch (err) {
      if (err instanceof ClickHouseError) return fail(res, err);
      throw err;
    }
  });
}
