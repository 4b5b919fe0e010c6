import { z } from 'zod';
import { CutoverHttpError, excerptOf, UnexpectedResponseError } from './errors.ts';
import { jsonOf, send, type RawResponse } from './http.ts';

/** One health check result of a machine (`checks[]`, fly-go `MachineCheckStatus`). */
interface FlyCheck {
  readonly name: string;
  /** `passing` | `warning` | `critical` on Fly; anything else is passed through as is. */
  readonly status: string;
  readonly output?: string;
}

/**
 * A machine reduced to what the infra checks read, the same whichever transport fetched it.
 * Fields Fly may omit stay `undefined` rather than defaulting: `processGroup` is undefined for
 * a machine without metadata, `checks` is `[]` when the machine reported none (omitempty, or
 * a machine that has just started). `config` is read from `incomplete_config` when the host
 * is not `ok`, because Fly sends that instead.
 */
export interface FlyMachine {
  readonly id: string;
  readonly name?: string;
  readonly state: string;
  readonly region: string;
  /** `ok` | `unknown` | `unreachable`; undefined on older API versions that do not send it. */
  readonly hostStatus?: string;
  /** `config.metadata.fly_process_group`, falling back to the legacy `process_group` key. */
  readonly processGroup?: string;
  /** `config.metadata.fly_release_version`, the release that deployed this machine. */
  readonly releaseVersion?: string;
  /** `config.image`, e.g. `registry.fly.io/app:deployment-01J…`. */
  readonly image?: string;
  /** `image_ref.digest`, `sha256:…`: what actually runs, whatever the tag says. */
  readonly digest?: string;
  readonly checks: readonly FlyCheck[];
}

/** What a command run inside a machine produced. `exitCode` 0 when Fly omitted it (fly-go omitempty). */
export interface FlyExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The Fly operations the infra checks need, implemented over the Machines REST API
 * (`FlyMachinesApi`, FLY_TRANSPORT=api) and over flyctl (`FlyctlClient`, FLY_TRANSPORT=flyctl).
 * Both return the same shapes, so a check never knows which transport ran.
 */
export interface FlyClient {
  readonly transport: 'api' | 'flyctl';
  /** The app's machines (all non-destroyed ones the transport lists). Throws when the app cannot be listed. */
  machines(app: string): Promise<FlyMachine[]>;
  /**
   * Runs `argv` in a machine and returns its exit code and output. A non-zero exit is a result,
   * not an error; errors mean the command could not be run at all (auth, unknown machine, the
   * exec deadline passed). `timeoutS` bounds the command inside the VM.
   */
  exec(app: string, machineId: string, argv: readonly string[], timeoutS: number): Promise<FlyExecResult>;
  /** Names of the app's secrets; values are never requested. */
  secretNames(app: string): Promise<string[]>;
}

/**
 * The `Authorization` header value for a Fly token. Tokens from `fly tokens create` are printed
 * as `FlyV1 fm2_…` and must be sent whole; a header that already names its scheme (`FlyV1 ` or
 * `Bearer `) is sent as is, anything else gets `Bearer `. Never produces `Bearer Bearer …`.
 * Surrounding whitespace (a pasted newline) is trimmed.
 */
export function flyAuthorization(token: string): string {
  const t = token.trim();
  return t.startsWith('FlyV1 ') || t.startsWith('Bearer ') ? t : `Bearer ${t}`;
}

/** The Machines API refused or failed a call; `status` says which (401 token, 403 other org, 404 app). */
export class FlyApiError extends CutoverHttpError {
  readonly status: number;
  constructor(method: string, url: string, status: number, body: string) {
    super(method, url, `HTTP ${status}: ${hintFor(status)}${excerpt(body)}`);
    this.status = status;
  }
}

function hintFor(status: number): string {
  if (status === 401)
    return 'the Fly token was refused (FLY_API_TOKEN missing, expired or mangled; FlyV1 tokens are sent whole); ';
  if (status === 403) return 'the Fly token has no access to this app (another organization?); ';
  if (status === 404) return 'no such app, machine or route; ';
  if (status === 408) return 'Fly gave up waiting (exec deadline); ';
  return '';
}

function excerpt(body: string): string {
  return JSON.stringify(excerptOf(body, 200));
}

// Lenient on purpose: Fly adds fields freely, and a missing optional one must not hide the rest.
const RawCheck = z.object({
  name: z.string().default(''),
  status: z.string().default(''),
  output: z.string().optional(),
});
const RawConfig = z
  .object({ image: z.string().optional(), metadata: z.record(z.string(), z.unknown()).nullish() })
  .partial()
  .nullish();
const RawMachine = z.object({
  id: z.string(),
  name: z.string().optional(),
  state: z.string().default(''),
  region: z.string().default(''),
  host_status: z.string().optional(),
  config: RawConfig,
  incomplete_config: RawConfig,
  image_ref: z.object({ digest: z.string().optional() }).partial().nullish(),
  checks: z.array(RawCheck).nullish(),
});

/**
 * Normalizes one machine object as Fly's API and flyctl print it (fly-go `fly.Machine`,
 * snake_case keys). Throws a zod error when the object has no `id`.
 */
export function machineFromJson(raw: unknown): FlyMachine {
  const m = RawMachine.parse(raw);
  const config = m.config ?? m.incomplete_config ?? {};
  const meta = config.metadata ?? {};
  const str = (v: unknown): string | undefined =>
    typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
  return {
    id: m.id,
    name: m.name,
    state: m.state,
    region: m.region,
    hostStatus: m.host_status,
    processGroup: str(meta['fly_process_group']) ?? str(meta['process_group']),
    releaseVersion: str(meta['fly_release_version']),
    image: config.image,
    digest: m.image_ref?.digest || undefined,
    checks: (m.checks ?? []).map((c) => ({ name: c.name, status: c.status, output: c.output })),
  };
}

/** Parses a JSON array of machines, naming what came back when it is not one. */
function machinesFromJson(
  json: unknown,
  where: { method: string; url: string; status: number; text: string },
): FlyMachine[] {
  if (!Array.isArray(json))
    throw new UnexpectedResponseError(where.method, where.url, where.status, 'a JSON array of machines', where.text);
  try {
    return json.map(machineFromJson);
  } catch {
    throw new UnexpectedResponseError(
      where.method,
      where.url,
      where.status,
      'machine objects with id, state and region',
      where.text,
    );
  }
}

const ExecBody = z.object({
  exit_code: z.number().int().optional(),
  stdout: z.string().optional(),
  stderr: z.string().optional(),
});

/** Parses an exec response (`{exit_code?, stdout?, stderr?}`, every field omitempty): a missing exit code is 0. */
export function execResultFromJson(json: unknown): FlyExecResult | undefined {
  const r = ExecBody.safeParse(json);
  if (!r.success) return undefined;
  return { exitCode: r.data.exit_code ?? 0, stdout: r.data.stdout ?? '', stderr: r.data.stderr ?? '' };
}

const SecretsBody = z.union([
  z.object({ secrets: z.array(z.object({ name: z.string() }).passthrough()) }),
  z.array(z.object({ name: z.string() }).passthrough()),
]);

/**
 * The Fly Machines REST API (`FLY_API_URL`, default https://api.machines.dev) with a token.
 * Idempotent GETs are retried twice on 408/429/5xx (the API rate-limits at 1 req/s per action
 * with a burst of 3, and answers transient 5xx); exec is never retried, because a command may
 * have run. Every call is bounded by `timeoutMs`; exec gets its command timeout plus that.
 */
export class FlyMachinesApi implements FlyClient {
  readonly transport = 'api' as const;
  private readonly auth: string;

  constructor(private readonly o: { apiUrl: string; token: string; timeoutMs: number }) {
    this.auth = flyAuthorization(o.token);
  }

  async machines(app: string): Promise<FlyMachine[]> {
    const res = await this.get(`/v1/apps/${encodeURIComponent(app)}/machines`);
    return machinesFromJson(jsonOf(res, 'a JSON array of machines'), res);
  }

  async exec(app: string, machineId: string, argv: readonly string[], timeoutS: number): Promise<FlyExecResult> {
    const url = `${this.o.apiUrl}/v1/apps/${encodeURIComponent(app)}/machines/${encodeURIComponent(machineId)}/exec`;
    const res = await send(url, {
      method: 'POST',
      headers: { authorization: this.auth, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ command: argv, timeout: timeoutS }),
      // Headers arrive only after the command ends, so the HTTP budget must outlast it.
      timeoutMs: timeoutS * 1000 + this.o.timeoutMs,
    });
    if (res.status !== 200) throw new FlyApiError('POST', url, res.status, res.text);
    const result = execResultFromJson(jsonOf(res, 'an exec result'));
    if (!result) throw new UnexpectedResponseError('POST', url, res.status, '{exit_code?, stdout?, stderr?}', res.text);
    return result;
  }

  async secretNames(app: string): Promise<string[]> {
    const res = await this.get(`/v1/apps/${encodeURIComponent(app)}/secrets`);
    const parsed = SecretsBody.safeParse(jsonOf(res, 'a secrets list'));
    if (!parsed.success)
      throw new UnexpectedResponseError(res.method, res.url, res.status, '{"secrets":[{"name",…}]}', res.text);
    const list = Array.isArray(parsed.data) ? parsed.data : parsed.data.secrets;
    return list.map((s) => s.name);
  }

  private async get(path: string): Promise<RawResponse> {
    const url = `${this.o.apiUrl}${path}`;
    const headers = { authorization: this.auth, accept: 'application/json' };
    for (let attempt = 0; ; attempt += 1) {
      const res = await send(url, { headers, timeoutMs: this.o.timeoutMs });
      if (res.status === 200) return res;
      const transient = res.status === 408 || res.status === 429 || res.status >= 500;
      if (!transient || attempt === 2) throw new FlyApiError('GET', url, res.status, res.text);
      const retryAfterS = Number(res.headers['retry-after']);
      const waitMs =
        Number.isFinite(retryAfterS) && retryAfterS > 0 ? Math.min(retryAfterS * 1000, 3000) : 500 * 2 ** attempt;
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }
}
