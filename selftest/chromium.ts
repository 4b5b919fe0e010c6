import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { renderHtml } from '../src/evidence/html.ts';
import type { CutoverRun } from './run-cutover.ts';

/** Where the browser selftest and the screenshot script find Chromium (CI installs it with apt). */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Launches headless Chromium with everything that could phone home switched off. Playwright
 * gives every non-persistent launch a fresh temporary profile (it refuses `--user-data-dir`).
 * Throws a message saying how to install Chromium when the binary is missing: a browser check
 * that silently skips would prove nothing.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set CHROMIUM_PATH. The HTML report is checked in a real browser; this check does not skip.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    timeout: 60_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * The `report.html` of a cutover run: the one the evidence writer left in `latest/` when it
 * writes one, otherwise rendered here from the run's `evidence.json` into the same place.
 * `written` says which, so a test can tell the writer's file from its own stand-in. Throws
 * when the run left no bundle.
 */
export function reportOf(run: CutoverRun): { path: string; written: boolean } {
  const path = join(run.evidenceDir, 'latest', 'report.html');
  if (existsSync(path)) return { path, written: true };
  if (!run.bundle)
    throw new Error(
      `the cutover run (exit ${run.exitCode}) wrote no evidence.json; stderr: ${run.stderr.slice(0, 800)}`,
    );
  writeFileSync(path, renderHtml(run.bundle));
  return { path, written: false };
}
