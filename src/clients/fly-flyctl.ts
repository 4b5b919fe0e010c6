import { z } from 'zod';
import { runSecrets } from '../evidence/secrets.ts';
import { excerptOf } from './errors.ts';
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
    throw new FlyctlError(
      `fly status --json printed an unexpected shape (expected {"Machines": [...]}): ${excerpt(stdout)}`,
    );
  }
}

/**
 * Parses `fly machine exec ID CMD --json`: fly-go's `MachineExecResponse`, snake_case and
 * omitempty, so `{}` is a silent command that exited 0. (Without --json flyctl prints
 * "Exit code: N" and still exits 0, which is why the JSON form is used.)
 */
export function parseFlyExec(stdout: string): FlyExecResult {
  const r = execResultFromJson(parseJson(stdout, 'fly machine exec --json'));
  if (!r)
    throw new FlyctlError(
      `fly machine exec --json printed an unexpected shape (expected {exit_code?, stdout?, stderr?}): ${excerpt(stdout)}`,
    );
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
  if (!Array.isArray(list))
    throw new FlyctlError(
      `fly secrets list --json printed an unexpected shape (expected an array of secrets): ${excerpt(stdout)}`,
    );
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

/** Variables flyctl gets from the caller's environment by name: where to find itself, its config and temp files, and the way out through a proxy. */
const FLYCTL_PASSED = new Set([
  'PATH',
  'HOME',
  'TMPDIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
]);

/**
 * The environment the flyctl child gets, built from nothing (the caller runs it with
 * `extendEnv: false`): PATH, HOME, TMPDIR and the proxy variables; flyctl's own `FLY_*`
 * settings, except `FLY_API_TOKEN` and any `FLY_*` whose value holds a configured secret (a
 * copied credential); `FLY_API_TOKEN` only as the configured `token`, when there is one;
 * `FLY_NO_UPDATE_CHECK=1`. Nothing else: not the gateway, Langfuse or database credentials of
 * this run, which flyctl (and whatever it runs) has no business seeing.
 */
export function flyctlEnvironment(base: NodeJS.ProcessEnv, token: string | undefined): Record<string, string> {
  const secrets = runSecrets();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) {
    if (v === undefined) continue;
    if (FLYCTL_PASSED.has(k)) out[k] = v;
    else if (k.startsWith('FLY_') && k !== 'FLY_API_TOKEN' && secrets.findIn(v).length === 0) out[k] = v;
  }
  return { ...out, FLY_NO_UPDATE_CHECK: '1', ...(token ? { FLY_API_TOKEN: token } : {}) };
}

/**
 * The `FlyClient` over flyctl (FLY_TRANSPORT=flyctl), for operators who reach Fly only through
 * an authenticated flyctl. Machines come from `fly status --json` (active machines only:
 * release-command and console machines are hidden there), exec from `fly machine exec --json`
 * (the real exit code, unlike `fly ssh console -C`, which collapses it to 1), secrets from
 * `fly secrets list --json`. The token, when configured, is passed as FLY_API_TOKEN in the
 * child's environment, never on the command line; FLY_NO_UPDATE_CHECK keeps notices away; the
 * rest of the environment is scrubbed (`flyctlEnvironment`). Every run is killed after its timeout.
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
    // Loaded on first use: the default transport is the Machines API, and execa costs ~15 MB (commit 439c411).
    const { execa } = await import('execa');
    const res = await execa(bin, args, {
      env: flyctlEnvironment(process.env, this.o.token),
      extendEnv: false,
      stdin: 'ignore',
      timeout: timeoutMs,
      forceKillAfterDelay: 2000,
      reject: false,
      stripFinalNewline: false,
    });
    if ((res as { code?: string }).code === 'ENOENT') {
      throw new FlyctlError(
        `FLY_TRANSPORT=flyctl, but the ${bin} binary was not found on PATH; install flyctl (https://fly.io/docs/flyctl/install/) or set FLY_TRANSPORT=api with FLY_API_TOKEN`,
      );
    }
    if (res.timedOut) throw new FlyctlError(`${line} did not finish within ${timeoutMs} ms and was killed`);
    if (res.exitCode !== 0) {
      throw new FlyctlError(
        `${line} exited ${res.exitCode ?? res.signal ?? '?'}; stderr: ${excerpt(String(res.stderr))}`,
      );
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
  return JSON.stringify(excerptOf(text));
}
