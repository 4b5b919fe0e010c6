import { describe, expect, test } from 'vitest';
import {
  bound,
  isWebUrl,
  LIMITS,
  mdCell,
  mdCode,
  mdInline,
  mdLines,
  mdUrl,
  stripControl,
  xmlText,
} from './sanitize.ts';

describe('stripControl', () => {
  test('line breaks in any spelling become one space, or \\n where lines are meant', () => {
    expect(stripControl('1.81.9\r\n\r\n# forged\rx\u2028y\u0085z')).toBe('1.81.9 # forged x y z');
    expect(stripControl('a\r\nb\rc\nd\u2029e', { newlines: true })).toBe('a\nb\nc\nd\ne');
    expect(stripControl('a\r\n\r\nb', { newlines: true })).toBe('a\n\nb');
  });

  test('removes C0, DEL, C1 and invisible bidi or zero-width characters; a tab is a space', () => {
    expect(stripControl('a\u0000b\u0007c\u001b[31md\u007fe\u0080f\u009bg\th')).toBe('abc[31mdefg h');
    expect(stripControl('\u202egnp.exe \u2066x\u2069\u200by\ufeffz\u061c\u200e\u200f')).toBe('gnp.exe xyz');
  });

  test('lone surrogates and U+FFFE/U+FFFF become U+FFFD; pairs and ordinary text are kept', () => {
    expect(stripControl('a\ud800b\udc00c\ufffe\uffff')).toBe('a\ufffdb\ufffdc\ufffd\ufffd');
    expect(stripControl('ok 😀 ✅ § → é 中')).toBe('ok 😀 ✅ § → é 中');
  });

  test('prints what is not a string', () => {
    expect(stripControl(12)).toBe('12');
    expect(stripControl(null)).toBe('');
    expect(stripControl(undefined)).toBe('');
  });
});

describe('bound', () => {
  test('keeps a short string, cuts a long one and says how long it was', () => {
    expect(bound('abc', 3)).toBe('abc');
    expect(bound('abcd', 3)).toBe('abc… (4 chars)');
    expect(bound('x'.repeat(10_240), LIMITS.name)).toBe(`${'x'.repeat(200)}… (10240 chars)`);
  });

  test('never cuts a surrogate pair in half', () => {
    expect(bound('ab😀cd', 3)).toBe('ab… (6 chars)');
  });
});

describe('mdInline', () => {
  test('leaves ordinary text as written', () => {
    for (const s of [
      '2/minio waived: checked in the MinIO console, TICKET-7',
      'request_2_ms = 180.5 ms, required < 100 ms',
      'LANGFUSE_DATABASE_URL is not set',
      'error rate 3.1 % > 2 % (window 5 min)',
      'REHEARSAL-NO-GO',
    ]) {
      expect(mdInline(s, LIMITS.line)).toBe(s);
    }
  });

  test('escapes inline markup: emphasis, code, links, images, HTML, entities, strikethrough, math, pipes', () => {
    expect(mdInline('*a* _b_ `c` ~d~ $e$ | f \\')).toBe('\\*a\\* \\_b\\_ \\`c\\` \\~d\\~ \\$e\\$ \\| f \\\\');
    expect(mdInline('![img](http://x) [link](y)')).toBe('\\!\\[img\\](http\\://x) \\[link\\](y)');
    expect(mdInline('<script>x</script> <!-- c --> a < b')).toBe('\\<script>x\\</script> \\<!-- c --> a < b');
    expect(mdInline('&lt;b&gt; &#x3C; AT&T')).toBe('\\&lt;b\\&gt; \\&#x3C; AT&T');
  });

  test('defuses GFM autolinks: scheme://, www. and e-mail addresses', () => {
    expect(mdInline('see https://evil.example and www.evil.example or ops@evil.example')).toBe(
      'see https\\://evil.example and www\\.evil.example or ops\\@evil.example',
    );
  });

  test('cannot start a block: heading, quote, list item, thematic break, setext underline', () => {
    expect(mdInline('# GO')).toBe('\\# GO');
    expect(mdInline('> quote')).toBe('\\> quote');
    for (const s of ['- item', '+ item', '---', '===']) expect(mdInline(s)).toBe(`\\${s}`);
    expect(mdInline('1. item')).toBe('1\\. item');
    expect(mdInline('2) item')).toBe('2\\) item');
    expect(mdInline('4.1/exact-cache')).toBe('4.1/exact-cache');
    expect(mdInline('    indented code')).toBe('indented code');
  });

  test('one line: a CR/LF cannot start a forged heading', () => {
    expect(mdInline('1.81.9\r\n\r\n# Cutover pre-check: **GO** (auditor-approved)\r\n')).toBe(
      '1.81.9 # Cutover pre-check: \\*\\*GO\\*\\* (auditor-approved)',
    );
  });

  test('bounded', () => {
    expect(mdInline('A'.repeat(10_240))).toBe(`${'A'.repeat(LIMITS.name)}… (10240 chars)`);
    expect(mdInline('A'.repeat(10_240), 10)).toBe('AAAAAAAAAA… (10240 chars)');
  });
});

describe('mdCell', () => {
  test('escapes every pipe and inline markup, but not what only a line start needs', () => {
    expect(mdCell('a | forged | row')).toBe('a \\| forged \\| row');
    expect(mdCell('>= 0.3 ratio')).toBe('>= 0.3 ratio');
    expect(mdCell('x\n| forged | row |')).toBe('x \\| forged \\| row \\|');
    expect(mdCell('`a\\|b`')).toBe('\\`a\\\\\\|b\\`');
  });
});

describe('mdLines', () => {
  test('one escaped line per line of the text, none able to start a block', () => {
    expect(mdLines('first\r\n# heading\n| a | b |\n    code\n---')).toEqual([
      'first',
      '\\# heading',
      '\\| a \\| b \\|',
      'code',
      '\\---',
    ]);
  });
});

describe('mdCode', () => {
  test('a code span when it can hold the text, escaped text when a backtick or pipe would end it', () => {
    expect(mdCode('sha256:abc')).toBe('`sha256:abc`');
    expect(mdCode('![x](http://y) <b>')).toBe('`![x](http://y) <b>`');
    expect(mdCode('a`b')).toBe('a\\`b');
    expect(mdCode('a|b')).toBe('a\\|b');
    expect(mdCode('sha256:abc\r\n# forged')).toBe('`sha256:abc # forged`');
  });
});

describe('mdUrl and isWebUrl', () => {
  test('only http(s), without whitespace or control characters, and not too long', () => {
    expect(isWebUrl('https://langfuse.example/t/1')).toBe(true);
    for (const u of [
      'javascript:alert(1)',
      'data:text/html,x',
      'https://x/a b',
      'https://x/\n# forged',
      'https://x/\u0000',
      'https://x/\u202e',
      `https://x/${'a'.repeat(LIMITS.url)}`,
      42,
    ]) {
      expect(isWebUrl(u)).toBe(false);
      expect(mdUrl(u)).toBeUndefined();
    }
  });

  test('percent-encodes what would end the destination or change it', () => {
    expect(mdUrl('https://x/d?q=a&lt;b>(c)[d]`e`|f"g\'h\\i&j=1')).toBe(
      'https://x/d?q=a%26lt;b%3E%28c%29%5Bd%5D%60e%60%7Cf%22g%27h%5Ci&j=1',
    );
  });
});

describe('xmlText', () => {
  test('escapes markup and bounds', () => {
    expect(xmlText(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
    expect(xmlText('x'.repeat(300))).toBe(`${'x'.repeat(200)}… (300 chars)`);
  });

  test('only characters XML 1.0 allows: controls stripped, ill-formed UTF-16 and noncharacters replaced', () => {
    expect(xmlText('a\u0000\u0001\u000b\u000c\u001bb\ud800c\udfffd\ufffe\uffff😀')).toBe(
      'ab\ufffdc\ufffdd\ufffd\ufffd😀',
    );
    expect(xmlText('line 1\r\nline 2', { newlines: true })).toBe('line 1\nline 2');
    expect(xmlText('line 1\r\nline 2')).toBe('line 1 line 2');
  });
});
