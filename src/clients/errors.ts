import { causeText } from '../evidence/error-text.ts';
import { runSecrets } from '../evidence/secrets.ts';

/**
 * Errors a client throws when the far side breaks the protocol. Each message alone must let an
 * on-call engineer act: method, URL (never credentials), what came back and what was expected.
 * The message is redacted against the run's secrets (`runSecrets()`) as it is built, because an
 * excerpt or a path may echo one; callers redact again before printing.
 */
export class CutoverHttpError extends Error {
  readonly method: string;
  readonly url: string;
  constructor(method: string, url: string, message: string) {
    const secrets = runSecrets();
    super(secrets.redact(`${method} ${safeUrl(url)}: ${message}`));
    this.name = new.target.name;
    this.method = method;
    this.url = secrets.redact(safeUrl(url));
  }
}

/** The endpoint could not be reached: DNS, refused connection, TLS failure, or no answer within the budget. */
export class EndpointUnreachableError extends CutoverHttpError {
  override readonly cause: unknown;
  constructor(method: string, url: string, cause: unknown) {
    super(method, url, `unreachable (${causeText(cause)})`);
    this.cause = cause;
  }
}

/** The endpoint answered, but not with what the protocol promises: wrong content type, bad JSON, wrong shape, body too large or cut short. */
export class UnexpectedResponseError extends CutoverHttpError {
  readonly status: number;
  /** What the protocol promised, as the message states it (no part of the body). */
  readonly expected: string;
  readonly excerpt: string;
  constructor(method: string, url: string, status: number, expected: string, body: string) {
    const excerpt = excerptOf(body);
    super(method, url, `HTTP ${status}, expected ${expected}; body starts: ${JSON.stringify(excerpt)}`);
    this.status = status;
    this.expected = expected;
    this.excerpt = excerpt;
  }
}

/** A URL with user info and query-string credentials removed. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    for (const k of [...u.searchParams.keys()])
      if (/key|token|secret|password/i.test(k)) u.searchParams.set(k, '[REDACTED]');
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}

/**
 * The first `max` characters of a body, whitespace collapsed, with `…` when it was cut: enough
 * to recognise an HTML error page or a proxy message. The body is redacted against the run's
 * secrets (`runSecrets()`) *before* it is cut, so a cut can never leave a secret's prefix that
 * no longer matches the whole secret; and the cut never splits a redaction marker. Every
 * excerpt of server or tool output in `src/clients` goes through here.
 */
export function excerptOf(body: string, max = 300): string {
  const flat = runSecrets().redact(body).replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const open = flat.lastIndexOf('[REDACTED', max);
  const cut = open >= 0 && flat.indexOf(']', open) >= max ? open : max;
  return `${flat.slice(0, cut)}…`;
}
