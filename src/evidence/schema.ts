import { z } from 'zod';
import { EvidenceBundle } from './model.ts';

/**
 * The JSON Schema of `evidence.json`, generated from the zod model so the two cannot drift.
 * Shipped next to every bundle (`schema.json`) and published as `schema/evidence.schema.json`.
 */
export function evidenceJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://github.com/gateway-cutover/schema/evidence.schema.json',
    title: 'gateway-cutover evidence bundle',
    ...(z.toJSONSchema(EvidenceBundle, { target: 'draft-2020-12' }) as Record<string, unknown>),
  };
}
