// Renders the README's picture of the evidence report: runs the pre-cutover suite against the
// bundled sandbox (exactly as `pnpm test:cutover` does with no .env), renders the HTML view of
// the bundle it wrote, and screenshots the whole page with headless Chromium.
//
//   pnpm exec tsx scripts/screenshot.ts [--out docs/report.png] [--width 1200]
//
// Needs Chromium (`/usr/bin/chromium`, or CHROMIUM_PATH). Exits non-zero, saying why, when the
// run wrote no evidence or the browser is missing; a verdict other than GO is printed but still
// pictured, since the picture shows whatever the sandbox said.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { launchChromium, reportOf } from '../selftest/chromium.ts';
import { runCutover } from '../selftest/run-cutover.ts';
import { ExitCode } from '../src/evidence/exit-codes.ts';

const { values } = parseArgs({
  options: { out: { type: 'string', default: 'docs/report.png' }, width: { type: 'string', default: '1200' } },
});
const out = resolve(values.out);
const width = Number(values.width);

process.stdout.write('Running the pre-cutover suite against the bundled sandbox…\n');
const run = await runCutover({}, { timeoutMs: 600_000 });
if (!run.bundle) {
  process.stderr.write(`The cutover run (exit ${run.exitCode}) wrote no evidence.json.\n${run.stderr.slice(-2000)}\n`);
  process.exit(ExitCode.NOT_PASSED);
}
const report = reportOf(run);
process.stdout.write(
  `Verdict ${run.bundle.verdict.toUpperCase()}; report ${report.path}${report.written ? '' : ' (rendered from evidence.json)'}\n`,
);

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
  const offline: string[] = [];
  const url = pathToFileURL(report.path).href;
  page.on('request', (r) => {
    if (r.url() !== url) offline.push(r.url());
  });
  await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out, fullPage: true });
  if (offline.length > 0) throw new Error(`the report made network requests: ${offline.join(', ')}`);
} finally {
  await browser.close();
}
process.stdout.write(`Screenshot: ${out}\n`);
