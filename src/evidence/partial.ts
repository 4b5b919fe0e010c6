import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CheckRecord } from './model.ts';
import { writeAtomic } from './write.ts';

/**
 * In-flight check records, one file per check under `<evidenceDir>/.partial/<run-id>/`. A
 * check saves its record as it measures, so that a run killed mid-check (SIGINT during the
 * quota burst, a crashed worker) still leaves what was measured for the reporter to bundle.
 */
export function partialDir(evidenceDir: string, runId: string): string {
  return join(evidenceDir, '.partial', runId);
}

/** Saves one check's current record; best effort, since evidence of evidence must not fail a check. */
export function savePartial(dir: string, record: CheckRecord): void {
  try {
    mkdirSync(dir, { recursive: true });
    writeAtomic(join(dir, `${record.id.replace(/[^A-Za-z0-9._-]/g, '_')}.json`), JSON.stringify(record));
  } catch {
    // A read-only or vanished evidence dir only loses the crash copy; the final record still travels in task.meta.
  }
}

/** Every readable partial record in `dir`; malformed files are ignored. */
export function loadPartials(dir: string): CheckRecord[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    try {
      const parsed = CheckRecord.safeParse(JSON.parse(readFileSync(join(dir, n), 'utf8')));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
}

/** Removes a run's partial records once its bundle is written. */
export function clearPartials(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
