import { afterEach, describe, expect, it } from 'vitest';
import { parseFaults, type FaultName } from '../../sandbox/faults.ts';
import { startLangfuse } from '../../sandbox/langfuse/index.ts';
import { closePools } from './http.ts';
import {
  classifyMigrations,
  isDormant,
  LangfuseLoginError,
  LangfuseUi,
  splitSetCookie,
  type BackgroundMigration,
} from './langfuse-ui.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  await closePools();
});

const UI = { email: 'Cutover@Sandbox.test', password: 'pw-unit' };
async function langfuse(faults: FaultName[] = []): Promise<LangfuseUi> {
  const lf = await startLangfuse({
    faults: parseFaults(faults),
    counter: { total: 0, byComponent: {} },
    publicKey: 'pk-lf-u',
    secretKey: 'sk-lf-u',
    ui: UI,
  });
  closers.push(() => lf.close());
  return new LangfuseUi({ url: lf.url, timeoutMs: 3000 });
}

const row = (over: Partial<BackgroundMigration>): BackgroundMigration => ({
  name: 'm',
  args: {},
  finishedAt: null,
  failedAt: null,
  failedReason: null,
  workerId: null,
  lockedAt: null,
  ...over,
});

describe('background-migration rows', () => {
  it('treats env-gated rows no worker picked up as dormant', () => {
    expect(isDormant(row({ args: { envGate: 'LANGFUSE_BACKGROUND_MIGRATION_V4_ENABLE_HISTORIC_BACKFILL' } }))).toBe(
      true,
    );
    expect(isDormant(row({ args: { envGate: 'X' }, workerId: 'w1' }))).toBe(false);
    expect(isDormant(row({ args: {} }))).toBe(false);
  });

  it('sorts rows into failed, pending, dormant and finished', () => {
    const c = classifyMigrations([
      row({ name: 'done', finishedAt: '2026-01-01T00:00:00Z' }),
      row({ name: 'gated', args: { envGate: 'X' } }),
      row({ name: 'running', workerId: 'w1', lockedAt: '2026-01-01T00:00:00Z' }),
      row({ name: 'queued' }),
      row({ name: 'broke', failedAt: '2026-01-01T00:00:00Z', failedReason: 'boom' }),
    ]);
    expect(c.finished).toBe(1);
    expect(c.dormant.map((m) => m.name)).toEqual(['gated']);
    expect(c.pending.map((m) => m.name)).toEqual(['running', 'queued']);
    expect(c.failed.map((m) => m.name)).toEqual(['broke']);
  });
});

describe('splitSetCookie', () => {
  it('splits cookies joined with ", " without cutting Expires dates', () => {
    const joined =
      'next-auth.csrf-token=a%7Cb; Path=/; HttpOnly, next-auth.session-token.0=x.y; Path=/; Expires=Thu, 26 Dec 2026 07:00:00 GMT; HttpOnly, next-auth.session-token.1=z';
    expect(splitSetCookie(joined).map((c) => c.split('=')[0])).toEqual([
      'next-auth.csrf-token',
      'next-auth.session-token.0',
      'next-auth.session-token.1',
    ]);
  });
});

describe('LangfuseUi against the sandbox Langfuse', () => {
  it('logs in, reads the session, loads a dashboard and the background migrations', async () => {
    const ui = await langfuse();
    expect(await ui.session()).toBeUndefined();
    await ui.login(UI.email, UI.password);
    const s = await ui.session();
    expect(s?.user.email).toBe(UI.email);
    expect(s?.v4WriteMode).toBe('legacy');
    const project = s!.user.organizations[0]!.projects[0]!;
    expect((await ui.page(`/project/${project.id}`)).status).toBe(200);
    const c = classifyMigrations(await ui.backgroundMigrations());
    expect(c).toMatchObject({ failed: [], pending: [] });
    expect(c.dormant).toHaveLength(5);
  });

  it('is sent to sign-in and refused by tRPC without a session', async () => {
    const ui = await langfuse();
    expect(await ui.page('/project/cutover-sandbox-project')).toMatchObject({
      status: 307,
      location: expect.stringMatching(/\/auth\/sign-in/),
    });
    await expect(ui.backgroundMigrations()).rejects.toThrow(/HTTP 401: tRPC UNAUTHORIZED/);
  });

  it('names a refused login without the password', async () => {
    const ui = await langfuse(['langfuse-login-broken']);
    const err = await ui.login(UI.email, UI.password).then(
      () => new Error('no error'),
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(LangfuseLoginError);
    expect(err.message).toMatch(/\/api\/auth\/callback\/credentials: the login was refused \(Invalid credentials\)/);
    expect(err.message).not.toContain(UI.password);
  });

  it('finds the pending migration and the events_only write mode', async () => {
    const pending = await langfuse(['migration-pending']);
    await pending.login(UI.email, UI.password);
    expect(classifyMigrations(await pending.backgroundMigrations()).pending.map((m) => m.name)).toEqual([
      '20250519_traces_to_events',
    ]);
    const v4 = await langfuse(['langfuse-v4-events-only']);
    await v4.login(UI.email, UI.password);
    expect((await v4.session())?.v4WriteMode).toBe('events_only');
  });
});
