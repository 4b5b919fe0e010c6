import { SECTION_TITLES } from './catalogue.ts';
import { chartsFor } from './check-charts.ts';
import { esc } from './charts.ts';
import { criticalPathText, ganttChart } from './gantt.ts';
import { decisionOf, type CheckRecord, type Decision, type EvidenceBundle, type Measurement } from './model.ts';
import { bound, isWebUrl, LIMITS, stripControl } from './sanitize.ts';
import { criticalPath } from './timeline.ts';
import { uncheckedParts } from './unchecked.ts';
import { verifiedText } from './verified.ts';
import { verdictMeaning } from './verdict-text.ts';
import { duration, num, pct } from '../measure/format.ts';

// The page fetches nothing: styles inline, charts inline SVG, no scripts. The CSP makes that a
// property of the file rather than a promise of this code: a hostile string that slipped past
// escaping still could not run a script or call home.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** The verdict's colour: good to proceed, bad (do not switch, roll back), or open (undecided, or findings to act on). */
const VERDICT_TONE: Record<Decision, 'good' | 'bad' | 'open'> = {
  go: 'good',
  'go-with-waivers': 'open',
  'no-go': 'bad',
  hold: 'good',
  'hold-with-findings': 'open',
  rollback: 'bad',
  incomplete: 'open',
};

const STATUS_LABEL: Record<CheckRecord['status'], string> = {
  passed: '✓ passed',
  failed: '✗ failed',
  skipped: '– skipped',
  inconclusive: '? inconclusive',
};

/** Longest observation value printed in full; longer ones are cut and say how long they were. */
const MAX_OBSERVATION_CHARS = 200;

/** A bundle string as HTML text or attribute value: control characters stripped (one line, trimmed), cut to `max`, escaped. */
function t(s: unknown, max: number = LIMITS.name): string {
  return esc(bound(stripControl(s), max).trim());
}

/** A multi-line bundle string (an error) for a `<pre>`: line breaks kept, other control characters stripped, cut, escaped. */
function tLines(s: unknown, max: number = LIMITS.text): string {
  return esc(bound(stripControl(s, { newlines: true }), max));
}

/**
 * The bundle as one self-contained HTML page for people and auditors: the verdict first (word,
 * colour and reasons), then run metadata, the timeline when the checks recorded one (critical
 * path and Gantt chart, `gantt.ts`), then a card per runbook section with every check's
 * status, what a passed check verified (`verified.ts`), measurements against thresholds, error,
 * skip reason, observations, links and, where the data exists, inline-SVG charts. Pure: same bundle, same bytes. Every bundle string is
 * stripped of control characters, bounded and HTML-escaped (server-provided text is hostile; see
 * `sanitize.ts`), only http(s) links become anchors, and a CSP meta forbids any fetch or script.
 * The JSON stays the source of truth.
 */
export function renderHtml(b: EvidenceBundle): string {
  const word = b.verdict.toUpperCase();
  const tone = VERDICT_TONE[decisionOf(b.verdict)];
  const phase = b.run.phase === 'pre' ? 'Pre-cutover check' : 'Post-cutover watch';
  const checks = b.sections.flatMap((s) => s.checks);
  const faults = b.run.sandboxFaults?.map((f) => t(f));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`${phase}: `)}${t(word)}${esc(' — run ')}${t(b.run.id)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header id="verdict" class="verdict tone-${tone}" data-verdict="${t(b.verdict)}">
<p class="kicker">${esc(phase)} · ${b.run.target === 'sandbox' ? `bundled sandbox (rehearsal${b.run.sandboxProfile && b.run.sandboxProfile !== 'default' ? `, profile ${t(b.run.sandboxProfile)}` : ''}${faults?.length ? `, faults: ${faults.join(', ')}` : ''})` : 'deployment'}</p>
<h1><span class="verdict-label">Verdict</span> <span class="verdict-word">${t(word)}</span></h1>
<p class="meaning">${t(verdictMeaning({ ...b, run: { ...b.run, sandboxFaults: b.run.sandboxFaults?.map((f) => bound(stripControl(f), LIMITS.name)) } }), LIMITS.text)}</p>
${b.verdictReasons.length > 0 ? `<ul class="reasons">${b.verdictReasons.map((r) => `<li>${t(r, LIMITS.line)}</li>`).join('')}</ul>` : ''}
<p class="tally">${tally(checks)}</p>
</header>
${runMeta(b)}
${b.runErrors.length > 0 ? `<section class="card run-errors" aria-labelledby="run-errors-h"><h2 id="run-errors-h">Run errors (outside any check)</h2>${b.runErrors.map((e) => `<pre class="error">${tLines(e)}</pre>`).join('')}</section>` : ''}
${checks.length > 0 ? overview(b) : '<section class="card"><h2>No checks</h2><p>No check recorded anything in this run.</p></section>'}
${timelineCard(b, checks)}
${b.sections.map((s) => sectionCard(s, checks)).join('\n')}
<footer>Rendered from <code>evidence.json</code> (schema v${t(b.schemaVersion)}), which is the source of truth; this page is a view of it. ${t(b.run.tool.name)} ${t(b.run.tool.version)}.</footer>
</main>
</body>
</html>
`;
}

function tally(checks: readonly CheckRecord[]): string {
  if (checks.length === 0) return 'no checks ran';
  const order: CheckRecord['status'][] = ['passed', 'failed', 'inconclusive', 'skipped'];
  const parts = order.map((s) => [s, checks.filter((c) => c.status === s).length] as const).filter(([, n]) => n > 0);
  return `${checks.length} check${checks.length === 1 ? '' : 's'}: ${parts.map(([s, n]) => `<span class="st st-${s}">${n} ${s}</span>`).join(' ')}`;
}

function runMeta(b: EvidenceBundle): string {
  const env = b.environment;
  const rows: [string, string][] = [
    ['Run id', `<code>${t(b.run.id)}</code>`],
    ['Phase', esc(b.run.phase === 'pre' ? 'pre-cutover' : 'post-cutover')],
    ['Target', t(b.run.target)],
    ['Tool', `${t(b.run.tool.name)} ${t(b.run.tool.version)}`],
    [
      'Gateway',
      `${urlText(env.gateway.url)} · ${env.gateway.version ? `LiteLLM ${t(env.gateway.version)}` : '<span class="muted">version unknown</span>'}`,
    ],
    [
      'Langfuse',
      `${urlText(env.langfuse.url)} · ${env.langfuse.version ? `v${t(env.langfuse.version)}` : '<span class="muted">version unknown</span>'}`,
    ],
    ['Started', time(b.run.startedAt)],
    ['Ended', `${time(b.run.endedAt)}${runSpan(b.run.startedAt, b.run.endedAt)} · ${t(b.run.endReason)}`],
    [
      'Git SHA',
      b.run.gitSha ? `<code>${t(b.run.gitSha)}</code>` : '<span class="muted">unknown (not a git checkout)</span>',
    ],
    ['Digest', `<code>${t(b.digest)}</code>`],
  ];
  return `<section class="card meta" aria-labelledby="meta-h"><h2 id="meta-h">Run</h2><dl>${rows.map(([k, val]) => `<div><dt>${k}</dt><dd>${val}</dd></div>`).join('')}</dl>${deploys(b)}<p class="muted digest-note">The digest is the sha256 of evidence.json's canonical JSON: <code>pnpm evidence:verify &lt;dir&gt;</code> checks that the file this page was rendered from is unchanged.</p></section>`;
}

/** Runbook §8's "Fly deploy hashes": what each process group of each app ran, as 2/fly-machines saw it. */
function deploys(b: EvidenceBundle): string {
  const rows = Object.entries(b.environment.fly).flatMap(([app, groups]) =>
    Object.entries(groups).map(
      ([group, d]) =>
        `<tr><td><code>${t(app)}</code></td><td>${t(group)}</td><td>${d.version === null ? '<span class="muted">?</span>' : t(d.version)}</td><td><code>${d.digest ? t(d.digest) : d.image ? t(d.image) : '<span class="muted">?</span>'}</code></td></tr>`,
    ),
  );
  if (rows.length === 0) return '';
  return `<table class="deploys"><caption>Deploy hashes (Fly)</caption><colgroup><col style="width:26%"><col style="width:12%"><col style="width:10%"><col style="width:52%"></colgroup><thead><tr><th scope="col">app</th><th scope="col">process group</th><th scope="col">release</th><th scope="col">image digest</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function overview(b: EvidenceBundle): string {
  const items = b.sections.flatMap((s) =>
    s.checks.map(
      (c) =>
        `<li><a href="#${anchor('check', c.id)}"><span class="st st-${c.status}">${STATUS_LABEL[c.status]}</span> <code>${t(c.id)}</code></a></li>`,
    ),
  );
  return `<nav class="card overview" aria-labelledby="overview-h"><h2 id="overview-h">Checks</h2><ul>${items.join('')}</ul></nav>`;
}

/**
 * When each check ran and what it waited on: the critical path in one line, then the Gantt
 * chart. Nothing for a bundle without timelines (written before they were recorded).
 */
function timelineCard(b: EvidenceBundle, checks: readonly CheckRecord[]): string {
  const path = criticalPath(b.run, checks);
  if (!path) return '';
  const chart = ganttChart({ title: 'Timeline: when each check ran, and what it waited on', run: b.run, checks });
  return `<section class="card timeline" aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline</h2><p class="critical-path">${t(criticalPathText(path), LIMITS.line)}</p><figure>${chart}<figcaption>Shaded: setup before the first check and writing the report after the last. Outlined: the check on the critical path. Ticks on a bar are its requests; the bars under it are its waits. Hover for times.</figcaption></figure></section>`;
}

function sectionCard(s: EvidenceBundle['sections'][number], all: readonly CheckRecord[]): string {
  const title = SECTION_TITLES[s.section];
  const id = anchor('section', s.section);
  return `<section class="card section" id="${id}" data-section="${t(s.section)}" aria-labelledby="${id}-h">
<h2 id="${id}-h">§${t(s.section)}${title ? ` ${esc(title)}` : ''}</h2>
${s.checks
  .map((c) =>
    checkBlock(
      c,
      all.filter((o) => o !== c),
    ),
  )
  .join('\n')}
</section>`;
}

function checkBlock(c: CheckRecord, others: readonly CheckRecord[]): string {
  const parts: string[] = [
    `<div class="check-head"><span class="badge st-${c.status}">${STATUS_LABEL[c.status]}</span> <h3><code>${t(c.id)}</code> ${t(c.title, LIMITS.line)}</h3> <span class="muted dur">${esc(duration(c.durationMs))}</span></div>`,
  ];
  if (c.status === 'passed')
    parts.push(`<p class="verified"><strong>Verified:</strong> ${t(verifiedText(c), LIMITS.line)}</p>`);
  if (c.skip)
    parts.push(
      `<p class="skip"><strong>${c.skip.explicit ? 'Waived (CUTOVER_SKIP)' : 'Skipped for lack of inputs'}:</strong> ${t(c.skip.reason, LIMITS.line)}</p>`,
    );
  for (const u of uncheckedParts(c))
    parts.push(`<p class="skip"><strong>Not checked: ${t(u.part)}</strong> ${t(u.why, LIMITS.line)}</p>`);
  if (c.error) parts.push(`<pre class="error">${tLines(c.error)}</pre>`);
  if (c.measurements.length > 0) parts.push(measurementsTable(c.measurements));
  const charts = chartsFor(c, others);
  if (charts.length > 0)
    parts.push(
      `<div class="charts">${charts.map((ch) => `<figure>${ch.svg}<figcaption>${t(ch.caption, LIMITS.line)}</figcaption></figure>`).join('')}</div>`,
    );
  const obs = Object.entries(c.observations);
  if (obs.length > 0)
    parts.push(
      `<table class="obs"><caption>Observations</caption><tbody>${obs.map(([k, val]) => `<tr><th scope="row">${t(k)}</th><td>${observation(val)}</td></tr>`).join('')}</tbody></table>`,
    );
  if (c.links.length > 0)
    parts.push(`<ul class="links">${c.links.map((l) => `<li>${link(l.label, l.url)}</li>`).join('')}</ul>`);
  return `<article class="check st-border-${c.status}" id="${anchor('check', c.id)}" data-check="${t(c.id)}" data-status="${t(c.status)}">${parts.join('\n')}</article>`;
}

function measurementsTable(ms: readonly Measurement[]): string {
  const rows = ms.map((m) => {
    const value = m.value === null ? '<span class="notmeasured">not measured</span>' : t(measured(m.value, m.unit));
    const threshold = m.threshold
      ? t(`${m.threshold.op} ${measured(m.threshold.value, m.unit)}`)
      : '<span class="muted">recorded only</span>';
    const result =
      m.pass === undefined
        ? '<span class="muted">—</span>'
        : m.pass
          ? '<span class="mark pass">✓ pass</span>'
          : '<span class="mark fail">✗ fail</span>';
    return `<tr${m.pass === false ? ' class="miss"' : ''}><th scope="row"><code>${t(m.name)}</code></th><td class="num">${value}</td><td class="num">${threshold}</td><td>${result}</td></tr>`;
  });
  return `<table class="measurements"><caption>Measurements</caption><colgroup><col style="width:34%"><col style="width:22%"><col style="width:28%"><col style="width:16%"></colgroup><thead><tr><th scope="col">measurement</th><th scope="col">value</th><th scope="col">threshold</th><th scope="col">result</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** A value with its unit; a `ratio` reads better as a percentage. */
function measured(v: number, unit: string): string {
  return unit === 'ratio' ? pct(v) : `${num(v)} ${unit}`;
}

/** Observations are free-form: scalars print as-is, structures as short JSON, everything bounded. */
function observation(v: unknown): string {
  if (v === null || v === undefined) return '<span class="muted">null</span>';
  if (typeof v === 'string') return t(v, MAX_OBSERVATION_CHARS);
  if (typeof v === 'number' || typeof v === 'boolean') return `<code>${t(String(v))}</code>`;
  let json: string;
  try {
    json = JSON.stringify(v) ?? String(v);
  } catch {
    json = String(v);
  }
  return `<code>${t(json, MAX_OBSERVATION_CHARS)}</code>`;
}

/** Only http(s) URLs become anchors; anything else (javascript:, data:) is shown as inert text. */
function link(label: string, url: string): string {
  if (!isWebUrl(url))
    return `${t(label)}: <code>${t(url, LIMITS.url)}</code> <span class="muted">(not an http(s) link)</span>`;
  return `<a href="${esc(url)}" rel="noopener noreferrer">${t(label)}</a>`;
}

function urlText(url: string): string {
  return isWebUrl(url)
    ? `<a href="${esc(url)}" rel="noopener noreferrer">${esc(url)}</a>`
    : `<code>${t(url, LIMITS.url)}</code>`;
}

/** A fragment id: `anchor('check', '4.1/exact-cache')` → `check-4-1-exact-cache`. */
function anchor(kind: 'check' | 'section', id: string): string {
  return `${kind}-${String(id)
    .slice(0, LIMITS.name)
    .replace(/[^A-Za-z0-9_-]+/g, '-')}`;
}

/** An ISO timestamp as `2026-11-27 07:07:37 UTC` (machine-readable in `datetime`); anything unparsable as-is. */
function time(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return t(iso);
  return `<time datetime="${esc(d.toISOString())}">${d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')}</time>`;
}

function runSpan(from: string, to: string): string {
  const d = Date.parse(to) - Date.parse(from);
  return Number.isFinite(d) && d >= 0 ? ` (${esc(duration(d))})` : '';
}

const CSS = `
:root{--pass:#1a7f37;--pass-bg:#e6f4ea;--fail:#c62828;--fail-bg:#fdecea;--open:#9a6700;--open-bg:#fff4d6;--skip:#57606a;--skip-bg:#eef1f4;--text:#1f2328;--muted:#57606a;--border:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1040px;margin:0 auto;padding:24px 20px 48px}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.88em}
a{color:#0550ae}
h2{font-size:1.25rem;margin:0 0 12px}
h3{font-size:1.02rem;margin:0;font-weight:600;flex:1 1 auto;min-width:0;overflow-wrap:anywhere}
.muted{color:var(--muted)}
.card{background:#fff;border:1px solid var(--border);border-radius:10px;padding:18px 22px;margin:0 0 18px;box-shadow:0 1px 3px rgba(31,35,40,.08)}
.verdict{border-radius:12px;padding:22px 26px;margin:0 0 18px;border:2px solid;box-shadow:0 1px 3px rgba(31,35,40,.08)}
.verdict h1{margin:2px 0 6px;font-size:2.6rem;line-height:1.1;letter-spacing:.02em}
.verdict-label{font-size:1.1rem;font-weight:600;letter-spacing:.08em;text-transform:uppercase;opacity:.8;vertical-align:middle}
.verdict-word{font-weight:800}
.kicker{margin:0;font-weight:600;text-transform:uppercase;letter-spacing:.06em;font-size:.85rem;opacity:.85}
.meaning{margin:0 0 8px;font-size:1.1rem;font-weight:500}
.reasons{margin:8px 0;padding-left:1.3em}
.reasons li{overflow-wrap:anywhere}
.tally{margin:8px 0 0}
.tone-good{background:var(--pass-bg);border-color:var(--pass);color:#0f5323}
.tone-bad{background:var(--fail-bg);border-color:var(--fail);color:#8e1c1c}
.tone-open{background:var(--open-bg);border-color:#d4a72c;color:#6b4700}
.meta dl{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:6px 28px;margin:0}
.meta dl div{display:flex;gap:10px;min-width:0}
.meta dt{flex:0 0 76px;color:var(--muted)}
.meta dd{margin:0;min-width:0;overflow-wrap:anywhere}
.overview ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:8px}
.overview a{display:inline-flex;gap:6px;align-items:center;text-decoration:none;color:var(--text);border:1px solid var(--border);border-radius:999px;padding:2px 10px 2px 4px}
.st,.badge{display:inline-block;border-radius:999px;padding:1px 9px;font-size:.82rem;font-weight:600;white-space:nowrap}
.st-passed{background:var(--pass-bg);color:var(--pass)}
.st-failed{background:var(--fail-bg);color:var(--fail)}
.st-inconclusive{background:var(--open-bg);color:var(--open)}
.st-skipped{background:var(--skip-bg);color:var(--skip)}
.badge{font-size:.85rem;padding:2px 10px}
.check{border-left:4px solid var(--border);padding:4px 0 4px 16px;margin:0 0 20px}
.check:last-child{margin-bottom:4px}
.st-border-passed{border-left-color:var(--pass)}
.st-border-failed{border-left-color:var(--fail)}
.st-border-inconclusive{border-left-color:#d4a72c}
.st-border-skipped{border-left-color:#8c959f}
.check-head{display:flex;gap:10px;align-items:baseline;flex-wrap:wrap;margin-bottom:8px}
.dur{font-size:.85rem}
.deploys{margin-top:14px;font-size:.85rem}
.deploys td{padding:3px 10px}
.digest-note{font-size:.8rem;margin:6px 0 0}
.error{background:var(--fail-bg);color:#7d1a1a;border:1px solid #f2b8b5;border-radius:6px;padding:10px 12px;margin:8px 0;white-space:pre-wrap;overflow-wrap:anywhere;max-height:24em;overflow:auto}
.verified{margin:4px 0 8px;overflow-wrap:anywhere}
.skip{background:var(--skip-bg);border-radius:6px;padding:8px 12px;margin:8px 0}
table{border-collapse:collapse;width:100%;margin:8px 0 12px;font-size:.92rem;table-layout:fixed}
caption{text-align:left;font-weight:600;color:var(--muted);font-size:.8rem;text-transform:uppercase;letter-spacing:.05em;padding-bottom:4px}
th,td{text-align:left;padding:5px 10px;border-bottom:1px solid #eaeef2;vertical-align:top;overflow-wrap:anywhere}
thead th{color:var(--muted);font-weight:600;font-size:.82rem;border-bottom-color:var(--border)}
td.num{font-variant-numeric:tabular-nums}
tr.miss td,tr.miss th{background:#fff5f5}
.mark{font-weight:700}
.mark.pass{color:var(--pass)}
.mark.fail{color:var(--fail)}
.notmeasured{color:var(--fail);font-weight:600}
.obs{font-size:.85rem}
.obs th,.obs td{padding:3px 10px}
.obs th{width:24%;font-weight:500;color:var(--muted)}
.obs code{font-size:.92em}
.links{margin:4px 0 0;padding-left:1.2em}
.links li{overflow-wrap:anywhere}
.charts{display:flex;flex-wrap:wrap;gap:12px 24px;margin:6px 0 10px}
figure{margin:0;max-width:100%}
figcaption{font-size:.85rem;color:var(--muted);max-width:450px}
.timeline figcaption{max-width:none}
svg.chart{display:block;max-width:100%;height:auto;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
svg.chart text{font-size:12px;fill:#24292f}
svg.chart .muted{fill:#57606a;font-size:11px}
svg.chart .val{font-weight:600}
svg.chart .ref{fill:#b26a00;font-weight:600}
footer{color:var(--muted);font-size:.85rem;margin-top:24px}
@media (max-width:640px){main{padding:12px 10px}.card{padding:14px}.verdict h1{font-size:2rem}}
@media print{
body{background:#fff;font-size:11pt}
main{max-width:none;padding:0}
.card,.verdict{box-shadow:none}
.card{border-color:#999}
.check,figure,tr,.verdict{break-inside:avoid;page-break-inside:avoid}
.section{break-inside:auto}
h2,h3{break-after:avoid;page-break-after:avoid}
.error{max-height:none;overflow:visible}
.overview{display:none}
a{color:inherit}
a[href^="http"]::after{content:" (" attr(href) ")";font-size:.85em;color:#444;overflow-wrap:anywhere}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
`;
