import { afterEach, describe, expect, it } from 'vitest';
import { parseFaults, type FaultName } from '../faults.ts';
import type { Listening, RequestCounter } from '../types.ts';
import { CLICKHOUSE_VERSION, LANGFUSE_CLICKHOUSE_MIGRATION, startClickHouse } from './index.ts';

const USER = 'langfuse';
const PASSWORD = 'ch-secret-pw';
const open: Listening[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

async function start(faults: FaultName[] = []): Promise<{ ch: Listening; counter: RequestCounter }> {
  const counter: RequestCounter = { total: 0, byComponent: {} };
  const ch = await startClickHouse({ faults: parseFaults(faults), counter, user: USER, password: PASSWORD });
  open.push(ch);
  return { ch, counter };
}

const auth = { 'X-ClickHouse-User': USER, 'X-ClickHouse-Key': PASSWORD };
const q = (ch: Listening, sql: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${ch.url}/?query=${encodeURIComponent(sql)}`, { headers: auth, ...init });

describe('startClickHouse', () => {
  it('answers /ping, / and /replicas_status with Ok. and no auth', async () => {
    const { ch, counter } = await start();
    for (const path of ['/ping', '/', '/replicas_status']) {
      const res = await fetch(`${ch.url}${path}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('Ok.\n');
    }
    expect(counter.byComponent['clickhouse']).toBe(3);
    const unknown = await fetch(`${ch.url}/nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('There is no handle /nope');
  });

  it('SELECT 1 over GET with each of the three auth methods gives 1\\n in TabSeparated', async () => {
    const { ch } = await start();
    const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    const responses = [
      await q(ch, 'SELECT 1'),
      await fetch(`${ch.url}/?query=SELECT%201`, { headers: { Authorization: basic } }),
      await fetch(`${ch.url}/?query=SELECT%201&user=${USER}&password=${PASSWORD}`),
    ];
    for (const res of responses) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/tab-separated-values; charset=UTF-8');
      expect(res.headers.get('x-clickhouse-format')).toBe('TabSeparated');
      expect(JSON.parse(res.headers.get('x-clickhouse-summary') ?? '{}')).toMatchObject({ read_rows: '1' });
      expect(await res.text()).toBe('1\n');
    }
  });

  it('accepts the query as a POST body, alone or appended to ?query=', async () => {
    const { ch } = await start();
    const body = await fetch(`${ch.url}/`, { method: 'POST', headers: auth, body: 'SELECT 2' });
    expect(await body.text()).toBe('2\n');
    const split = await fetch(`${ch.url}/?query=SELECT`, { method: 'POST', headers: auth, body: '3 FORMAT TSV' });
    expect(await split.text()).toBe('3\n');
  });

  it('renders FORMAT JSON with meta, data, rows and statistics; 64-bit integers quoted', async () => {
    const { ch } = await start();
    const res = await q(ch, 'SELECT 1 FORMAT JSON');
    expect(res.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    const json = (await res.json()) as Record<string, unknown>;
    expect(json).toMatchObject({ meta: [{ name: '1', type: 'UInt8' }], data: [{ '1': 1 }], rows: 1 });
    expect(json['statistics']).toMatchObject({ rows_read: 1 });

    const viaParam = await fetch(
      `${ch.url}/?query=${encodeURIComponent('SELECT count() AS n FROM system.one')}&default_format=JSON`,
      { headers: auth },
    );
    expect(((await viaParam.json()) as { data: unknown[] }).data).toEqual([{ n: '1' }]);

    const viaHeader = await fetch(`${ch.url}/?query=${encodeURIComponent("SELECT 'ok' AS status, version() AS v")}`, {
      headers: { ...auth, 'X-ClickHouse-Format': 'JSONEachRow' },
    });
    expect(await viaHeader.text()).toBe(`{"status":"ok","v":"${CLICKHOUSE_VERSION}"}\n`);
  });

  it('reports a clean Langfuse migration state in schema_migrations', async () => {
    const { ch } = await start();
    const latest = await q(ch, 'SELECT version, dirty FROM schema_migrations ORDER BY sequence DESC LIMIT 1');
    expect(await latest.text()).toBe(`${LANGFUSE_CLICKHOUSE_MIGRATION}\t0\n`);
    const json = await q(
      ch,
      'SELECT version, dirty FROM default.schema_migrations ORDER BY sequence DESC LIMIT 1 FORMAT JSON;',
    );
    expect(((await json.json()) as { data: unknown[] }).data).toEqual([
      { version: String(LANGFUSE_CLICKHOUSE_MIGRATION), dirty: 0 },
    ]);
    const dirty = await q(ch, 'SELECT count() FROM schema_migrations WHERE dirty = 1');
    expect(await dirty.text()).toBe('0\n');
    const exists = await q(
      ch,
      "SELECT name, engine FROM system.tables WHERE database = 'default' AND name = 'schema_migrations'",
    );
    expect(await exists.text()).toBe('schema_migrations\tTinyLog\n');
    const named = await q(ch, 'SELECT currentUser() AS u FORMAT TSVWithNames');
    expect(await named.text()).toBe(`u\n${USER}\n`);
  });

  it('answers unknown tables, columns, formats and bad syntax with ClickHouse codes and statuses', async () => {
    const { ch } = await start();
    const cases: [string, number, number, string][] = [
      ['SELECT * FROM nope', 404, 60, 'UNKNOWN_TABLE'],
      ['SELECT missing FROM schema_migrations', 404, 47, 'UNKNOWN_IDENTIFIER'],
      ['SELECT 1 FORMAT Nope', 404, 73, 'UNKNOWN_FORMAT'],
      ['SELEC 1', 400, 62, 'SYNTAX_ERROR'],
      ['DROP TABLE schema_migrations', 500, 164, 'READONLY'],
    ];
    for (const [sql, status, code, name] of cases) {
      const res = await q(ch, sql);
      expect(res.status, sql).toBe(status);
      expect(res.headers.get('x-clickhouse-exception-code'), sql).toBe(String(code));
      expect(await res.text(), sql).toMatch(
        new RegExp(`^Code: ${code}\\. DB::Exception: .*\\(${name}\\) \\(version ${CLICKHOUSE_VERSION}`),
      );
    }
    const syntax = await fetch(`${ch.url}/`, { method: 'POST', headers: auth, body: 'SELECT 1 FROM' });
    expect(syntax.status).toBe(400);
    expect(syntax.headers.get('x-clickhouse-exception-code')).toBe('62');
    const write = await fetch(`${ch.url}/`, { method: 'POST', headers: auth, body: 'TRUNCATE TABLE traces' });
    expect(write.status).toBe(501);
    expect(write.headers.get('x-clickhouse-exception-code')).toBe('48');
  });

  it('refuses a wrong password with 403 / 516 and missing credentials with 401 / 194', async () => {
    const { ch } = await start();
    const wrong = await fetch(`${ch.url}/?query=SELECT%201`, {
      headers: { 'X-ClickHouse-User': USER, 'X-ClickHouse-Key': 'nope' },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.headers.get('x-clickhouse-exception-code')).toBe('516');
    const text = await wrong.text();
    expect(text).toMatch(
      /^Code: 516\. DB::Exception: langfuse: Authentication failed: password is incorrect, or there is no user with such name\. \(AUTHENTICATION_FAILED\)/,
    );
    expect(text).not.toContain('nope');

    const none = await fetch(`${ch.url}/?query=SELECT%201`);
    expect(none.status).toBe(401);
    expect(none.headers.get('x-clickhouse-exception-code')).toBe('194');
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic/);
  });

  it('clickhouse-down: resets every connection, /ping included', async () => {
    const { ch, counter } = await start(['clickhouse-down']);
    await expect(fetch(`${ch.url}/ping`)).rejects.toThrow(TypeError);
    await expect(q(ch, 'SELECT 1')).rejects.toThrow(TypeError);
    expect(counter.byComponent['clickhouse']).toBe(2);
  });

  it('clickhouse-bad-auth: the configured credentials get 403 / 516; ping still answers', async () => {
    const { ch } = await start(['clickhouse-bad-auth']);
    expect(await (await fetch(`${ch.url}/ping`)).text()).toBe('Ok.\n');
    const res = await q(ch, 'SELECT 1');
    expect(res.status).toBe(403);
    expect(res.headers.get('x-clickhouse-exception-code')).toBe('516');
  });
});
