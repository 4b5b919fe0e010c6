import { describe, expect, it } from 'vitest';
import { pyFloat, pyRepr } from './python-repr.ts';
import { redactSecrets } from './secret-redaction.ts';

describe("Python's str() of what LiteLLM logs", () => {
  it('writes floats as repr(float) does', () => {
    expect(pyFloat(7.8e-6)).toBe('7.8e-06');
    expect(pyFloat(0.0066175)).toBe('0.0066175');
    expect(pyFloat(0.0001)).toBe('0.0001');
    expect(pyFloat(0.00001)).toBe('1e-05');
    expect(pyFloat(1)).toBe('1.0');
    expect(pyFloat(0)).toBe('0.0');
    expect(pyFloat(471.39620780944824)).toBe('471.39620780944824');
    expect(pyFloat(1.0000000000000002)).toBe('1.0000000000000002');
    expect(pyFloat(1e16)).toBe('1e+16');
    expect(pyFloat(-2.5e-7)).toBe('-2.5e-07');
  });

  it('writes a message list as str(list) does', () => {
    expect(pyRepr([{ role: 'user', content: 'rpm f500ff9a 100' }])).toBe(
      "[{'role': 'user', 'content': 'rpm f500ff9a 100'}]",
    );
    expect(pyRepr({ a: true, b: null, c: 1.5, d: 2, e: "it's", f: 'a\nb' })).toBe(
      `{'a': True, 'b': None, 'c': 1.5, 'd': 2, 'e': "it's", 'f': 'a\\nb'}`,
    );
  });

  it("redacts the throttled key's hash and sk- keys as LiteLLM's redact_string does", () => {
    const hash = 'a'.repeat(64);
    expect(redactSecrets(`429: Rate limit exceeded for api_key: ${hash}. Limit type: requests.`)).toBe(
      '429: Rate limit exceeded for REDACTED Limit type: requests.',
    );
    expect(redactSecrets('Received API Key = sk-not-a-real-key-123456, done')).toBe(
      'Received API Key = REDACTED, done',
    );
    expect(redactSecrets('Authorization: Bearer abcdefghijklmnop')).toBe('Authorization: REDACTED');
  });
});
