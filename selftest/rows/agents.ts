import type { MatrixRow } from './row.ts';

/**
 * Runbook §6: each bad agent config fails the agent-config gate, naming the agent and the JSON
 * path; each broken team key fails `6/team-keys`, naming the variable (never the key).
 */
export const rows: readonly MatrixRow[] = [
  {
    name: 'agent config: direct OpenAI base URL',
    faults: [],
    env: { AGENTS_CONFIG_PATH: 'fixtures/agents/bad-direct-openai.json' },
    fails: ['6/agent-config'],
    because:
      /agent order-tracker at \$\.agents\[1\]\.baseUrl: base URL "https:\/\/api\.openai\.com\/v1" is not the gateway/,
  },
  {
    name: 'agent config: inline sk-proj key (nested team layout)',
    faults: [],
    env: { AGENTS_CONFIG_PATH: 'fixtures/agents/bad-inline-key.json' },
    fails: ['6/agent-config'],
    because:
      /agent support-bot at \$\.teams\["customer-care"\]\.agents\["support-bot"\]\.llm\.auth\.apiKey: holds an inline provider key/,
  },
  {
    name: 'agent config: missing key reference',
    faults: [],
    env: { AGENTS_CONFIG_PATH: 'fixtures/agents/bad-missing-key-ref.json' },
    fails: ['6/agent-config'],
    because: /agent returns-assistant at \$\.agents\[2\]: has no API key reference/,
  },
  {
    name: 'agent config: key reference not in the environment',
    faults: [],
    env: { AGENTS_CONFIG_PATH: 'fixtures/agents/bad-unresolved-key-ref.json' },
    fails: ['6/agent-config'],
    because:
      /agent order-tracker at \$\.agents\[1\]\.apiKeyRef: references TEAM_KEY_order_tracker_v2, which is not set/,
  },
  {
    name: 'agent config: keys anywhere (header, nested tool, notes, defaults, outside values)',
    faults: [],
    env: { AGENTS_CONFIG_PATH: 'fixtures/agents/bad-keys-anywhere.yaml' },
    fails: ['6/agent-config'],
    because: /agent support-bot at \$\.agents\[0\]\.headers\.Authorization: holds an sk-… API key inline/,
  },
  {
    name: 'agent config: direct OpenAI base URL inherited from defaults',
    faults: [],
    env: { AGENTS_CONFIG_PATH: 'fixtures/agents/bad-defaults-direct-openai.json' },
    fails: ['6/agent-config'],
    because:
      /agent support-bot at \$\.defaults\.openai\.baseURL: base URL "https:\/\/api\.openai\.com\/v1" \(inherited from a defaults block\) is not the gateway/,
  },
  {
    name: 'agent config: YAML syntax error beside an inline key',
    faults: [],
    env: { AGENTS_CONFIG_PATH: 'fixtures/agents/bad-syntax-inline-key.yml' },
    // 6/team-keys learns from the same file which keys to ask about: it cannot pass either.
    fails: ['6/agent-config', '6/team-keys'],
    because: /is not valid YAML: a closing quote or bracket is missing \(MISSING_CHAR\) at line \d+, column \d+/,
  },
  {
    faults: ['team-key-revoked'],
    fails: ['6/team-keys'],
    because:
      /TEAM_KEY_order_tracker \(agent order-tracker\): GET \/key\/info asked with this key answered 401: not a live key/,
  },
  {
    faults: ['team-key-wrong-model'],
    fails: ['6/team-keys'],
    because:
      /TEAM_KEY_returns_assistant \(alias team:returns-assistant; agent returns-assistant\) does not allow model gpt-4o-mini \(required by \$\.agents\[2\]\.model\)/,
  },
];
