import { describe, expect, test } from 'vitest';
import { secretValues } from '../config/index.ts';
import { SecretSet } from './redact.ts';

// Tries hard to leak: secrets inside URLs, JSON, base64 Basic auth, nested structures,
// error messages and key shapes that were never configured.
describe('SecretSet', () => {
  const env = { GATEWAY_ADMIN_KEY: 'sk-master-Zq81xYw2', LANGFUSE_PUBLIC_KEY: 'pk-lf-1f2e3d4c', LANGFUSE_SECRET_KEY: 'sk-lf-9a8b7c6d5e' };
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
    const out = secrets.redact('customer key sk-proj-AbCdEfGh12345678 and FlyV1 fm2_lJPECAAAAAAAAK and Bearer eyJhbGciOi.x.y');
    expect(out).not.toMatch(/AbCdEfGh12345678|fm2_lJPECAAAAAAAAK|eyJhbGciOi/);
  });

  test('redacts a structure before serialization, including secret-named fields', () => {
    const out = secrets.redactDeep({ a: [{ msg: `echo ${env.GATEWAY_ADMIN_KEY}` }], headers: { authorization: 'whatever' }, csrfToken: 'abc', prompt_tokens: 12, n: 3 });
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
