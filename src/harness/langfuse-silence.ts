import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LangfuseTraceList } from '../clients/langfuse-traces.ts';
import type { CutoverConfig } from '../config/index.ts';
import { ensurePartialDir, partialDir } from '../evidence/partial.ts';
import { writeAtomic } from '../evidence/write.ts';

/**
 * Runbook checks wait for their own trace in Langfuse. When Langfuse accepts LiteLLM's events
 * but stores none (a wrong project key on the gateway, a stalled worker), every check waited its
 * whole LANGFUSE_WAIT_MS and each failed saying "raise the wait", which cannot help. This module
 * says it once: after half the wait with nothing, a check asks Langfuse whether *any* trace of
 * this run (tag `run:<run id>`) exists; none means Langfuse is not storing this run, and the
 * finding is shared with every other waiting check (they run in other worker threads, so through
 * a file next to the run's partial records), which stop at once with the same cause.
 */
export class LangfuseSilent extends Error {
  override readonly name = 'LangfuseSilent';
}

const markerOf = (config: CutoverConfig): string =>
  join(partialDir(config.evidenceDir, config.runId), 'langfuse-silent.txt');

/** The shared finding, once one check has made it. */
function silentFinding(config: CutoverConfig): string | undefined {
  const file = markerOf(config);
  if (!existsSync(file)) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The message every blind check fails with: the cause, the likely reasons, and what not to do. */
function silenceMessage(config: CutoverConfig, waitedMs: number): string {
  return (
    `no trace of this run (tag run:${config.runId}) reached Langfuse in ${Math.round(waitedMs / 1000)} s, although the gateway answered: Langfuse is not storing what LiteLLM sends. ` +
    `Likely causes: LiteLLM's langfuse callback is missing or failing (GET /active/callbacks, the gateway's logs), the gateway's LANGFUSE_PUBLIC_KEY/LANGFUSE_SECRET_KEY belong to another project than the suite's, or the Langfuse worker is not processing ingestion (its queue, ClickHouse). Raising LANGFUSE_WAIT_MS will not help`
  );
}

/**
 * Throws `LangfuseSilent` when another check already found this run missing from Langfuse, or
 * when, `waitedMs` into a wait of `config.langfuse.waitMs`, past half of it, Langfuse holds no
 * trace of this run at all (and records the finding for the others). Any error asking Langfuse is
 * not a finding: the caller keeps waiting.
 */
export async function assertRunVisible(config: CutoverConfig, waitedMs: number, since: Date): Promise<void> {
  const shared = silentFinding(config);
  if (shared) throw new LangfuseSilent(shared);
  if (waitedMs < config.langfuse.waitMs / 2) return;
  const list = new LangfuseTraceList({ ...config.langfuse, timeoutMs: config.httpTimeoutMs });
  const count = await list.countTagged(`run:${config.runId}`, since).catch(() => undefined);
  if (count !== 0) return;
  const message = silenceMessage(config, waitedMs);
  try {
    // Through the evidence root's wall: no symlink inside it is followed, and a reader in
    // another thread sees the whole message or none.
    ensurePartialDir(partialDir(config.evidenceDir, config.runId));
    writeAtomic(markerOf(config), message);
  } catch {
    // Without the shared file each check still finds the silence itself, half a wait later.
  }
  throw new LangfuseSilent(message);
}
