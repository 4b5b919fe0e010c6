import { describe, expect, test } from 'vitest';
import type { CheckId } from '../evidence/catalogue.ts';
import { check } from './check.ts';

// The refusal happens before `check()` declares a test, so calling it here declares nothing.
describe('check()', () => {
  const body = async (): Promise<void> => {};

  test('refuses an id the registry does not know', () => {
    expect(() => check('4.1/exact' as CheckId, body)).toThrow(/check\('4\.1\/exact'\): no such check in the registry/);
  });
});
