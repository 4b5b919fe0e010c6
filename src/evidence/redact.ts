import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { EvidenceBundle, RollbackTrigger } from './model.ts';

/**
 * Redaction of secrets from anything the suite writes or prints. Three layers: configured
 * secret values (and derived forms registered by the caller) in every encoding a server or a
 * log is likely to give them, credentials the run learned and knows only by digest (keys
 * minted in another thread), and key shapes we know by their prefix, so a key that was never
 * configured (an echoed customer key, say) is caught too.
 */

const SHAPES: readonly RegExp[] = [
  /\bsk-(?:proj-|lf-)?[A-Za-z0-9_-]{8,}/g,
  /\bpk-lf-[A-Za-z0-9_-]{8,}/g,
  /\bFlyV1\s+[A-Za-z0-9_,=+/-]{8,}/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
];

/** Property names whose values are replaced wholesale, whatever they contain. */
const SECRET_KEYS =
  /^(authorization|x-litellm-api-key|api[-_]?key|.*secret.*|.*password.*|.*token(?!s)|master[-_]?key)$/i;

/** What redaction leaves in place of a secret; `findIn` looks through these markers. */
const MARKER = /\[REDACTED(?::[A-Za-z0-9_]+)?\]/g;

/**
 * The shortest secret that is redacted in every encoding. A shorter one matches ordinary text
 * (and its base64 matches random base64) too often to redact safely; preflight refuses it
 * (`src/config/secret-strength.ts`).
 */
export const MIN_SECRET_LENGTH = 8;

/** Shorter values are not registered at all: even as a whole word they would shred the text. */
const MIN_WEAK_LENGTH = 4;

/**
 * Well-known default and placeholder credentials that are also ordinary words in our output:
 * the stack's own names (a ClickHouse password `clickhouse`), docker-compose defaults of
 * Langfuse and MinIO, and the usual suspects.
 */
const COMMON_WORDS = [
  'admin',
  'administrator',
  'password',
  'passw0rd',
  'password1',
  'password123',
  'secret',
  'secrets',
  'changeme',
  'default',
  'clickhouse',
  'langfuse',
  'litellm',
  'postgres',
  'postgresql',
  'minio',
  'minioadmin',
  'miniosecret',
  'myredissecret',
  'mysecret',
  'redis',
  'gateway',
  'sandbox',
  'placeholder',
  'localhost',
  'undefined',
  'redacted',
  'example',
  'qwertyuiop',
  '12345678',
  '123456789',
  '1234567890',
  'letmein1',
  'fly',
  'flyctl',
  'openai',
  'master',
  'token',
  'apikey',
  'root',
  'user',
  'test',
  'testing',
];

/**
 * The evidence schema's own vocabulary, read from the zod model so it cannot drift: every
 * object key (`keys`) and, per key, the values of the enums stored under it (`enums`, e.g.
 * `status` → passed, failed, …). Redaction never touches either, so a secret equal to one can
 * never corrupt the structure of a bundle.
 */
const SCHEMA = ((): { keys: Set<string>; enums: Map<string, Set<string>> } => {
  const keys = new Set<string>();
  const enums = new Map<string, Set<string>>();
  // Objects are walked once (their keys do not depend on where they sit); enums under every key that holds them.
  const seen = new Set<unknown>();
  const visit = (s: z.ZodType, key: string | undefined): void => {
    const def = (s as unknown as { def: Record<string, unknown> & { type: string } }).def;
    const into = (values: unknown[]): void => {
      if (!key) return;
      const set = enums.get(key) ?? new Set<string>();
      for (const v of values) if (typeof v === 'string') set.add(v);
      enums.set(key, set);
    };
    switch (def.type) {
      case 'object':
        if (seen.has(s)) break;
        seen.add(s);
        for (const [k, child] of Object.entries(def.shape as Record<string, z.ZodType>)) {
          keys.add(k);
          visit(child, k);
        }
        break;
      case 'enum':
        into(Object.values(def.entries as Record<string, unknown>));
        break;
      case 'literal':
        into(def.values as unknown[]);
        break;
      case 'array':
        visit(def.element as z.ZodType, key);
        break;
      case 'record':
        visit(def.valueType as z.ZodType, undefined);
        break;
      case 'union':
        for (const o of def.options as z.ZodType[]) visit(o, key);
        break;
      case 'optional':
      case 'nullable':
      case 'default':
      case 'readonly':
        visit(def.innerType as z.ZodType, key);
        break;
      case 'pipe':
        visit(def.in as z.ZodType, key);
        visit(def.out as z.ZodType, key);
        break;
    }
  };
  // The measurement units come with the schema: `Measurement.unit` is the enum of src/evidence/units.ts.
  visit(EvidenceBundle, undefined);
  visit(RollbackTrigger, undefined);
  return { keys, enums };
})();

/** Every word a secret must not be: common credentials, schema keys, enum values, units (lowercase). */
const WEAK_WORDS: ReadonlySet<string> = new Set(
  [...COMMON_WORDS, ...SCHEMA.keys, ...[...SCHEMA.enums.values()].flatMap((s) => [...s])].map((w) => w.toLowerCase()),
);

/**
 * Why `value` cannot be redacted safely, or undefined when it can: shorter than
 * `MIN_SECRET_LENGTH`, or equal (ignoring case) to a common credential or a word of the
 * evidence schema (a key such as `status`, an enum value such as `passed`, a unit). Never
 * contains the value. Leading and trailing whitespace is ignored, as `SecretSet.add` does.
 */
export function weakSecretReason(value: string): string | undefined {
  const v = value.trim();
  // What the matcher compares: spaces, `+` and zero-width characters do not count.
  const plain = plainStream(v).s;
  if (plain.length < MIN_SECRET_LENGTH) {
    const counted = plain.length === v.length ? '' : ' not counting spaces, + and escapes';
    return `is ${plain.length} character${plain.length === 1 ? '' : 's'} long${counted}; a secret shorter than ${MIN_SECRET_LENGTH} characters cannot be told apart from ordinary text, so the evidence could not be redacted safely`;
  }
  if (WEAK_WORDS.has(v.toLowerCase()) || WEAK_WORDS.has(plain)) {
    return 'is a common word or default credential (or a word of the evidence schema, such as a status); redacting it would corrupt the evidence, and guessing it is trivial';
  }
  return undefined;
}

/**
 * A credential known only by its SHA-256, for processes that must redact a key they never saw
 * (the reporter, for a key a worker thread minted). `prefix` (3 characters, e.g. `sk-`) and
 * `length` say where to look; they reveal nothing usable of a long random key.
 */
export interface SecretDigest {
  readonly sha256: string;
  readonly length: number;
  readonly prefix: string;
}

/** The digest form of a credential, for `SecretSet.addDigest`. */
export function secretDigest(value: string): SecretDigest {
  return { sha256: sha256(value), length: value.length, prefix: value.slice(0, 3) };
}

function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/** Whitespace (as `\s`) and the zero-width characters U+200B–U+200D, U+2060, U+FEFF. */
function isSeparator(code: number): boolean {
  return (
    (code >= 9 && code <= 13) ||
    code === 32 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200d) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x2060 ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * A normalized reading of a text, with the way back: `s[i]` came from `text.slice(from[i], to[i])`.
 * Searching the normalized text for a normalized secret finds the secret in each encoding the
 * normalization undoes, and the maps give the span to redact in the original.
 */
interface Stream {
  readonly s: string;
  readonly from: Int32Array;
  readonly to: Int32Array;
}

const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));/y;
const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const HEX2 = /^[0-9a-fA-F]{2}$/;

/** The UTF-8 character percent-encoded at `i` (`%41`, `%C3%A9`), with its length in the text; undefined when there is none. */
function percentChar(text: string, i: number): { ch: string; len: number } | undefined {
  const byteAt = (j: number): number | undefined =>
    text[j] === '%' && HEX2.test(text.slice(j + 1, j + 3)) ? parseInt(text.slice(j + 1, j + 3), 16) : undefined;
  const lead = byteAt(i);
  if (lead === undefined) return undefined;
  const n =
    lead < 0x80
      ? 1
      : lead >= 0xc0 && lead < 0xe0
        ? 2
        : lead >= 0xe0 && lead < 0xf0
          ? 3
          : lead >= 0xf0 && lead < 0xf8
            ? 4
            : 0;
  if (n === 0) return undefined;
  const bytes = [lead];
  for (let k = 1; k < n; k++) {
    const b = byteAt(i + 3 * k);
    if (b === undefined || (b & 0xc0) !== 0x80) return undefined;
    bytes.push(b);
  }
  try {
    return { ch: new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes)), len: 3 * n };
  } catch {
    return undefined;
  }
}

/**
 * A growable output of `Stream`, in typed arrays: every write to stdout and every evidence file
 * is read through a stream, and arrays of one-character strings made that several times slower.
 */
class StreamBuilder {
  private codes: Uint16Array;
  private starts: Int32Array;
  private ends: Int32Array;
  private n = 0;
  constructor(capacity: number) {
    this.codes = new Uint16Array(capacity + 8);
    this.starts = new Int32Array(capacity + 8);
    this.ends = new Int32Array(capacity + 8);
  }
  push(code: number, a: number, b: number): void {
    if (this.n === this.codes.length) {
      const grow = <A extends Uint16Array | Int32Array>(x: A, make: (len: number) => A): A => {
        const y = make(x.length * 2);
        y.set(x);
        return y;
      };
      this.codes = grow(this.codes, (l) => new Uint16Array(l));
      this.starts = grow(this.starts, (l) => new Int32Array(l));
      this.ends = grow(this.ends, (l) => new Int32Array(l));
    }
    this.codes[this.n] = code;
    this.starts[this.n] = a;
    this.ends[this.n] = b;
    this.n++;
  }
  /** Pushes each UTF-16 unit of `s`, all from `text.slice(a, b)`. */
  pushString(s: string, a: number, b: number): void {
    for (let i = 0; i < s.length; i++) this.push(s.charCodeAt(i), a, b);
  }
  done(): Stream {
    let s = '';
    for (let i = 0; i < this.n; i += 8192)
      s += String.fromCharCode(...this.codes.subarray(i, Math.min(this.n, i + 8192)));
    return { s, from: this.starts.subarray(0, this.n), to: this.ends.subarray(0, this.n) };
  }
}

/** ASCII characters the plain reading does not copy as they are: %, \, &, + and whitespace. */
const PLAIN_SPECIAL = new Uint8Array(128);
for (const c of '%\\&+ \t\n\v\f\r') PLAIN_SPECIAL[c.charCodeAt(0)] = 1;

/**
 * The plain reading: lowercase; percent-encoding, JSON escapes (`\"`, `\\`, `\/`, `\uXXXX`) and
 * HTML entities decoded; whitespace, zero-width characters, JSON `\n` `\r` `\t` and `+` (a
 * form-encoded space) dropped. So `SK-Ab%2Fc\u200Bd` reads as `sk-ab/cd`.
 */
function plainStream(text: string): Stream {
  const out = new StreamBuilder(text.length);
  const lower = text.toLowerCase();
  const direct = lower.length === text.length;
  const emit = (decoded: string, a: number, b: number): void => {
    for (const ch of decoded)
      if (!isSeparator(ch.codePointAt(0)!) && ch !== '+') out.pushString(ch.toLowerCase(), a, b);
  };
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (direct && (c < 128 ? PLAIN_SPECIAL[c] === 0 : !isSeparator(c))) {
      out.push(lower.charCodeAt(i), i, i + 1);
      i++;
      continue;
    }
    if (c === 0x25 /* % */) {
      const p = percentChar(text, i);
      if (p) {
        emit(p.ch, i, i + p.len);
        i += p.len;
        continue;
      }
    } else if (c === 0x5c /* \ */) {
      const n = text[i + 1];
      if (n === 'n' || n === 'r' || n === 't') {
        i += 2;
        continue;
      }
      if (n === '"' || n === '\\' || n === '/') {
        emit(n, i, i + 2);
        i += 2;
        continue;
      }
      if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        emit(String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16)), i, i + 6);
        i += 6;
        continue;
      }
    } else if (c === 0x26 /* & */) {
      ENTITY.lastIndex = i;
      const m = ENTITY.exec(text);
      if (m) {
        const code = m[2] ? Number(m[2]) : m[3] ? parseInt(m[3], 16) : undefined;
        const ch = m[1]
          ? NAMED_ENTITIES[m[1]]!
          : code !== undefined && code <= 0x10ffff
            ? String.fromCodePoint(code)
            : m[0];
        emit(ch, i, i + m[0].length);
        i += m[0].length;
        continue;
      }
    } else if (c === 0x2b /* + */ || isSeparator(c)) {
      i++;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    emit(String.fromCodePoint(cp), i, i + len);
    i += len;
  }
  return out.done();
}

/**
 * The base64 reading: case kept; whitespace, zero-width characters and JSON `\n` `\r` `\t`
 * dropped (wrapped base64); the url-safe alphabet mapped to the standard one (`-` → `+`,
 * `_` → `/`); `%2B`, `%2F`, `%3D` and `\/` decoded.
 */
function base64Stream(text: string): Stream {
  const out = new StreamBuilder(text.length);
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c === 0x2d /* - */) out.push(0x2b, i, i + 1);
    else if (c === 0x5f /* _ */) out.push(0x2f, i, i + 1);
    else if (c === 0x5c /* \ */ && (text[i + 1] === 'n' || text[i + 1] === 'r' || text[i + 1] === 't')) {
      i += 2;
      continue;
    } else if (c === 0x5c && text[i + 1] === '/') {
      out.push(0x2f, i, i + 2);
      i += 2;
      continue;
    } else if (c === 0x25 /* % */ && /^%(?:2[bBfF]|3[dD])$/.test(text.slice(i, i + 3))) {
      const code = text.slice(i + 1, i + 3).toUpperCase();
      out.push(code === '2B' ? 0x2b : code === '2F' ? 0x2f : 0x3d, i, i + 3);
      i += 3;
      continue;
    } else if (!isSeparator(c)) out.push(c, i, i + 1);
    i++;
  }
  return out.done();
}

const B64 = /^[A-Za-z0-9+/]$/;

/**
 * The base64 of a secret at each of the three byte offsets it can have inside a longer base64
 * string (a Basic-auth pair, a JWT, a wrapped PEM): the characters that depend only on the
 * secret's bytes, in the standard alphabet, without padding.
 */
function base64Cores(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  return [0, 1, 2].map((k) => {
    const enc = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
    return enc.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6));
  });
}

/** Whether the text was cut right after `end`: an ellipsis, a line end (or its JSON escape) or the end, possibly after up to two closing quotes. */
function cutAt(text: string, end: number): boolean {
  let i = end;
  for (let k = 0; k < 2 && (text[i] === '"' || text[i] === "'" || text[i] === '\\'); k++) i++;
  if (text[i - 1] === '\\' && text[i] === 'n') return true;
  return (
    i >= text.length ||
    text[i] === '\n' ||
    text[i] === '\r' ||
    text[i] === '\u2026' ||
    text.startsWith('...', i) ||
    text.startsWith('\\n', i)
  );
}

interface Span {
  readonly start: number;
  readonly end: number;
  readonly name: string;
}

/** What to look for, per registered secret, compiled once. */
interface Needles {
  /** Normalized plain forms (`plainStream`), and whether a cut-off prefix counts. */
  readonly plain: { name: string; text: string; truncatable: boolean; minCut: number }[];
  /** Base64 cores (`base64Cores`), searched in `base64Stream`. */
  readonly base64: { name: string; text: string }[];
  /** Weak secrets: verbatim, as a whole word only. */
  readonly words: { name: string; re: RegExp }[];
}

/** The secrets one process knows about: variable name → value, and digests of learned credentials. */
export class SecretSet {
  private readonly entries: { name: string; value: string }[] = [];
  private readonly digests: (SecretDigest & { name: string })[] = [];
  private needles: Needles | undefined;

  /**
   * Registers a secret (surrounding whitespace ignored). A value of at least
   * `MIN_SECRET_LENGTH` characters that is not a common word (`weakSecretReason`) is caught in
   * every encoding `redact` knows; a weaker one (preflight refuses it) only verbatim, as a
   * whole word; one under 4 characters is ignored, since even that would shred ordinary text.
   */
  add(name: string, value: string | undefined): this {
    const v = value?.trim();
    if (v && v.length >= MIN_WEAK_LENGTH && !this.entries.some((e) => e.value === v)) {
      this.entries.push({ name, value: v });
      // Longest first, so a secret that contains another is named as the longer one.
      this.entries.sort((a, b) => b.value.length - a.value.length);
      this.needles = undefined;
    }
    return this;
  }

  /** Adds every entry of a name → value map. */
  addAll(values: ReadonlyMap<string, string>): this {
    for (const [name, value] of values) this.add(name, value);
    return this;
  }

  /** Registers a credential by digest (`secretDigest`): found and redacted verbatim only, wherever its prefix starts. */
  addDigest(name: string, d: SecretDigest): this {
    if (d.length >= MIN_SECRET_LENGTH && d.prefix.length > 0 && !this.digests.some((x) => x.sha256 === d.sha256))
      this.digests.push({ name, ...d });
    return this;
  }

  /**
   * Replaces every configured secret, learned credential and known key shape in `text`. A
   * configured secret is caught verbatim; in any letter case; split by whitespace or
   * zero-width characters; percent-encoded (`+` for a space); JSON- or HTML-escaped; in base64
   * (standard or url-safe, padded or not, at any offset inside a longer base64 string); in hex;
   * and as a prefix of at least `MIN_SECRET_LENGTH` characters where the text was cut (an
   * excerpt's `…`, a line end, the end). The result never contains anything `findIn` finds:
   * should one pass leave something (overlapping encodings), it is repeated, and as a last
   * resort the text is withheld.
   */
  redact(text: string): string {
    return this.redactWith(text, true);
  }

  /** `redact`; `words: false` leaves out weak secrets (matched as whole words), for enum-like fields that such a word must never rewrite. */
  private redactWith(text: string, words: boolean): string {
    let out = text;
    for (let pass = 0; pass < 3; pass++) {
      const spans = this.spans(out, words);
      out = shapesRedacted(spans.length > 0 ? replaceSpans(out, spans) : out);
      if (spans.length === 0 || this.findIn(out).length === 0) return out;
    }
    return '[REDACTED: text withheld, it kept matching a configured secret]';
  }

  /**
   * Names of the configured secrets and learned credentials found in `text`, in any form
   * `redact` catches (never the values). Markers left by `redact` are not searched. Weak
   * secrets (see `add`) are not reported: they are refused at preflight, and as words of the
   * schema (`passed`) they would make every bundle that correctly kept its `status` unwritable.
   */
  findIn(text: string): string[] {
    return [...new Set(this.spans(text.replace(MARKER, '\u0001'), false).map((s) => s.name))];
  }

  /**
   * Deep-copies a JSON-like value with every string redacted, every secret-named property
   * replaced and every object key redacted, so redaction happens on the structure before
   * anything is serialized. The schema is left alone: keys that are field names of the evidence
   * model, and enum values under their own key (`status: "passed"`, `unit: "ms"`), are never
   * changed, so a secret equal to one cannot corrupt a bundle. Two keys that redact to the same
   * text are both kept (the second gets a ` #2` suffix). A number that spells a secret becomes
   * its redacted string, except under a schema field name (where the schema wants a number).
   */
  redactDeep<T>(value: T): T {
    return this.walk(value, undefined) as T;
  }

  private walk(value: unknown, key: string | undefined): unknown {
    if (typeof value === 'string') {
      const vocabulary = key === undefined ? undefined : SCHEMA.enums.get(key);
      if (vocabulary?.has(value)) return value;
      if (key && SECRET_KEYS.test(key)) return '[REDACTED]';
      // A weak secret (refused at preflight, matched as a word) never rewrites an enum-like field.
      return this.redactWith(value, vocabulary === undefined);
    }
    if (typeof value === 'number' && !(key && SCHEMA.keys.has(key)) && Math.abs(value) >= 1000) {
      const s = String(value);
      return this.findIn(s).length > 0 ? this.redact(s) : value;
    }
    if (Array.isArray(value)) return value.map((v) => this.walk(v, undefined));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const base = SCHEMA.keys.has(k) ? k : this.redact(k);
        let name = base;
        for (let n = 2; Object.hasOwn(out, name); n++) name = `${base} #${n}`;
        out[name] = this.walk(v, k);
      }
      return out;
    }
    return value;
  }

  /** Every occurrence of a registered secret in `text`, as spans of the original text, by start. */
  private spans(text: string, words: boolean): Span[] {
    const n = this.compiled();
    const spans: Span[] = [];
    if (n.plain.length > 0) {
      const p = plainStream(text);
      for (const needle of n.plain) {
        const head = needle.truncatable ? needle.text.slice(0, needle.minCut) : needle.text;
        for (let at = p.s.indexOf(head); at >= 0; at = p.s.indexOf(head, at + 1)) {
          let len = head.length;
          while (len < needle.text.length && p.s[at + len] === needle.text[len]) len++;
          if (len === needle.text.length || cutAt(text, p.to[at + len - 1]!))
            spans.push({ start: p.from[at]!, end: p.to[at + len - 1]!, name: needle.name });
        }
      }
    }
    if (n.base64.length > 0) {
      const b = base64Stream(text);
      for (const needle of n.base64) {
        for (let at = b.s.indexOf(needle.text); at >= 0; at = b.s.indexOf(needle.text, at + 1)) {
          // The neighbouring characters carry a few bits of the secret too, and the padding ends it.
          let first = at;
          let last = at + needle.text.length;
          // Only a neighbour that touches it in the text: `Basic <base64>` keeps its `c`.
          if (first > 0 && B64.test(b.s[first - 1]!) && b.to[first - 1] === b.from[first]) first--;
          if (last < b.s.length && B64.test(b.s[last]!) && b.from[last] === b.to[last - 1]) last++;
          while (last < b.s.length && b.s[last] === '=') last++;
          spans.push({ start: b.from[first]!, end: b.to[last - 1]!, name: needle.name });
        }
      }
    }
    if (words)
      for (const w of n.words)
        for (const m of text.matchAll(w.re)) spans.push({ start: m.index, end: m.index + m[0].length, name: w.name });
    for (const d of this.digests) {
      for (let at = text.indexOf(d.prefix); at >= 0; at = text.indexOf(d.prefix, at + 1)) {
        if (at + d.length <= text.length && sha256(text.slice(at, at + d.length)) === d.sha256)
          spans.push({ start: at, end: at + d.length, name: d.name });
      }
    }
    return spans.sort((a, b) => a.start - b.start || b.end - a.end);
  }

  private compiled(): Needles {
    if (this.needles) return this.needles;
    const n: Needles = { plain: [], base64: [], words: [] };
    for (const { name, value } of this.entries) {
      if (weakSecretReason(value) !== undefined) {
        n.words.push({
          name,
          re: new RegExp(`(?<![A-Za-z0-9_])${value.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')}(?![A-Za-z0-9_])`, 'g'),
        });
        continue;
      }
      // Read as text is read, and also with its own %, \ and & taken literally: a text that
      // percent-encodes those characters decodes back to them, not to what they would escape.
      const forms = new Set([
        plainStream(value).s,
        plainStream(value.replace(/[%\\&]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)).s,
      ]);
      for (const text of forms)
        if (text.length >= MIN_SECRET_LENGTH)
          n.plain.push({
            name,
            text,
            truncatable: true,
            minCut: Math.min(text.length, publicHead(text) + MIN_SECRET_LENGTH),
          });
      const hex = Buffer.from(value, 'utf8').toString('hex');
      n.plain.push({ name, text: hex, truncatable: false, minCut: hex.length });
      for (const text of base64Cores(value)) n.base64.push({ name, text });
    }
    this.needles = n;
    return n;
  }
}

/**
 * How many leading characters of a normalized secret everyone knows: a URL's scheme
 * (`postgresql://`), a key's vendor prefix (`sk-proj-`, `pk-lf-`, `FlyV1`). A cut-off prefix of
 * the secret counts only when it reaches `MIN_SECRET_LENGTH` characters past these, or the word
 * `postgresql` ending any text would be redacted once a database URL is configured.
 */
function publicHead(normalized: string): number {
  return /^(?:[a-z][a-z0-9+.-]*:\/\/|sk-(?:proj-|lf-)?|pk-lf-|flyv1)/.exec(normalized)?.[0].length ?? 0;
}

/** `text` with each span (overlapping ones merged) replaced by a marker naming its secret. */
function replaceSpans(text: string, spans: readonly Span[]): string {
  let out = '';
  let pos = 0;
  for (let i = 0; i < spans.length; ) {
    const { start, name } = spans[i]!;
    let end = spans[i]!.end;
    for (i++; i < spans.length && spans[i]!.start < end; i++) end = Math.max(end, spans[i]!.end);
    out += `${text.slice(pos, start)}[REDACTED:${name}]`;
    pos = end;
  }
  return out + text.slice(pos);
}

/** Key shapes we know by prefix, redacted whether configured or not; the scheme or prefix stays readable. */
function shapesRedacted(text: string): string {
  let out = text;
  for (const shape of SHAPES)
    out = out.replace(shape, (s) =>
      s.startsWith('[REDACTED') ? s : `${s.slice(0, s.search(/[\s-]/) + 1 || 3)}[REDACTED]`,
    );
  return out;
}
