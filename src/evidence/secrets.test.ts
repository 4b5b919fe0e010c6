import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

// Each test imports secrets.ts afresh (vi.resetModules), as a new thread or process would: the
// module's own memory is then empty, and only what the run shared on disk is known.
describe('credentials the run learns', () => {
  const saved = { ...process.env };
  let evidenceDir: string;

  beforeEach(() => {
    vi.resetModules();
    evidenceDir = mkdtempSync(join(tmpdir(), 'learned-'));
    process.env.CUTOVER_EVIDENCE_DIR = evidenceDir;
    process.env.CUTOVER_RUN_ID = '20261203T000000Z-abc123';
  });

  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  const KEY = 'sk-minted-Qz7bLp2mX9vR4tK8wN1c';

  test('a registered key is redacted at once in this process, in any shape', async () => {
    const { registerRunSecret, runSecrets } = await import('./secrets.ts');
    expect(runSecrets().findIn(KEY)).toEqual([]);
    registerRunSecret('EPHEMERAL_KEY', KEY);
    expect(runSecrets().findIn(`x ${KEY.toUpperCase()} y`)).toEqual(['EPHEMERAL_KEY']);
    expect(runSecrets().redact(Buffer.from(`u:${KEY}`).toString('base64'))).toContain('[REDACTED:EPHEMERAL_KEY]');
  });

  test('another process of the run (the reporter) redacts it from the digest file, which never holds the key', async () => {
    const worker = await import('./secrets.ts');
    worker.registerRunSecret('EPHEMERAL_KEY', KEY);
    const files = readdirSync(join(evidenceDir, '.partial', process.env.CUTOVER_RUN_ID!));
    expect(files).toEqual(['learned-secrets.jsonl']);
    const text = readFileSync(
      join(evidenceDir, '.partial', process.env.CUTOVER_RUN_ID!, 'learned-secrets.jsonl'),
      'utf8',
    );
    expect(text).not.toContain(KEY.slice(3));
    expect(JSON.parse(text)).toMatchObject({ name: 'EPHEMERAL_KEY', length: KEY.length, prefix: 'sk-' });

    vi.resetModules();
    const reporter = await import('./secrets.ts');
    expect(reporter.runSecrets().findIn(`Vitest printed ${KEY}`)).toEqual(['EPHEMERAL_KEY']);
    expect(reporter.runSecrets().redact(`Vitest printed ${KEY}`)).toBe('Vitest printed [REDACTED:EPHEMERAL_KEY]');
  });

  test('a digest once read is kept after the partial directory is cleared', async () => {
    const worker = await import('./secrets.ts');
    worker.registerRunSecret('EPHEMERAL_KEY', KEY);
    vi.resetModules();
    const reporter = await import('./secrets.ts');
    expect(reporter.runSecrets().findIn(KEY)).toEqual(['EPHEMERAL_KEY']);
    const { clearPartials, partialDir } = await import('./partial.ts');
    clearPartials(partialDir(evidenceDir, process.env.CUTOVER_RUN_ID!));
    expect(reporter.runSecrets().findIn(KEY)).toEqual(['EPHEMERAL_KEY']);
  });

  test('the password inside a database URL is a secret of its own, as written and percent-decoded', async () => {
    process.env.LANGFUSE_DATABASE_URL = 'postgresql://langfuse:Pg%40ss-9xK2mQ7v@db.internal:5432/langfuse';
    const { runSecrets } = await import('./secrets.ts');
    const secrets = runSecrets();
    const names = secrets.findIn('password authentication failed: Pg@ss-9xK2mQ7v');
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) expect(n).toMatch(/^LANGFUSE_DATABASE_URL_PASSWORD/);
    expect(secrets.redact('connecting with Pg%40ss-9xK2mQ7v')).not.toContain('9xK2mQ7v');
  });
});

describe('runSecrets', () => {
  test('is one set that grows, so a check holding it from its start redacts a key minted midway', async () => {
    vi.resetModules();
    const { registerRunSecret, runSecrets } = await import('./secrets.ts');
    const held = runSecrets();
    registerRunSecret('EPHEMERAL_KEY', 'sk-minted-midway-9Tq4Lx2Vb7Nc');
    expect(held.findIn('sk-minted-midway-9Tq4Lx2Vb7Nc')).toEqual(['EPHEMERAL_KEY']);
  });
});
