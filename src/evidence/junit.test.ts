import { describe, expect, test } from 'vitest';
import { failedHostile, healthy, HOSTILE, incomplete, injected, INJECTIONS, postWatch } from './html-fixtures.ts';
import { renderJunit } from './junit.ts';
import { LIMITS } from './sanitize.ts';
import type { Unit } from './units.ts';

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** Whether a code point is a `Char` of XML 1.0 (§2.2). */
const isXmlChar = (c: number): boolean =>
  c === 0x9 ||
  c === 0xa ||
  c === 0xd ||
  (c >= 0x20 && c <= 0xd7ff) ||
  (c >= 0xe000 && c <= 0xfffd) ||
  (c >= 0x10000 && c <= 0x10ffff);

/**
 * A strict, non-validating XML 1.0 parser for what a JUnit file may hold: an XML declaration,
 * elements, attributes, character data and the five predefined and numeric character
 * references (no DTD, CDATA, PI or comment: the renderer writes none). Throws on anything
 * not well-formed: a character outside `Char`, a bad name, an unquoted or repeated attribute,
 * a `<` in an attribute value, an unknown entity, a reference to a forbidden character, `]]>`
 * in text, mismatched or unclosed tags, content outside the one root element.
 */
function parseXml(xml: string): XmlElement {
  for (const ch of xml) {
    const c = ch.codePointAt(0)!;
    if (!isXmlChar(c) || (ch.length === 1 && c >= 0xd800 && c <= 0xdfff))
      throw new Error(`character U+${c.toString(16).padStart(4, '0')} is not allowed in XML`);
  }
  const NAME = /[A-Za-z_:][\w.:-]*/y;
  const decode = (s: string, where: string): string => {
    if (s.includes(']]>') && where === 'text') throw new Error(`]]> in text`);
    return s.replace(/&([^;]*);|&/g, (m, ref: string | undefined) => {
      if (ref === undefined) throw new Error(`bare & in ${where}`);
      const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
      if (ref in named) return named[ref]!;
      const num = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(ref);
      if (!num) throw new Error(`unknown entity &${ref}; in ${where}`);
      const c = num[1] ? parseInt(num[1], 16) : parseInt(num[2]!, 10);
      if (!isXmlChar(c)) throw new Error(`reference to a forbidden character &${ref}; in ${where}`);
      return String.fromCodePoint(c);
    });
  };
  let pos = 0;
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>/.exec(xml);
  if (decl) pos = decl[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (pos < xml.length) {
    const lt = xml.indexOf('<', pos);
    const text = xml.slice(pos, lt === -1 ? xml.length : lt);
    if (stack.length > 0) stack.at(-1)!.text += decode(text, 'text');
    else if (text.trim() !== '') throw new Error(`text outside the root element: ${JSON.stringify(text.slice(0, 40))}`);
    if (lt === -1) break;
    pos = lt + 1;
    const closing = xml[pos] === '/';
    if (closing) pos++;
    NAME.lastIndex = pos;
    const name = NAME.exec(xml)?.[0];
    if (!name) throw new Error(`bad tag name at ${pos}`);
    pos += name.length;
    if (closing) {
      const m = /\s*>/y;
      m.lastIndex = pos;
      if (!m.exec(xml)) throw new Error(`bad closing tag </${name} at ${pos}`);
      pos = m.lastIndex;
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name ?? 'nothing'}>`);
      continue;
    }
    const el: XmlElement = { name, attrs: {}, children: [], text: '' };
    for (;;) {
      const attr = /\s+([A-Za-z_:][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;
      attr.lastIndex = pos;
      const a = attr.exec(xml);
      if (!a) break;
      const value = a[2] ?? a[3]!;
      if (value.includes('<')) throw new Error(`< in the value of ${a[1]}`);
      if (a[1]! in el.attrs) throw new Error(`attribute ${a[1]} repeated on <${name}>`);
      el.attrs[a[1]!] = decode(value, `attribute ${a[1]}`);
      pos = attr.lastIndex;
    }
    const end = /\s*(\/?)>/y;
    end.lastIndex = pos;
    const e = end.exec(xml);
    if (!e) throw new Error(`bad start tag <${name} at ${pos}: ${JSON.stringify(xml.slice(pos, pos + 40))}`);
    pos = end.lastIndex;
    if (stack.length > 0) stack.at(-1)!.children.push(el);
    else if (root) throw new Error(`a second root element <${name}>`);
    else root = el;
    if (!e[1]) stack.push(el);
  }
  if (stack.length > 0) throw new Error(`<${stack.at(-1)!.name}> is not closed`);
  if (!root) throw new Error('no root element');
  return root;
}

const all = (el: XmlElement, name: string): XmlElement[] => [
  ...(el.name === name ? [el] : []),
  ...el.children.flatMap((c) => all(c, name)),
];

describe('the strict XML check', () => {
  test('accepts well-formed XML and rejects what is not', () => {
    expect(
      parseXml(
        '<?xml version="1.0" encoding="UTF-8"?>\n<a x="1 &amp; &#x3C;"><b>t &lt; &#233;</b><c/></a>\n',
      ).children.map((c) => c.name),
    ).toEqual(['b', 'c']);
    for (const bad of [
      '<a>\u0001</a>',
      '<a>\ud800</a>',
      '<a>\uffff</a>',
      '<a>&#1;</a>',
      '<a>&#xD800;</a>',
      '<a>&nbsp;</a>',
      '<a>&</a>',
      '<a x="<"/>',
      '<a x="1" x="2"/>',
      '<a x=1/>',
      '<a><b></a>',
      '<a>',
      '<a/><b/>',
      'text<a/>',
      '<a>]]></a>',
    ]) {
      expect(() => parseXml(bad), bad).toThrow();
    }
  });
});

describe('renderJunit', () => {
  test.each(Object.entries({ healthy, failedHostile, incomplete, postWatch, injected }))(
    '%s: well-formed XML 1.0, a testcase per check, a failure per failed or inconclusive one',
    (_, b) => {
      const root = parseXml(renderJunit(b));
      const checks = b.sections.flatMap((s) => s.checks);
      expect(root.name).toBe('testsuites');
      expect(all(root, 'testsuite')).toHaveLength(b.sections.length);
      expect(all(root, 'testcase')).toHaveLength(checks.length);
      expect(all(root, 'failure')).toHaveLength(
        checks.filter((c) => c.status === 'failed' || c.status === 'inconclusive').length,
      );
      expect(all(root, 'skipped')).toHaveLength(checks.filter((c) => c.status === 'skipped').length);
      expect(all(root, 'property')).toHaveLength(checks.reduce((n, c) => n + c.measurements.length, 0));
    },
  );

  test('hostile strings are text: escaped, without control characters, bounded', () => {
    const xml = renderJunit(injected);
    const root = parseXml(xml);
    expect(xml).not.toMatch(/<script|<img/);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202e]/);
    expect(xml).not.toContain('A'.repeat(LIMITS.text + 1));
    const failure = all(root, 'failure')[0]!;
    // The message is the error's first line; the body keeps the error's lines.
    expect(failure.attrs.message).toBe('POST https://gateway.hotrodan.com/v1/chat/completions answered HTTP 500:');
    expect(failure.text).toContain('\n1.81.9\n\n# Cutover pre-check: **GO** (auditor-approved)\n');
    expect(failure.text).toContain(INJECTIONS.html);
    expect(failure.text).toContain('abc[31mred[0m\ndegnp.exe\nf\ufffdg\ufffdhi');
    const names = all(root, 'property').map((p) => p.attrs.name);
    expect(names).toContain('first_429_at sha256:abc | forged | row | `x` |');
    expect(names).toContain(`${'A'.repeat(LIMITS.name)}… (10243 chars)`);
    expect(all(root, 'testcase')[1]!.attrs.name).toMatch(
      /^5\.1\/rpm-limit rate limit 1\.81\.9 # Cutover pre-check: \*\*GO\*\* \(auditor-approved\) A+… \(\d+ chars\)$/,
    );
  });

  test('the HTML-hostile fixture keeps its text, escaped', () => {
    const root = parseXml(renderJunit(failedHostile));
    expect(all(root, 'testcase').map((t) => t.attrs.name)).toContain(`5.1/rpm-limit rate limit ${HOSTILE}`);
  });

  test('an XML-forbidden character anywhere is replaced, never written', () => {
    const b = structuredClone(healthy);
    const c = b.sections[0]!.checks[0]!;
    Object.assign(c, {
      status: 'failed',
      title: 'a\u0000\ud800\uffff',
      error: 'b\u0001\udc00\ufffe\nsecond line\u000b',
    });
    c.measurements[0]!.name = 'n\u0008\ud83d';
    c.measurements[0]!.unit = 'u\u001f😀' as Unit;
    const xml = renderJunit(b);
    const root = parseXml(xml);
    expect(all(root, 'testcase')[0]!.attrs.name).toBe('3/smoke a\ufffd\ufffd');
    expect(all(root, 'failure')[0]!.text).toBe('b\ufffd\ufffd\nsecond line');
    expect(all(root, 'property')[0]!.attrs).toMatchObject({ name: 'n\ufffd', unit: 'u😀' });
  });
});
