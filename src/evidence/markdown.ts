import { criticalPathText } from './gantt.ts';
import type { CheckRecord, Measurement, UnsignedBundle } from './model.ts';
import { LIMITS, mdCell, mdCode, mdInline, mdLines, mdUrl, stripControl } from './sanitize.ts';
import { uncheckedParts } from './unchecked.ts';
import { verifiedText } from './verified.ts';
import { criticalPath } from './timeline.ts';
import { verdictMeaning } from './verdict-text.ts';

const ICON: Record<CheckRecord['status'], string> = {
  passed: '✅ passed',
  failed: '❌ failed',
  skipped: '⏭️ skipped',
  inconclusive: '⚠️ inconclusive',
};

/**
 * The bundle as Markdown, short enough for a PR comment or a decision-log entry: the verdict
 * on the first line (marked as a rehearsal on the sandbox), what it means, its reasons (each
 * finding of a `hold-with-findings`), the run, a table per section (a passed check's first row
 * says what it verified, see `verified.ts`; then a row per measurement) followed by the notes on
 * its checks (error, skip reason, unchecked parts, as block quotes: a quote between two rows would
 * end the table), then the critical path when the checks recorded timelines, then links. The
 * JSON stays the source of truth.
 *
 * Every string of the bundle is data, never Markdown: it may come from a server (a version
 * header, a Fly digest, an error excerpt) and this file is posted as a PR comment and a GitHub
 * step summary. Each goes through `sanitize.ts` for the context it lands in: control characters
 * stripped, length bounded, escaped, one line unless it is an error quoted line by line; only
 * http(s) URLs become links. Pure: the same bundle renders the same bytes.
 */
export function renderMarkdown(b: UnsignedBundle & { digest?: string }): string {
  const out: string[] = [];
  const faults = b.run.sandboxFaults?.map((f) => mdInline(f));
  // The production profile is named; the default one, as fast as ever, is not.
  const profile =
    b.run.sandboxProfile && b.run.sandboxProfile !== 'default' ? mdInline(b.run.sandboxProfile) : undefined;
  out.push(
    `# Cutover ${b.run.phase === 'pre' ? 'pre-check' : 'watch'}: **${mdInline(b.verdict.toUpperCase())}**${b.run.target === 'sandbox' ? ' (sandbox rehearsal)' : ''}`,
    '',
  );
  // The meaning is our text; the only bundle strings in it are the sandbox faults, escaped above.
  out.push(verdictMeaning({ ...b, run: { ...b.run, sandboxFaults: faults } }), '');
  if (b.verdictReasons.length > 0) out.push(...b.verdictReasons.map((r) => `- ${mdInline(r, LIMITS.line)}`), '');
  const env = b.environment;
  out.push(
    `Run ${mdCode(b.run.id)} against ${mdInline(b.run.target)}${profile ? ` (profile ${profile})` : ''}${faults?.length ? ` with faults ${faults.join(', ')}` : ''} (gateway ${mdCode(env.gateway.url, LIMITS.url)}${ver(env.gateway.version)}, Langfuse ${mdCode(env.langfuse.url, LIMITS.url)}${ver(env.langfuse.version)}), ${mdInline(b.run.startedAt)} → ${mdInline(b.run.endedAt)}.`,
    '',
  );
  for (const s of b.sections) {
    out.push(`## §${mdInline(s.section)}`, '', '| check | status | measured | threshold |', '|---|---|---|---|');
    const notes: string[] = [];
    for (const c of s.checks) {
      // A passed check's first row says what it verified, so a pass with nothing measured
      // (most of §1 and §2) still shows what was seen.
      const rows: (Measurement | string | undefined)[] = [
        ...(c.status === 'passed' ? [verifiedText(c)] : []),
        ...c.measurements,
      ];
      if (rows.length === 0) rows.push(undefined);
      rows.forEach((m, i) =>
        out.push(
          `| ${i === 0 ? mdCell(c.id) : ''} | ${i === 0 ? ICON[c.status] : ''} | ${typeof m === 'string' ? mdCell(m, LIMITS.line) : m ? measured(m) : ''} | ${m && typeof m !== 'string' ? threshold(m) : ''} |`,
        ),
      );
      if (c.error) notes.push(quote(`${mdInline(c.id)}:`, c.error));
      if (c.skip) notes.push(`> ${mdInline(c.id)} skipped: ${mdInline(c.skip.reason, LIMITS.line)}`);
      for (const u of uncheckedParts(c))
        notes.push(
          `> ${mdInline(c.id)} ${c.status}, but ${mdInline(u.part)} was not checked: ${mdInline(u.why, LIMITS.line)}`,
        );
    }
    out.push('');
    for (const n of notes) out.push(n, '');
  }
  // After the tables and their notes: how long the run had to take, against how long it took.
  const path = criticalPath(
    b.run,
    b.sections.flatMap((s) => s.checks),
  );
  if (path) out.push('## Timeline', '', mdInline(criticalPathText(path), LIMITS.line), '');
  const links = b.sections.flatMap((s) =>
    s.checks.flatMap((c) => c.links.map((l) => `- ${mdInline(c.id)}: ${link(l.label, l.url)}`)),
  );
  if (links.length > 0) out.push('## Links', '', ...links, '');
  const deploys = Object.entries(env.fly).flatMap(([app, groups]) =>
    Object.entries(groups).map(
      ([group, d]) =>
        `| ${mdCell(app)} | ${mdCell(group)} | ${mdCell(d.version ?? '?')} | ${mdCode(d.digest ?? d.image ?? '?')} |`,
    ),
  );
  if (deploys.length > 0)
    out.push(
      '## Deploy hashes',
      '',
      '| app | process group | release | image digest |',
      '|---|---|---|---|',
      ...deploys,
      '',
    );
  if (b.runErrors.length > 0)
    out.push('## Run errors', '', ...b.runErrors.map((e) => `- ${mdInline(firstLine(e), LIMITS.line)}`), '');
  if (b.digest) out.push(`Evidence digest: ${mdCode(b.digest)} (verify with \`pnpm evidence:verify <dir>\`)`, '');
  return `${out.join('\n').trimEnd()}\n`;
}

/** A block quote: `head` (already Markdown) then the text, each of its lines escaped and quoted. */
function quote(head: string, text: string): string {
  const [first = '', ...rest] = mdLines(text);
  return [`> ${head} ${first}`.trimEnd(), ...rest.map((l) => `> ${l}`.trimEnd())].join('\n');
}

function measured(m: Measurement): string {
  const mark = m.pass === undefined ? '' : m.pass ? ' ✓' : ' ✗';
  return `${mdCell(m.name)} = ${m.value === null ? 'not measured' : `${num(m.value)} ${mdCell(m.unit)}`}${mark}`;
}

function threshold(m: Measurement): string {
  return m.threshold ? `${mdCell(m.threshold.op)} ${num(m.threshold.value)} ${mdCell(m.unit)}` : '';
}

/** A number as written; anything else (a bundle edited by hand) as text. */
function num(v: unknown): string {
  return typeof v === 'number' ? String(v) : mdCell(v);
}

/** Only an http(s) URL becomes a link; anything else (javascript:, data:) is shown as inert text. */
function link(label: string, url: string): string {
  const dest = mdUrl(url);
  if (dest === undefined) return `${mdInline(label)}: ${mdCode(url, LIMITS.url)} (not an http(s) link)`;
  return `[${mdInline(label) || 'link'}](${dest})`;
}

function firstLine(s: string): string {
  return stripControl(s, { newlines: true }).split('\n')[0] ?? '';
}

function ver(v: string | null): string {
  return v ? ` v${mdInline(v)}` : '';
}
