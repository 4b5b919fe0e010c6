import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOpenApiContract, toJsonSchema } from './openapi.ts';

describe('toJsonSchema', () => {
  it('turns nullable types and enums into null-admitting JSON Schema', () => {
    expect(toJsonSchema({ type: 'string', nullable: true })).toEqual({ type: ['string', 'null'] });
    expect(toJsonSchema({ type: 'string', enum: ['a'], nullable: true })).toEqual({
      type: ['string', 'null'],
      enum: ['a', null],
    });
  });

  it('wraps a nullable $ref, since OpenAPI 3.0 ignores $ref siblings', () => {
    expect(toJsonSchema({ $ref: '#/components/schemas/X', nullable: true })).toEqual({
      anyOf: [{ $ref: '#/components/schemas/X' }, { type: 'null' }],
    });
  });

  it('converts boolean exclusive bounds and drops OpenAPI annotations', () => {
    expect(toJsonSchema({ type: 'number', minimum: 0, exclusiveMinimum: true, example: 1, 'x-foo': 1 })).toEqual({
      type: 'number',
      exclusiveMinimum: 0,
    });
    expect(toJsonSchema({ type: 'number', maximum: 5, exclusiveMaximum: false })).toEqual({
      type: 'number',
      maximum: 5,
    });
  });

  it('keeps a property literally named "nullable"', () => {
    expect(toJsonSchema({ type: 'object', properties: { nullable: { type: 'boolean' } } })).toEqual({
      type: 'object',
      properties: { nullable: { type: 'boolean' } },
    });
  });
});

describe('loadOpenApiContract', () => {
  it('validates components and path responses with refs, formats and the default response', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openapi-'));
    const file = join(dir, 'spec.yml');
    await writeFile(
      file,
      `openapi: 3.0.1
paths:
  /things/{id}:
    get:
      responses:
        '200':
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Thing' }
        default:
          content:
            application/json:
              schema: { type: object, required: [message] }
components:
  schemas:
    Thing:
      type: object
      required: [id, at, parent, size]
      properties:
        id: { type: string }
        at: { type: string, format: date-time }
        parent: { $ref: '#/components/schemas/Thing', nullable: true }
        size: { type: number, format: double }
        when: { type: integer, format: unixtime }
`,
    );
    const c = await loadOpenApiContract(file);
    const thing = { id: 'a', at: '2026-01-01T00:00:00Z', parent: null, size: 1.5 };
    expect(c.validateSchema('Thing', thing)).toEqual({ valid: true, errors: [] });
    expect(c.validateResponse('GET', '/things/{id}', 200, { ...thing, parent: thing })).toMatchObject({ valid: true });
    const bad = c.validateResponse('get', '/things/{id}', 200, { ...thing, at: '2026-01-01' });
    expect(bad.valid).toBe(false);
    expect(bad.errors[0]).toMatch(/^\/at must match format "date-time"/);
    expect(c.validateResponse('GET', '/things/{id}', 500, {}).valid).toBe(false);
    expect(() => c.validateSchema('Nope', {})).toThrow(/has no schema/);
  });
});
