import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { readWorkflow, type WorkflowStep } from '../scripts/workflow-file.ts';

/**
 * A small stand-in for a GitHub Actions runner, enough to run this repository's workflows on
 * this machine: each `run:` step in bash with the `GITHUB_*` files a runner sets, the job's and
 * step's `env`, `if:` conditions and `${{ }}` expressions. It understands only the expressions
 * and actions our workflows use and throws on anything else, so a workflow that outgrows it
 * fails its selftest instead of being half-run.
 *
 * Where it differs from GitHub, on purpose:
 * - The checkout is this one, shared with other work: `run:` steps run in it, but relative paths
 *   of actions (`upload-artifact`'s `path`, `hashFiles`) resolve in `workspace`, a temp dir the
 *   caller points `CUTOVER_EVIDENCE_DIR` into, so no run writes into the shared `evidence/`.
 * - `actions/checkout` and `actions/setup-node` are no-ops (this checkout, this Node), and the
 *   step named `Install` is not run: it would install pnpm globally on this machine. Its exact
 *   commands are checked by scripts/workflows.test.ts.
 * - `upload-artifact` and `attest-build-provenance` record the files they would upload or attest.
 *   `download-artifact` is not emulated: a step that reaches it throws.
 */

/** One `::error::`-style workflow command, decoded as GitHub shows it. */
interface Annotation {
  readonly level: 'error' | 'warning' | 'notice';
  readonly title?: string;
  readonly message: string;
  /** The line as printed, before decoding. */
  readonly raw: string;
}

interface StepRun {
  readonly name: string;
  readonly id?: string;
  /** `skipped` (its `if:` was false), `not-run` (emulated as a no-op), or how it ended. */
  readonly conclusion: 'success' | 'failure' | 'skipped' | 'not-run';
  readonly exitCode?: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  readonly annotations: Annotation[];
}

export interface JobRun {
  readonly conclusion: 'success' | 'failure';
  readonly steps: StepRun[];
  /** Everything the steps appended to `$GITHUB_STEP_SUMMARY`, in order, as the job summary shows it. */
  readonly summary: string;
  readonly annotations: Annotation[];
  /** Artifacts uploaded: name, retention and the files (relative to the uploaded directory). */
  readonly artifacts: { name: string; retentionDays?: number; root: string; files: string[] }[];
  /** Files attested, relative to `workspace`. */
  readonly attested: string[];
  /** The step of that name or id; throws a readable error when there is none. */
  step(nameOrId: string): StepRun;
}

export interface RunOptions {
  readonly inputs?: Record<string, string>;
  readonly vars?: Record<string, string>;
  /** By GitHub's name (upper case). */
  readonly secrets?: Record<string, string>;
  /** Where actions' relative paths resolve (see above). */
  readonly workspace: string;
  /** Where `run:` steps run (the checkout). */
  readonly cwd: string;
  /** The runner machine's own environment (PATH, HOME, …), under the job's `env`. */
  readonly machineEnv: Record<string, string | undefined>;
  /** Set after the job's `env` is evaluated: what this machine must change (e.g. an absolute evidence dir). */
  readonly override?: Record<string, string>;
  readonly timeoutMs?: number;
}

/** What an expression can see. */
interface Scope {
  readonly inputs: Record<string, string>;
  readonly vars: Record<string, string>;
  readonly secrets: Record<string, string>;
  readonly github: Record<string, string>;
  env: Record<string, string>;
  readonly steps: Record<string, { outputs: Record<string, string>; conclusion: string; outcome: string }>;
  readonly workspace: string;
  failed: boolean;
}

/** Runs the workflow's only job; throws for a workflow with several jobs or something it cannot emulate. */
export async function runWorkflow(file: string, o: RunOptions): Promise<JobRun> {
  // The runner emulates one job: readWorkflow refuses a workflow with several.
  const { job } = readWorkflow(file);
  const runId = String(Date.now());
  const scope: Scope = {
    inputs: o.inputs ?? {},
    vars: o.vars ?? {},
    secrets: o.secrets ?? {},
    github: { run_id: runId, run_attempt: '1', token: 'ghs_emulated-token-not-a-secret' },
    env: {},
    steps: {},
    workspace: o.workspace,
    failed: false,
  };
  for (const [k, v] of Object.entries(job.env ?? {})) scope.env[k] = interpolate(String(v), scope);
  Object.assign(scope.env, o.override ?? {});
  const files = mkdtempSync(join(tmpdir(), 'actions-runner-'));
  const steps: StepRun[] = [];
  const artifacts: JobRun['artifacts'] = [];
  const attested: string[] = [];
  let summary = '';
  for (const [i, step] of job.steps.entries()) {
    const name = step.name ? interpolate(step.name, scope) : (step.uses ?? `step ${i + 1}`);
    const condition = step.if ?? 'success()';
    if (!truthy(evaluate(condition.replace(/^\$\{\{([\s\S]*)\}\}$/, '$1'), scope))) {
      steps.push(record(scope, step, { name, conclusion: 'skipped', stdout: '', stderr: '', outputs: {} }));
      continue;
    }
    if (step.uses) {
      const r = emulateAction(step, scope, artifacts, attested);
      steps.push(
        record(scope, step, { name, stdout: '', stderr: r.error ?? '', outputs: {}, conclusion: r.conclusion }),
      );
      continue;
    }
    if (step.name === 'Install') {
      steps.push(record(scope, step, { name, conclusion: 'not-run', stdout: '', stderr: '', outputs: {} }));
      continue;
    }
    const stepEnv = Object.fromEntries(
      Object.entries(step.env ?? {}).map(([k, v]) => [k, interpolate(String(v), scope)]),
    );
    const output = join(files, `output-${i}`);
    const stepSummary = join(files, `summary-${i}`);
    const script = join(files, `step-${i}.sh`);
    for (const f of [output, stepSummary]) writeFileSync(f, '');
    writeFileSync(script, interpolate(step.run ?? '', scope));
    // GitHub's default shell on Linux runners: `bash --noprofile --norc -eo pipefail {0}`.
    const res = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd: o.cwd,
      env: {
        ...o.machineEnv,
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_RUN_ID: runId,
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_WORKSPACE: o.workspace,
        RUNNER_TEMP: files,
        ...scope.env,
        ...stepEnv,
        GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: stepSummary,
        GITHUB_ENV: join(files, `env-${i}`),
      },
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      timeout: o.timeoutMs ?? 300_000,
    });
    summary += readFileSync(stepSummary, 'utf8');
    const stdout = String(res.stdout);
    steps.push(
      record(scope, step, {
        name,
        conclusion: res.exitCode === 0 ? 'success' : 'failure',
        exitCode: res.exitCode ?? -1,
        stdout,
        stderr: String(res.stderr),
        outputs: readOutputs(output),
      }),
    );
  }
  const annotations = steps.flatMap((s) => s.annotations);
  return {
    conclusion: steps.some((s) => s.conclusion === 'failure') ? 'failure' : 'success',
    steps,
    summary,
    annotations,
    artifacts,
    attested,
    step(nameOrId) {
      const found = steps.find((s) => s.name === nameOrId || s.id === nameOrId);
      if (!found) throw new Error(`no step ${nameOrId}; steps: ${steps.map((s) => s.name).join(', ')}`);
      return found;
    },
  };
}

/** Records a step's outcome where later `steps.<id>` expressions and the `success()` default see it. */
function record(scope: Scope, step: WorkflowStep, r: Omit<StepRun, 'annotations' | 'id'>): StepRun {
  const run: StepRun = { ...r, id: step.id, annotations: annotationsOf(r.stdout) };
  if (r.conclusion === 'failure') scope.failed = true;
  const conclusion = r.conclusion === 'not-run' ? 'success' : r.conclusion;
  if (step.id) scope.steps[step.id] = { outputs: r.outputs, conclusion, outcome: conclusion };
  return run;
}

/** `key=value` lines and `key<<DELIM` blocks of a `$GITHUB_OUTPUT` file. */
function readOutputs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const block = /^([^=<]+)<<(.+)$/.exec(line);
    if (block) {
      const end = lines.indexOf(block[2]!, i + 1);
      out[block[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
  }
  return out;
}

/** GitHub's decoding of a workflow command's message and properties. */
function decodeCommand(s: string): string {
  return s
    .replace(/%0D/gi, '\r')
    .replace(/%0A/gi, '\n')
    .replace(/%3A/gi, ':')
    .replace(/%2C/gi, ',')
    .replace(/%25/g, '%');
}

function annotationsOf(stdout: string): Annotation[] {
  const out: Annotation[] = [];
  for (const raw of stdout.split('\n')) {
    const m = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(raw);
    if (!m) continue;
    const props = Object.fromEntries(
      (m[2] ?? '')
        .split(',')
        .filter(Boolean)
        .map((p) => [p.slice(0, p.indexOf('=')), decodeCommand(p.slice(p.indexOf('=') + 1))]),
    );
    out.push({ level: m[1] as Annotation['level'], title: props.title, message: decodeCommand(m[3]!), raw });
  }
  return out;
}

/** Every file under `dir`, relative to it, sorted. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

function emulateAction(
  step: WorkflowStep,
  scope: Scope,
  artifacts: JobRun['artifacts'],
  attested: string[],
): { conclusion: StepRun['conclusion']; error?: string } {
  const action = step.uses!.split('@')[0];
  const input = (k: string): string => interpolate(String(step.with?.[k] ?? ''), scope);
  switch (action) {
    case 'actions/checkout':
    case 'actions/setup-node':
      return { conclusion: 'not-run' };
    case 'actions/upload-artifact': {
      const root = resolve(scope.workspace, input('path'));
      const files = filesUnder(root);
      if (files.length === 0 && input('if-no-files-found') === 'error')
        return { conclusion: 'failure', error: `no files found at ${input('path')}` };
      const days = input('retention-days');
      artifacts.push({ name: input('name'), retentionDays: days ? Number(days) : undefined, root, files });
      return { conclusion: 'success' };
    }
    case 'actions/attest-build-provenance': {
      const pattern = input('subject-path');
      if (!pattern.endsWith('/*'))
        throw new Error(`attest-build-provenance: the runner emulates only dir/* subjects, got ${pattern}`);
      const dir = resolve(scope.workspace, pattern.slice(0, -2));
      const files = existsSync(dir) ? readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile()) : [];
      if (files.length === 0) return { conclusion: 'failure', error: `no subject matches ${pattern}` };
      attested.push(...files.map((f) => relative(scope.workspace, join(dir, f))).sort());
      return { conclusion: 'success' };
    }
    default:
      throw new Error(`the runner does not emulate ${step.uses}`);
  }
}

/** `text` with each `${{ expr }}` replaced by its value. */
function interpolate(text: string, scope: Scope): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => {
    const v = evaluate(expr, scope);
    return typeof v === 'boolean' ? String(v) : v;
  });
}

type Value = string | boolean;

function truthy(v: Value): boolean {
  return v !== '' && v !== false;
}

/**
 * Evaluates the expression subset our workflows use: contexts (`inputs`, `vars`, `secrets`,
 * `github`, `env`, `steps.<id>.outputs.<name>` / `.conclusion`), string literals, `!`, `==`,
 * `!=`, `&&`, `||`, parentheses, and the functions `success()`, `cancelled()`, `format()`,
 * `hashFiles()` (any hash for an existing file, '' for none). Anything else throws.
 */
function evaluate(expr: string, scope: Scope): Value {
  const tokens = expr.match(/'(?:[^']|'')*'|==|!=|&&|\|\||[!(),]|[A-Za-z_][\w.-]*/g) ?? [];
  if (tokens.join('').replace(/\s/g, '') !== expr.replace(/\s/g, ''))
    throw new Error(`the runner cannot read the expression: ${expr}`);
  let at = 0;
  const peek = (): string | undefined => tokens[at];
  const take = (want?: string): string => {
    const t = tokens[at++];
    if (t === undefined || (want !== undefined && t !== want))
      throw new Error(`expected ${want ?? 'more'} in: ${expr}`);
    return t;
  };
  const or = (): Value => {
    let v = and();
    while (peek() === '||') {
      take();
      const r = and();
      v = truthy(v) ? v : r;
    }
    return v;
  };
  const and = (): Value => {
    let v = compare();
    while (peek() === '&&') {
      take();
      const r = compare();
      v = truthy(v) ? r : v;
    }
    return v;
  };
  const compare = (): Value => {
    const left = unary();
    const op = peek();
    if (op !== '==' && op !== '!=') return left;
    take();
    const right = unary();
    return (String(left).toLowerCase() === String(right).toLowerCase()) === (op === '==');
  };
  const unary = (): Value => {
    if (peek() === '!') {
      take();
      return !truthy(unary());
    }
    return primary();
  };
  const primary = (): Value => {
    const t = take();
    if (t === '(') {
      const v = or();
      take(')');
      return v;
    }
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    if (peek() === '(') {
      take('(');
      const args: Value[] = [];
      while (peek() !== ')') {
        args.push(or());
        if (peek() === ',') take(',');
      }
      take(')');
      return call(t, args, scope);
    }
    return lookup(t, scope);
  };
  const v = or();
  if (at !== tokens.length) throw new Error(`the runner cannot read the expression: ${expr}`);
  return v;
}

function call(name: string, args: Value[], scope: Scope): Value {
  switch (name) {
    case 'success':
      return !scope.failed;
    case 'always':
      return true;
    case 'cancelled':
      return false;
    case 'failure':
      return scope.failed;
    case 'format':
      return String(args[0]).replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i) + 1] ?? ''));
    case 'hashFiles': {
      const file = resolve(scope.workspace, String(args[0]));
      return existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : '';
    }
    default:
      throw new Error(`the runner does not know the function ${name}()`);
  }
}

function lookup(path: string, scope: Scope): Value {
  const [context, ...rest] = path.split('.');
  if (context === 'steps') {
    const [id, field, name] = rest;
    const s = scope.steps[id!];
    if (!s) return '';
    if (field === 'outputs') return s.outputs[name!] ?? '';
    if (field === 'conclusion' || field === 'outcome') return s[field];
    throw new Error(`the runner does not know steps.${id}.${field}`);
  }
  const table: Record<string, Record<string, string> | undefined> = {
    inputs: scope.inputs,
    vars: scope.vars,
    secrets: scope.secrets,
    github: scope.github,
    env: scope.env,
  };
  const values = table[context!];
  if (!values || rest.length !== 1) throw new Error(`the runner does not know the context ${path}`);
  return values[rest[0]!] ?? '';
}
