import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startClickHouse } from '../../sandbox/clickhouse/index.ts';
import { parseFaults, type FaultName } from '../../sandbox/faults.ts';
import { ClickHouseHttp, ClickHouseQueryError, ClickHouseViaFly, parseTsv } from './clickhouse.ts';
import type { FlyClient, FlyExecResult } from './fly.ts';
import { closePools } from './http.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  await closePools();
});

async function clickhouse(faults: FaultName[] = []): Promise<string> {
  const ch = await startClickHouse({
    faults: parseFaults(faults),
    counter: { total: 0, byComponent: {} },
    user: 'langfuse',
    password: 'ch-pw',
  });
  closers.push(() => ch.close());
  return ch.url;
}

describe('parseTsv', () => {
  it('splits rows and fields and unescapes', () => {
    expect(parseTsv('1\t24.8\n46\t0\n')).toEqual([
      ['1', '24.8'],
      ['46', '0'],
    ]);
    expect(parseTsv('a\\tb\\nc\n')).toEqual([['a\tb\nc']]);
    expect(parseTsv('')).toEqual([]);
  });
});

describe('ClickHouseHttp against the sandbox ClickHouse', () => {
  it('runs an authenticated SELECT 1', async () => {
    const ch = new ClickHouseHttp({ url: await clickhouse(), user: 'langfuse', password: 'ch-pw', timeoutMs: 3000 });
    expect(await ch.query('SELECT 1, version()')).toEqual([['1', expect.stringMatching(/^\d+\./)]]);
    expect(
      (await ch.query('SELECT version, dirty FROM schema_migrations ORDER BY sequence DESC LIMIT 1'))[0]?.[1],
    ).toBe('0');
  });

  it('names a refused login without quoting the password', async () => {
    const url = await clickhouse();
    const err = await new ClickHouseHttp({ url, user: 'langfuse', password: 'wrong-pw', timeoutMs: 3000 })
      .query('SELECT 1')
      .then(
        () => new Error('no error'),
        (e: unknown) => e as Error,
      );
    expect(err.message).toMatch(
      /^POST http:\/\/127\.0\.0\.1:\d+\/\?wait_end_of_query=1&default_format=TabSeparated: HTTP 403, exception code 516 \(CLICKHOUSE_USER\/CLICKHOUSE_PASSWORD were refused\): Code: 516/,
    );
    expect(err.message).not.toContain('wrong-pw');
  });

  it('reports a server that drops connections as unreachable', async () => {
    const ch = new ClickHouseHttp({
      url: await clickhouse(['clickhouse-down']),
      user: 'langfuse',
      password: 'ch-pw',
      timeoutMs: 3000,
    });
    await expect(ch.query('SELECT 1')).rejects.toThrow(/unreachable/);
  });
});

describe('ClickHouseHttp against a tiny server', () => {
  it('refuses a 200 whose body carries an exception written mid-stream', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200);
      res.end('1\nCode: 241. DB::Exception: Memory limit exceeded. (MEMORY_LIMIT_EXCEEDED)\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(() => r())));
    const ch = new ClickHouseHttp({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      user: 'u',
      password: 'p',
      timeoutMs: 3000,
    });
    await expect(ch.query('SELECT 1')).rejects.toThrow(/HTTP 200: Code: 241\. DB::Exception: Memory limit exceeded/);
  });
});

describe('ClickHouseViaFly', () => {
  const fly = (r: FlyExecResult): FlyClient & { argv?: readonly string[] } => {
    const f: FlyClient & { argv?: readonly string[] } = {
      transport: 'api',
      machines: async () => [],
      secretNames: async () => [],
      exec: async (_a, _m, argv) => {
        f.argv = argv;
        return r;
      },
    };
    return f;
  };

  it('runs clickhouse-client --query and reads its TSV', async () => {
    const f = fly({ exitCode: 0, stdout: '1\n', stderr: '' });
    expect(await new ClickHouseViaFly({ fly: f, app: 'ch', machineId: 'm1', timeoutS: 5 }).query('SELECT 1')).toEqual([
      ['1'],
    ]);
    expect(f.argv).toEqual(['clickhouse-client', '--query', 'SELECT 1']);
  });

  it('treats any non-zero exit as a failure and quotes the Code line', async () => {
    const stderr =
      'Received exception from server (version 24.8.4):\nCode: 516. DB::Exception: Received from localhost:9000. DB::Exception: langfuse: Authentication failed\n(query: SELECT 1)\n';
    const err = await new ClickHouseViaFly({
      fly: fly({ exitCode: 4, stdout: '', stderr }),
      app: 'ch',
      machineId: 'm1',
      timeoutS: 5,
    })
      .query('SELECT 1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClickHouseQueryError);
    expect((err as Error).message).toBe(
      'fly exec ch/m1: clickhouse-client exited 4: Code: 516. DB::Exception: Received from localhost:9000. DB::Exception: langfuse: Authentication failed',
    );
  });
});
