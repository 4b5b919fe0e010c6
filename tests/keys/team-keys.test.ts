// Runbook §6 — Update Production Agents, step 1: "Rotate API credentials in vault (LiteLLM team
// keys) and push them to Fly secrets (`fly secrets set TEAM_KEY_prod_customer=...`)."
// Promise: every TEAM_KEY_* the agents config references is a live gateway key, asked with that
// key itself (`GET /key/info`, which LiteLLM lets a key answer about itself): not expired, not
// blocked, allowed the models its agents call; its rpm and tpm limits go into the evidence. The
// evidence names the variable and the key alias, never the key. It talks to the gateway, so it
// lives outside tests/agents/: the offline gate (`pnpm test:cutover:config`) never runs it.
import { describe } from 'vitest';
import { findAgents, readAgentsConfig } from '../../src/harness/agents-config.ts';
import { readOwnKeyInfo } from '../../src/clients/key-info.ts';
import { judgeTeamKey, teamKeyUses } from '../../src/harness/team-keys.ts';
import { readEnvironment } from '../../src/config/index.ts';
import { check } from '../../src/harness/check.ts';
import { errorMessage } from '../../src/evidence/error-text.ts';

describe('§6 Update production agents: the rotated team keys', () => {
  check('6/team-keys', async (c, config) => {
    const { configPath } = config.agents;
    c.observe('configPath', configPath);
    c.observe('gatewayUrl', config.gateway.url);
    const env = readEnvironment();

    let found: ReturnType<typeof teamKeyUses>;
    try {
      const root = readAgentsConfig(configPath);
      // An agent that names no model calls the runbook's groups: the default, escalated on long prompts.
      found = teamKeyUses(findAgents(root), env, [
        { model: config.models.default, source: 'MODEL_DEFAULT (the agent names no model)' },
        { model: config.models.escalation, source: 'MODEL_ESCALATION (the agent names no model)' },
      ]);
    } catch (err) {
      return c.fail(`cannot read the agents config (AGENTS_CONFIG_PATH=${configPath}): ${errorMessage(err)}`);
    }
    // Missing, inline and unset references are 6/agent-config's failures, with their JSON paths.
    c.observe('notChecked', found.unchecked);
    c.measure('team_keys_referenced', found.uses.length, 'keys', { op: '>=', value: 1 });
    if (found.uses.length === 0)
      c.fail(
        `no agent in ${configPath} references a TEAM_KEY_* variable that is set, so no team key could be checked (6/agent-config says why)`,
      );

    const judged = await Promise.all(
      found.uses.map(async (use) => {
        const answer = await readOwnKeyInfo({
          url: config.gateway.url,
          key: env[use.variable]!.trim(),
          timeoutMs: config.httpTimeoutMs,
        }).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
        return judgeTeamKey(use, answer, Date.now());
      }),
    );
    c.observe(
      'teamKeys',
      judged.map((j) => j.record),
    );
    c.measure('team_keys_live', judged.filter((j) => j.record.state === 'live').length, 'keys', {
      op: '==',
      value: found.uses.length,
    });
    for (const problem of judged.flatMap((j) => j.problems)) c.expect(false, problem);
  });
});
