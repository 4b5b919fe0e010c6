import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, parseDuration } from './keys.ts';
import { MASTER, type TestStack, startStack, traceId } from './testing.ts';

const ask = (content: string) => ({ model: 'gpt-4o-mini', max_tokens: 5, messages: [{ role: 'user', content }] });

describe('virtual keys', () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startStack();
  });
  afterAll(() => s.close());

  it('parses LiteLLM durations', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(() => parseDuration('soon')).toThrow(/duration/);
  });

  it('generates a key that works, echoes the fields sent and reports info', async () => {
    const gen = await s.admin('POST', '/key/generate', {
      key_alias: 'agent:test',
      rpm_limit: 50,
      duration: '1h',
      metadata: { team: 'x' },
      models: ['gpt-4o-mini'],
    });
    expect(gen.status).toBe(200);
    const key: string = gen.json.key;
    expect(key).toMatch(/^sk-[A-Za-z0-9_-]{22}$/);
    expect(gen.json).toMatchObject({
      key_name: `sk-...${key.slice(-4)}`,
      key_alias: 'agent:test',
      rpm_limit: 50,
      token_id: hashToken(key),
      metadata: { team: 'x' },
      models: ['gpt-4o-mini'],
      duration: '1h',
    });
    expect(Date.parse(gen.json.expires) - Date.now()).toBeGreaterThan(3_500_000);
    expect(s.gateway.keyCount()).toBe(1);

    const ok = await s.chat(key, ask(`key works ${traceId()}`));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-litellm-key-rpm-limit')).toBe('50');

    const denied = await s.chat(key, { ...ask('x'), model: 'gpt-4o' });
    expect(denied.status).toBe(401);
    expect(denied.json.error.type).toBe('key_model_access_denied');

    const info = await s.admin('GET', `/key/info?key=${key}`);
    expect(info.json).toMatchObject({ key, info: { key_alias: 'agent:test', rpm_limit: 50, models: ['gpt-4o-mini'] } });
    expect(info.json.info.token).toBeUndefined();
  });

  it('deletes by key and by alias; deleted keys get 401 and /key/info 404', async () => {
    const a = (await s.admin('POST', '/key/generate', { key_alias: 'del-a' })).json.key as string;
    const b = (await s.admin('POST', '/key/generate', { key_alias: 'del-b' })).json.key as string;
    const before = s.gateway.keyCount();
    expect((await s.admin('POST', '/key/delete', { keys: [a] })).json).toEqual({ deleted_keys: [a] });
    expect((await s.admin('POST', '/key/delete', { key_aliases: ['del-b'] })).json).toEqual({
      deleted_keys: ['del-b'],
    });
    expect(s.gateway.keyCount()).toBe(before - 2);
    expect((await s.chat(a, ask('gone'))).status).toBe(401);
    for (const k of [a, b]) expect((await s.admin('GET', `/key/info?key=${k}`)).status).toBe(404);
  });

  it('echoes what /key/delete was sent once anything matched, 404 when nothing did; keys win over key_aliases', async () => {
    const del = (body: unknown) => s.admin('POST', '/key/delete', body);
    const notFound = {
      error: { message: "{'error': 'No keys found'}", type: 'internal_server_error', param: null, code: '404' },
    };
    expect(await del({ keys: ['sk-never-existed'] }).then((r) => [r.status, r.json])).toEqual([404, notFound]);
    expect(await del({ key_aliases: ['no-such-alias'] }).then((r) => [r.status, r.json])).toEqual([404, notFound]);
    const k = (await s.admin('POST', '/key/generate', { key_alias: 'kept-alias' })).json.key as string;
    const other = (await s.admin('POST', '/key/generate', { key_alias: 'other-alias' })).json.key as string;
    // With `keys` non-empty, LiteLLM deletes those and ignores `key_aliases`; the echo includes
    // a key that did not exist, so the answer proves nothing about each key.
    expect((await del({ keys: [other, 'sk-other'], key_aliases: ['kept-alias'] })).json).toEqual({
      deleted_keys: [other, 'sk-other'],
    });
    expect((await s.admin('GET', `/key/info?key=${k}`)).status).toBe(200);
    const empty = await del({});
    expect(empty.status).toBe(422);
    expect(empty.json.detail[0]).toMatchObject({
      type: 'value_error',
      loc: ['body'],
      msg: expect.stringContaining("At least one of 'keys' or 'key_aliases'"),
    });
  });

  it('rejects expired keys with 401', async () => {
    const k = (await s.admin('POST', '/key/generate', { duration: '1s' })).json.key as string;
    await new Promise((r) => setTimeout(r, 1100));
    const r = await s.chat(k, ask('expired'));
    expect(r.status).toBe(401);
    expect(r.json.error).toMatchObject({ type: 'expired_key', code: '401' });
  });

  it('keeps admin routes for the master key', async () => {
    const k = (await s.admin('POST', '/key/generate', {})).json.key as string;
    for (const [method, path] of [
      ['POST', '/key/generate'],
      ['POST', '/key/delete'],
      ['GET', '/active/callbacks'],
    ] as const) {
      const r = await s.admin(method, path, {}, k);
      expect(r.status, path).toBe(401);
      expect(r.json.error.type).toBe('auth_error');
    }
    expect((await s.admin('GET', '/key/info?key=sk-unknown')).json).toEqual({
      error: { message: 'Key not found in database', type: 'not_found_error', param: 'key', code: '404' },
    });
  });

  it('imports a custom key value (how rotated team keys arrive) without ever echoing it from /key/info', async () => {
    const raw = 'sk-team-imported-0123456789abcdef';
    const gen = await s.admin('POST', '/key/generate', {
      key: raw,
      key_alias: 'team:imported',
      team_id: 'team-x',
      models: ['gpt-4o-mini'],
      tpm_limit: 1000,
    });
    expect(gen.json).toMatchObject({ key: raw, token_id: hashToken(raw), key_alias: 'team:imported' });
    const info = await s.admin('GET', `/key/info?key=${hashToken(raw)}`);
    expect(info.json.info).toMatchObject({
      key_alias: 'team:imported',
      team_id: 'team-x',
      user_id: null,
      models: ['gpt-4o-mini'],
      tpm_limit: 1000,
      blocked: null,
      status: 'active',
    });
    expect(JSON.stringify(info.json)).not.toContain(raw);
    expect((await s.chat(raw, ask(`imported ${traceId()}`))).status).toBe(200);
  });
});

// LiteLLM 1.103.10 `info_key_fn` + `_can_user_query_key_info`: `/key/info` is open to any key
// (route checks hand it to the function), which then lets a key read itself, a key of the same
// user_id, or (as the proxy admin) any key.
describe('/key/info asked with a virtual key', () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startStack();
  });
  afterAll(() => s.close());
  const mint = async (body: Record<string, unknown>): Promise<string> =>
    (await s.admin('POST', '/key/generate', body)).json.key as string;

  it('without ?key= reads its own row, and the answer names the hash, not the key', async () => {
    const k = await mint({ key_alias: 'self', models: ['gpt-4o-mini', 'gpt-4o'], rpm_limit: 7, tpm_limit: 700 });
    const r = await s.admin('GET', '/key/info', undefined, k);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      key: hashToken(k),
      info: { key_alias: 'self', models: ['gpt-4o-mini', 'gpt-4o'], rpm_limit: 7, tpm_limit: 700, status: 'active' },
    });
    expect(JSON.stringify(r.json)).not.toContain(k);
    expect((await s.admin('GET', `/key/info?key=${hashToken(k)}`, undefined, k)).status).toBe(200);
  });

  it("refuses another user's key with 403, but compares user_id as LiteLLM does: two keys without one may read each other", async () => {
    const mine = await mint({ user_id: 'u-1' });
    const theirs = await mint({ user_id: 'u-2', key_alias: 'theirs' });
    const refused = await s.admin('GET', `/key/info?key=${hashToken(theirs)}`, undefined, mine);
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({
      error: {
        message: "You are not allowed to access this key's info. Your role=internal_user",
        type: 'internal_server_error',
        param: null,
        code: '403',
      },
    });
    // The raw key in ?key= is not compared with the caller's hash, so the user_id rule decides.
    expect((await s.admin('GET', `/key/info?key=${mine}`, undefined, mine)).status).toBe(200);
    const a = await mint({});
    const b = await mint({ key_alias: 'no-user' });
    expect((await s.admin('GET', `/key/info?key=${hashToken(b)}`, undefined, a)).json.info.key_alias).toBe('no-user');
  });

  it('never reaches /key/info with a blocked, expired or unknown key: the 401 comes first', async () => {
    const blocked = await mint({ blocked: true });
    const b = await s.admin('GET', '/key/info', undefined, blocked);
    expect(b.status).toBe(401);
    expect(b.json.error).toMatchObject({ type: 'auth_error', message: expect.stringContaining('Key is blocked') });
    expect((await s.admin('GET', `/key/info?key=${hashToken(blocked)}`)).json.info).toMatchObject({
      blocked: true,
      status: 'revoked',
    });
    const expiring = await mint({ duration: '1s' });
    await new Promise((r) => setTimeout(r, 1100));
    expect((await s.admin('GET', '/key/info', undefined, expiring)).json.error).toMatchObject({
      type: 'expired_key',
      code: '401',
    });
    expect((await s.admin('GET', `/key/info?key=${hashToken(expiring)}`)).json.info.status).toBe('expired');
    expect((await s.admin('GET', '/key/info', undefined, 'sk-never-issued-0000')).json.error).toMatchObject({
      type: 'auth_error',
      code: '401',
    });
  });
});

describe('fault echo-secret', () => {
  it('puts the presented key in the 401 message', async () => {
    const s = await startStack(['echo-secret']);
    try {
      const r = await s.chat('sk-leaky-secret-value-42', ask('x'));
      expect(r.status).toBe(401);
      expect(r.json.error.message).toContain('sk-leaky-secret-value-42');
    } finally {
      await s.close();
    }
  });
});
