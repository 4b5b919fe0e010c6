// The HTML evidence view, opened in a real browser: what an auditor sees when they open
// report.html from the decision log. Rendering and escaping are unit-tested in
// src/evidence/html.test.ts; this proves the page lays out (verdict and sections visible,
// charts with real size) and stays offline (no request but the file itself, no script).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { failedHostile, healthy, postWatch } from '../src/evidence/html-fixtures.ts';
import { renderHtml } from '../src/evidence/html.ts';
import type { EvidenceBundle } from '../src/evidence/model.ts';
import { launchChromium, reportOf } from './chromium.ts';
import { runCutover } from './run-cutover.ts';

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/** What opening one report did: every request the page made, dialogs, console errors. */
interface Opened {
  page: Page;
  url: string;
  requests: string[];
  dialogs: string[];
}

async function open(path: string): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const url = pathToFileURL(path).href;
  const requests: string[] = [];
  const dialogs: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
  return { page, url, requests, dialogs };
}

function fixtureFile(name: string, b: EvidenceBundle): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cutover-report-')), `${name}.html`);
  writeFileSync(path, renderHtml(b));
  return path;
}

/** Asserts the page's layout promises for bundle `b`: verdict on top, every section and check visible. */
async function expectLaidOut({ page }: Opened, b: EvidenceBundle): Promise<void> {
  const verdict = page.locator('#verdict');
  await expect.poll(() => verdict.isVisible()).toBe(true);
  expect(await verdict.getAttribute('data-verdict')).toBe(b.verdict);
  expect(await page.locator('.verdict-word').innerText()).toBe(b.verdict.toUpperCase());
  const verdictBox = (await verdict.boundingBox())!;
  expect(verdictBox.y).toBeLessThan(200);
  for (const s of b.sections) {
    const card = page.locator(`section[data-section="${s.section}"]`);
    expect(await card.isVisible(), `section §${s.section} visible`).toBe(true);
    expect((await card.boundingBox())!.y).toBeGreaterThan(verdictBox.y + verdictBox.height);
    for (const c of s.checks)
      expect(await card.locator(`article[data-check="${c.id}"]`).isVisible(), `${c.id} visible`).toBe(true);
  }
}

/** Every chart on the page, with its rendered size. */
async function chartSizes(page: Page): Promise<{ label: string | null; width: number; height: number }[]> {
  const charts = page.locator('svg.chart');
  const out = [];
  for (let i = 0; i < (await charts.count()); i++) {
    const box = await charts.nth(i).boundingBox();
    out.push({
      label: await charts.nth(i).getAttribute('aria-label'),
      width: box?.width ?? 0,
      height: box?.height ?? 0,
    });
  }
  return out;
}

function expectOffline(o: Opened): void {
  expect(o.requests.filter((u) => u !== o.url && !u.startsWith('data:'))).toEqual([]);
  expect(o.dialogs).toEqual([]);
}

describe('report.html in Chromium', () => {
  test('the report of a real sandbox run: verdict, every section, charts sized, no network', async () => {
    const run = await runCutover();
    const { path } = reportOf(run);
    const opened = await open(path);
    try {
      await expectLaidOut(opened, run.bundle!);
      for (const chart of await chartSizes(opened.page)) {
        expect(chart.width, `${chart.label} width`).toBeGreaterThan(50);
        expect(chart.height, `${chart.label} height`).toBeGreaterThan(20);
      }
      expectOffline(opened);
    } finally {
      await opened.page.close();
    }
  });

  test('every kind of chart renders with a real size (fixture bundles: 4.1, 5.1, 5.2, watch series)', async () => {
    for (const [b, expected] of [
      [healthy, 3],
      [postWatch, 4],
    ] as const) {
      const opened = await open(fixtureFile(b.run.phase, b));
      try {
        await expectLaidOut(opened, b);
        const sizes = await chartSizes(opened.page);
        expect(sizes).toHaveLength(expected);
        for (const chart of sizes) {
          expect(chart.width, `${chart.label} width`).toBeGreaterThan(200);
          expect(chart.height, `${chart.label} height`).toBeGreaterThan(50);
        }
        expectOffline(opened);
      } finally {
        await opened.page.close();
      }
    }
  });

  test('hostile server strings stay text: no script element, no dialog, no request', async () => {
    const opened = await open(fixtureFile('hostile', failedHostile));
    try {
      await expectLaidOut(opened, failedHostile);
      expect(await opened.page.locator('script, img, iframe, object, embed').count()).toBe(0);
      expect(await opened.page.locator('article[data-check="5.1/rpm-limit"] pre.error').innerText()).toContain(
        '<script>alert("pwned")</script>',
      );
      expect(await opened.page.locator('a[href^="javascript:"]').count()).toBe(0);
      expectOffline(opened);
    } finally {
      await opened.page.close();
    }
  });

  test('prints without shadows, with link URLs, checks kept whole', async () => {
    const opened = await open(fixtureFile('print', healthy));
    try {
      await opened.page.emulateMedia({ media: 'print' });
      const style = await opened.page
        .locator('.card')
        .first()
        .evaluate((el) => getComputedStyle(el).boxShadow);
      expect(style).toBe('none');
      const breakInside = await opened.page
        .locator('article.check')
        .first()
        .evaluate((el) => getComputedStyle(el).breakInside);
      expect(breakInside).toBe('avoid');
      const after = await opened.page
        .locator('article a[href^="http"]')
        .first()
        .evaluate((el) => getComputedStyle(el, '::after').content);
      expect(after).toContain('https://langfuse.hotrodan.com/');
    } finally {
      await opened.page.close();
    }
  });
});
