import { runScript } from './shell.ts';
import { clickhouseClient } from './tools/clickhouse-client.ts';
import { curl } from './tools/curl.ts';
import { mc } from './tools/mc.ts';
import { type ExecResult, failed, ok, type Vm } from './vm.ts';

// Fly does not document the exec timeout applied when a client sends none; 30 s is where field
// reports see 408 `deadline_exceeded` (OpenRouterLabs/spawn#1616).
const DEFAULT_EXEC_TIMEOUT_S = 30;

/** What the exec route answers: an HTTP status and fly-go's JSON body. */
export interface ExecAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * `POST /v1/apps/{app}/machines/{id}/exec` inside `vm`. The body is fly-go's
 * `MachineExecRequest`: `command` (argv) or the older single-string `cmd`, which the exec agent
 * hands to a shell, and `timeout` in seconds. 400 without a command; 408 `deadline_exceeded`
 * when the command outlives the timeout; otherwise 200 with `{exit_code?, stdout?, stderr?}`.
 */
export async function execRequest(body: unknown, vm: Vm): Promise<ExecAnswer> {
  const b = (body ?? {}) as { command?: unknown; cmd?: unknown; timeout?: unknown };
  const argv =
    Array.isArray(b.command) && b.command.every((c) => typeof c === 'string') ? (b.command as string[]) : undefined;
  if (!argv?.length && typeof b.cmd !== 'string') {
    return { status: 400, body: { error: 'invalid_argument: command must be a non-empty array of strings' } };
  }
  const timeoutS = typeof b.timeout === 'number' && b.timeout > 0 ? b.timeout : DEFAULT_EXEC_TIMEOUT_S;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutS * 1000);
  let result: ExecResult;
  try {
    result = await runArgv(argv ?? ['sh', '-c', String(b.cmd)], vm, deadline.signal);
  } finally {
    clearTimeout(timer);
  }
  if (deadline.signal.aborted) {
    return { status: 408, body: { error: `deadline_exceeded: command did not finish within ${timeoutS}s` } };
  }
  // fly-go's MachineExecResponse tags every field omitempty: a 0 exit code and empty streams vanish.
  return {
    status: 200,
    body: {
      ...(result.exitCode !== 0 ? { exit_code: result.exitCode } : {}),
      ...(result.stdout !== '' ? { stdout: result.stdout } : {}),
      ...(result.stderr !== '' ? { stderr: result.stderr } : {}),
    },
  };
}

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
    return failed(
      125,
      `timeout: invalid time interval '${args[0] ?? ''}'\nTry 'timeout --help' for more information.\n`,
    );
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
 * interpret their script with the small shell of `shell.ts`; `echo`, `true`, `false` and
 * `timeout` are built in; `curl`, `clickhouse-client` and `mc` exist only on the machines whose
 * image has them. Anything else exits 127, like a shell that cannot find the command.
 */
async function runArgv(argv: string[], vm: Vm, signal: AbortSignal): Promise<ExecResult> {
  const [name = '', ...args] = argv;
  switch (name) {
    case 'sh':
    case 'bash':
    case '/bin/sh':
    case '/bin/bash': {
      const c = args.indexOf('-c');
      if (c < 0) return ok(); // an interactive shell with no terminal reads empty stdin and exits
      return runScript(args[c + 1] ?? '', vm, signal, runArgv);
    }
    case 'echo': {
      const noNewline = args[0] === '-n';
      return ok(`${(noNewline ? args.slice(1) : args).join(' ')}${noNewline ? '' : '\n'}`);
    }
    case 'true':
      return ok();
    case 'false':
      return failed(1, '');
    case 'timeout':
      return timeoutCommand(args, vm, signal);
    case 'curl':
      if (vm.tools.has('curl')) return curl(args, vm, signal);
      break;
    case 'clickhouse-client':
    case 'clickhouse':
      if (vm.tools.has('clickhouse-client'))
        return clickhouseClient(name === 'clickhouse' && args[0] === 'client' ? args.slice(1) : args, vm, signal);
      break;
    case 'mc':
      if (vm.tools.has('mc')) return mc(args, vm, signal);
      break;
    default:
      break;
  }
  return failed(127, `sh: 1: ${name}: not found\n`);
}
