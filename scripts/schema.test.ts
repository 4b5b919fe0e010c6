import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { renderSchema } from './schema.ts';

test('schema/evidence.schema.json matches the zod model (run pnpm schema when this fails)', () => {
  expect(readFileSync(new URL('../schema/evidence.schema.json', import.meta.url), 'utf8')).toBe(renderSchema());
});
