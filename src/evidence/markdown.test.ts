import { marked, type Token, type Tokens } from 'marked';
import { describe, expect, test } from 'vitest';
import {
  failedHostile,
  healthy,
  incomplete,
  infra,
  infraInjected,
  INJECTIONS,
  injected,
  postWatch,
  timed,
} from './html-fixtures.ts';
import { renderMarkdown } from './markdown.ts';
import { VERIFIED_MAX } from './verified.ts';
import { decisionOf, type EvidenceBundle } from './model.ts';
import { bound, LIMITS, mdUrl, stripControl } from './sanitize.ts';
import { criticalPath } from './timeline.ts';

const deployment = <B extends typeof healthy>(b: B): B => ({
  ...b,
  verdict: decisionOf(b.verdict),
  run: { ...b.run, target: 'deployment', kind: 'cutover' },
});

describe('renderMarkdown', () => {
  test('a rehearsal says so on the first line, and what it does and does not prove', () => {
    const [first, , meaning] = renderMarkdown(healthy).split('\n');
    expect(first).toBe('# Cutover pre-check: **REHEARSAL-GO** (sandbox rehearsal)');
    expect(meaning).toBe(
      "Rehearsal against the bundled sandbox: every check passed. This proves that the suite and the runbook's checks work end to end; it proves nothing about production: decide with a run against the deployment (GATEWAY_URL in .env).",
    );
  });

  test('a deployment run states the decision', () => {
    const [first, , meaning] = renderMarkdown(deployment(healthy)).split('\n');
    expect(first).toBe('# Cutover pre-check: **GO**');
    expect(meaning).toBe(
      'Every check of the pre-cutover runbook ran and passed: production agents may be switched to the gateway.',
    );
  });

  test('hold-with-findings lists each finding under the verdict', () => {
    const md = renderMarkdown(
      deployment({
        ...postWatch,
        verdict: 'hold-with-findings',
        verdictReasons: [
          '6/live-traffic: agent returns-assistant: no trace tagged agent:returns-assistant in Langfuse over 30 min of watching',
        ],
      }),
    );
    expect(md.split('\n').slice(0, 5)).toEqual([
      '# Cutover watch: **HOLD-WITH-FINDINGS**',
      '',
      'No rollback trigger fired (error rate and latency within the runbook §7 limits): keep the agents on the gateway, and act on each runbook §6 finding listed.',
      '',
      '- 6/live-traffic: agent returns-assistant: no trace tagged agent:returns-assistant in Langfuse over 30 min of watching',
    ]);
  });
});

describe('a pass with a part unchecked', () => {
  test('says which part, next to the check', async () => {
    const { uncheckedParts } = await import('./unchecked.ts');
    const check = {
      ...healthy.sections[0]!.checks[0]!,
      id: '1/langfuse-schema',
      observations: { postgres: 'not checked: LANGFUSE_DATABASE_URL is not set', clickhouse: 'clean' },
    };
    expect(uncheckedParts(check)).toEqual([{ part: 'postgres', why: 'LANGFUSE_DATABASE_URL is not set' }]);
    const md = renderMarkdown({ ...healthy, sections: [{ section: '1', checks: [check] }] });
    expect(md).toContain('> 1/langfuse-schema passed, but postgres was not checked: LANGFUSE_DATABASE_URL is not set');
  });
});

/** Every token of a parsed document, depth first: blocks, inline tokens, list items, table cells. */
function* tokens(ts: readonly Token[]): Generator<Token> {
  for (const t of ts) {
    yield t;
    if ('tokens' in t && t.tokens) yield* tokens(t.tokens);
    if (t.type === 'list') yield* tokens((t as Tokens.List).items);
    if (t.type === 'table') {
      const table = t as Tokens.Table;
      for (const cell of [...table.header, ...table.rows.flat()]) yield* tokens(cell.tokens);
    }
  }
}

/** The text a reader sees of some inline tokens (escapes resolved, code spans as their text). */
function plain(ts: readonly Token[]): string {
  return ts
    .map((t) =>
      'tokens' in t && t.tokens && t.type !== 'codespan' ? plain(t.tokens) : 'text' in t ? String(t.text) : '',
    )
    .join('');
}

/** A bundle string as the views print it on one line: control characters stripped, bounded. */
const shown = (s: unknown, max: number = LIMITS.name): string => bound(stripControl(s), max).trim();

const FIXTURES = {
  healthy,
  failedHostile,
  incomplete,
  postWatch,
  injected,
  infra,
  infraInjected,
  timed,
  deployment: deployment(failedHostile),
  injectedDeployment: deployment(injected),
};

/**
 * What summary.md must be, parsed by a GFM parser, whatever the bundle's strings hold: the
 * headings, tables, lists, quotes, paragraphs and links we emit, each in its place, and nothing else.
 */
function expectStructure(b: EvidenceBundle): void {
  const md = renderMarkdown(b);
  const doc = marked.lexer(md, { gfm: true });
  const all = [...tokens(doc)];
  const checks = b.sections.flatMap((s) => s.checks);
  const groups = Object.entries(b.environment.fly).flatMap(([app, gs]) =>
    Object.keys(gs).map((g) => [app, g] as const),
  );
  const links = checks.flatMap((c) => c.links);
  const timeline = criticalPath(b.run, checks) !== undefined;

  // Headings: exactly one h1, the verdict; one h2 per section, then Timeline (when the checks
  // recorded one), Links, Deploy hashes, Run errors.
  const headings = doc.filter((t): t is Tokens.Heading => t.type === 'heading');
  expect(all.filter((t) => t.type === 'heading')).toHaveLength(headings.length);
  expect(headings.map((h) => `${h.depth} ${plain(h.tokens)}`)).toEqual([
    `1 Cutover ${b.run.phase === 'pre' ? 'pre-check' : 'watch'}: ${b.verdict.toUpperCase()}${b.run.target === 'sandbox' ? ' (sandbox rehearsal)' : ''}`,
    ...b.sections.map((s) => `2 §${shown(s.section)}`),
    ...(timeline ? ['2 Timeline'] : []),
    ...(links.length > 0 ? ['2 Links'] : []),
    ...(groups.length > 0 ? ['2 Deploy hashes'] : []),
    ...(b.runErrors.length > 0 ? ['2 Run errors'] : []),
  ]);

  // Tables: one per section with its header, a row for what a passed check verified and a row
  // per measurement (one row at least), the check's id in its first row; then the deploy
  // hashes, a row per process group.
  const tables = doc.filter((t): t is Tokens.Table => t.type === 'table');
  expect(all.filter((t) => t.type === 'table')).toHaveLength(tables.length);
  expect(tables).toHaveLength(b.sections.length + (groups.length > 0 ? 1 : 0));
  b.sections.forEach((s, i) => {
    const table = tables[i]!;
    expect(table.header.map((h) => h.text)).toEqual(['check', 'status', 'measured', 'threshold']);
    expect(table.rows.map((r) => r.length)).toEqual(
      s.checks.flatMap((c) =>
        Array.from({ length: Math.max(1, c.measurements.length + (c.status === 'passed' ? 1 : 0)) }, () => 4),
      ),
    );
    const firsts = table.rows.map((r) => plain(r[0]!.tokens)).filter((id) => id !== '');
    expect(firsts).toEqual(s.checks.map((c) => shown(c.id)));
  });
  if (groups.length > 0) {
    const deploys = tables.at(-1)!;
    expect(deploys.header.map((h) => h.text)).toEqual(['app', 'process group', 'release', 'image digest']);
    expect(deploys.rows.map((r) => [plain(r[0]!.tokens), plain(r[1]!.tokens), r.length])).toEqual(
      groups.map(([app, g]) => [shown(app), shown(g), 4]),
    );
  }

  // Lists: the verdict reasons, the links and the run errors, one item each; nothing else.
  const lists = doc.filter((t): t is Tokens.List => t.type === 'list');
  expect(all.filter((t) => t.type === 'list')).toHaveLength(lists.length);
  expect(lists.map((l) => l.items.length)).toEqual(
    [b.verdictReasons.length, links.length, b.runErrors.length].filter((n) => n > 0),
  );

  // Block quotes: one per error, skip reason and unchecked part, after the tables; nothing else.
  const quotes = all.filter((t) => t.type === 'blockquote');
  expect(quotes).toHaveLength(
    checks.reduce(
      (n, c) =>
        n +
        (c.error ? 1 : 0) +
        (c.skip ? 1 : 0) +
        Object.values(c.observations).filter((v) => typeof v === 'string' && /^not checked\b/.test(v)).length,
      0,
    ),
  );

  // Top-level paragraphs: the meaning, the run line, the critical path, the digest.
  expect(doc.filter((t) => t.type === 'paragraph')).toHaveLength(2 + (timeline ? 1 : 0) + (b.digest ? 1 : 0));

  // Links: only the bundle's http(s) links, each once; no image; no raw HTML; no code block.
  const emitted = links.map((l) => mdUrl(l.url)).filter((u) => u !== undefined);
  expect(all.filter((t) => t.type === 'link').map((t) => (t as Tokens.Link).href)).toEqual(emitted);
  for (const type of ['image', 'html', 'tag', 'code', 'hr', 'def', 'em', 'del'])
    expect(
      all.filter((t) => t.type === type),
      type,
    ).toEqual([]);
  expect(all.filter((t) => t.type === 'strong')).toHaveLength(1);

  // No control character but the line breaks we write; every string bounded.
  expect(md).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  expect(md).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  expect(md).not.toContain('A'.repeat(LIMITS.text + 1));
}

describe('summary.md parsed as GitHub-flavoured Markdown', () => {
  test.each(Object.entries(FIXTURES))(
    '%s: the headings, tables, lists, quotes and links we emit, and nothing else',
    (_, b) => {
      expectStructure(b);
    },
  );

  test('a failing check does not break its table: every row keeps the header, the quotes follow the table', () => {
    const [cache, smoke] = [failedHostile.sections[1]!.checks[0]!, healthy.sections[0]!.checks[0]!];
    expect(cache.status).toBe('failed');
    const b: EvidenceBundle = {
      ...failedHostile,
      sections: [{ section: '4.1', checks: [cache, { ...smoke, id: '4.1/after', section: '4.1' }] }],
    };
    expectStructure(b);
    const md = renderMarkdown(b);
    const lines = md.split('\n');
    expect(lines.slice(lines.indexOf('## §4.1'), lines.indexOf('## §4.1') + 11)).toEqual([
      '## §4.1',
      '',
      '| check | status | measured | threshold |',
      '|---|---|---|---|',
      '| 4.1/exact-cache | ❌ failed | request_1_ms = 412.7 ms |  |',
      '|  |  | request_2_ms = 180.5 ms ✗ | < 100 ms |',
      '|  |  | request_3_ms = 9.4 ms ✓ | < 100 ms |',
      '| 4.1/after | ✅ passed | traceId: 9f07ee03f9aa81cb022719498b0e4602; gatewayVersion: 1.81.9; contentChars: 51 |  |',
      '|  |  | http_status = 200 code ✓ | == 200 code |',
      '|  |  | total_ms = 245.02 ms ✓ | < 2000 ms |',
      '|  |  | headers_ms = 236 ms |  |',
    ]);
    expect(md).toContain(
      '|  |  | headers_ms = 236 ms |  |\n\n> 4.1/exact-cache: request_2_ms = 180.5 ms, required < 100 ms\n',
    );
  });

  test('a forged verdict in a server string stays text: the version line, the reasons, the deploy table', () => {
    const md = renderMarkdown(injected);
    expect(md.match(/^# /gm)).toHaveLength(1);
    expect(md).not.toMatch(/^#.*auditor-approved/m);
    expect(md).not.toMatch(/^\|\s*9\/forged/m);
    expect(md).not.toMatch(/^\S*hotdash-llm-gateway\/gateway release=99/m);
    // The server's text is all there, as text: a reader sees what the server sent.
    const text = plain(marked.lexer(md));
    expect(text).toContain('1.81.9 # Cutover pre-check: **GO** (auditor-approved)');
    expect(text).toContain('[link](http://evil)');
    expect(text).toContain('<script>alert(1)</script>');
  });

  test('only http(s) links become links, with the URL percent-encoded where Markdown would read it', () => {
    const md = renderMarkdown(injected);
    expect(md).toContain(
      '- 5.1/rpm-limit: trace \\[link\\](http\\://evil): `javascript:alert(1)` (not an http(s) link)',
    );
    expect(md).toContain('](https://langfuse.hotrodan.com/d?q=a%26lt;b%3E%28c%29%5Bd%5D%60e%60%7Cf)');
    expect(md).toContain('- 5.1/rpm-limit: newline: `https://langfuse.hotrodan.com/t # forged` (not an http(s) link)');
  });

  test('is pure: the same bundle renders the same bytes', () => {
    expect(renderMarkdown(injected)).toBe(renderMarkdown(structuredClone(injected)));
  });

  test('names the critical path after the section tables, in one line; nothing without timelines', () => {
    const lines = renderMarkdown(timed).split('\n');
    const at = lines.indexOf('## Timeline');
    expect(at).toBeGreaterThan(lines.indexOf('## §5.2'));
    expect(at).toBeLessThan(lines.indexOf('## Links'));
    expect(lines.slice(at, at + 4)).toEqual([
      '## Timeline',
      '',
      'Critical path 15.2 s of 16 s wall: setup 1.9 s → 4.2/semantic-cache 13 s (Langfuse wait 9.8 s, requests 1.6 s, settle 1 s, other 600 ms) → report 300 ms',
      '',
    ]);
    expect(renderMarkdown(healthy)).not.toContain('Timeline');
  });

  test('a hostile check id on the critical path stays text', () => {
    const checks = timed.sections.flatMap((s) => s.checks);
    const md = renderMarkdown({
      ...timed,
      sections: [
        {
          section: '4.2',
          checks: checks.map((c) => (c.id === '4.2/semantic-cache' ? { ...c, id: `4.2/${INJECTIONS.heading}` } : c)),
        },
      ],
    });
    const line = md.split('\n').find((l) => l.startsWith('Critical path'))!;
    expect(line).toContain('→ 4.2/1.81.9 # Cutover pre-check: \\*\\*GO\\*\\* (auditor-approved) 13 s (');
    expect(md.match(/^# /gm)).toHaveLength(1);
  });
});

describe('what a passed check verified', () => {
  /** The cells of the table row that starts with `id`. */
  const row = (md: string, id: string): string[] =>
    md
      .split('\n')
      .find((l) => l.startsWith(`| ${id} |`))!
      .split(' | ')
      .map((c) => c.replace(/^\| | \|$/g, ''));

  test('fills the measured cell of a pass that measured nothing, from its observations', () => {
    const md = renderMarkdown(infra);
    expect(row(md, '1/fly-secrets')).toEqual([
      '1/fly-secrets',
      '✅ passed',
      '6 secret names present on 2 apps (hotdash-llm-gateway 5, hotdash-langfuse-clickhouse 1)',
      '',
    ]);
    expect(row(md, '2/fly-machines')[2]).toBe(
      '5 machines started on 2 apps; hotdash-llm-gateway release 12, hotdash-langfuse-clickhouse release 3',
    );
    expect(row(md, '2/clickhouse')[2]).toBe(
      'SELECT 1 = 1 on ClickHouse 24.8.4.13; fly exec hotdash-langfuse-clickhouse/e831f1b5849b31',
    );
    expect(row(md, '9/nothing')[2]).toBe('nothing recorded beyond its status');
  });

  test('comes first, above the measurements of a check that has some', () => {
    const lines = renderMarkdown(infra).split('\n');
    const i = lines.findIndex((l) => l.startsWith('| 2/langfuse-ui |'));
    expect(lines.slice(i, i + 2)).toEqual([
      '| 2/langfuse-ui | ✅ passed | Langfuse 3.225.4; logged in; dashboard /project/p → 200; background migrations 4 finished, 0 pending, 0 failed |  |',
      '|  |  | dashboard_status = 200 code ✓ | == 200 code |',
    ]);
  });

  test('is not claimed for a check that did not pass', () => {
    const md = renderMarkdown(failedHostile);
    expect(row(md, '4.1/exact-cache')[2]).toBe('request_1_ms = 412.7 ms');
  });

  test('a hostile server string in it stays text in its cell, bounded', () => {
    const md = renderMarkdown(infraInjected);
    expectStructure(infraInjected);
    const rows = marked
      .lexer(md, { gfm: true })
      .filter((t): t is Tokens.Table => t.type === 'table')
      .flatMap((t) => t.rows);
    const cell = (id: string): string => plain(rows.find((r) => plain(r[0]!.tokens) === id)![2]!.tokens);
    // The reader sees what the server sent, as text, cut to the bound.
    expect(cell('2/clickhouse')).toMatch(
      /^SELECT 1 = 1 on ClickHouse 24\.8\.4\.13<script>alert\(1\)<\/script><img src=x onerror=alert\(2\)><!-- c --><b>bold<\/b> 1\.81\.9 #/,
    );
    expect(cell('2/clickhouse')).toMatch(/… \(\d+ chars\); fly exec /);
    for (const id of ['1/fly-secrets', '1/tls', '2/fly-machines', '2/langfuse-ui', '9/unknown'])
      expect(cell(id).length, id).toBeLessThanOrEqual(VERIFIED_MAX + 20);
    expect(md).not.toMatch(/^\|\s*9\/forged/m);
    expect(md).not.toContain(INJECTIONS.long.slice(0, 300));
  });
});
