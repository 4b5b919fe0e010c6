import { describe, expect, test } from 'vitest';
import { causeText, errorMessage } from './error-text.ts';

describe('errorMessage', () => {
  test('an Error, an object with a message, anything else', () => {
    expect(errorMessage(new TypeError('bad'))).toBe('bad');
    expect(errorMessage({ message: 'from a plain object' })).toBe('from a plain object');
    expect(errorMessage('a string')).toBe('a string');
    expect(errorMessage(undefined)).toBe('undefined');
  });
});

describe('causeText', () => {
  test('the code first, its own or its cause one level down, then the message', () => {
    expect(causeText(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe(
      'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1',
    );
    expect(
      causeText(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }) })),
    ).toBe('ENOTFOUND: fetch failed');
    expect(causeText({ code: 'UND_ERR_HEADERS_TIMEOUT' })).toBe('UND_ERR_HEADERS_TIMEOUT');
    expect(causeText(new Error('only a message'))).toBe('only a message');
    expect(causeText(42)).toBe('42');
  });
});
