import { mkdirSync, writeFileSync } from 'node:fs';
import { evidenceJsonSchema } from '../src/evidence/schema.ts';

/** The published JSON Schema's text; a unit test fails when `schema/evidence.schema.json` is stale. */
export function renderSchema(): string {
  return `${JSON.stringify(evidenceJsonSchema(), null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  mkdirSync(new URL('../schema/', import.meta.url), { recursive: true });
  writeFileSync(new URL('../schema/evidence.schema.json', import.meta.url), renderSchema());
}
