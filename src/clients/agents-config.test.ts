import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { auditAgents, findAgents, normalizeBaseUrl, readAgentsConfig } from './agents-config.ts';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/agents');
const GATEWAY = 'https://gateway.hotrodan.com';
const env = { TEAM_KEY_support_bot: 'sk-team-a-123456789', TEAM_KEY_order_tracker: 'sk-team-b-123456789', TEAM_KEY_returns_assistant: 'sk-team-c-123456789' };
const inputs = { gatewayUrl: GATEWAY, env, secrets: new Map(Object.entries(env)) };
const audit = (file: string) => auditAgents(findAgents(readAgentsConfig(`${FIXTURES}/${file}`)), inputs);

describe('agents config gate', () => {
  test('the good config has the three agents and no problem', () => {
    const agents = findAgents(readAgentsConfig(`${FIXTURES}/good.json`));
    expect(agents.map((a) => a.name)).toEqual(['support-bot', 'order-tracker', 'returns-assistant']);
    expect(audit('good.json')).toEqual([]);
  });

  test('a direct OpenAI base URL is reported with its path', () => {
    expect(audit('bad-direct-openai.json')).toEqual([
      { agent: 'order-tracker', path: '$.agents[1].baseUrl', problem: expect.stringContaining('"https://api.openai.com/v1" is not the gateway') },
    ]);
  });

  test('an inline sk-proj key in a nested team/map layout is found, and never echoed', () => {
    const problems = audit('bad-inline-key.json');
    expect(problems).toEqual([{ agent: 'support-bot', path: '$.teams["customer-care"].agents["support-bot"].llm.auth.apiKey', problem: expect.stringContaining('inline provider key') }]);
    expect(JSON.stringify(problems)).not.toContain('sk-proj-');
  });

  test('a missing key reference names the agent', () => {
    expect(audit('bad-missing-key-ref.json')).toEqual([{ agent: 'returns-assistant', path: '$.agents[2]', problem: expect.stringContaining('no API key reference') }]);
  });

  test('an unresolved TEAM_KEY reference names the variable', () => {
    expect(audit('bad-unresolved-key-ref.json')).toEqual([
      { agent: 'order-tracker', path: '$.agents[1].apiKeyRef', problem: expect.stringContaining('TEAM_KEY_order_tracker_v2, which is not set') },
    ]);
  });

  test('a configured secret value inline is caught even without the sk- shape, and references in many spellings resolve', () => {
    const secrets = new Map([['OPENAI_DIRECT_KEY', 'plain-looking-secret-value']]);
    const config = {
      services: [
        { id: 'a', api_base: 'https://gateway.hotrodan.com/v1/', api_key: 'plain-looking-secret-value' },
        { id: 'b', openai: { baseURL: 'HTTPS://Gateway.Hotrodan.com:443' }, apiKey: { secretRef: '${TEAM_KEY_support_bot}' } },
        { id: 'c', baseUrl: GATEWAY, apiKey: 'os.environ/OPENAI_API_KEY' },
      ],
    };
    const agents = findAgents(config);
    expect(agents.map((a) => a.name)).toEqual(['a', 'b', 'c']);
    const problems = auditAgents(agents, { gatewayUrl: GATEWAY, env, secrets });
    expect(problems.map((p) => [p.agent, p.path])).toEqual([
      ['a', '$.services[0].api_key'],
      ['c', '$.services[2].apiKey'],
    ]);
    expect(problems[1]!.problem).toContain('the reference OPENAI_API_KEY');
    expect(JSON.stringify(problems)).not.toContain('plain-looking');
  });

  test('URL normalization: case, default port, trailing slash and /v1 do not matter; another host or path does', () => {
    expect(normalizeBaseUrl('HTTPS://Gateway.hotrodan.com:443/v1/')).toBe(normalizeBaseUrl(GATEWAY));
    expect(normalizeBaseUrl('https://gateway.hotrodan.com.evil.test')).not.toBe(normalizeBaseUrl(GATEWAY));
    expect(normalizeBaseUrl('http://gateway.hotrodan.com')).not.toBe(normalizeBaseUrl(GATEWAY));
    expect(normalizeBaseUrl('https://gateway.hotrodan.com/openai')).not.toBe(normalizeBaseUrl(GATEWAY));
  });

  test('a config that is not JSON fails with the file name', () => {
    expect(() => readAgentsConfig(`${FIXTURES}/../../package.json.missing`)).toThrow();
  });
});
