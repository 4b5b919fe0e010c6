import { type ExecResult, failed, KILLED, connectionRefused, type Vm } from '../vm.ts';

/**
 * The flags the suite's probes send (`-s`, `-S`, `-f`, `-o`, `-w`, `--max-time`), short ones
 * bundled as in `-sSf`. Any other flag exits 2 as an unknown option: a stand-in that silently
 * ignored `-X POST` or `-H` would answer a different request than the operator asked for.
 */
interface CurlOptions {
  silent: boolean;
  showError: boolean;
  fail: boolean;
  output?: string;
  writeOut?: string;
  maxTimeMs?: number;
  url?: string;
}

const SHORT_WITH_VALUE = new Set(['o', 'w', 'm']);
const LONG_WITH_VALUE = new Set(['output', 'write-out', 'max-time']);

function parseCurl(args: string[]): CurlOptions | { error: string } {
  const o: CurlOptions = { silent: false, showError: false, fail: false };
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
        o.fail = true;
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
      default:
        return `option ${flag.length === 1 ? '-' : '--'}${flag}: is unknown`;
    }
  };
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
        if (SHORT_WITH_VALUE.has(flag)) {
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
 * curl as the probes use it: a GET that exits 0 on any HTTP status unless `-f` (then 22 and no
 * body), 6 for an unknown host, 7 for a closed port, 28 for `-m` expiry, 52 when the server
 * drops the connection without answering. Without `-s` curl draws its progress meter on stderr
 * (stdout is not a terminal under exec); `-S` brings back the error line that `-s` hides.
 */
export async function curl(args: string[], vm: Vm, signal: AbortSignal): Promise<ExecResult> {
  const o = parseCurl(args);
  const usage = "curl: try 'curl --help' or 'curl --manual' for more information\n";
  if ('error' in o) return failed(2, `curl: ${o.error}\n${usage}`);
  if (!o.url) return failed(2, `curl: no URL specified\n${usage}`);
  const showErrors = !o.silent || o.showError;
  const writeOut = (status: number): string =>
    (o.writeOut ?? '')
      .replace(/%\{http_code\}|%\{response_code\}/g, String(status).padStart(3, '0'))
      .replace(/\\n/g, '\n');
  const error = (code: number, message: string): ExecResult =>
    failed(code, showErrors ? `curl: (${code}) ${message}\n` : '', writeOut(0));

  const url = new URL(/^\w+:\/\//.test(o.url) ? o.url : `http://${o.url}`);
  // Nothing inside the VMs speaks TLS on the ports the stand-ins serve: https fails the handshake.
  if (url.protocol !== 'http:') return error(35, 'OpenSSL/3.0.13: error:0A00010B:SSL routines::wrong version number');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 80);
  const target = vm.resolve(host, port);
  if (target === 'unresolved') return error(6, `Could not resolve host: ${host}`);
  if (target === 'refused')
    return error(7, `Failed to connect to ${host} port ${port} after 0 ms: Couldn't connect to server`);

  const started = performance.now();
  // A timer of our own, not AbortSignal.timeout: on Node 20 a timeout signal that only
  // AbortSignal.any holds can be garbage-collected before it fires, and --max-time never comes.
  const maxTime = new AbortController();
  const timer = o.maxTimeMs ? setTimeout(() => maxTime.abort(), o.maxTimeMs) : undefined;
  const signals = o.maxTimeMs ? AbortSignal.any([signal, maxTime.signal]) : signal;
  let res: Response;
  let body: string;
  try {
    res = await fetch(`${target.url}${url.pathname}${url.search}`, {
      headers: { 'user-agent': 'curl/8.5.0', accept: '*/*' },
      redirect: 'manual',
      signal: signals,
    });
    body = await res.text();
  } catch (err) {
    if (signal.aborted) return failed(KILLED, '');
    if (signals.aborted)
      return error(
        28,
        `Operation timed out after ${Math.round(performance.now() - started)} milliseconds with 0 bytes received`,
      );
    if (connectionRefused(err))
      return error(7, `Failed to connect to ${host} port ${port} after 0 ms: Couldn't connect to server`);
    return error(52, 'Empty reply from server');
  } finally {
    clearTimeout(timer);
  }

  const failing = o.fail && res.status >= 400;
  const printed = failing ? '' : body;
  // The VM's file system is not modelled: a file target fails as a read-only one would.
  if (o.output !== undefined && o.output !== '/dev/null' && o.output !== '-') {
    return error(23, `Failure writing output to destination, passed ${printed.length} returned 0`);
  }
  const stdout = (o.output === '/dev/null' ? '' : printed) + writeOut(res.status);
  const meter = o.silent ? '' : progressMeter(Buffer.byteLength(body));
  if (failing) {
    return failed(
      22,
      meter + (showErrors ? `curl: (22) The requested URL returned error: ${res.status}\n` : ''),
      stdout,
    );
  }
  return { exitCode: 0, stdout, stderr: meter };
}
