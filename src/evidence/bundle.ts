import { z } from 'zod';
import { DeployedGroup, SCHEMA_VERSION, type CheckRecord, type UnsignedBundle } from './model.ts';
import type { RunInfo } from './run-info.ts';
import { verdictOf } from './verdict.ts';

/**
 * Assembles the bundle from the checks' records. Checks are grouped by runbook section in
 * runbook order (1, 2, 3, 4.1, 4.2 …). Versions in `environment` come from the first check
 * that observed them (`gatewayVersion`, `langfuseVersion`).
 */
export function buildBundle(
  info: RunInfo,
  checks: readonly CheckRecord[],
  o: { startedAt: Date; endedAt: Date; endReason: 'passed' | 'failed' | 'interrupted'; runErrors: string[] },
): UnsignedBundle {
  const sorted = [...checks].sort((a, b) => compareSections(a.section, b.section) || a.id.localeCompare(b.id));
  const sections: UnsignedBundle['sections'] = [];
  for (const c of sorted) {
    const last = sections.at(-1);
    if (last?.section === c.section) last.checks.push(c);
    else sections.push({ section: c.section, checks: [c] });
  }
  const { verdict, reasons, notRun } = verdictOf(info, sorted, o.endReason, o.runErrors);
  return {
    schemaVersion: SCHEMA_VERSION,
    run: {
      id: info.runId,
      phase: info.phase,
      startedAt: o.startedAt.toISOString(),
      endedAt: o.endedAt.toISOString(),
      target: info.target,
      kind: info.kind,
      notRun,
      ranBy: info.ranBy,
      ...(info.sandboxFaults ? { sandboxFaults: info.sandboxFaults } : {}),
      ...(info.sandboxProfile ? { sandboxProfile: info.sandboxProfile } : {}),
      tool: info.tool,
      gitSha: info.gitSha,
      endReason: o.endReason,
    },
    environment: {
      gateway: { url: info.gatewayUrl, version: firstObserved(sorted, 'gatewayVersion') },
      langfuse: { url: info.langfuseUrl, version: firstObserved(sorted, 'langfuseVersion') },
      fly: deploysOf(sorted),
    },
    verdict,
    verdictReasons: reasons,
    sections,
    runErrors: o.runErrors,
  };
}

/** The `deploys` observation of the Fly check, if it ran and recorded one in the expected shape. */
function deploysOf(checks: readonly CheckRecord[]): UnsignedBundle['environment']['fly'] {
  for (const c of checks) {
    const parsed = z.record(z.string(), z.record(z.string(), DeployedGroup)).safeParse(c.observations.deploys);
    if (parsed.success) return parsed.data;
  }
  return {};
}

function firstObserved(checks: readonly CheckRecord[], key: string): string | null {
  for (const c of checks) {
    const v = c.observations[key];
    if (typeof v === 'string' && v) return v;
  }
  return null;
}

function compareSections(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0 || Number.isNaN(d)) return Number.isNaN(d) ? a.localeCompare(b) : d;
  }
  return 0;
}
