import { excerptOf } from '../clients/errors.ts';
import type { FlyMachine } from '../clients/fly.ts';

/** What one app's machines must look like (runbook §1–2: started, in the region, healthy, one release per group). */
export interface FleetExpectation {
  readonly app: string;
  readonly region: string;
  /** Process groups that must each have a started machine; empty = any group (single-process apps). */
  readonly groups: readonly string[];
}

/** The release one process group runs; `mixed` lists every machine when the group runs more than one. */
export interface GroupDeploy {
  readonly version: string | null;
  readonly digest: string | null;
  readonly image: string | null;
  readonly machines: number;
  readonly mixed?: readonly { id: string; version: string | null; digest: string | null }[];
}

/** The verdict on one app: every problem as a sentence naming the machine, and the deploy per group. */
export interface FleetAssessment {
  readonly problems: string[];
  readonly deploys: Record<string, GroupDeploy>;
  /** Machines judged (reserved and destroyed ones excluded). */
  readonly machines: number;
  /** The regions those machines reported, sorted: what the check saw, not what it expected. */
  readonly regions: string[];
}

// flyctl's own machines, never part of the running app: release_command runs, `fly console`, tests.
const RESERVED_GROUPS = new Set(['fly_app_release_command', 'fly_app_console', 'fly_app_test_machine_command']);
// Terminal states: the machine no longer exists as far as the app is concerned.
const GONE = new Set(['destroyed', 'destroying', 'replaced', 'migrated']);
const TRANSIENT = new Set([
  'creating',
  'starting',
  'stopping',
  'restarting',
  'suspending',
  'updating',
  'replacing',
  'launch_failed',
]);

/**
 * Judges an app's machines against the expectation. A machine must be `started`, sit in the
 * region, have host status `ok` (when reported) and at least one health check, all `passing`
 * (a machine with no check results proves nothing: no data is never a pass). Each required
 * group needs a started machine. Within a group all machines must run the same image digest
 * and release version; anything else is a half-finished deploy. Machines without a group are
 * judged as group `app`, Fly's default. Reserved flyctl groups and destroyed machines are
 * ignored, as `fly status` ignores them.
 */
export function assessFleet(all: readonly FlyMachine[], e: FleetExpectation): FleetAssessment {
  const machines = all.filter((m) => !GONE.has(m.state) && !RESERVED_GROUPS.has(m.processGroup ?? ''));
  const problems: string[] = [];
  if (machines.length === 0) problems.push(`${e.app} has no machines`);

  for (const m of machines) {
    const who = `machine ${m.id} (${m.processGroup ?? 'app'})`;
    if (m.state !== 'started') {
      const why = TRANSIENT.has(m.state)
        ? ' (a transient state: a deploy or restart is in progress; re-run when it has finished)'
        : '';
      problems.push(`${who} is ${m.state || 'in no state'}, expected started${why}`);
    }
    if (m.region !== e.region)
      problems.push(`${who} runs in region ${m.region || '(none)'}, expected ${e.region} (FLY_REGION)`);
    if (m.hostStatus !== undefined && m.hostStatus !== 'ok')
      problems.push(`${who}: host status is ${m.hostStatus}, so Fly cannot report its state`);
    if (m.checks.length === 0) problems.push(`${who} reports no health checks, so nothing shows it is healthy`);
    for (const c of m.checks) {
      if (c.status !== 'passing')
        problems.push(`${who}: health check ${c.name} is ${c.status}${c.output ? ` (${clip(c.output)})` : ''}`);
    }
  }

  const byGroup = new Map<string, FlyMachine[]>();
  for (const m of machines) {
    const g = m.processGroup ?? 'app';
    byGroup.set(g, [...(byGroup.get(g) ?? []), m]);
  }
  for (const g of e.groups) {
    const started = (byGroup.get(g) ?? []).filter((m) => m.state === 'started');
    if (started.length === 0)
      problems.push(
        `process group ${g} has no started machine (FLY_GATEWAY_PROCESSES requires ${e.groups.join(', ')})`,
      );
  }

  const deploys: Record<string, GroupDeploy> = {};
  for (const [g, ms] of byGroup) {
    const digests = new Set(ms.map((m) => m.digest ?? null));
    const versions = new Set(ms.map((m) => m.releaseVersion ?? null));
    const first = ms[0]!;
    const mixed = digests.size > 1 || versions.size > 1;
    deploys[g] = {
      version: versions.size === 1 ? (first.releaseVersion ?? null) : null,
      digest: digests.size === 1 ? (first.digest ?? null) : null,
      image: new Set(ms.map((m) => m.image)).size === 1 ? (first.image ?? null) : null,
      machines: ms.length,
      ...(mixed
        ? { mixed: ms.map((m) => ({ id: m.id, version: m.releaseVersion ?? null, digest: m.digest ?? null })) }
        : {}),
    };
    if (mixed) {
      const list = ms.map((m) => `${m.id}: release v${m.releaseVersion ?? '?'} ${short(m.digest)}`).join('; ');
      problems.push(`process group ${g} runs more than one release or image (a half-finished deploy): ${list}`);
    }
  }
  return { problems, deploys, machines: machines.length, regions: [...new Set(machines.map((m) => m.region))].sort() };
}

/**
 * The machine to run an in-VM probe on: a started machine of `group` (any group when
 * undefined), preferring one whose checks all pass. Undefined when there is none.
 */
export function probeMachine(all: readonly FlyMachine[], group?: string): FlyMachine | undefined {
  const candidates = all.filter(
    (m) =>
      m.state === 'started' &&
      !RESERVED_GROUPS.has(m.processGroup ?? '') &&
      (group === undefined || m.processGroup === group),
  );
  return candidates.find((m) => m.checks.length > 0 && m.checks.every((c) => c.status === 'passing')) ?? candidates[0];
}

function short(digest: string | undefined): string {
  return digest ? digest.slice(0, 19) : '(no digest)';
}

function clip(text: string): string {
  return excerptOf(text, 160);
}
