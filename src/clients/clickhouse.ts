import { CutoverHttpError, excerptOf } from './errors.ts';
import type { FlyClient } from './fly.ts';
import { send } from './http.ts';

/**
 * A ClickHouse query failed: refused credentials, a server exception, a crashed server or a
 * client that exited non-zero. `where` names the endpoint or machine; the message carries the
 * ClickHouse error line (never the password, which travels only in a header or the VM's env).
 */
export class ClickHouseQueryError extends Error {
  override readonly name = 'ClickHouseQueryError';
}

/** A place SQL can be run: over HTTP, or with clickhouse-client inside a Fly machine. */
export interface ClickHouse {
  /** Where queries go, for evidence and messages: a URL, or `fly exec <app>/<machine>`. */
  readonly where: string;
  readonly via: 'http' | 'fly-exec';
  /** Runs one read-only statement and returns its TabSeparated rows. Throws `ClickHouseQueryError`. */
  query(sql: string): Promise<string[][]>;
}

/** Splits TabSeparated output into rows of unescaped fields; a trailing newline ends the last row. */
export function parseTsv(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) =>
      line
        .split('\t')
        .map((f) => f.replace(/\\([tn\\])/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : '\\'))),
    );
}

// A 200 can still carry an exception written after the first bytes (ClickHouse docs; notes §3).
const MID_STREAM_EXCEPTION = /Code: \d+\. DB::Exception/;

/**
 * ClickHouse's HTTP interface (`CLICKHOUSE_URL`, port 8123 via `fly proxy` or WireGuard). Auth
 * goes in `X-ClickHouse-User`/`X-ClickHouse-Key` headers, never in the URL. Queries are POSTed
 * with `wait_end_of_query=1`, and a response counts only when it is 200, has no
 * `X-ClickHouse-Exception-Code` and no exception text in the body. 401 means a password is
 * required, 403 that the credentials were refused (ClickHouse maps AUTHENTICATION_FAILED there).
 */
export class ClickHouseHttp implements ClickHouse {
  readonly via = 'http' as const;
  readonly where: string;

  constructor(private readonly o: { url: string; user: string; password?: string; timeoutMs: number }) {
    this.where = o.url;
  }

  async query(sql: string): Promise<string[][]> {
    const url = `${this.o.url}/?wait_end_of_query=1&default_format=TabSeparated`;
    const res = await send(url, {
      method: 'POST',
      headers: {
        'x-clickhouse-user': this.o.user,
        'x-clickhouse-key': this.o.password ?? '',
        'content-type': 'text/plain',
      },
      body: sql,
      timeoutMs: this.o.timeoutMs,
    });
    const code = res.headers['x-clickhouse-exception-code'];
    if (res.status !== 200 || code !== undefined || MID_STREAM_EXCEPTION.test(res.text)) {
      const auth =
        res.status === 401
          ? ' (a password is required: CLICKHOUSE_PASSWORD)'
          : res.status === 403
            ? ' (CLICKHOUSE_USER/CLICKHOUSE_PASSWORD were refused)'
            : '';
      throw new CutoverHttpError(
        'POST',
        url,
        `HTTP ${res.status}${code ? `, exception code ${code}` : ''}${auth}: ${firstLine(res.text)}`,
      );
    }
    return parseTsv(res.text);
  }
}

/**
 * `clickhouse-client --query` inside a ClickHouse machine through Fly exec, as the runbook's
 * `fly ssh console … clickhouse-client` does, but with the real exit code. Credentials come
 * from the machine's own environment (CLICKHOUSE_USER/CLICKHOUSE_PASSWORD, which the client
 * reads), so no secret is sent. The client exits with the exception code mod 256, so any
 * non-zero exit is a failure and the exact value is not interpreted.
 */
export class ClickHouseViaFly implements ClickHouse {
  readonly via = 'fly-exec' as const;
  readonly where: string;

  constructor(private readonly o: { fly: FlyClient; app: string; machineId: string; timeoutS: number }) {
    this.where = `fly exec ${o.app}/${o.machineId}`;
  }

  async query(sql: string): Promise<string[][]> {
    const r = await this.o.fly.exec(
      this.o.app,
      this.o.machineId,
      ['clickhouse-client', '--query', sql],
      this.o.timeoutS,
    );
    if (r.exitCode !== 0) {
      const hint = r.exitCode === 127 ? ' (clickhouse-client is not installed in this image)' : '';
      throw new ClickHouseQueryError(
        `${this.where}: clickhouse-client exited ${r.exitCode}${hint}: ${firstLine(r.stderr || r.stdout)}`,
      );
    }
    return parseTsv(r.stdout);
  }
}

function firstLine(text: string): string {
  // clickhouse-client prints "Received exception from server …" before the line that says why.
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const line = lines.find((l) => /^Code: \d+/.test(l)) ?? lines[0] ?? '(no output)';
  return excerptOf(line);
}
