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

/**
 * Runs one argv inside `vm` until it exits or `signal` aborts. The shell is handed the
 * dispatcher as this rather than importing it: the dispatcher imports the shell.
 */
export type RunArgv = (argv: string[], vm: Vm, signal: AbortSignal) => Promise<ExecResult>;

export const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
export const failed = (exitCode: number, stderr: string, stdout = ''): ExecResult => ({ exitCode, stdout, stderr });

// What a command killed by `timeout` or by the exec deadline exits with: 128 + SIGTERM.
export const KILLED = 143;

/** Whether a fetch failed because nothing listened (undici puts the errno code on `cause`). */
export function connectionRefused(err: unknown): boolean {
  return (err as { cause?: { code?: unknown } }).cause?.code === 'ECONNREFUSED';
}
