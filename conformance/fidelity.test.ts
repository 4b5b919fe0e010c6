// The differential probe: one scripted sequence put to the sandbox gateway and to the real
// LiteLLM proxy (same upstream, same Langfuse), in both cache configurations. Every difference
// is either fixed in the sandbox or listed with its reason; docs/fidelity.md shows them all.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { knownDifference, OLDER_LINE_MARKER, renderReference } from './fidelity-doc.ts';
import { KNOWN_DIFFERENCES } from './known-differences.ts';
import { probe, type ProbeRow } from './probe.ts';

describe('sandbox gateway vs real LiteLLM: the differential probe', () => {
  let rows: ProbeRow[] = [];
  beforeAll(async () => {
    rows = [...(await probe('redis')), ...(await probe('qdrant-semantic'))];
  }, 300_000);

  it('observes every behaviour on both gateways', () => {
    expect(rows.length).toBeGreaterThan(50);
    expect(
      rows.filter((r) => r.real === '(not observed)' && !knownDifference(r)).map((r) => `${r.config} · ${r.behaviour}`),
    ).toEqual([]);
  });

  it('differs only where docs say why', () => {
    const unexplained = rows
      .filter((r) => r.real !== r.sandbox && !knownDifference(r))
      .map((r) => `${r.config} · ${r.behaviour}\n  real:    ${r.real}\n  sandbox: ${r.sandbox}`);
    expect(
      unexplained,
      'fix the sandbox, or list the difference with its reason in conformance/known-differences.ts',
    ).toEqual([]);
  });

  it('lists no difference that is gone', () => {
    const differing = new Set(
      rows.filter((r) => r.real !== r.sandbox).flatMap((r) => [`${r.config} · ${r.behaviour}`, `* · ${r.behaviour}`]),
    );
    expect(Object.keys(KNOWN_DIFFERENCES).filter((k) => !differing.has(k))).toEqual([]);
  });

  it('docs/fidelity.md is current (regenerate with pnpm fidelity)', () => {
    const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'fidelity.md'), 'utf8');
    expect(doc.split(OLDER_LINE_MARKER)[0]!.trimEnd()).toBe(renderReference(rows).trimEnd());
  });
});
