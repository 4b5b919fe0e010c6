import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLangfuse, type LangfuseSandbox } from '../../sandbox/langfuse/index.ts';
import { EndpointUnreachableError } from './errors.ts';
import { closePools } from './http.ts';
import { LangfuseApiError } from './langfuse.ts';
import { compileMatchPattern, listModelDefinitions, matchModel, type ModelDefinition } from './langfuse-models.ts';

// The client against the sandbox's Langfuse stand-in, a real server on a loopback port.
const KEYS = { publicKey: 'pk-lf-models', secretKey: 'sk-lf-models-secret' };
let lf: LangfuseSandbox;
beforeAll(async () => {
  lf = await startLangfuse({
    ...KEYS,
    faults: new Set(),
    counter: { total: 0, byComponent: {} },
    ui: { email: 'models@sandbox.test', password: 'pw' },
  });
});
afterAll(() => lf.close());
afterEach(() => closePools());

describe('listModelDefinitions', () => {
  it('reads the managed definitions with their prices per token and says where from', async () => {
    const r = await listModelDefinitions({ url: `${lf.url}/`, ...KEYS, timeoutMs: 3000 });
    expect(r.source).toBe(`${lf.url}/api/public/models`);
    const mini = r.definitions.find((d) => d.modelName === 'gpt-4o-mini');
    expect(mini).toMatchObject({ id: 'clyrjp56f0000t0mzapoocd7u', isLangfuseManaged: true, unit: 'TOKENS' });
    expect(mini?.prices).toMatchObject({ input: 1.5e-7, output: 6e-7 });
    expect(r.definitions.find((d) => d.modelName === 'gpt-4o')?.prices).toMatchObject({ input: 2.5e-6, output: 1e-5 });
  });

  it('follows the pages to the last one', async () => {
    const all = await listModelDefinitions({ url: lf.url, ...KEYS, timeoutMs: 3000 });
    const paged = await listModelDefinitions({ url: lf.url, ...KEYS, timeoutMs: 3000, pageLimit: 1 });
    expect(all.definitions.length).toBeGreaterThan(1);
    expect(paged.definitions.map((d) => d.id)).toEqual(all.definitions.map((d) => d.id));
  });

  it('refuses a wrong key with the status, and never quotes the key', async () => {
    const err = await listModelDefinitions({
      url: lf.url,
      publicKey: KEYS.publicKey,
      secretKey: 'sk-wrong-one',
      timeoutMs: 3000,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LangfuseApiError);
    expect((err as LangfuseApiError).status).toBe(401);
    expect((err as Error).message).not.toContain('sk-wrong-one');
  });

  it('says when Langfuse cannot be reached', async () => {
    const closed = await startLangfuse({
      ...KEYS,
      faults: new Set(),
      counter: { total: 0, byComponent: {} },
      ui: { email: 'x@sandbox.test', password: 'pw' },
    });
    await closed.close();
    await expect(listModelDefinitions({ url: closed.url, ...KEYS, timeoutMs: 1000 })).rejects.toBeInstanceOf(
      EndpointUnreachableError,
    );
  });
});

const def = (over: Partial<ModelDefinition>): ModelDefinition => ({
  id: 'm',
  modelName: 'm',
  matchPattern: '(?i)^(openai\\/)?(gpt-4o)$',
  startDate: null,
  unit: 'TOKENS',
  isLangfuseManaged: true,
  prices: { input: 1, output: 2 },
  ...over,
});

describe('matchModel', () => {
  it('reads the (?i) prefix as Postgres does: the whole pattern ignores case', () => {
    expect(compileMatchPattern('(?i)^(gpt-4o)$')?.test('GPT-4o')).toBe(true);
    expect(compileMatchPattern('^(gpt-4o)$')?.test('GPT-4o')).toBe(false);
    expect(compileMatchPattern('(?x)^gpt$')).toBeUndefined();
    expect(compileMatchPattern('(unclosed')).toBeUndefined();
  });

  it('matches the whole name, with or without the openai/ prefix', () => {
    const defs = [def({ id: '4o' }), def({ id: 'mini', matchPattern: '(?i)^(openai\\/)?(gpt-4o-mini)$' })];
    expect(matchModel(defs, 'openai/gpt-4o')).toMatchObject({ ok: true, definition: { id: '4o' } });
    expect(matchModel(defs, 'gpt-4o-mini')).toMatchObject({ ok: true, definition: { id: 'mini' } });
    const none = matchModel(defs, 'gpt-4o-2024-05-13');
    expect(none.ok).toBe(false);
    expect(!none.ok && none.why).toContain('"gpt-4o-2024-05-13"');
  });

  it("prefers the project's own definition, then the newest start date, and skips one not started yet", () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const managed = def({ id: 'managed' });
    const older = def({ id: 'older', isLangfuseManaged: false, startDate: '2025-01-01T00:00:00Z' });
    const newer = def({ id: 'newer', isLangfuseManaged: false, startDate: '2026-01-01T00:00:00Z' });
    const future = def({ id: 'future', isLangfuseManaged: false, startDate: '2027-01-01T00:00:00Z' });
    expect(matchModel([managed, older], 'gpt-4o', now)).toMatchObject({ definition: { id: 'older' } });
    expect(matchModel([managed, older, newer, future], 'gpt-4o', now)).toMatchObject({ definition: { id: 'newer' } });
    expect(matchModel([managed, future], 'gpt-4o', now)).toMatchObject({ definition: { id: 'managed' } });
  });

  it('says how many patterns it could not read when nothing matches', () => {
    const r = matchModel([def({ matchPattern: '(?x)gpt-4o' })], 'gpt-4o');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.why).toContain('1 pattern(s) could not be read');
  });
});
