import { z } from 'zod';
import { execResultFromJson, machineFromJson, type FlyClient, type FlyExecResult, type FlyMachine } from './fly.ts';

/**
 * flyctl could not be run, or ran and failed (exit status ≠ 0). The message names the command
 * line (never the token, which travels in the environment) and a stderr excerpt; for a missing
 * binary it names FLY_TRANSPORT, the switch that asked for flyctl.
 */
export class FlyctlError extends Error {
  override readonly name = 'FlyctlError';
}

/**
 * Parses `fly status -a APP --json`: a map with PascalCase keys (`ID, Name, Deployed, Status,
 * Version, …, Machines`) because flyctl renders a Go struct without json tags, while each
 * machine inside `Machines` is a fly-go `fly.Machine` with snake_case keys. Also accepts
 * `fly machine list --json` (a bare array of machines). Throws `FlyctlError` on any other shape.
 */
export function parseFlyStatus(stdout: string): { machines: FlyMachine[]; releaseVersion?: number } {
  const json = parseJson(stdout, 'fly status --json');
  try {
    if (Array.isArray(json)) return { machines: json.map(machineFromJson) };
    // A Go nil slice prints as null, but a map without the key is some other command's output.
    if (!json || typeof json !== 'object' || !('Machines' in json)) throw new FlyctlError('no Machines key');
    const top = z.object({ Machines: z.array(z.unknown()).nullish(), Version: z.number().optional() }).parse(json);
    return { machines: (top.Machines ?? []).map(machineFromJson), releaseVersion: top.Version };
  } catch {
    throw new FlyctlError(`fly status --json printed an unexpected shape (expected {"Machines": [...]}): ${excerpt(stdout)}`);
  }
}

/**
 * Parses `fly machine exec ID CMD --json`: fly-go's `MachineExecResponse`, snake_case and
 * omitempty, so `{}` is a silent command that exited 0. (Without --json flyctl prints
 * "Exit code: N" and still exits 0, which is why the JSON form is used.)
 */
export function parseFlyExec(stdout: string): FlyExecResult {
  const r = execResultFromJson(parseJson(stdout, 'fly machine exec --json'));
  if (!r) throw new FlyctlError(`fly machine exec --json printed an unexpected shape (expected {exit_code?, stdout?, stderr?}): ${excerpt(stdout)}`);
  return r;
}

/**
 * Parses `fly secrets list -a APP --json` into names. The GraphQL-era flyctl renders
 * `[{Name, Digest, CreatedAt}]` (no json tags); the Machines-API era renders snake_case
 * `[{name, digest, created_at}]`. Both are accepted; digests and everything else are dropped.
 */
export function parseFlySecrets(stdout: string): string[] {
  const json = parseJson(stdout, 'fly secrets list --json');
  const list = Array.isArray(json) ? json : (json as { secrets?: unknown } | null)?.secrets;
  if (!Array.isArray(list)) throw new FlyctlError(`fly secrets list --json printed an unexpected shape (expected an array of secrets): ${excerpt(stdout)}`);
  return list.map((s) => {
    const name = (s as { Name?: unknown; name?: unknown } | null)?.Name ?? (s as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') throw new FlyctlError('fly secrets list --json printed a secret without a name');
    return name;
  });
}

/**
 * Quotes argv for `fly machine exec`, which takes one command string (`Cmd`) that the exec
 * agent hands to a shell. Safe words stay bare; everything else is single-quoted.
 */
export function shellQuote(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * The `FlyClient` over flyctl (FLY_TRANSPORT=flyctl), for operators who reach Fly only through
 * an authenticated flyctl. Machines come from `fly status --json` (active machines only:
 * release-command and console machines are hidden there), exec from `fly machine exec --json`
 * (the real exit code, unlike `fly ssh console -C`, which collapses it to 1), secrets from
 * `fly secrets list --json`. The token, when configured, is passed as FLY_API_TOKEN in the
 * child's environment, never on the command line; FLY_NO_UPDATE_CHECK keeps notices away.
 * Every run is killed after its timeout.
 */
export class FlyctlClient implements FlyClient {
  readonly transport = 'flyctl' as const;

  constructor(private readonly o: { token?: string; timeoutMs: number; bin?: string }) {}

  async machines(app: string): Promise<FlyMachine[]> {
    return parseFlyStatus(await this.run(['status', '-a', app, '--json'], this.o.timeoutMs)).machines;
  }

  async exec(app: string, machineId: string, argv: readonly string[], timeoutS: number): Promise<FlyExecResult> {
    const args = ['machine', 'exec', machineId, shellQuote(argv), '-a', app, '--timeout', String(timeoutS), '--json'];
    return parseFlyExec(await this.run(args, timeoutS * 1000 + this.o.timeoutMs));
  }

  async secretNames(app: string): Promise<string[]> {
    return parseFlySecrets(await this.run(['secrets', 'list', '-a', app, '--json'], this.o.timeoutMs));
  }

  private async run(args: string[], timeoutMs: number): Promise<string> {
    const bin = this.o.bin ?? 'flyctl';
    const line = `${bin} ${args.join(' ')}`;
    // Loaded on first use: the default transport is the Machines API, and execa costs ~15 MB.
    const { execa } = await import('execa');
    const res = await execa(bin, args, {
      env: { FLY_NO_UPDATE_CHECK: '1', ...(this.o.token ? { FLY_API_TOKEN: this.o.token } : {}) },
      stdin: 'ignore',
      timeout: timeoutMs,
      forceKillAfterDelay: 2000,
      reject: false,
      stripFinalNewline: false,
    });
    if ((res as { code?: string }).code === 'ENOENT') {
      throw new FlyctlError(`FLY_TRANSPORT=flyctl, but the ${bin} binary was not found on PATH; install flyctl (https://fly.io/docs/flyctl/install/) or set FLY_TRANSPORT=api with FLY_API_TOKEN`);
    }
    if (res.timedOut) throw new FlyctlError(`${line} did not finish within ${timeoutMs} ms and was killed`);
    if (res.exitCode !== 0) {
      throw new FlyctlError(`${line} exited ${res.exitCode ?? res.signal ?? '?'}; stderr: ${excerpt(String(res.stderr))}`);
    }
    return String(res.stdout);
  }
}

function parseJson(stdout: string, what: string): unknown {
  try {
    return JSON.parse(stdout) as unknown;
  } catch {
    throw new FlyctlError(`${what} did not print JSON on stdout: ${excerpt(stdout)}`);
  }
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > 300 ? `${flat.slice(0, 300)}…` : flat);
}
