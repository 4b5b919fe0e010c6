import { describe, expect, it } from 'vitest';
import { groupOfModel, servedGroup } from './model-group.ts';

describe('groupOfModel', () => {
  const groups = ['gpt-4o-mini', 'gpt-4o'];
  it.each([
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['openai/gpt-4o-2024-08-06', 'gpt-4o'],
    ['gpt-4o', 'gpt-4o'],
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['openai/gpt-4o-mini', 'gpt-4o-mini'],
    ['GPT-4o-2024-08-06', 'gpt-4o'],
  ])('%s belongs to %s', (model, group) => {
    expect(groupOfModel(model, groups)).toBe(group);
  });

  it.each([[null], [undefined], [''], ['gpt-4'], ['gpt-4omni'], ['claude-3-haiku']])(
    '%s belongs to neither',
    (model) => {
      expect(groupOfModel(model, groups)).toBeUndefined();
    },
  );

  it('ignores the order the groups are given in', () => {
    expect(groupOfModel('gpt-4o-mini-2024-07-18', ['gpt-4o', 'gpt-4o-mini'])).toBe('gpt-4o-mini');
  });
});

describe('servedGroup', () => {
  const o = {
    requested: 'gpt-4o-mini',
    fallbackGroup: 'gpt-4o',
    lookup: async (id: string) => ({ 'big-1': 'gpt-4o', 'mini-1': 'gpt-4o-mini' })[id],
  };
  it('trusts x-litellm-model-group first', async () => {
    expect(await servedGroup({ modelGroup: 'gpt-4o', modelId: 'mini-1', attemptedFallbacks: 0 }, o)).toBe('gpt-4o');
  });
  it('resolves x-litellm-model-id when the group header is missing', async () => {
    expect(await servedGroup({ modelId: 'mini-1', attemptedFallbacks: 1 }, o)).toBe('gpt-4o-mini');
  });
  it('falls back to x-litellm-attempted-fallbacks, then to nothing', async () => {
    expect(await servedGroup({ modelId: 'unknown', attemptedFallbacks: 1 }, o)).toBe('gpt-4o');
    expect(await servedGroup({ attemptedFallbacks: 0 }, o)).toBe('gpt-4o-mini');
    expect(await servedGroup({}, o)).toBeUndefined();
  });
});
