import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * The shape of the GitHub workflow files we ship (.github/workflows/), as far as our checks
 * read them: the structural test (scripts/workflows.test.ts) and the runner stand-in that
 * executes their steps (selftest/actions-runner.ts) read the same model.
 */
export interface WorkflowStep {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}

export interface WorkflowJob {
  readonly 'runs-on': string;
  readonly environment?: string;
  readonly 'timeout-minutes'?: number;
  readonly env: Record<string, string>;
  readonly steps: WorkflowStep[];
}

export interface Workflow {
  readonly name: string;
  readonly on: Record<string, Record<string, unknown> | null>;
  readonly permissions: Record<string, string>;
  readonly jobs: Record<string, WorkflowJob>;
}

/** A workflow file, its text and its only job; throws when it has none or several (both of ours have one). */
export function readWorkflow(file: string): { text: string; wf: Workflow; job: WorkflowJob } {
  const text = readFileSync(file, 'utf8');
  const wf = parse(text) as Workflow;
  const jobs = Object.values(wf.jobs ?? {});
  if (jobs.length !== 1) throw new Error(`${file}: expected one job, found ${jobs.length}`);
  return { text, wf, job: jobs[0]! };
}
