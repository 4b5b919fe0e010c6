import type { CheckRecord, UnsignedBundle } from './model.ts';

function esc(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

/**
 * The bundle as JUnit XML, for CI systems that only read JUnit. Unlike a generic JUnit
 * reporter it keeps what was measured: each measurement becomes a `<property>` with its value,
 * threshold and outcome. `inconclusive` maps to a failure (CI must not treat it as green).
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
    out.push(`  <testsuite name="runbook §${esc(s.section)}" tests="${s.checks.length}" failures="${failures}" skipped="${s.checks.filter((c) => c.status === 'skipped').length}" time="${time.toFixed(3)}">`);
    for (const c of s.checks) {
      out.push(`    <testcase classname="runbook.${esc(s.section)}" name="${esc(`${c.id} ${c.title}`)}" time="${(c.durationMs / 1000).toFixed(3)}">`);
      if (c.measurements.length > 0) {
        out.push('      <properties>');
        for (const m of c.measurements) {
          const t = m.threshold ? ` threshold="${esc(`${m.threshold.op} ${m.threshold.value}`)}" pass="${m.pass}"` : '';
          out.push(`        <property name="${esc(m.name)}" value="${m.value ?? ''}" unit="${esc(m.unit)}"${t}/>`);
        }
        out.push('      </properties>');
      }
      if (c.status === 'failed' || c.status === 'inconclusive') out.push(`      <failure type="${c.status}" message="${esc((c.error ?? c.status).split('\n')[0] ?? '')}">${esc(c.error ?? '')}</failure>`);
      if (c.status === 'skipped') out.push(`      <skipped message="${esc(c.skip?.reason ?? 'skipped')}"/>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
