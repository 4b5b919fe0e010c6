// Runbook §6 — Update Production Agents, step 2: "Update agent configuration … to reference
// https://gateway.hotrodan.com and the new LiteLLM keys."
// This is the deploy gate CI runs on agent-config PRs (`pnpm test:cutover:config`): it reads one
// file and the environment, sends nothing, and finishes in milliseconds.
import { describe } from 'vitest';
import { auditAgents, findAgents, readAgentsConfig, type AgentEntry } from '../../src/clients/agents-config.ts';
import { readEnvironment, secretValues } from '../../src/config/index.ts';
import { check } from '../../src/harness/check.ts';

describe('§6 Update production agents', () => {
  check('6/agent-config', 'every agent uses the gateway base URL and a resolvable TEAM_KEY_* reference, no inline key', async (c, config) => {
    const { configPath, gatewayUrl } = config.agents;
    c.observe('configPath', configPath);
    c.observe('gatewayUrl', gatewayUrl);
    const env = readEnvironment();

    let agents: AgentEntry[];
    try {
      agents = findAgents(readAgentsConfig(configPath));
    } catch (err) {
      return c.fail(`cannot read the agents config (AGENTS_CONFIG_PATH=${configPath}): ${(err as Error).message}`);
    }
    c.observe('agents', agents.map((a) => a.name));
    c.measure('agents_found', agents.length, 'agents', { op: '>=', value: 1 });
    if (agents.length === 0) c.fail(`no agents found in ${configPath} (looked for an "agents" list or map, or objects with a baseUrl)`);

    const problems = auditAgents(agents, { gatewayUrl, env, secrets: secretValues(env) });
    c.observe('problems', problems);
    c.measure('agents_with_problems', new Set(problems.map((p) => p.agent)).size, 'agents', { op: '==', value: 0 });
    for (const p of problems) c.expect(false, `agent ${p.agent} at ${p.path}: ${p.problem}`);
  });
});
