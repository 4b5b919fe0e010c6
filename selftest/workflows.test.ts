import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { SECRET_VARIABLES } from '../src/config/index.ts';
import { verifyEvidence } from '../src/evidence/verify.ts';
import { type JobRun, runWorkflow } from './actions-runner.ts';
import { WORKERS_PER_RUN } from './concurrency.ts';
import { childEnv } from './run-cutover.ts';
import { sharedSandbox } from './shared-sandbox.ts';
import { withSlot } from './slots.ts';

/**
 * The workflows of README "Use in CI", run on this machine by `actions-runner.ts` with the
 * `GITHUB_*` files a runner sets, against the sandbox: what a user copies must leave the job
 * summary, the artifact directory and the annotations GitHub would show.
 */

const ROOT = resolve(import.meta.dirname, '..');
const workflow = (name: string): string => join(ROOT, '.github/workflows', name);

/** The names a workflow's job `env` sets: they must reach the job through the workflow's own mappings. */
function mapped(file: string): Set<string> {
  const wf = parse(readFileSync(file, 'utf8')) as { jobs: Record<string, { env?: Record<string, string> }> };
  return new Set(Object.values(wf.jobs).flatMap((j) => Object.keys(j.env ?? {})));
}

const isSecret = (name: string): boolean => SECRET_VARIABLES.includes(name) || name.startsWith('TEAM_KEY_');

/**
 * A job's inputs from a sandbox's environment: secrets under GitHub's upper-case names, plain
 * variables as `vars`, and the rest (Fly API URL, app names, MONITOR_* timings: settings a
 * deployment leaves at their runbook defaults) on the runner machine. Nothing the workflow maps
 * is on the machine, so each reaches the job only through the workflow's own line.
 */
function inputsFrom(
  env: Record<string, string>,
  file: string,
  workspace: string,
): { vars: Record<string, string>; secrets: Record<string, string>; machineEnv: Record<string, string | undefined> } {
  const jobSets = mapped(file);
  const vars: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  const machineEnv: Record<string, string | undefined> = {
    ...childEnv(join(workspace, 'evidence')),
    CUTOVER_MAX_WORKERS: String(WORKERS_PER_RUN),
  };
  for (const [k, v] of Object.entries(env)) {
    if (isSecret(k)) secrets[k.toUpperCase()] = v;
    else if (jobSets.has(k)) vars[k] = v;
    else machineEnv[k] = v;
  }
  return { vars, secrets, machineEnv };
}

/** Every text a job left where someone can read it: logs, outputs, the job summary. */
function everythingShown(job: JobRun): string {
  return [job.summary, ...job.steps.flatMap((s) => [s.stdout, s.stderr, ...Object.values(s.outputs)])].join('\n');
}

function noSecretIn(job: JobRun, secrets: Record<string, string>): void {
  const shown = everythingShown(job);
  for (const [name, value] of Object.entries(secrets)) expect(shown.includes(value), name).toBe(false);
}

describe.concurrent('the README "Use in CI" workflows, run on this machine', () => {
  describe('cutover.yml, phase post, against a stack that fails 10 % of requests (error-burst)', () => {
    const sandboxOf = sharedSandbox({ liveTraffic: true, faults: ['error-burst'] });

    test('ends red with the ROLLBACK line as an error annotation; summary, signed bundle, artifact and attestation', async () => {
      const workspace = mkdtempSync(join(tmpdir(), 'workflow-cutover-'));
      const file = workflow('cutover.yml');
      const { vars, secrets, machineEnv } = inputsFrom(sandboxOf().env, file, workspace);
      const keys = generateKeyPairSync('ed25519');
      secrets.CUTOVER_SIGNING_KEY = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const job = await withSlot(() =>
        runWorkflow(file, {
          inputs: { phase: 'post', 'baseline-run': '' },
          vars,
          secrets,
          machineEnv,
          workspace,
          cwd: ROOT,
          override: { CUTOVER_EVIDENCE_DIR: join(workspace, 'evidence') },
        }),
      );
      const run = job.step('run');
      expect(run.outputs, run.stderr.slice(-800)).toEqual({ 'exit-code': '1' });
      const verdict = job.step('Verdict');
      expect(verdict).toMatchObject({ conclusion: 'failure', exitCode: 1, outputs: { verdict: 'rollback' } });
      expect(job.conclusion).toBe('failure');
      expect(job.step("Fetch the pre-cutover evidence (the watch's latency baseline)").conclusion).toBe('skipped');

      const runId = runIdOf(job);
      const dir = join(workspace, 'evidence', runId);
      const bundle = JSON.parse(readFileSync(join(dir, 'evidence.json'), 'utf8')) as {
        verdict: string;
        sections: { checks: { id: string; observations: Record<string, unknown> }[] }[];
      };
      expect(bundle.verdict).toBe('rollback');
      const trigger = bundle.sections.flatMap((s) => s.checks).find((c) => c.id === '7/watch')?.observations
        .rollbackTrigger as { line: string };
      // The one annotation is the ROLLBACK line, exactly, its % encoded as a workflow command needs.
      expect(job.annotations.map(({ level, title, message }) => ({ level, title, message }))).toEqual([
        { level: 'error', title: 'Runbook 7 rollback', message: trigger.line },
      ]);
      expect(trigger.line).toMatch(/^ROLLBACK: error rate \d+\.\d % > 2\.0 % over \d+ requests/);
      expect(job.annotations[0]!.raw).toContain(trigger.line.replace(/%/g, '%25'));

      // The job summary is summary.md, once.
      const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
      expect(summary.split('\n')[0]).toBe('# Cutover watch: **ROLLBACK**');
      expect(job.summary).toBe(`${summary}\n`);

      // The artifact holds the run's bundle, signed; the attestation covers exactly that run's files.
      const artifact = job.artifacts.find((a) => a.name.startsWith('cutover-evidence-post-'));
      expect(artifact?.retentionDays).toBe(90);
      const bundleFiles = [
        'evidence.json',
        'evidence.json.sig',
        'junit.xml',
        'report.html',
        'schema.json',
        'summary.md',
      ];
      expect(artifact?.files).toEqual(expect.arrayContaining(bundleFiles.map((f) => `${runId}/${f}`)));
      expect(job.attested).toEqual(bundleFiles.map((f) => `evidence/${runId}/${f}`));
      const verified = verifyEvidence(dir, { publicKey: keys.publicKey });
      expect(verified.signature, verified.problems.join('\n')).toBe('verified');

      noSecretIn(job, secrets);
    });
  });

  test('cutover.yml without GATEWAY_URL stops before the suite could start the sandbox: one error, nothing uploaded', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'workflow-cutover-'));
    const job = await runWorkflow(workflow('cutover.yml'), {
      inputs: { phase: 'pre', 'baseline-run': '' },
      machineEnv: childEnv(join(workspace, 'evidence')),
      workspace,
      cwd: ROOT,
      override: { CUTOVER_EVIDENCE_DIR: join(workspace, 'evidence') },
    });
    expect(job.conclusion).toBe('failure');
    expect(job.annotations.map((a) => a.title)).toEqual(['No target']);
    for (const name of ['run', 'Upload the evidence bundle', 'Attest the evidence bundle', 'Verdict'])
      expect(job.step(name).conclusion, name).toBe('skipped');
    expect(job.artifacts).toEqual([]);
  });

  describe('agent-config-gate.yml', () => {
    const secrets = {
      TEAM_KEY_SUPPORT_BOT: `sk-team-${randomBytes(12).toString('hex')}`,
      TEAM_KEY_ORDER_TRACKER: `sk-team-${randomBytes(12).toString('hex')}`,
      TEAM_KEY_RETURNS_ASSISTANT: `sk-team-${randomBytes(12).toString('hex')}`,
    };

    /** The gate on a sample config (the workflow's path is the copying repository's own). */
    async function gate(config: string): Promise<{ job: JobRun; evidence: string }> {
      const workspace = mkdtempSync(join(tmpdir(), 'workflow-gate-'));
      const evidence = join(workspace, 'evidence');
      // In a slot: the gate is a whole Vitest run, and other selftests' runs measure latencies.
      const job = await withSlot(() =>
        runWorkflow(workflow('agent-config-gate.yml'), {
          vars: { AGENTS_GATEWAY_URL: 'https://gateway.hotrodan.com' },
          secrets,
          machineEnv: childEnv(evidence),
          workspace,
          cwd: ROOT,
          override: { CUTOVER_EVIDENCE_DIR: evidence, AGENTS_CONFIG_PATH: `fixtures/agents/${config}` },
        }),
      );
      return { job, evidence };
    }

    test('a good config: green, config-ok in the job summary, the bundle uploaded', async () => {
      const { job } = await gate('good.json');
      expect(job.conclusion, job.step('Agent-config gate').stdout.slice(-800)).toBe('success');
      expect(job.summary.split('\n')[0]).toMatch(/^# .*\*\*CONFIG-OK\*\*/);
      const artifact = job.artifacts[0];
      expect(artifact?.name).toMatch(/^agent-config-gate-evidence-\d+-1$/);
      expect(artifact?.files).toContain('latest/evidence.json');
      noSecretIn(job, secrets);
    });

    test('an inline key: the gate step fails the pull request, config-failed in the summary, the bundle still uploaded', async () => {
      const { job } = await gate('bad-inline-key.json');
      expect(job.step('Agent-config gate')).toMatchObject({ conclusion: 'failure', exitCode: 1 });
      expect(job.conclusion).toBe('failure');
      expect(job.summary.split('\n')[0]).toMatch(/^# .*\*\*CONFIG-FAILED\*\*/);
      expect(job.step('Upload the evidence bundle').conclusion).toBe('success');
      expect(job.artifacts[0]?.files).toContain('latest/summary.md');
      noSecretIn(job, secrets);
    });
  });
});

/** The run id the job's `env` gave the suite, read back from the run step's own log. */
function runIdOf(job: JobRun): string {
  const m = /^Evidence: (.+)\/ \(/m.exec(job.step('run').stdout);
  if (!m) throw new Error(`the run printed no evidence path: ${job.step('run').stdout.slice(-800)}`);
  return m[1]!.split('/').at(-1)!;
}
