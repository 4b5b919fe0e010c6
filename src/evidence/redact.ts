/**
 * Redaction of secrets from anything the suite writes or prints. Two layers: exact configured
 * secret values (and derived forms registered by the caller), and key shapes we know by their
 * prefix, so a key that was never configured (an echoed customer key, say) is caught too.
 */

const SHAPES: readonly RegExp[] = [
  /\bsk-(?:proj-|lf-)?[A-Za-z0-9_-]{8,}/g,
  /\bpk-lf-[A-Za-z0-9_-]{8,}/g,
  /\bFlyV1\s+[A-Za-z0-9_,=+/-]{8,}/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
];

/** Property names whose values are replaced wholesale, whatever they contain. */
const SECRET_KEYS = /^(authorization|x-litellm-api-key|api[-_]?key|.*secret.*|.*password.*|.*token(?!s)|master[-_]?key)$/i;

/** The secrets one process knows about: variable name → value. */
export class SecretSet {
  private readonly entries: [name: string, value: string][] = [];

  /** Registers a secret. Values shorter than 6 characters are ignored: redacting them would shred ordinary text. */
  add(name: string, value: string | undefined): this {
    const v = value?.trim();
    if (v && v.length >= 6 && !this.entries.some(([, known]) => known === v)) {
      this.entries.push([name, v]);
      // Longest first, so a secret that contains another is replaced whole.
      this.entries.sort((a, b) => b[1].length - a[1].length);
    }
    return this;
  }

  /** Adds every entry of a name → value map. */
  addAll(values: ReadonlyMap<string, string>): this {
    for (const [name, value] of values) this.add(name, value);
    return this;
  }

  /** Replaces every configured secret and every known key shape in `text`. */
  redact(text: string): string {
    let out = text;
    for (const [name, value] of this.entries) out = out.split(value).join(`[REDACTED:${name}]`);
    for (const shape of SHAPES) {
      out = out.replace(shape, (m) => (m.startsWith('[REDACTED') ? m : `${m.slice(0, m.search(/[\s-]/) + 1 || 3)}[REDACTED]`));
    }
    return out;
  }

  /** Names of the configured secrets found verbatim in `text` (never the values). */
  findIn(text: string): string[] {
    return this.entries.filter(([, value]) => text.includes(value)).map(([name]) => name);
  }

  /**
   * Deep-copies a JSON-like value with every string redacted and every secret-named property
   * replaced, so redaction happens on the structure before anything is serialized.
   */
  redactDeep<T>(value: T): T {
    return this.walk(value, undefined) as T;
  }

  private walk(value: unknown, key: string | undefined): unknown {
    if (typeof value === 'string') return key && SECRET_KEYS.test(key) ? '[REDACTED]' : this.redact(value);
    if (Array.isArray(value)) return value.map((v) => this.walk(v, undefined));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.walk(v, k)]));
    }
    return value;
  }
}
