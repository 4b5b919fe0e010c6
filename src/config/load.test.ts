import { describe, expect, test } from 'vitest';
import { secretValues, urlPasswords } from './load.ts';

describe('secretValues: derived forms a server could echo', () => {
  test('the password inside each database URL, as written and percent-decoded', () => {
    const v = secretValues({
      LANGFUSE_DATABASE_URL: 'postgresql://lf:s3cr%2Ft-Pa55word@db:5432/lf',
      LANGFUSE_POOLED_DATABASE_URL: 'postgres://lf:Pooled-9Kx2q7Lm@db:6543/lf?pgbouncer=true',
    });
    expect([...v.entries()].filter(([k]) => k.includes('_PASSWORD'))).toEqual([
      ['LANGFUSE_DATABASE_URL_PASSWORD', 's3cr%2Ft-Pa55word'],
      ['LANGFUSE_DATABASE_URL_PASSWORD_2', 's3cr/t-Pa55word'],
      ['LANGFUSE_POOLED_DATABASE_URL_PASSWORD', 'Pooled-9Kx2q7Lm'],
    ]);
  });

  test('each macaroon of a Fly token, without its scheme', () => {
    const v = secretValues({ FLY_API_TOKEN: 'FlyV1 fm2_aaaaaaaaaaaa,fm2_bbbbbbbbbbbb' });
    expect(v.get('FLY_API_TOKEN_MACAROON')).toBe('fm2_aaaaaaaaaaaa');
    expect(v.get('FLY_API_TOKEN_MACAROON_2')).toBe('fm2_bbbbbbbbbbbb');
  });
});

describe('urlPasswords', () => {
  test.each([
    ['postgres://u:p4ssw0rd-x@h/db', ['p4ssw0rd-x']],
    ['postgres://u:p%40ss-w0rd@h/db', ['p%40ss-w0rd', 'p@ss-w0rd']],
    // An unencoded @ in the password: libpq reads up to the last one, so both readings count.
    ['postgres://u:p@ss-w0rd@h/db', ['p', 'p@ss-w0rd']],
    ['postgres://u@h/db', []],
    ['postgres://h/db', []],
    ['not a url', []],
    [undefined, []],
  ])('%s', (url, forms) => {
    expect(urlPasswords(url)).toEqual(forms);
  });
});
