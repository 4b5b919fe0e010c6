import { describe, expect, test } from 'vitest';
import { secretValues } from '../config/index.ts';
import { SecretSet, secretDigest, weakSecretReason } from './redact.ts';

// Tries hard to leak: secrets inside URLs, JSON, base64 Basic auth, nested structures,
// error messages and key shapes that were never configured.
describe('SecretSet', () => {
  const env = {
    GATEWAY_ADMIN_KEY: 'sk-master-Zq81xYw2',
    LANGFUSE_PUBLIC_KEY: 'pk-lf-1f2e3d4c',
    LANGFUSE_SECRET_KEY: 'sk-lf-9a8b7c6d5e',
  };
  const secrets = new SecretSet().addAll(secretValues(env));
  const values = Object.values(env);
  const basic = Buffer.from(`${env.LANGFUSE_PUBLIC_KEY}:${env.LANGFUSE_SECRET_KEY}`).toString('base64');

  test('redacts configured values wherever they appear in text', () => {
    const text = `POST https://x/?key=${env.GATEWAY_ADMIN_KEY} {"auth":"${env.LANGFUSE_SECRET_KEY}"} Basic ${basic} raw ${basic}`;
    const out = secrets.redact(text);
    for (const v of [...values, basic]) expect(out).not.toContain(v);
    expect(out).toContain('[REDACTED:GATEWAY_ADMIN_KEY]');
    expect(secrets.findIn(out)).toEqual([]);
  });

  test('redacts key shapes it was never told about', () => {
    const out = secrets.redact(
      'customer key sk-proj-AbCdEfGh12345678 and FlyV1 fm2_lJPECAAAAAAAAK and Bearer eyJhbGciOi.x.y',
    );
    expect(out).not.toMatch(/AbCdEfGh12345678|fm2_lJPECAAAAAAAAK|eyJhbGciOi/);
  });

  test('redacts a structure before serialization, including secret-named fields', () => {
    const out = secrets.redactDeep({
      a: [{ msg: `echo ${env.GATEWAY_ADMIN_KEY}` }],
      headers: { authorization: 'whatever' },
      csrfToken: 'abc',
      prompt_tokens: 12,
      n: 3,
    });
    const json = JSON.stringify(out);
    for (const v of values) expect(json).not.toContain(v);
    expect(out.headers.authorization).toBe('[REDACTED]');
    expect(out.csrfToken).toBe('[REDACTED]');
    expect(out.prompt_tokens).toBe(12);
  });

  test('findIn names the leaked secret, never its value', () => {
    expect(secrets.findIn(`oops ${env.LANGFUSE_SECRET_KEY}`)).toEqual(['LANGFUSE_SECRET_KEY']);
  });
});

/**
 * Every shape in which a server, a tool or a log may hand back a configured secret. Each must
 * be found by `findIn` (so a view that still holds it is refused) and removed by `redact`.
 */
describe('a configured secret in any shape', () => {
  // Mixed case, a space, and characters that URL, JSON and HTML encode differently.
  const SECRET = 'Zq81xYw2-Kp7 Lm/Q+9&x"t';
  const secrets = new SecretSet().add('CLICKHOUSE_PASSWORD', SECRET);
  const bytes = Buffer.from(SECRET);
  const ZERO_WIDTH = ['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF'];
  const inBase64 = (offset: number, encoding: 'base64' | 'base64url'): string =>
    Buffer.concat([Buffer.from('abc').subarray(0, offset), bytes, Buffer.from('!tail')]).toString(encoding);

  const shapes: [string, string][] = [
    ['verbatim', `password=${SECRET}; retry`],
    ['upper case', SECRET.toUpperCase()],
    ['lower case', SECRET.toLowerCase()],
    ['swapped case', [...SECRET].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('')],
    ['base64, padded', bytes.toString('base64')],
    ['base64, no padding', bytes.toString('base64').replace(/=+$/, '')],
    ['base64url', bytes.toString('base64url')],
    ['base64url, padded', bytes.toString('base64').replace(/\+/g, '-').replace(/\//g, '_')],
    ...[0, 1, 2].flatMap((k): [string, string][] => [
      [`inside longer base64 at byte offset ${k}`, `Basic ${inBase64(k, 'base64')}`],
      [`inside longer base64url at byte offset ${k}`, `token=${inBase64(k, 'base64url')}&x=1`],
      [
        `inside base64 wrapped at 76 columns, offset ${k}`,
        `${'QUJD'.repeat(18)}${inBase64(k, 'base64')}`.replace(/(.{76})/g, '$1\n'),
      ],
    ]),
    ['percent-encoded (encodeURIComponent)', `https://x/?p=${encodeURIComponent(SECRET)}`],
    [
      'percent-encoded, every byte, upper-case hex',
      [...bytes].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
    ],
    [
      'percent-encoded, every byte, lower-case hex',
      [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''),
    ],
    ['form-encoded, + for space', new URLSearchParams({ password: SECRET }).toString()],
    ...ZERO_WIDTH.map((z): [string, string] => [
      `U+${z.charCodeAt(0).toString(16).toUpperCase()} between every character`,
      [...SECRET].join(z),
    ]),
    [
      'zero-width characters here and there',
      `${SECRET.slice(0, 3)}\u200B${SECRET.slice(3, 9)}\uFEFF${SECRET.slice(9)}`,
    ],
    ['split by a newline', `${SECRET.slice(0, 10)}\n${SECRET.slice(10)}`],
    ['split by spaces and tabs', [...SECRET].join(' \t')],
    [
      'split by a newline, then JSON-encoded',
      JSON.stringify({ echoed: `${SECRET.slice(0, 10)}\n${SECRET.slice(10)}` }),
    ],
    ['JSON \\u escapes', [...SECRET].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')],
    ['HTML-escaped', SECRET.replace(/&/g, '&amp;').replace(/"/g, '&quot;')],
    ['hex', bytes.toString('hex')],
    ['HEX', bytes.toString('hex').toUpperCase()],
    ['cut at 300 characters with an ellipsis', `body starts: "${`${'x'.repeat(290)}${SECRET}`.slice(0, 300)}…"`],
    ['cut at the end of a message', `HTTP 401: ${SECRET.slice(0, 12)}`],
    ['cut at the end of a line', `HTTP 401: ${SECRET.slice(0, 9)}\nnext line`],
  ];

  test.each(shapes)('%s', (_, text) => {
    expect(secrets.findIn(text)).toEqual(['CLICKHOUSE_PASSWORD']);
    const out = secrets.redact(text);
    expect(out).toContain('[REDACTED:CLICKHOUSE_PASSWORD]');
    expect(secrets.findIn(out)).toEqual([]);
    // No run of 8 characters of the secret (or of its base64) survives.
    const base64 = bytes.toString('base64');
    for (let i = 0; i + 8 <= SECRET.length; i++)
      expect(out.toLowerCase()).not.toContain(SECRET.slice(i, i + 8).toLowerCase());
    for (let i = 0; i + 8 <= base64.length - 4; i++) expect(out).not.toContain(base64.slice(i + 2, i + 10));
  });

  test('leaves ordinary text alone, and a prefix shorter than 8 characters, and one not at a cut', () => {
    for (const text of [
      'status passed in 12 ms',
      `${SECRET.slice(0, 7)}…`,
      `${SECRET.slice(0, 12)}and more text`,
      'YWJjZGVmZ2hpams=',
    ]) {
      expect(secrets.findIn(text)).toEqual([]);
      expect(secrets.redact(text)).toBe(text);
    }
  });

  test('keeps the surrounding text readable: a Basic header keeps its scheme', () => {
    expect(secrets.redact(`Basic ${bytes.toString('base64')}`)).toBe('Basic [REDACTED:CLICKHOUSE_PASSWORD]');
  });
});

describe('redactDeep and the schema', () => {
  const TOKEN = 'FlyV1 fm2_lJPECAAAAAAAAK9zZWNyZXQ';

  test('redacts object keys: a process group named with the token still leaves a writable structure', () => {
    const secrets = new SecretSet().addAll(secretValues({ FLY_API_TOKEN: TOKEN }));
    const out = secrets.redactDeep({
      fly: {
        app: {
          [TOKEN]: { version: 1, image: null, digest: null },
          fm2_lJPECAAAAAAAAK9zZWNyZXQ: { version: 2, image: null, digest: null },
        },
      },
    });
    const json = JSON.stringify(out);
    expect(secrets.findIn(json)).toEqual([]);
    expect(json).not.toContain('lJPECAAAAAAAAK9');
    expect(Object.keys(out.fly.app)).toHaveLength(2);
  });

  test('two keys that redact alike are both kept', () => {
    const secrets = new SecretSet().add('GATEWAY_ADMIN_KEY', 'sk-master-Zq81xYw2');
    const out = secrets.redactDeep({ 'sk-master-Zq81xYw2': 1, 'SK-MASTER-ZQ81XYW2': 2 });
    expect(out).toEqual({ '[REDACTED:GATEWAY_ADMIN_KEY]': 1, '[REDACTED:GATEWAY_ADMIN_KEY] #2': 2 });
  });

  test('a weak secret (refused at preflight) never rewrites a schema field, an enum value or a unit', () => {
    const secrets = new SecretSet().add('CLICKHOUSE_PASSWORD', 'passed').add('LANGFUSE_UI_PASSWORD', 'ms');
    const record = {
      id: '4.1/exact-cache',
      status: 'passed',
      measurements: [{ name: 'request_2_ms', value: 11.8, unit: 'ms', threshold: { op: '<', value: 100 }, pass: true }],
      observations: { note: 'it passed', passed: true },
      run: { phase: 'pre', endReason: 'passed', kind: 'rehearsal' },
    };
    const out = secrets.redactDeep(record);
    expect(out.status).toBe('passed');
    expect(out.run.endReason).toBe('passed');
    expect(out.measurements[0]!.unit).toBe('ms');
    expect(out.measurements[0]).toHaveProperty('pass', true);
    // Free text is still redacted, and findIn does not report the weak word (the bundle stays writable).
    expect(out.observations).toEqual({
      note: 'it [REDACTED:CLICKHOUSE_PASSWORD]',
      '[REDACTED:CLICKHOUSE_PASSWORD]': true,
    });
    expect(secrets.findIn(JSON.stringify(out))).toEqual([]);
  });

  test('a number that spells a secret is redacted, except in a numeric schema field', () => {
    const secrets = new SecretSet().add('CLICKHOUSE_PASSWORD', '93817265');
    expect(secrets.redactDeep({ observations: { echoed: 93817265, durationMs: 93817265 } })).toEqual({
      observations: { echoed: '[REDACTED:CLICKHOUSE_PASSWORD]', durationMs: 93817265 },
    });
  });

  test('values under 4 characters are not registered; 4 to 7 are redacted as whole words only', () => {
    const secrets = new SecretSet().add('A', 'abc').add('B', 'hunt3r');
    expect(secrets.redact('abc hunt3r hunt3rs')).toBe('abc [REDACTED:B] hunt3rs');
  });
});

describe('a cut-off prefix counts only past what everyone knows', () => {
  const secrets = new SecretSet()
    .add('LANGFUSE_DATABASE_URL', 'postgresql://lf:Zq81xYw2Kp7a@db.internal:5432/langfuse')
    .add('GATEWAY_ADMIN_KEY', 'sk-proj-Zq81xYw2Kp7aLm9');
  test('a scheme or a vendor prefix at the end of a text stays readable', () => {
    expect(secrets.redact('the probe speaks postgresql')).toBe('the probe speaks postgresql');
    expect(secrets.redact('run: postgresql://')).toBe('run: postgresql://');
    expect(secrets.redact('keys start with sk-proj-')).toBe('keys start with sk-proj-');
  });
  test('a cut that reaches 8 characters past it is still redacted', () => {
    expect(secrets.redact('dsn postgresql://lf:Zq81x')).toBe('dsn [REDACTED:LANGFUSE_DATABASE_URL]');
    expect(secrets.redact('key sk-proj-Zq81xYw2')).toBe('key [REDACTED:GATEWAY_ADMIN_KEY]');
  });
});

describe('credentials known by digest', () => {
  test('are found and redacted verbatim where their prefix starts, without the set ever holding the value', () => {
    const key = 'sk-minted-0000000000000000000042';
    const secrets = new SecretSet().addDigest('EPHEMERAL_KEY', secretDigest(key));
    expect(secrets.findIn(`Bearer-less echo: ${key}.`)).toEqual(['EPHEMERAL_KEY']);
    expect(secrets.redact(`echo ${key}.`)).toBe('echo [REDACTED:EPHEMERAL_KEY].');
    expect(secrets.findIn('sk-minted-0000000000000000000043')).toEqual([]);
  });
});

describe('weakSecretReason', () => {
  test.each([
    'abc',
    'sk-1234',
    'passed',
    'Clickhouse',
    'LANGFUSE',
    'password',
    'minioadmin',
    'inconclusive',
    'rehearsal-go',
    'pass word',
    '12345678',
  ])('refuses %j', (v) => {
    expect(weakSecretReason(v)).toBeDefined();
    expect(weakSecretReason(v)).not.toContain(v);
  });

  test.each(['sk-master-Zq81xYw2', 'ch-4f9a2b7c1d', 'correct horse battery staple'])('accepts %j', (v) => {
    expect(weakSecretReason(v)).toBeUndefined();
  });
});
