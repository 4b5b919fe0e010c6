import type { CheckRecord, Measurement, UnsignedBundle } from './model.ts';
import { uncheckedParts } from './unchecked.ts';
import { verdictMeaning } from './verdict-text.ts';

const ICON: Record<CheckRecord['status'], string> = { passed: '✅ passed', failed: '❌ failed', skipped: '⏭️ skipped', inconclusive: '⚠️ inconclusive' };

/**
 * The bundle as Markdown, short enough for a PR comment or a decision-log entry: the verdict
 * on the first line (marked as a rehearsal on the sandbox), what it means, its reasons (each
 * finding of a `hold-with-findings`), the run, a table per section, then links. The JSON stays the
 * source of truth.
 */
export function renderMarkdown(b: UnsignedBundle & { digest?: string }): string {
  const out: string[] = [];
  out.push(`# Cutover ${b.run.phase === 'pre' ? 'pre-check' : 'watch'}: **${b.verdict.toUpperCase()}**${b.run.target === 'sandbox' ? ' (sandbox rehearsal)' : ''}`, '');
  out.push(verdictMeaning(b), '');
  if (b.verdictReasons.length > 0) out.push(...b.verdictReasons.map((r) => `- ${r}`), '');
  out.push(`Run \`${b.run.id}\` against ${b.run.target}${b.run.sandboxFaults?.length ? ` with faults ${b.run.sandboxFaults.join(', ')}` : ''} (gateway ${b.environment.gateway.url}${ver(b.environment.gateway.version)}, Langfuse ${b.environment.langfuse.url}${ver(b.environment.langfuse.version)}), ${b.run.startedAt} → ${b.run.endedAt}.`, '');
  for (const s of b.sections) {
    out.push(`## §${s.section}`, '', '| check | status | measured | threshold |', '|---|---|---|---|');
    for (const c of s.checks) {
      const ms = c.measurements.length > 0 ? c.measurements : [undefined];
      ms.forEach((m, i) => out.push(`| ${i === 0 ? `${c.id}` : ''} | ${i === 0 ? ICON[c.status] : ''} | ${m ? measured(m) : ''} | ${m?.threshold ? `${m.threshold.op} ${m.threshold.value} ${m.unit}` : ''} |`));
      if (c.error) out.push('', `> ${c.id}: ${c.error.split('\n').join('\n> ')}`, '');
      if (c.skip) out.push('', `> ${c.id} skipped: ${c.skip.reason}`, '');
      for (const u of uncheckedParts(c)) out.push('', `> ${c.id} ${c.status}, but ${u.part} was not checked: ${u.why}`, '');
    }
    out.push('');
  }
  const links = b.sections.flatMap((s) => s.checks.flatMap((c) => c.links.map((l) => `- ${c.id}: [${l.label}](${l.url})`)));
  if (links.length > 0) out.push('## Links', '', ...links, '');
  const deploys = Object.entries(b.environment.fly).flatMap(([app, groups]) =>
    Object.entries(groups).map(([group, d]) => `| ${app} | ${group} | ${d.version ?? '?'} | \`${d.digest ?? d.image ?? '?'}\` |`),
  );
  if (deploys.length > 0) out.push('## Deploy hashes', '', '| app | process group | release | image digest |', '|---|---|---|---|', ...deploys, '');
  if (b.runErrors.length > 0) out.push('## Run errors', '', ...b.runErrors.map((e) => `- ${e.split('\n')[0]}`), '');
  if (b.digest) out.push(`Evidence digest: \`${b.digest}\` (verify with \`pnpm evidence:verify <dir>\`)`, '');
  return `${out.join('\n').trimEnd()}\n`;
}

function measured(m: Measurement): string {
  const mark = m.pass === undefined ? '' : m.pass ? ' ✓' : ' ✗';
  return `${m.name} = ${m.value === null ? 'not measured' : `${m.value} ${m.unit}`}${mark}`;
}

function ver(v: string | null): string {
  return v ? ` v${v}` : '';
}
