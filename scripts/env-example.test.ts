import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { renderEnvExample } from './env-example.ts';

test('.env.example lists every variable with its default (run pnpm env:example when this fails)', () => {
  expect(readFileSync(new URL('../.env.example', import.meta.url), 'utf8')).toBe(renderEnvExample());
});
