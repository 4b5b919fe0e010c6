import { describe, expect, it } from 'vitest';
import { EMBEDDING_DIMS, embed, stem } from './embedding.ts';

const cosine = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);

describe('stand-in embedding model', () => {
  it('folds inflections onto one stem', () => {
    expect(new Set(['refund', 'refunds', 'refunded', 'refunding'].map(stem))).toEqual(new Set(['refund']));
    expect(stem('shipping')).toBe(stem('ship'));
  });

  it('returns L2-normalised vectors of a fixed size', () => {
    const v = embed('What is the return policy?');
    expect(v).toHaveLength(EMBEDDING_DIMS);
    expect(Math.hypot(...v)).toBeCloseTo(1, 9);
    expect(embed('the of and').every((x) => x === 0)).toBe(true);
  });

  it('puts paraphrases above 0.8 and unrelated questions far below', () => {
    const policy = embed('What is the return policy?');
    const refund = embed('How do I get a refund?');
    const france = embed('What is the capital of France?');
    expect(cosine(policy, refund)).toBeGreaterThan(0.8);
    expect(cosine(embed('Where is my package?'), embed('Can you track my shipment?'))).toBeGreaterThan(0.8);
    expect(cosine(embed('I forgot my password'), embed('How do I reset my login password?'))).toBeGreaterThan(0.8);
    expect(cosine(policy, france)).toBeLessThan(0.3);
    expect(cosine(refund, france)).toBeLessThan(0.3);
  });

  it('ignores run nonces when comparing paraphrases', () => {
    expect(
      cosine(embed('What is the return policy? [run 4f9c2a1b]'), embed('How do I get a refund? [run 77d0e3aa]')),
    ).toBeGreaterThan(0.8);
  });

  it('keeps unknown words apart through hashed buckets', () => {
    expect(cosine(embed('zorvik plentamar'), embed('quaddle fennimore'))).toBeLessThan(0.5);
    expect(cosine(embed('zorvik plentamar'), embed('zorvik plentamar'))).toBeCloseTo(1, 9);
  });
});
