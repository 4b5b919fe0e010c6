import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  AGENTS_CONFIG_MAX_BYTES,
  AgentsConfigError,
  auditAgents,
  auditAgentsConfig,
  findAgents,
  findInlineKeys,
  loadAgentsConfig,
  normalizeBaseUrl,
  readAgentsConfig,
} from './agents-config.ts';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/agents');
const GATEWAY = 'https://gateway.hotrodan.com';
const env = {
  TEAM_KEY_support_bot: 'sk-team-a-123456789',
  TEAM_KEY_order_tracker: 'sk-team-b-123456789',
  TEAM_KEY_returns_assistant: 'sk-team-c-123456789',
};
const inputs = { gatewayUrl: GATEWAY, env, secrets: new Map(Object.entries(env)) };
const audit = (file: string) => auditAgents(findAgents(readAgentsConfig(`${FIXTURES}/${file}`)), inputs);
const gate = (file: string) => auditAgentsConfig(loadAgentsConfig(`${FIXTURES}/${file}`), inputs);
/** Every fake credential in the fixtures carries FAKE (or is AWS's documented example key id). */
const LEAKS = /FAKE|AKIAIOSFODNN7EXAMPLE|sk-proj-|sk-team-|Zx81hQ/;

const tmp = mkdtempSync(join(tmpdir(), 'agents-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The error `loadAgentsConfig` throws for `file`, or a failure when it throws none. */
function loadError(file: string): AgentsConfigError {
  try {
    loadAgentsConfig(file);
  } catch (err) {
    expect(err).toBeInstanceOf(AgentsConfigError);
    return err as AgentsConfigError;
  }
  throw new Error(`${file} was read`);
}

describe('agents config gate', () => {
  test('the good config has the three agents and no problem', () => {
    const agents = findAgents(readAgentsConfig(`${FIXTURES}/good.json`));
    expect(agents.map((a) => a.name)).toEqual(['support-bot', 'order-tracker', 'returns-assistant']);
    expect(audit('good.json')).toEqual([]);
    expect(gate('good.json')).toMatchObject({ problems: [], inlineKeys: [] });
  });

  test('a direct OpenAI base URL is reported with its path', () => {
    expect(audit('bad-direct-openai.json')).toEqual([
      {
        agent: 'order-tracker',
        path: '$.agents[1].baseUrl',
        rule: 'base-url',
        problem: expect.stringContaining('"https://api.openai.com/v1" is not the gateway'),
      },
    ]);
  });

  test('an inline sk-proj key in a nested team/map layout is found once, and never echoed', () => {
    const { problems, inlineKeys } = gate('bad-inline-key.json');
    const path = '$.teams["customer-care"].agents["support-bot"].llm.auth.apiKey';
    expect(problems).toEqual([
      {
        agent: 'support-bot',
        path,
        rule: 'inline-key',
        problem: expect.stringContaining('holds an inline provider key (an sk-… API key)'),
      },
    ]);
    expect(inlineKeys).toEqual([{ path, kind: 'an sk-… API key' }]);
    expect(JSON.stringify(problems)).not.toMatch(LEAKS);
  });

  test('a missing key reference names the agent', () => {
    expect(audit('bad-missing-key-ref.json')).toEqual([
      {
        agent: 'returns-assistant',
        path: '$.agents[2]',
        rule: 'no-key',
        problem: expect.stringContaining('no API key reference'),
      },
    ]);
  });

  test('an unresolved TEAM_KEY reference names the variable and points at the CI environment, not at Fly secrets', () => {
    const problems = audit('bad-unresolved-key-ref.json');
    expect(problems).toEqual([
      {
        agent: 'order-tracker',
        path: '$.agents[1].apiKeyRef',
        rule: 'unset-reference',
        problem: expect.stringContaining('TEAM_KEY_order_tracker_v2, which is not set'),
      },
    ]);
    expect(problems[0]!.problem).toContain('GitHub Actions secret');
    expect(problems[0]!.problem).toContain('${{ secrets.TEAM_KEY_order_tracker_v2 }}');
    expect(problems[0]!.problem).toMatch(/Fly secrets \(fly secrets set\) reach the agents' machines, not this gate/);
  });

  test('a configured secret value inline is caught even without the sk- shape, and references in many spellings resolve', () => {
    const secrets = new Map([['OPENAI_DIRECT_KEY', 'plain-looking-secret-value']]);
    const config = {
      services: [
        { id: 'a', api_base: 'https://gateway.hotrodan.com/v1/', api_key: 'plain-looking-secret-value' },
        {
          id: 'b',
          openai: { baseURL: 'HTTPS://Gateway.Hotrodan.com:443' },
          apiKey: { secretRef: '${TEAM_KEY_support_bot}' },
        },
        { id: 'c', baseUrl: GATEWAY, apiKey: 'os.environ/OPENAI_API_KEY' },
      ],
    };
    const agents = findAgents(config);
    expect(agents.map((a) => a.name)).toEqual(['a', 'b', 'c']);
    const problems = auditAgents(agents, { gatewayUrl: GATEWAY, env, secrets });
    expect(problems.map((p) => [p.agent, p.path, p.rule])).toEqual([
      ['a', '$.services[0].api_key', 'inline-key'],
      ['c', '$.services[2].apiKey', 'not-a-reference'],
    ]);
    expect(problems[0]!.problem).toContain('the value of OPENAI_DIRECT_KEY');
    expect(problems[1]!.problem).toContain('the reference OPENAI_API_KEY');
    expect(JSON.stringify(problems)).not.toContain('plain-looking');
  });

  test('URL normalization: case, default port, trailing slash and /v1 do not matter; another host or path does', () => {
    expect(normalizeBaseUrl('HTTPS://Gateway.hotrodan.com:443/v1/')).toBe(normalizeBaseUrl(GATEWAY));
    expect(normalizeBaseUrl('https://gateway.hotrodan.com.evil.test')).not.toBe(normalizeBaseUrl(GATEWAY));
    expect(normalizeBaseUrl('http://gateway.hotrodan.com')).not.toBe(normalizeBaseUrl(GATEWAY));
    expect(normalizeBaseUrl('https://gateway.hotrodan.com/openai')).not.toBe(normalizeBaseUrl(GATEWAY));
  });

  test('a base URL carrying credentials or a key is reported without them', () => {
    const agents = findAgents({
      agents: [
        {
          name: 'a',
          baseUrl: 'https://proxy-user:hunter2-pass@api.openai.com/v1?api_key=abc123',
          apiKeyRef: 'TEAM_KEY_support_bot',
        },
        {
          name: 'b',
          baseUrl: 'https://api.openai.com/v1/sk-FAKE0key0in0a0path000000000',
          apiKeyRef: 'TEAM_KEY_support_bot',
        },
      ],
    });
    const problems = auditAgents(agents, inputs);
    expect(problems.map((p) => p.problem)).toEqual([
      'base URL "https://api.openai.com/v1" (credentials and query not shown) is not the gateway https://gateway.hotrodan.com',
      'base URL (a value holding a key; not shown) is not the gateway https://gateway.hotrodan.com',
    ]);
  });
});

describe('reading the file: a regular file, bounded, never blocking', () => {
  test('a missing file fails with kind missing', () => {
    expect(loadError(join(tmp, 'absent.json'))).toMatchObject({
      kind: 'missing',
      message: expect.stringContaining('does not exist'),
    });
  });

  test('a symbolic link is refused, even to a good config, and a .yml link to a credentials file publishes nothing', () => {
    const link = join(tmp, 'agents.json');
    symlinkSync(`${FIXTURES}/good.json`, link);
    expect(loadError(link)).toMatchObject({
      kind: 'not-a-file',
      message: expect.stringMatching(/is a symbolic link .*point AGENTS_CONFIG_PATH at the config file itself/),
    });

    const credentials = join(tmp, 'credentials');
    writeFileSync(
      credentials,
      '[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAKEKEY\n',
    );
    const yml = join(tmp, 'agents.yml');
    symlinkSync(credentials, yml);
    const err = loadError(yml);
    expect(err.kind).toBe('not-a-file');
    expect(err.message).not.toMatch(/AKIA|wJalr|aws_/);
  });

  test('a FIFO is refused at once instead of blocking the gate', () => {
    const fifo = join(tmp, 'agents-fifo.json');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      return; // no mkfifo on this platform: nothing to prove
    }
    const started = performance.now();
    expect(loadError(fifo)).toMatchObject({
      kind: 'not-a-file',
      message: expect.stringContaining('a named pipe (FIFO)'),
    });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test('a directory is refused', () => {
    const dir = join(tmp, 'agents.d.json');
    mkdirSync(dir);
    expect(loadError(dir)).toMatchObject({ kind: 'not-a-file', message: expect.stringContaining('is a directory') });
  });

  test('a file over the cap is refused by size, one at the cap is read', () => {
    const padded = (bytes: number): string => {
      const head = '{"agents":[],"pad":"';
      return `${head}${'x'.repeat(bytes - head.length - 2)}"}`;
    };
    const atCap = join(tmp, 'at-cap.json');
    writeFileSync(atCap, padded(AGENTS_CONFIG_MAX_BYTES));
    expect(loadAgentsConfig(atCap).root).toMatchObject({ agents: [] });
    const over = join(tmp, 'over-cap.json');
    writeFileSync(over, padded(AGENTS_CONFIG_MAX_BYTES + 1));
    expect(loadError(over)).toMatchObject({
      kind: 'too-large',
      message: expect.stringContaining(
        `is ${AGENTS_CONFIG_MAX_BYTES + 1} bytes, over the ${AGENTS_CONFIG_MAX_BYTES}-byte cap`,
      ),
    });
    const small = join(tmp, 'small.json');
    writeFileSync(small, '{"agents":[]}');
    expect(() => loadAgentsConfig(small, { maxBytes: 8 })).toThrow(/over the 8-byte cap/);
  });

  test('a document nested deeper than a config ever is, is refused without walking it', () => {
    const deep = join(tmp, 'deep.json');
    writeFileSync(deep, `${'['.repeat(5000)}${']'.repeat(5000)}`);
    expect(loadError(deep)).toMatchObject({ kind: 'too-deep' });
  });

  test('a byte-order mark does not make a JSON file invalid', () => {
    const bom = join(tmp, 'bom.json');
    writeFileSync(bom, '\uFEFF{"agents":[]}');
    expect(loadAgentsConfig(bom).root).toEqual({ agents: [] });
  });
});

describe('parser errors: line, column and kind, never content', () => {
  test('a YAML error on the line of an inline key', () => {
    const err = loadError(`${FIXTURES}/bad-syntax-inline-key.yml`);
    expect(err).toMatchObject({ kind: 'syntax', line: expect.any(Number), column: expect.any(Number) });
    expect(err.message).toMatch(
      /is not valid YAML: a closing quote or bracket is missing \(MISSING_CHAR\) at line \d+, column \d+$/,
    );
    expect(err.message).not.toMatch(LEAKS);
  });

  test('a JSON error on an unquoted inline key', () => {
    const err = loadError(`${FIXTURES}/bad-syntax-inline-key.json`);
    expect(err).toMatchObject({ kind: 'syntax', line: 3, column: 83 });
    expect(err.message).toMatch(/is not valid JSON: unexpected character at line 3, column 83$/);
    expect(err.message).not.toMatch(LEAKS);
  });

  test.each([
    ['{"a": 1,}', 'expected a property name in double quotes', 1, 9],
    ['{"a" 1}', "expected ':' after a property name", 1, 6],
    ['[1,\n 2', 'unexpected end of input', 2, 3],
    ['{"k": "sk-FAKE0unterminated', 'unterminated string', 1, 7],
    ['{"k": "a\\qb"}', 'bad escape in a string', 1, 9],
    ['{"k": 1} {"k": 2}', 'unexpected content after the JSON value', 1, 10],
    ['{"k": "tab\there"}', 'control character in a string', 1, 11],
  ])('JSON %j: %s at line %i, column %i', (text, kind, line, column) => {
    const file = join(tmp, `syntax-${line}-${column}.json`);
    writeFileSync(file, text);
    const err = loadError(file);
    expect(err.message).toBe(`agents config ${file} is not valid JSON: ${kind} at line ${line}, column ${column}`);
  });

  test('YAML duplicate keys and alias bombs are errors, merge keys work', () => {
    const dup = join(tmp, 'dup.yaml');
    writeFileSync(dup, 'agents: []\nagents: [{apiKey: sk-FAKE0duplicate0key000000000000}]\n');
    expect(loadError(dup).message).toMatch(/a duplicate key \(DUPLICATE_KEY\) at line 2, column 1$/);
    const bomb = join(tmp, 'bomb.yaml');
    writeFileSync(
      bomb,
      [
        'a: &a [x, x, x, x, x, x, x, x, x, x]',
        ...Array.from(
          { length: 8 },
          (_, i) =>
            `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
              .fill(`*${String.fromCharCode(97 + i)}`)
              .join(', ')}]`,
        ),
      ].join('\n'),
    );
    expect(loadError(bomb).message).toContain('aliases expand too far');
    const merged = join(tmp, 'merge.yaml');
    writeFileSync(
      merged,
      'base: &base { baseUrl: https://gateway.hotrodan.com, apiKeyRef: TEAM_KEY_support_bot }\nagents:\n  - { <<: *base, name: a }\n',
    );
    expect(auditAgentsConfig(loadAgentsConfig(merged), inputs).problems).toEqual([]);
  });
});

describe('inline keys anywhere, by JSON path', () => {
  test('a Bearer header, an AWS key id, free text, a defaults block and a comment are all found; no value is shown', () => {
    const { problems, inlineKeys } = gate('bad-keys-anywhere.yaml');
    expect(inlineKeys).toEqual([
      { path: '$.defaults.openai.fallbackKey', kind: 'an sk-… API key' },
      { path: '$.agents[0].headers.Authorization', kind: 'an sk-… API key' },
      { path: '$.agents[1].tools[0].s3.credentials.accessKeyId', kind: 'an AWS access key id (AKIA…)' },
      { path: '$.agents[2].notes', kind: 'an sk-… API key' },
      { path: 'line 4, column 24', kind: 'an sk-… API key', outsideValues: true },
    ]);
    expect(problems.map((p) => [p.agent, p.path, p.rule])).toEqual([
      [undefined, '$.defaults.openai.fallbackKey', 'inline-key'],
      ['support-bot', '$.agents[0].headers.Authorization', 'inline-key'],
      ['order-tracker', '$.agents[1].tools[0].s3.credentials.accessKeyId', 'inline-key'],
      ['returns-assistant', '$.agents[2].notes', 'inline-key'],
      [undefined, 'line 4, column 24', 'inline-key'],
    ]);
    expect(problems[4]!.problem).toContain('a comment');
    expect(JSON.stringify({ problems, inlineKeys })).not.toMatch(LEAKS);
  });

  test('literal Authorization credentials are keys, references are not', () => {
    const root = {
      agents: [
        {
          name: 'a',
          headers: { Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.FAKEsig', 'x-basic': 'Basic dXNlcjpwYXNz' },
          refs: [
            'Bearer ${TEAM_KEY_a}',
            'Bearer {{ secrets.TEAM_KEY_a }}',
            'Bearer $TEAM_KEY_a',
            'Bearer TEAM_KEY_a',
            'Bearer env:TEAM_KEY_a',
          ],
        },
      ],
    };
    expect(findInlineKeys(root, new Map())).toEqual([
      { path: '$.agents[0].headers.Authorization', kind: 'a literal Bearer credential' },
      { path: '$.agents[0].headers["x-basic"]', kind: 'a literal Basic credential' },
    ]);
  });

  test('configured secrets anywhere, key-shaped property names redacted, look-alikes left alone', () => {
    const secrets = new Map([['LANGFUSE_SECRET_KEY', 'lf-secret-value-123']]);
    const root = {
      a: { deep: { deeper: ['x', { url: 'https://h/?token=lf-secret-value-123' }] } },
      'sk-FAKE0property0name00000000000': true,
      ok: [
        'task-classifier-2024-0000000000',
        'gpt-4o-mini',
        'disk-cache-size-100000000000',
        'sk-learn-pipeline-standard',
        'AKIA-not-a-key',
        'org-hotrodan',
      ],
    };
    const found = findInlineKeys(
      root,
      secrets,
      `${JSON.stringify(root)}\n# lf-secret-value-123 in a comment would be found too`,
    );
    expect(found).toEqual([
      { path: '$[<a property named with an sk-… API key>]', kind: 'an sk-… API key as a property name' },
      { path: '$.a.deep.deeper[1].url', kind: 'the value of LANGFUSE_SECRET_KEY' },
    ]);
    expect(JSON.stringify(found)).not.toMatch(/FAKE|lf-secret/);
    expect(findInlineKeys({}, secrets, 'x: 1\n# lf-secret-value-123\n')).toEqual([
      { path: 'line 2, column 3', kind: 'the value of LANGFUSE_SECRET_KEY', outsideValues: true },
    ]);
  });
});

describe('inherited defaults', () => {
  test('agents without their own base URL take defaults.openai.baseURL (and defaults.model)', () => {
    const { agents, problems } = gate('good-defaults.yaml');
    expect(problems).toEqual([]);
    expect(
      agents.map((a) => [a.name, a.baseUrls.map((u) => [u.path, u.inherited ?? false]), a.models.map((m) => m.path)]),
    ).toEqual([
      ['support-bot', [['$.defaults.openai.baseURL', true]], ['$.defaults.model']],
      ['order-tracker', [['$.defaults.openai.baseURL', true]], ['$.defaults.model']],
      ['returns-assistant', [['$.agents["returns-assistant"].openai.baseURL', false]], ['$.defaults.model']],
    ]);
  });

  test('a wrong inherited base URL is reported at the defaults path for each agent that inherits it', () => {
    expect(gate('bad-defaults-direct-openai.json').problems).toEqual(
      ['support-bot', 'returns-assistant'].map((agent) => ({
        agent,
        path: '$.defaults.openai.baseURL',
        rule: 'base-url',
        problem:
          'base URL "https://api.openai.com/v1" (inherited from a defaults block) is not the gateway https://gateway.hotrodan.com',
      })),
    );
  });

  test('the nearest defaults block wins, per kind of field; one inside the agents map is not an agent', () => {
    const root = {
      defaults: { baseUrl: 'https://api.openai.com', apiKeyRef: 'TEAM_KEY_shared' },
      teams: {
        care: {
          defaults: { baseUrl: GATEWAY },
          agents: { defaults: { model: 'gpt-4o' }, 'support-bot': {} },
        },
      },
    };
    const [bot, ...rest] = findAgents(root);
    expect(rest).toEqual([]);
    expect(bot).toMatchObject({
      name: 'support-bot',
      baseUrls: [{ path: '$.teams.care.defaults.baseUrl', inherited: true }],
      keys: [{ value: 'TEAM_KEY_shared', path: '$.defaults.apiKeyRef', inherited: true }],
      models: [{ value: 'gpt-4o', path: '$.teams.care.agents.defaults.model', inherited: true }],
    });
  });

  test('in a loose layout a defaults block is never an agent, and its fields are inherited', () => {
    const agents = findAgents({
      defaults: { openai: { baseURL: GATEWAY } },
      services: [{ name: 'a', baseUrl: GATEWAY, apiKeyRef: 'TEAM_KEY_support_bot' }],
    });
    expect(agents.map((a) => a.name)).toEqual(['a']);
    const inheritedKey = findAgents({
      defaults: { apiKeyRef: 'TEAM_KEY_support_bot' },
      services: [{ name: 'a', baseUrl: GATEWAY }],
    });
    expect(inheritedKey[0]?.keys).toEqual([
      { value: 'TEAM_KEY_support_bot', path: '$.defaults.apiKeyRef', inherited: true },
    ]);
  });
});
