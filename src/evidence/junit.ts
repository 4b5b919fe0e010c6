import type { CheckRecord, UnsignedBundle } from './model.ts';
import { LIMITS, stripControl, xmlText } from './sanitize.ts';

/** An attribute value: one line, bounded, escaped, only characters XML 1.0 allows. */
function esc(s: unknown, max: number = LIMITS.name): string {
  return xmlText(s, { max });
}

/**
 * The bundle as JUnit XML, for CI systems that only read JUnit. Unlike a generic JUnit
 * reporter it keeps what was measured: each measurement becomes a `<property>` with its value,
 * threshold and outcome. `inconclusive` maps to a failure (CI must not treat it as green).
 * Always well-formed XML 1.0: every bundle string (server-provided, hostile) goes through
 * `xmlText`, which strips control characters, replaces what XML does not allow, bounds and escapes.
 */
export function renderJunit(b: UnsignedBundle): string {
  const checks = b.sections.flatMap((s) => s.checks);
  const count = (f: (c: CheckRecord) => boolean): number => checks.filter(f).length;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="gateway-cutover ${esc(b.run.id)}" tests="${checks.length}" failures="${count((c) => c.status === 'failed' || c.status === 'inconclusive')}" skipped="${count((c) => c.status === 'skipped')}">`,
  ];
  for (const s of b.sections) {
    const failures = s.checks.filter((c) => c.status === 'failed' || c.status === 'inconclusive').length;
    const time = s.checks.reduce((t, c) => t + c.durationMs, 0) / 1000;
    out.push(
      `  <testsuite name="runbook §${esc(s.section)}" tests="${s.checks.length}" failures="${failures}" skipped="${s.checks.filter((c) => c.status === 'skipped').length}" time="${time.toFixed(3)}">`,
    );
    for (const c of s.checks) {
      out.push(
        `    <testcase classname="runbook.${esc(s.section)}" name="${esc(`${c.id} ${c.title}`, LIMITS.line)}" time="${(c.durationMs / 1000).toFixed(3)}">`,
      );
      if (c.measurements.length > 0) {
        out.push('      <properties>');
        for (const m of c.measurements) {
          const t = m.threshold
            ? ` threshold="${esc(`${m.threshold.op} ${m.threshold.value}`)}" pass="${esc(String(m.pass))}"`
            : '';
          out.push(`        <property name="${esc(m.name)}" value="${esc(m.value ?? '')}" unit="${esc(m.unit)}"${t}/>`);
        }
        out.push('      </properties>');
      }
      if (c.status === 'failed' || c.status === 'inconclusive')
        out.push(
          `      <failure type="${esc(c.status)}" message="${esc(firstLine(c.error ?? c.status), LIMITS.line)}">${xmlText(c.error ?? '', { newlines: true, max: LIMITS.text })}</failure>`,
        );
      if (c.status === 'skipped')
        out.push(`      <skipped message="${esc(c.skip?.reason ?? 'skipped', LIMITS.line)}"/>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

function firstLine(s: string): string {
  return stripControl(s, { newlines: true }).split('\n')[0] ?? '';
}
