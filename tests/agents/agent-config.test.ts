// Runbook §6 — Update Production Agents, step 2: "Update agent configuration … to reference
// https://gateway.hotrodan.com and the new LiteLLM keys."
// This is the deploy gate CI runs on agent-config PRs (`pnpm test:cutover:config`): it reads one
// file and the environment, sends nothing, and finishes in milliseconds. The file is hostile
// input (it comes from a pull request): only a regular file of at most 1 MiB is read, and no
// failure message quotes its content, only paths, lines and kinds.
import { describe } from 'vitest';
import {
  AGENTS_CONFIG_MAX_BYTES,
  auditAgentsConfig,
  loadAgentsConfig,
  type AgentsConfigAudit,
} from '../../src/harness/agents-config.ts';
import { readEnvironment, secretValues } from '../../src/config/index.ts';
import { check } from '../../src/harness/check.ts';
import { errorMessage } from '../../src/evidence/error-text.ts';

describe('§6 Update production agents', () => {
  check('6/agent-config', async (c, config) => {
    const { configPath, gatewayUrl } = config.agents;
    c.observe('configPath', configPath);
    c.observe('gatewayUrl', gatewayUrl);
    c.observe('maxConfigBytes', AGENTS_CONFIG_MAX_BYTES);
    const env = readEnvironment();

    let audit: AgentsConfigAudit;
    try {
      audit = auditAgentsConfig(loadAgentsConfig(configPath), { gatewayUrl, env, secrets: secretValues(env) });
    } catch (err) {
      return c.fail(`cannot read the agents config (AGENTS_CONFIG_PATH=${configPath}): ${errorMessage(err)}`);
    }
    const { agents, problems, inlineKeys } = audit;
    c.observe(
      'agents',
      agents.map((a) => a.name),
    );
    c.measure('agents_found', agents.length, 'agents', { op: '>=', value: 1 });
    if (agents.length === 0)
      c.fail(`no agents found in ${configPath} (looked for an "agents" list or map, or objects with a baseUrl)`);

    c.observe('problems', problems);
    c.observe('inlineKeys', inlineKeys);
    c.measure(
      'agents_with_problems',
      new Set(problems.flatMap((p) => (p.agent === undefined ? [] : [p.agent]))).size,
      'agents',
      { op: '==', value: 0 },
    );
    c.measure('inline_keys', inlineKeys.length, 'keys', { op: '==', value: 0 });
    for (const p of problems)
      c.expect(false, `${p.agent === undefined ? '' : `agent ${p.agent} `}at ${p.path}: ${p.problem}`);
  });
});
