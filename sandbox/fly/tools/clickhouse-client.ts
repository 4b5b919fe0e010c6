import { type ExecResult, failed, KILLED, connectionRefused, ok, type Vm } from '../vm.ts';

const CLICKHOUSE_CLIENT_VERSION = '24.8.4';

/**
 * clickhouse-client, speaking HTTP to the ClickHouse stand-in where the real one speaks the
 * native protocol on 9000. Credentials default to `CLICKHOUSE_USER`/`CLICKHOUSE_PASSWORD` from
 * the VM environment, as the real client reads them. A server exception prints "Received
 * exception from server" and exits with the code mod 256 (never 0); an unreachable server is
 * NETWORK_ERROR (210). `args` excludes the program name (`clickhouse client` arrives as its
 * arguments after `client`).
 */
export async function clickhouseClient(args: string[], vm: Vm, signal: AbortSignal): Promise<ExecResult> {
  const opts: Record<string, string> = {};
  const aliases: Record<string, string> = { q: 'query', u: 'user', h: 'host', d: 'database', f: 'format' };
  const flags = new Set(['multiquery', 'n', 'multiline', 'm', 'secure', 's', 'vertical', 'E', 'time', 't']);
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i] ?? '';
    const m = /^--?([\w-]+)(?:=(.*))?$/s.exec(a);
    if (!m?.[1])
      return failed(36, `Code: 36. DB::Exception: Positional option \`${a}\` is not supported. (BAD_ARGUMENTS)\n`);
    if (flags.has(m[1])) continue;
    opts[aliases[m[1]] ?? m[1]] = m[2] ?? args[++i] ?? '';
  }
  const query = opts['query'];
  if (query === undefined) return ok(); // no --query and an empty, non-terminal stdin: nothing to run

  const host = opts['host'] ?? 'localhost';
  const port = Number(opts['port'] ?? 9000);
  const networkError = (detail: string): ExecResult =>
    failed(210, `Code: 210. DB::NetException: ${detail} (${host}:${port}). (NETWORK_ERROR)\n`);
  // The stand-in only speaks HTTP, so the native port is reached through its HTTP interface.
  const target = vm.resolve(host, 8123);
  if (target === 'unresolved')
    return failed(198, `Code: 198. DB::NetException: Not found address of host: ${host}. (DNS_ERROR)\n`);
  if (target === 'refused') return networkError('Connection refused');

  const params = new URLSearchParams({ default_format: opts['format'] ?? 'TabSeparated' });
  if (opts['database']) params.set('database', opts['database']);
  let res: Response;
  let text: string;
  try {
    res = await fetch(`${target.url}/?${params}`, {
      method: 'POST',
      headers: {
        'X-ClickHouse-User': opts['user'] ?? vm.env['CLICKHOUSE_USER'] ?? 'default',
        'X-ClickHouse-Key': opts['password'] ?? vm.env['CLICKHOUSE_PASSWORD'] ?? '',
      },
      body: query,
      signal,
    });
    text = await res.text();
  } catch (err) {
    if (signal.aborted) return failed(KILLED, '');
    return networkError(
      connectionRefused(err) ? 'Connection refused' : 'Connection reset by peer, while reading from socket',
    );
  }
  if (res.ok) return ok(text);
  const code = Number(res.headers.get('x-clickhouse-exception-code') ?? 1000);
  const detail = /^Code: \d+\. DB::Exception: (.*?)(?: \(version [^)]*\)\)?)?\s*$/s.exec(text)?.[1] ?? text.trim();
  return failed(
    code % 256 === 0 ? 255 : code % 256,
    `Received exception from server (version ${CLICKHOUSE_CLIENT_VERSION}):\n` +
      `Code: ${code}. DB::Exception: Received from ${host}:${port}. DB::Exception: ${detail}\n(query: ${query})\n`,
  );
}
