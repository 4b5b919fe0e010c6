// Server strings are data, everywhere they land. Every string of a bundle can come from a server
// (a version header, a health body, a Fly digest, an error excerpt) or from a bundle edited by
// hand, so each view puts it through this module before it reaches a file: control characters
// stripped, length bounded, then escaped for the context it lands in (Markdown inline text, a
// Markdown table cell, a Markdown link destination, XML text or attribute). Pure functions: the
// views are re-rendered to check them (consistency.ts), so the same input gives the same bytes.

/** The most characters of one string a view prints; longer strings are cut and say how long they were. */
export const LIMITS = {
  /** ids, names, units, versions, labels, digests: anything that should fit on a line. */
  name: 200,
  /** one sentence: a verdict reason, a skip reason, the first line of an error. */
  line: 1000,
  /** a multi-line error. */
  text: 4000,
  /** a URL that becomes a link; a longer one is shown as text, never cut into another link. */
  url: 2048,
} as const;

// C0 controls (tab, LF and CR are handled before), DEL, C1 controls, and the invisible
// characters that change how the text around them reads: bidi embeddings, overrides and
// isolates (a "Trojan source" can reorder a line), zero-width space, word joiner and BOM.
const CONTROL =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;
// Line breaks in any spelling: CRLF, CR, LF, NEL (a C1 control), and the Unicode line and paragraph separators.
const LINE_BREAK = /\r\n|[\r\n\u0085\u2028\u2029]/g;
const LINE_BREAKS = /(?:\r\n|[\r\n\u0085\u2028\u2029])+/g;
// UTF-16 that is not text: a surrogate without its pair, and the noncharacters U+FFFE and U+FFFF.
const ILL_FORMED = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\ufffe\uffff]/g;

/**
 * `s` as text without control characters. Line breaks (CRLF, CR, LF, NEL, U+2028, U+2029)
 * become `\n` with `newlines: true` (only where a view means to print several lines), a space
 * otherwise (one for a run of them); a tab becomes a space; every other C0/C1 control and invisible bidi or zero-width
 * character is removed; lone surrogates and U+FFFE/U+FFFF become U+FFFD. Anything not a string
 * (a number, null) is printed with `String`.
 */
export function stripControl(s: unknown, o: { newlines?: boolean } = {}): string {
  return String(s ?? '')
    .replace(o.newlines ? LINE_BREAK : LINE_BREAKS, o.newlines ? '\n' : ' ')
    .replace(/\t/g, ' ')
    .replace(CONTROL, '')
    .replace(ILL_FORMED, '\ufffd');
}

/** `s` cut to `max` UTF-16 units (never between the two halves of a pair), saying how long it was: `abc… (10240 chars)`. */
export function bound(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = s.slice(0, max);
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}… (${s.length} chars)`;
}

/** A letter or digit: an `_` between two of them can neither open nor close emphasis. */
const WORD = /[\p{L}\p{N}]/u;

/**
 * Escapes one line of text (no line breaks in it) for Markdown (CommonMark + GFM + GitHub's
 * math), so that it renders as exactly that text: no emphasis, code, link, image, autolink, raw
 * HTML, entity, strikethrough, math, table cell break or footnote, and, at the start of the line,
 * no heading, block quote, list item, thematic break or setext underline. Punctuation that cannot
 * start anything where it stands is left alone (an `_` inside a word, `(`, `)` and `!` when no
 * `[` can precede them, a `<` not followed by a tag or scheme, a `&` not starting an entity), so
 * that `request_2_ms` or `required < 100 ms` still read as written in the raw file.
 */
function mdEscapeLine(line: string, o: { blockStart: boolean }): string {
  const s = line.trim();
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const next = s[i + 1] ?? '';
    if ('\\`*~|$[]@'.includes(c)) out += `\\${c}`;
    else if (c === '_') out += WORD.test(s[i - 1] ?? '') && WORD.test(next) ? '_' : '\\_';
    else if (c === '<') out += /[A-Za-z/!?]/.test(next) ? '\\<' : '<';
    else if (c === '&') out += /^&#?[A-Za-z0-9]+;/.test(s.slice(i)) ? '\\&' : '&';
    else if (c === '!') out += next === '[' ? '\\!' : '!';
    // GFM autolink literals: `scheme://…` and `www.…` (the `@` of an e-mail address is escaped above).
    else if (c === ':') out += s.startsWith('//', i + 1) ? '\\:' : ':';
    else if (c === '.') out += /www$/i.test(s.slice(Math.max(0, i - 3), i)) ? '\\.' : '.';
    else out += c;
  }
  if (!o.blockStart) return out;
  // Block syntax at the start of a line: ATX heading, block quote, list item, thematic break, setext underline.
  if (/^[#>+=-]/.test(out)) return `\\${out}`;
  return out.replace(/^(\d{1,9})([.)])(?=\s|$)/, '$1\\$2');
}

/**
 * `s` as Markdown inline text on one line: control characters stripped (a line break becomes a
 * space, so a string can never start a line of its own), cut to `max`, then escaped (see
 * `mdEscapeLine`). Safe after a list marker, in a heading, in a block quote and in link text.
 */
export function mdInline(s: unknown, max: number = LIMITS.name): string {
  return mdEscapeLine(bound(stripControl(s), max), { blockStart: true });
}

/**
 * `s` in a GFM table cell: as `mdInline` (every `|` escaped and every line break removed, the
 * two things that would end a cell or a row), but without the escapes only the start of a line
 * needs: a cell holds inline content only, so `>= 0.3 ratio` stays as written.
 */
export function mdCell(s: unknown, max: number = LIMITS.name): string {
  return mdEscapeLine(bound(stripControl(s), max), { blockStart: false });
}

/**
 * `s` as lines of Markdown text, where line breaks are meant (an error in a block quote): each
 * line escaped as `mdInline` escapes it, the whole cut to `max` first. The caller prefixes each
 * line (`> `); no line can start a block of its own.
 */
export function mdLines(s: unknown, max: number = LIMITS.text): string[] {
  return bound(stripControl(s, { newlines: true }), max)
    .split('\n')
    .map((l) => mdEscapeLine(l, { blockStart: true }));
}

/**
 * `s` as a Markdown code span (a digest, a run id, a URL shown as text), or, when it contains a
 * backtick or a `|` (which would end the span or, in a table, the cell), as escaped text
 * (`mdInline`): still readable, never markup.
 */
export function mdCode(s: unknown, max: number = LIMITS.name): string {
  const t = bound(stripControl(s), max).trim();
  if (t === '' || /[`|]/.test(t)) return mdEscapeLine(t, { blockStart: true });
  return `\`${t}\``;
}

/** An http(s) URL that may become a link: no whitespace or control character, not longer than `LIMITS.url`. */
export function isWebUrl(url: unknown): url is string {
  return (
    typeof url === 'string' && url.length <= LIMITS.url && /^https?:\/\/[^\s]+$/i.test(url) && stripControl(url) === url
  );
}

/**
 * The Markdown link destination for `url`, or undefined when it must not become a link (not
 * http(s), whitespace or control characters in it, too long; see `isWebUrl`). The characters
 * that could end the destination or change what it means (`()<>[]\` and quotes, backticks,
 * braces, `|`, `^`, a `&` that starts an entity) are percent-encoded, as a browser would.
 */
export function mdUrl(url: unknown): string | undefined {
  if (!isWebUrl(url)) return undefined;
  return url.replace(
    /[\\<>()[\]`"'{}|^]|&(?=#?[A-Za-z0-9]+;)/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

// Characters XML 1.0 does not allow anywhere in a document (outside its `Char` production), as
// a last line of defence after `stripControl`: C0 controls but tab, LF and CR, a surrogate
// without its pair, U+FFFE and U+FFFF. A well-formed pair (a character outside the BMP) is allowed.
const NOT_XML =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * `s` as XML 1.0 text or attribute value: control characters stripped (line breaks kept with
 * `newlines: true`, for element content; an attribute gets spaces), cut to `max`, markup escaped
 * (`& < > " '`), and any character XML does not allow replaced by U+FFFD (a well-formed pair
 * outside the BMP is kept). The result is always well-formed character data.
 */
export function xmlText(s: unknown, o: { newlines?: boolean; max?: number } = {}): string {
  const t = bound(stripControl(s, { newlines: o.newlines }), o.max ?? LIMITS.name);
  return t
    .replace(NOT_XML, '\ufffd')
    .replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
