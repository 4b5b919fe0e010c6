import { describe, expect, test } from 'vitest';
import { esc } from './charts.ts';
import {
  failedHostile,
  HOSTILE,
  healthy,
  incomplete,
  INJECTIONS,
  infra,
  infraInjected,
  injected,
  postWatch,
  timed,
} from './html-fixtures.ts';
import { renderHtml } from './html.ts';
import { LIMITS } from './sanitize.ts';

/** Every element the page may contain: no script, link, img, iframe, object, use, foreignObject. */
const ALLOWED_TAGS = [
  'html',
  'head',
  'meta',
  'title',
  'style',
  'body',
  'main',
  'header',
  'footer',
  'nav',
  'section',
  'article',
  'h1',
  'h2',
  'h3',
  'p',
  'span',
  'strong',
  'code',
  'pre',
  'ul',
  'li',
  'dl',
  'div',
  'dt',
  'dd',
  'a',
  'time',
  'table',
  'caption',
  'colgroup',
  'col',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'figure',
  'figcaption',
  'svg',
  'rect',
  'line',
  'polyline',
  'circle',
  'text',
  'desc',
];

/** The markup of one check's card entry (articles never nest). */
function article(html: string, id: string): string {
  const m = new RegExp(
    `<article [^>]*data-check="${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>([\\s\\S]*?)</article>`,
  ).exec(html);
  if (!m) throw new Error(`no article for ${id}`);
  return m[0];
}

describe('renderHtml', () => {
  test('is self-contained: CSP meta, no scripts, no external resource of any kind', () => {
    for (const b of [healthy, failedHostile, incomplete, postWatch, injected, infra, infraInjected, timed]) {
      const html = renderHtml(b);
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).toContain(
        `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
      );
      expect(html).not.toMatch(/@import|url\(/i);
      // Every literal '<' starts a tag (text is escaped), so this lists every element the page has.
      const bad: string[] = [];
      for (const [tag, name, attrs] of html.matchAll(/<\/?([a-zA-Z][\w-]*)([^>]*)>/g)) {
        const attrNames = [...attrs!.matchAll(/\s([\w:-]+)=/g)].map((m) => m[1]!.toLowerCase());
        const href = /\shref="([^"]*)"/.exec(attrs!)?.[1];
        if (!ALLOWED_TAGS.includes(name!.toLowerCase())) bad.push(tag);
        else if (attrNames.some((n) => n.startsWith('on') || n === 'src' || n === 'srcset' || n === 'xlink:href'))
          bad.push(tag);
        else if (href !== undefined && !/^(#|https?:\/\/)/.test(href)) bad.push(tag);
      }
      expect(bad).toEqual([]);
    }
  });

  test('verdict first: the verdict header precedes metadata and every section', () => {
    const html = renderHtml(healthy);
    const verdict = html.indexOf('id="verdict"');
    expect(verdict).toBeGreaterThan(0);
    expect(verdict).toBeLessThan(html.indexOf('id="meta-h"'));
    expect(verdict).toBeLessThan(html.indexOf('<section class="card section"'));
    expect(html).toMatch(/<header id="verdict" class="verdict tone-good" data-verdict="rehearsal-go">/);
    expect(html).toContain('<span class="verdict-word">REHEARSAL-GO</span>');
  });

  test('verdict colours carry words: no-go and rollback red, incomplete amber, with the reasons', () => {
    expect(renderHtml(failedHostile)).toMatch(/class="verdict tone-bad" data-verdict="rehearsal-no-go"/);
    expect(renderHtml(postWatch)).toMatch(
      /class="verdict tone-bad" data-verdict="rehearsal-rollback"[\s\S]*REHEARSAL-ROLLBACK/,
    );
    const inc = renderHtml(incomplete);
    expect(inc).toMatch(/class="verdict tone-open" data-verdict="incomplete"[\s\S]*INCOMPLETE/);
    expect(inc).toContain('<li>2/fly-processes skipped: FLY_API_TOKEN is not set</li>');
  });

  test('hold-with-findings is amber, not a rollback: the gateway holds, each finding listed', () => {
    const findings = {
      ...postWatch,
      verdict: 'hold-with-findings' as const,
      verdictReasons: ['6/live-traffic: cache_hit_rate_support-bot = 0.12 ratio, required >= 0.3 ratio'],
    };
    const html = renderHtml({ ...findings, run: { ...findings.run, target: 'deployment', kind: 'cutover' } });
    expect(html).toMatch(
      /class="verdict tone-open" data-verdict="hold-with-findings"[\s\S]*<span class="verdict-word">HOLD-WITH-FINDINGS<\/span>/,
    );
    expect(html).toContain('keep the agents on the gateway, and act on each runbook §6 finding listed.');
    expect(html).toContain(
      '<li>6/live-traffic: cache_hit_rate_support-bot = 0.12 ratio, required &gt;= 0.3 ratio</li>',
    );
  });

  test('a sandbox rehearsal claims nothing about production; a deployment run does', () => {
    const rehearsal = renderHtml(healthy);
    expect(rehearsal).toContain(
      '<p class="meaning">Rehearsal against the bundled sandbox: every check passed. This proves that the suite and the runbook&#39;s checks work end to end; it proves nothing about production',
    );
    expect(rehearsal).not.toContain('may be switched');
    expect(renderHtml({ ...postWatch, run: { ...postWatch.run, sandboxFaults: ['error-burst'] } })).toContain(
      'Rehearsal against the bundled sandbox with faults error-burst: a rollback trigger fired on the sandbox&#39;s simulated traffic. A rehearsal tests the suite and the runbook&#39;s checks, never production: do not roll anything back for it.',
    );
    expect(
      renderHtml({ ...healthy, verdict: 'go', run: { ...healthy.run, target: 'deployment', kind: 'cutover' } }),
    ).toContain(
      '<p class="meaning">Every check of the pre-cutover runbook ran and passed: production agents may be switched to the gateway.</p>',
    );
  });

  test('run metadata: id, phase, target, URLs and versions, tool, git sha, times', () => {
    const html = renderHtml(healthy);
    for (const s of [
      '20261127T070737Z-prefix',
      'pre-cutover',
      'sandbox',
      'https://gateway.hotrodan.com',
      'LiteLLM 1.81.9',
      'https://langfuse.hotrodan.com',
      'v3.225.4',
      'gateway-cutover 0.1.0',
      '140f6dbef3fa4bd7a5d39db5cdfa86798ccbdd4e',
      '2026-11-27 07:07:37 UTC',
      '(66.7 s)',
      `sha256:${'ab'.repeat(32)}`,
    ]) {
      expect(html).toContain(s);
    }
  });

  test('deploy hashes: app, process group, release and image digest (image when no digest, ? when neither)', () => {
    const html = renderHtml(healthy);
    expect(html).toContain(
      '<tr><td><code>hotdash-llm-gateway</code></td><td>gateway</td><td>12</td><td><code>sha256:cde6f8947361028c9ca6189718bc956eec59dcdd0419fab4135d2074f57518ac</code></td></tr>',
    );
    expect(html).toContain(
      '<tr><td><code>hotdash-llm-gateway</code></td><td>worker</td><td>12</td><td><code><span class="muted">?</span></code></td></tr>',
    );
    expect(renderHtml({ ...healthy, environment: { ...healthy.environment, fly: {} } })).not.toContain('Deploy hashes');
  });

  test('a card per section, in bundle order, with every check in it', () => {
    for (const b of [healthy, failedHostile, incomplete, postWatch]) {
      const html = renderHtml(b);
      const sections = [...html.matchAll(/<section class="card section" [^>]*data-section="([^"]+)"/g)].map(
        (m) => m[1],
      );
      expect(sections).toEqual(b.sections.map((s) => s.section));
      const checks = [...html.matchAll(/<article [^>]*data-check="([^"]+)" data-status="([^"]+)"/g)].map(
        (m) => `${m[1]}:${m[2]}`,
      );
      expect(checks).toEqual(b.sections.flatMap((s) => s.checks.map((c) => `${c.id}:${c.status}`)));
    }
    expect(renderHtml(healthy)).toContain('§4.1 Exact cache');
  });

  test('measurements show value, threshold and a worded mark; null reads "not measured"', () => {
    const cache = article(renderHtml(failedHostile), '4.1/exact-cache');
    expect(cache).toMatch(
      /request_2_ms<\/code><\/th><td class="num">180.5 ms<\/td><td class="num">&lt; 100 ms<\/td><td><span class="mark fail">✗ fail<\/span>/,
    );
    expect(cache).toMatch(/request_1_ms[\s\S]*recorded only/);
    expect(article(renderHtml(incomplete), '4.1/exact-cache')).toContain('not measured');
    expect(article(renderHtml(postWatch), '7/watch')).toMatch(/3.1 %<\/td><td class="num">&lt;= 2.0 %/);
  });

  test('error text, skip reason, observations and links are shown', () => {
    const inc = renderHtml(incomplete);
    expect(article(inc, '2/fly-processes')).toContain('Skipped for lack of inputs:</strong> FLY_API_TOKEN is not set');
    expect(article(inc, '4.1/exact-cache')).toContain('<pre class="error">the gateway reported no cache key');
    const smoke = article(renderHtml(healthy), '3/smoke');
    expect(smoke).toMatch(/<th scope="row">traceId<\/th><td>9f07ee03f9aa81cb022719498b0e4602<\/td>/);
    expect(smoke).toContain(
      '<a href="https://langfuse.hotrodan.com/project/p/traces/9f07ee03f9aa81cb022719498b0e4602" rel="noopener noreferrer">Langfuse trace</a>',
    );
  });

  test('hostile server strings are escaped everywhere, and only http(s) links become anchors', () => {
    const html = renderHtml(failedHostile);
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toMatch(/<script|<img|onerror="|javascript:alert\(1\)"/);
    expect(html).not.toMatch(/href="javascript:/i);
    // Each place a hostile string can come from: reason, run error, title, error, measurement name, observation key and value, link label.
    // (A unit is one of the schema's enum; hostile units are tried on a hand-edited bundle below.)
    const escaped = esc(HOSTILE);
    expect(html.split(escaped).length - 1).toBeGreaterThanOrEqual(8);
    expect(html).toContain('javascript:alert(1)</code> <span class="muted">(not an http(s) link)</span>');
    expect(html).toContain('href="https://langfuse.hotrodan.com/d?q=&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"');
  });

  test('server strings lose their control characters and are bounded, everywhere on the page', () => {
    const html = renderHtml(injected);
    expect(html).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff]/);
    expect(html).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\ufffe\uffff]/);
    expect(html).not.toContain('A'.repeat(LIMITS.text + 1));
    expect(html).toContain('… (10243 chars)');
    // A line break is kept only in an error's <pre>; a version or a digest prints on one line.
    expect(html).toContain('LiteLLM 1.81.9 # Cutover pre-check: **GO** (auditor-approved)</dd>');
    expect(html).toContain(
      '<code>sha256:cde6f8 hotdash-llm-gateway/gateway release=99 image=evil digest=sha256:forged</code>',
    );
    expect(article(html, '5.1/rpm-limit')).toMatch(
      /<pre class="error">POST https:\/\/gateway.hotrodan.com\/v1\/chat\/completions answered HTTP 500:\n1.81.9\n\n# Cutover pre-check/,
    );
    // A URL with a line break or a control character is shown as text, never linked.
    expect(html).toContain(
      'newline: <code>https://langfuse.hotrodan.com/t # forged</code> <span class="muted">(not an http(s) link)</span>',
    );
    expect(html).not.toContain(INJECTIONS.control);
  });

  test('a passed check says what it verified, above its measurements; a failed one claims nothing', () => {
    const html = renderHtml(infra);
    expect(article(html, '2/fly-machines')).toContain(
      '<p class="verified"><strong>Verified:</strong> 5 machines started on 2 apps; hotdash-llm-gateway release 12, hotdash-langfuse-clickhouse release 3</p>',
    );
    const ui = article(html, '2/langfuse-ui');
    expect(ui).toContain('<strong>Verified:</strong> Langfuse 3.225.4; logged in; dashboard /project/p → 200;');
    expect(ui.indexOf('class="verified"')).toBeLessThan(ui.indexOf('class="measurements"'));
    expect(article(html, '9/nothing')).toContain('<strong>Verified:</strong> nothing recorded beyond its status</p>');
    const failed = renderHtml(failedHostile);
    expect(article(failed, '4.1/exact-cache')).not.toContain('class="verified"');
    expect(article(failed, '3/smoke')).toContain('class="verified"');
  });

  test('a hostile server string in what was verified is escaped text on one line, bounded', () => {
    const ch = article(renderHtml(infraInjected), '2/clickhouse');
    const verified = /<p class="verified">([\s\S]*?)<\/p>/.exec(ch)![1]!;
    expect(verified).toMatch(
      /^<strong>Verified:<\/strong> SELECT 1 = 1 on ClickHouse 24\.8\.4\.13&lt;script&gt;alert\(1\)&lt;\/script&gt;&lt;img src=x onerror=alert\(2\)&gt;/,
    );
    expect(verified).not.toMatch(/<(?!\/?strong>)|\n/);
    expect(verified).toMatch(/… \(\d+ chars\); fly exec /);
  });

  test('long structured observations are cut, and say how long they were', () => {
    const rpm = article(renderHtml(failedHostile), '5.1/rpm-limit');
    expect(rpm).toMatch(/… \(\d+ chars\)<\/code>/);
  });

  test('charts appear exactly where the data exists', () => {
    const count = (html: string, id: string): number => (article(html, id).match(/<svg class="chart"/g) ?? []).length;
    const h = renderHtml(healthy);
    expect([
      count(h, '3/smoke'),
      count(h, '4.1/exact-cache'),
      count(h, '5.1/rpm-limit'),
      count(h, '5.2/failover'),
    ]).toEqual([0, 1, 1, 1]);
    const inc = renderHtml(incomplete);
    expect([count(inc, '2/fly-processes'), count(inc, '4.1/exact-cache')]).toEqual([0, 0]);
    const post = renderHtml(postWatch);
    expect([count(post, '6/live-traffic'), count(post, '7/watch')]).toEqual([1, 3]);
    for (const svg of post.match(/<svg class="chart"[^>]*>/g)!) expect(svg).toMatch(/role="img" aria-label="[^"]+"/);
  });

  test('the timeline: the critical path in one line, then the Gantt chart, before the sections', () => {
    const html = renderHtml(timed);
    const card = /<section class="card timeline"[\s\S]*?<\/section>/.exec(html)![0];
    expect(card).toContain('<h2 id="timeline-h">Timeline</h2>');
    expect(card).toContain(
      '<p class="critical-path">Critical path 15.2 s of 16 s wall: setup 1.9 s → 4.2/semantic-cache 13 s (Langfuse wait 9.8 s, requests 1.6 s, settle 1 s, other 600 ms) → report 300 ms</p>',
    );
    expect(card.match(/<svg class="chart"[^>]*aria-label="Timeline: [^"]+"/g)).toHaveLength(1);
    for (const c of timed.sections.flatMap((s) => s.checks)) expect(card).toContain(`<title>${c.id}: check, starts at`);
    expect(html.indexOf('id="timeline-h"')).toBeLessThan(html.indexOf('<section class="card section"'));
  });

  test('no timeline recorded (an older bundle), no timeline section', () => {
    for (const b of [healthy, failedHostile, postWatch]) expect(renderHtml(b)).not.toContain('Timeline');
  });

  test('a hostile check id in the timeline is escaped in the line and in the chart', () => {
    const [first, ...rest] = timed.sections.flatMap((s) => s.checks);
    const longest = rest.find((c) => c.id === '4.2/semantic-cache')!;
    const hostile = { ...longest, id: `4.2/${HOSTILE}` };
    const html = renderHtml({
      ...timed,
      sections: [{ section: '4.2', checks: [first!, hostile, ...rest.filter((c) => c !== longest)] }],
    });
    const card = /<section class="card timeline"[\s\S]*?<\/section>/.exec(html)![0];
    expect(card).not.toMatch(/<script|<img/);
    expect(card).toContain(`→ 4.2/${esc(HOSTILE)} 13 s (`);
  });

  test('prints well: no shadows, checks kept whole, link URLs printed', () => {
    const print = /@media print\{([\s\S]*?)\n\}/.exec(renderHtml(healthy))![1]!;
    expect(print).toContain('box-shadow:none');
    expect(print).toMatch(/\.check,[^{]*\{break-inside:avoid/);
    expect(print).toContain('content:" (" attr(href) ")"');
  });

  test('pure: the same bundle renders the same bytes', () => {
    expect(renderHtml(postWatch)).toBe(renderHtml(structuredClone(postWatch)));
  });
});
