/**
 * What a command run through the Machines exec API produced. `exitCode` follows the tool's own
 * conventions (curl 7/22/28, clickhouse-client's exception code mod 256, 124 from `timeout`,
 * 127 for a missing command).
 */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Resolves `host:port` as seen from inside one VM to the base URL of the stand-in there. */
export type Resolve = (host: string, port: number) => { url: string } | 'refused' | 'unresolved';

/** The inside of one machine: its tools, its environment variables and its view of the network. */
export interface Vm {
  readonly tools: ReadonlySet<'curl' | 'clickhouse-client' | 'mc'>;
  readonly env: Readonly<Record<string, string>>;
  readonly resolve: Resolve;
}

const CLICKHOUSE_CLIENT_VERSION = '24.8.4';
const MC_INTERVAL_MS = 5_000;

const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
const failed = (exitCode: number, stderr: string, stdout = ''): ExecResult => ({ exitCode, stdout, stderr });

// What a command killed by `timeout` or by the exec deadline exits with: 128 + SIGTERM.
const KILLED = 143;

/**
 * Waits `ms` or until `signal` aborts. Unlike `delay` it clears its timer on abort, so a killed
 * `mc ready` loop or `sleep 3600` does not keep the process alive after the exec has returned.
 */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A fetch failure's errno-like code (undici puts it on `cause`). */
function errorCode(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : '';
}

// ---------------------------------------------------------------------------------------------
// A very small POSIX-ish shell: words with quotes and `$NAME`/`${NAME}`/`$?`, the operators
// `&&`, `||`, `;`, and redirections to /dev/null or between stdout and stderr. Enough for the
// probes a runbook check would wrap (`sh -c "timeout 10 mc ready local; echo __RC=$?"`).
// ---------------------------------------------------------------------------------------------

type Part = { text: string } | { variable: string };
type Word = Part[];
type Token = { op: '&&' | '||' | ';' | '|' | '&' } | { word: Word };

class ShellSyntaxError extends Error {}

function tokenize(script: string): Token[] {
  const tokens: Token[] = [];
  let word: Word | undefined;
  const push = (part: Part): void => {
    word ??= [];
    word.push(part);
  };
  const end = (): void => {
    if (word) tokens.push({ word });
    word = undefined;
  };
  const variable = (i: number): { part: Part; next: number } => {
    const rest = script.slice(i + 1);
    if (rest.startsWith('?')) return { part: { variable: '?' }, next: i + 2 };
    const braced = /^\{(\w+)\}/.exec(rest);
    if (braced?.[1]) return { part: { variable: braced[1] }, next: i + 1 + braced[0].length };
    const bare = /^[A-Za-z_]\w*/.exec(rest);
    if (bare) return { part: { variable: bare[0] }, next: i + 1 + bare[0].length };
    return { part: { text: '$' }, next: i + 1 };
  };

  let i = 0;
  while (i < script.length) {
    const ch = script[i] ?? '';
    const two = script.slice(i, i + 2);
    if (/\s/.test(ch)) {
      end();
      i += 1;
    } else if (two === '&&' || two === '||') {
      end();
      tokens.push({ op: two });
      i += 2;
    } else if (ch === ';' || ch === '|' || (ch === '&' && script[i + 1] !== '>' && script[i - 1] !== '>')) {
      end();
      tokens.push({ op: ch as ';' | '|' | '&' });
      i += 1;
    } else if (ch === "'") {
      const close = script.indexOf("'", i + 1);
      if (close < 0) throw new ShellSyntaxError('Unterminated quoted string');
      push({ text: script.slice(i + 1, close) });
      i = close + 1;
    } else if (ch === '"') {
      i += 1;
      push({ text: '' }); // "" is an (empty) word
      while (script[i] !== '"') {
        if (i >= script.length) throw new ShellSyntaxError('Unterminated quoted string');
        const c = script[i] ?? '';
        if (c === '\\' && /["\\$`]/.test(script[i + 1] ?? '')) {
          push({ text: script[i + 1] ?? '' });
          i += 2;
        } else if (c === '$') {
          const v = variable(i);
          push(v.part);
          i = v.next;
        } else {
          push({ text: c });
          i += 1;
        }
      }
      i += 1;
    } else if (ch === '\\') {
      push({ text: script[i + 1] ?? '' });
      i += 2;
    } else if (ch === '$') {
      const v = variable(i);
      push(v.part);
      i = v.next;
    } else {
      push({ text: ch });
      i += 1;
    }
  }
  end();
  return tokens;
}

interface Shell {
  vm: Vm;
  status: number;
  signal: AbortSignal;
}

function expand(word: Word, sh: Shell): string {
  return word.map((p) => ('text' in p ? p.text : p.variable === '?' ? String(sh.status) : (sh.vm.env[p.variable] ?? ''))).join('');
}

class ShellExit extends Error {
  constructor(readonly result: ExecResult) {
    super('exit');
  }
}

interface Redirections {
  stdout: 'keep' | 'null' | 'stderr';
  stderr: 'keep' | 'null' | 'stdout';
}

/** Splits `2>&1`, `>/dev/null`, `2> /dev/null`, `&>/dev/null` off the argument list. */
function redirections(words: string[]): { argv: string[]; redirect: Redirections } | { error: string } {
  const argv: string[] = [];
  const redirect: Redirections = { stdout: 'keep', stderr: 'keep' };
  for (let i = 0; i < words.length; i += 1) {
    const w = words[i] ?? '';
    const m = /^(\d|&)?>>?(.*)$/.exec(w);
    if (!m) {
      argv.push(w);
      continue;
    }
    const fd = m[1] ?? '1';
    let target = m[2] ?? '';
    if (target === '') {
      i += 1;
      target = words[i] ?? '';
    }
    if (target === '&1' && fd === '2') redirect.stderr = 'stdout';
    else if (target === '&2' && fd === '1') redirect.stdout = 'stderr';
    else if (target === '/dev/null') {
      if (fd !== '2') redirect.stdout = 'null';
      if (fd !== '1') redirect.stderr = 'null';
    } else return { error: `cannot create ${target}: Read-only file system` };
  }
  return { argv, redirect };
}

function applyRedirections(r: ExecResult, redirect: Redirections): ExecResult {
  let stdout = redirect.stdout === 'keep' ? r.stdout : '';
  let stderr = redirect.stderr === 'keep' ? r.stderr : '';
  if (redirect.stderr === 'stdout') stdout += r.stderr;
  if (redirect.stdout === 'stderr') stderr += r.stdout;
  return { exitCode: r.exitCode, stdout, stderr };
}

async function runScript(script: string, vm: Vm, signal: AbortSignal): Promise<ExecResult> {
  let tokens: Token[];
  try {
    tokens = tokenize(script);
  } catch (err) {
    return failed(2, `sh: 1: Syntax error: ${(err as Error).message}\n`);
  }
  const unsupported = tokens.find((t) => 'op' in t && (t.op === '|' || t.op === '&'));
  if (unsupported && 'op' in unsupported) {
    return failed(2, `sh: 1: the sandbox shell does not support '${unsupported.op}' (pipes and background jobs)\n`);
  }
  const sh: Shell = { vm, status: 0, signal };
  const out: ExecResult = { exitCode: 0, stdout: '', stderr: '' };
  let pending: Word[] = [];
  let skip = false;
  const flush = async (): Promise<void> => {
    const words = pending;
    pending = [];
    if (words.length === 0 || skip) return;
    const r = await runWords(
      words.map((w) => expand(w, sh)),
      sh,
    );
    out.stdout += r.stdout;
    out.stderr += r.stderr;
    sh.status = r.exitCode;
  };
  try {
    for (const t of tokens) {
      if ('word' in t) {
        pending.push(t.word);
        continue;
      }
      await flush();
      skip = (t.op === '&&' && sh.status !== 0) || (t.op === '||' && sh.status === 0);
    }
    await flush();
  } catch (err) {
    if (!(err instanceof ShellExit)) throw err;
    return { exitCode: err.result.exitCode, stdout: out.stdout + err.result.stdout, stderr: out.stderr + err.result.stderr };
  }
  return { exitCode: sh.status, stdout: out.stdout, stderr: out.stderr };
}

async function runWords(words: string[], sh: Shell): Promise<ExecResult> {
  const parsed = redirections(words);
  if ('error' in parsed) return failed(2, `sh: 1: ${parsed.error}\n`);
  const [name] = parsed.argv;
  if (name === 'exit') {
    throw new ShellExit({ exitCode: Number(parsed.argv[1] ?? sh.status) & 255, stdout: '', stderr: '' });
  }
  const r = await runArgv(parsed.argv, sh.vm, sh.signal);
  return applyRedirections(r, parsed.redirect);
}

// ---------------------------------------------------------------------------------------------
// Commands.
// ---------------------------------------------------------------------------------------------

/** `timeout DURATION` as GNU coreutils parses it: a number with an optional s/m/h/d suffix. */
function durationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(text);
  if (!m) return undefined;
  const unit = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? ''] ?? 1000;
  return Number(m[1]) * unit;
}

async function timeoutCommand(args: string[], vm: Vm, signal: AbortSignal): Promise<ExecResult> {
  while (args[0]?.startsWith('-')) args = args.slice(args[0] === '-s' || args[0] === '-k' ? 2 : 1);
  const ms = durationMs(args[0] ?? '');
  if (ms === undefined || args.length < 2) {
    return failed(125, `timeout: invalid time interval '${args[0] ?? ''}'\nTry 'timeout --help' for more information.\n`);
  }
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), ms);
  try {
    const r = await runArgv(args.slice(1), vm, AbortSignal.any([signal, deadline.signal]));
    // coreutils reports 124 when it had to kill the command, whatever the command then returned.
    return deadline.signal.aborted ? { ...r, exitCode: 124 } : r;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs one command line given as argv, the form the exec API takes. Shells (`sh -c`, `bash -c`)
 * interpret their script with the small shell above; `echo`, `true`, `false`, `sleep` and
 * `timeout` are built in; `curl`, `clickhouse-client` and `mc` exist only on the machines whose
 * image has them. Anything else exits 127, like a shell that cannot find the command.
 */
export async function runArgv(argv: string[], vm: Vm, signal: AbortSignal): Promise<ExecResult> {
  const [name = '', ...args] = argv;
  switch (name) {
    case 'sh':
    case 'bash':
    case '/bin/sh':
    case '/bin/bash': {
      const c = args.indexOf('-c');
      if (c < 0) return ok(); // an interactive shell with no terminal reads empty stdin and exits
      return runScript(args[c + 1] ?? '', vm, signal);
    }
    case 'echo': {
      const noNewline = args[0] === '-n';
      return ok(`${(noNewline ? args.slice(1) : args).join(' ')}${noNewline ? '' : '\n'}`);
    }
    case 'true':
      return ok();
    case 'false':
      return failed(1, '');
    case 'sleep': {
      const ms = durationMs(args[0] ?? '');
      if (ms === undefined) return failed(1, `sleep: invalid time interval '${args[0] ?? ''}'\n`);
      await sleep(ms, signal);
      return signal.aborted ? failed(KILLED, '') : ok();
    }
    case 'timeout':
      return timeoutCommand(args, vm, signal);
    case 'curl':
      if (vm.tools.has('curl')) return curl(args, vm, signal);
      break;
    case 'clickhouse-client':
    case 'clickhouse':
      if (vm.tools.has('clickhouse-client')) return clickhouseClient(name === 'clickhouse' && args[0] === 'client' ? args.slice(1) : args, vm, signal);
      break;
    case 'mc':
      if (vm.tools.has('mc')) return mc(args, vm, signal);
      break;
    default:
      break;
  }
  return failed(127, `sh: 1: ${name}: not found\n`);
}

// --- curl -------------------------------------------------------------------------------------

interface CurlOptions {
  silent: boolean;
  showError: boolean;
  fail: 'no' | 'fail' | 'with-body';
  include: boolean;
  head: boolean;
  output?: string;
  writeOut?: string;
  maxTimeMs?: number;
  method?: string;
  headers: [string, string][];
  data?: string;
  url?: string;
}

const CURL_VALUE_SHORT = new Set(['o', 'w', 'm', 'X', 'H', 'd', 'A', 'u']);

function parseCurl(args: string[]): CurlOptions | { error: string } {
  const o: CurlOptions = { silent: false, showError: false, fail: 'no', include: false, head: false, headers: [] };
  const set = (flag: string, value: string | undefined): string | undefined => {
    switch (flag) {
      case 's':
      case 'silent':
        o.silent = true;
        return undefined;
      case 'S':
      case 'show-error':
        o.showError = true;
        return undefined;
      case 'f':
      case 'fail':
        o.fail = 'fail';
        return undefined;
      case 'fail-with-body':
        o.fail = 'with-body';
        return undefined;
      case 'i':
      case 'include':
        o.include = true;
        return undefined;
      case 'I':
      case 'head':
        o.head = true;
        return undefined;
      case 'L':
      case 'location':
      case 'k':
      case 'insecure':
      case 'v':
      case 'verbose':
        return undefined;
      case 'o':
      case 'output':
        o.output = value;
        return undefined;
      case 'w':
      case 'write-out':
        o.writeOut = value;
        return undefined;
      case 'm':
      case 'max-time':
        o.maxTimeMs = Number(value) * 1000;
        return undefined;
      case 'connect-timeout':
        return undefined;
      case 'X':
      case 'request':
        o.method = value;
        return undefined;
      case 'H':
      case 'header': {
        const i = (value ?? '').indexOf(':');
        if (i > 0) o.headers.push([(value ?? '').slice(0, i).trim(), (value ?? '').slice(i + 1).trim()]);
        return undefined;
      }
      case 'd':
      case 'data':
        o.data = value;
        return undefined;
      case 'A':
      case 'user-agent':
      case 'u':
      case 'user':
        return undefined;
      default:
        return `option ${flag.length === 1 ? '-' : '--'}${flag}: is unknown`;
    }
  };
  const LONG_WITH_VALUE = new Set(['output', 'write-out', 'max-time', 'connect-timeout', 'request', 'header', 'data', 'user-agent', 'user']);
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i] ?? '';
    if (a.startsWith('--')) {
      const [flag = '', inline] = a.slice(2).split(/=(.*)/s);
      const value = LONG_WITH_VALUE.has(flag) ? (inline ?? args[++i]) : undefined;
      const err = set(flag, value);
      if (err) return { error: err };
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j += 1) {
        const flag = a[j] ?? '';
        if (CURL_VALUE_SHORT.has(flag)) {
          const value = j + 1 < a.length ? a.slice(j + 1) : args[++i];
          const err = set(flag, value);
          if (err) return { error: err };
          break;
        }
        const err = set(flag, undefined);
        if (err) return { error: err };
      }
    } else o.url = a;
  }
  return o;
}

function progressMeter(bytes: number): string {
  const n = String(bytes).padStart(5);
  return (
    '  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n' +
    '                                 Dload  Upload   Total   Spent    Left  Speed\n' +
    `\r100 ${n}  100 ${n}    0     0   ${String(bytes * 100).padStart(5)}      0 --:--:-- --:--:-- --:--:--  ${String(bytes * 100).padStart(5)}\n`
  );
}

/**
 * curl as the probes use it: exit 0 on any HTTP status unless `-f` (then 22 and no body), 6 for
 * an unknown host, 7 for a closed port, 28 for `-m` expiry, 52 when the server drops the
 * connection without answering. Without `-s` curl draws its progress meter on stderr (stdout is
 * not a terminal under exec); `-S` brings back the error line that `-s` hides.
 */
async function curl(args: string[], vm: Vm, signal: AbortSignal): Promise<ExecResult> {
  const o = parseCurl(args);
  const usage = "curl: try 'curl --help' or 'curl --manual' for more information\n";
  if ('error' in o) return failed(2, `curl: ${o.error}\n${usage}`);
  if (!o.url) return failed(2, `curl: no URL specified\n${usage}`);
  const showErrors = !o.silent || o.showError;
  const writeOut = (status: number): string =>
    (o.writeOut ?? '').replace(/%\{http_code\}|%\{response_code\}/g, String(status).padStart(3, '0')).replace(/\\n/g, '\n');
  const error = (code: number, message: string): ExecResult => failed(code, showErrors ? `curl: (${code}) ${message}\n` : '', writeOut(0));

  const url = new URL(/^\w+:\/\//.test(o.url) ? o.url : `http://${o.url}`);
  if (url.protocol !== 'http:') return error(35, 'OpenSSL/3.0.13: error:0A00010B:SSL routines::wrong version number');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 80);
  const target = vm.resolve(host, port);
  if (target === 'unresolved') return error(6, `Could not resolve host: ${host}`);
  if (target === 'refused') return error(7, `Failed to connect to ${host} port ${port} after 0 ms: Couldn't connect to server`);

  const started = performance.now();
  const method = o.method ?? (o.head ? 'HEAD' : o.data !== undefined ? 'POST' : 'GET');
  const signals = o.maxTimeMs ? AbortSignal.any([signal, AbortSignal.timeout(o.maxTimeMs)]) : signal;
  let res: Response;
  let body: string;
  try {
    res = await fetch(`${target.url}${url.pathname}${url.search}`, {
      method,
      headers: [['user-agent', 'curl/8.5.0'], ['accept', '*/*'], ...o.headers],
      redirect: 'manual',
      signal: signals,
      ...(o.data !== undefined ? { body: o.data } : {}),
    });
    body = method === 'HEAD' ? '' : await res.text();
  } catch (err) {
    if (signal.aborted) return failed(KILLED, '');
    if (signals.aborted) return error(28, `Operation timed out after ${Math.round(performance.now() - started)} milliseconds with 0 bytes received`);
    if (errorCode(err) === 'ECONNREFUSED') return error(7, `Failed to connect to ${host} port ${port} after 0 ms: Couldn't connect to server`);
    return error(52, 'Empty reply from server');
  }

  const head = `HTTP/1.1 ${res.status} ${res.statusText}\r\n${[...res.headers].map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  const failing = o.fail !== 'no' && res.status >= 400;
  const printed = (o.include || o.head ? head : '') + (failing && o.fail === 'fail' ? '' : body);
  if (o.output !== undefined && o.output !== '/dev/null' && o.output !== '-') {
    return error(23, `Failure writing output to destination, passed ${printed.length} returned 0`);
  }
  const stdout = (o.output === '/dev/null' ? '' : printed) + writeOut(res.status);
  const meter = o.silent ? '' : progressMeter(Buffer.byteLength(body));
  if (failing) {
    return failed(22, meter + (showErrors ? `curl: (22) The requested URL returned error: ${res.status}\n` : ''), stdout);
  }
  return { exitCode: 0, stdout, stderr: meter };
}

// --- clickhouse-client --------------------------------------------------------------------------

/**
 * clickhouse-client, speaking HTTP to the ClickHouse stand-in where the real one speaks the
 * native protocol on 9000. Credentials default to `CLICKHOUSE_USER`/`CLICKHOUSE_PASSWORD` from
 * the VM environment, as the real client reads them. A server exception prints "Received
 * exception from server" and exits with the code mod 256 (never 0); an unreachable server is
 * NETWORK_ERROR (210).
 */
async function clickhouseClient(args: string[], vm: Vm, signal: AbortSignal): Promise<ExecResult> {
  const opts: Record<string, string> = {};
  const aliases: Record<string, string> = { q: 'query', u: 'user', h: 'host', d: 'database', f: 'format' };
  const flags = new Set(['multiquery', 'n', 'multiline', 'm', 'secure', 's', 'vertical', 'E', 'time', 't']);
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i] ?? '';
    const m = /^--?([\w-]+)(?:=(.*))?$/s.exec(a);
    if (!m?.[1]) return failed(36, `Code: 36. DB::Exception: Positional option \`${a}\` is not supported. (BAD_ARGUMENTS)\n`);
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
  if (target === 'unresolved') return failed(198, `Code: 198. DB::NetException: Not found address of host: ${host}. (DNS_ERROR)\n`);
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
    return networkError(errorCode(err) === 'ECONNREFUSED' ? 'Connection refused' : 'Connection reset by peer, while reading from socket');
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

// --- mc -------------------------------------------------------------------------------------

/**
 * `mc ready ALIAS`: polls the anonymous cluster health route every 5 s and returns 0 once it is
 * 200. Like the real mc it never gives up on an unhealthy cluster, so callers must bound it
 * (`timeout N mc ready local`, or the exec timeout). The built-in `local` alias is
 * `http://localhost:9000`.
 */
async function mc(args: string[], vm: Vm, signal: AbortSignal): Promise<ExecResult> {
  const json = args.includes('--json');
  const positional = args.filter((a) => !a.startsWith('--'));
  const [command, alias] = positional;
  if (command !== 'ready') return failed(1, `mc: <ERROR> '${command ?? ''}' is not a recognized command. Get help using '--help' flag.\n`);
  if (!alias) return failed(1, 'NAME:\n  mc ready - checks if the cluster is ready or not\n\nUSAGE:\n  mc ready [FLAGS] TARGET\n');
  const base = alias === 'local' ? 'http://localhost:9000' : /^https?:\/\//.test(alias) ? alias : undefined;
  if (!base) return failed(1, `mc: <ERROR> Unable to initialize new alias from the provided credentials. No such alias \`${alias}\` found.\n`);
  const url = new URL(base);
  const path = `/minio/health/cluster${args.includes('--cluster-read') ? '/read' : ''}${args.includes('--maintenance') ? '?maintenance=true' : ''}`;
  let stdout = '';
  for (;;) {
    const target = vm.resolve(url.hostname, Number(url.port || 80));
    let healthy = false;
    let err: string | undefined;
    if (typeof target === 'string') err = `dial tcp ${url.host}: connect: connection refused`;
    else {
      try {
        const res = await fetch(`${target.url}${path}`, { signal });
        healthy = res.status === 200;
        await res.arrayBuffer();
      } catch (e) {
        if (signal.aborted) return failed(KILLED, '', stdout);
        err = (e as Error).message;
      }
    }
    const message = healthy
      ? `The cluster '${alias}' is ready`
      : err
        ? `The cluster '${alias}' is unreachable: ${err}`
        : `The cluster '${alias}' is not ready`;
    stdout += json ? `${JSON.stringify({ status: 'success', alias, healthy, maintenanceMode: false, writeQuorum: healthy ? 1 : 0, healingDrives: 0, error: err ?? null }, null, ' ')}\n` : `${message}\n`;
    if (healthy) return ok(stdout);
    await sleep(MC_INTERVAL_MS, signal);
    if (signal.aborted) return failed(KILLED, '', stdout);
  }
}
