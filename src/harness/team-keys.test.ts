import { describe, expect, it } from 'vitest';
import type { OwnKeyAnswer } from '../clients/key-info.ts';
import { findAgents } from './agents-config.ts';
import { judgeTeamKey, keyAllowsModel, teamKeyUses, type TeamKeyUse } from './team-keys.ts';

const DEFAULTS = [
  { model: 'gpt-4o-mini', source: 'MODEL_DEFAULT' },
  { model: 'gpt-4o', source: 'MODEL_ESCALATION' },
];

describe('teamKeyUses', () => {
  it('maps each set TEAM_KEY_* to its agents and the models they name, and leaves the rest to 6/agent-config', () => {
    const root = {
      agents: [
        { name: 'a', baseUrl: 'https://gw', model: 'gpt-4o-mini', apiKeyRef: 'TEAM_KEY_shared' },
        {
          name: 'b',
          baseUrl: 'https://gw',
          llm: { models: ['gpt-4o', 'gpt-4o-mini'], auth: { apiKeyRef: '${TEAM_KEY_shared}' } },
        },
        { name: 'c', baseUrl: 'https://gw', apiKey: { secretRef: 'env:TEAM_KEY_c' } },
        { name: 'd', baseUrl: 'https://gw', apiKeyRef: 'TEAM_KEY_unset' },
        { name: 'e', baseUrl: 'https://gw', apiKey: 'sk-proj-inline-000000' },
        { name: 'f', baseUrl: 'https://gw' },
      ],
    };
    const env = { TEAM_KEY_shared: 'sk-s', TEAM_KEY_c: 'sk-c', TEAM_KEY_unset: ' ' };
    const { uses, unchecked } = teamKeyUses(findAgents(root), env, DEFAULTS);
    expect(uses).toEqual([
      {
        variable: 'TEAM_KEY_shared',
        agents: ['a', 'b'],
        requiredModels: [
          { model: 'gpt-4o-mini', source: '$.agents[0].model' },
          { model: 'gpt-4o', source: '$.agents[1].llm.models[0]' },
        ],
      },
      { variable: 'TEAM_KEY_c', agents: ['c'], requiredModels: DEFAULTS },
    ]);
    expect(unchecked).toEqual([
      { agent: 'd', path: '$.agents[3].apiKeyRef', reason: 'TEAM_KEY_unset is not set' },
      { agent: 'e', path: '$.agents[4].apiKey', reason: 'not a TEAM_KEY_* reference' },
      { agent: 'f', path: '$.agents[5]', reason: 'no key reference' },
    ]);
  });

  it('finds the models of agents in a map under odd keys', () => {
    const root = {
      teams: {
        'customer-care': {
          agents: {
            'support-bot': { llm: { baseUrl: 'https://gw', model: 'gpt-4o', auth: { apiKeyRef: 'TEAM_KEY_cc' } } },
          },
        },
      },
    };
    const { uses } = teamKeyUses(findAgents(root), { TEAM_KEY_cc: 'sk-cc' }, DEFAULTS);
    expect(uses[0]?.requiredModels).toEqual([
      { model: 'gpt-4o', source: '$.teams["customer-care"].agents["support-bot"].llm.model' },
    ]);
  });
});

describe('keyAllowsModel (LiteLLM _check_model_access_helper, from the key alone)', () => {
  it('reads an empty list, *, all-proxy-models and wildcard patterns as LiteLLM does', () => {
    expect(keyAllowsModel([], 'gpt-4o')).toBe(true);
    expect(keyAllowsModel(['*'], 'gpt-4o')).toBe(true);
    expect(keyAllowsModel(['all-proxy-models'], 'gpt-4o')).toBe(true);
    expect(keyAllowsModel(['gpt-4o-mini'], 'gpt-4o-mini')).toBe(true);
    expect(keyAllowsModel(['gpt-4o-mini'], 'gpt-4o')).toBe(false);
    expect(keyAllowsModel(['openai/*'], 'openai/gpt-4o')).toBe(true);
    expect(keyAllowsModel(['gpt-4o*'], 'gpt-4o-mini')).toBe(true);
    expect(keyAllowsModel(['gpt.4o*'], 'gpt-4o-mini')).toBe(false);
    expect(keyAllowsModel(['all-team-models'], 'gpt-4o')).toBe(false);
  });
});

describe('judgeTeamKey', () => {
  const use: TeamKeyUse = {
    variable: 'TEAM_KEY_x',
    agents: ['x-bot'],
    requiredModels: [{ model: 'gpt-4o-mini', source: '$.agents[0].model' }],
  };
  const NOW = Date.parse('2026-06-01T00:00:00Z');
  const live = (row: Partial<Extract<OwnKeyAnswer, { live: true }>['row']>): OwnKeyAnswer => ({
    live: true,
    row: {
      alias: 'team:x',
      teamId: 't',
      models: ['gpt-4o-mini'],
      rpmLimit: 600,
      tpmLimit: 1000,
      expires: null,
      blocked: false,
      status: 'active',
      ...row,
    },
  });

  it('passes a live key that allows the models, recording alias and limits', () => {
    const { record, problems } = judgeTeamKey(use, live({}), NOW);
    expect(problems).toEqual([]);
    expect(record).toMatchObject({
      variable: 'TEAM_KEY_x',
      state: 'live',
      alias: 'team:x',
      rpmLimit: 600,
      tpmLimit: 1000,
      models: ['gpt-4o-mini'],
    });
  });

  it('fails a key that does not allow a model its agent names, saying where the model comes from', () => {
    const { record, problems } = judgeTeamKey(use, live({ models: ['gpt-4o'] }), NOW);
    expect(record.state).toBe('live');
    expect(problems).toEqual([
      'TEAM_KEY_x (alias team:x; agent x-bot) does not allow model gpt-4o-mini (required by $.agents[0].model); the key allows only gpt-4o',
    ]);
  });

  it('fails expired and blocked rows, naive expiry timestamps read as UTC', () => {
    expect(judgeTeamKey(use, live({ expires: '2026-05-31T23:59:59' }), NOW).problems).toEqual([
      'TEAM_KEY_x (alias team:x; agent x-bot) is not live: expired at 2026-05-31T23:59:59',
    ]);
    expect(judgeTeamKey(use, live({ expires: '2026-06-01T01:00:00+02:00' }), NOW).record.state).toBe('not live');
    expect(judgeTeamKey(use, live({ expires: '2026-06-02T00:00:00Z' }), NOW).record.state).toBe('live');
    expect(judgeTeamKey(use, live({ blocked: true, status: 'revoked' }), NOW).problems).toEqual([
      'TEAM_KEY_x (alias team:x; agent x-bot) is blocked (status revoked)',
    ]);
  });

  it('fails a refused or unread key naming the variable, never a key', () => {
    const refused = judgeTeamKey(use, { live: false, refused: 'unknown', expiredAt: null }, NOW);
    expect(refused.record).toMatchObject({ state: 'refused', refused: 'unknown', alias: null });
    expect(refused.problems[0]).toMatch(
      /^TEAM_KEY_x \(agent x-bot\): GET \/key\/info asked with this key answered 401: not a live key/,
    );
    expect(
      judgeTeamKey(use, { live: false, refused: 'expired', expiredAt: '2026-01-01 00:00:00+00:00' }, NOW).problems[0],
    ).toContain('the key has expired (at 2026-01-01 00:00:00+00:00)');
    const unread = judgeTeamKey(use, new Error('GET http://gw/key/info: unreachable (ECONNREFUSED)'), NOW);
    expect(unread.record.state).toBe('unread');
    expect(unread.problems).toEqual([
      'TEAM_KEY_x (agent x-bot): cannot tell whether it is a live key: GET http://gw/key/info: unreachable (ECONNREFUSED)',
    ]);
  });
});
