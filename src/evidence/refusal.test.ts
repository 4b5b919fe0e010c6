import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { writeRefusal } from './refusal.ts';
import { verifyEvidence } from './verify.ts';

const saved = { ...process.env };
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'refusal-'));
  for (const k of Object.keys(process.env))
    if (/^(GATEWAY_|LANGFUSE_|CUTOVER_|SANDBOX_)/.test(k)) delete process.env[k];
  Object.assign(process.env, { CUTOVER_ENV_FILE: '/dev/null', CUTOVER_EVIDENCE_DIR: dir });
});
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

test('a refused run leaves a verifiable incomplete bundle naming each problem, with no credential from a URL', () => {
  Object.assign(process.env, {
    GATEWAY_URL: 'https://gateway.example.com',
    LANGFUSE_URL: 'https://admin:hunter2@langfuse.example.com',
    CUTOVER_RUN_ID: '../../etc',
  });
  const written = writeRefusal(
    [
      { variable: 'LANGFUSE_URL', problem: 'must not contain credentials' },
      { variable: 'CUTOVER_RUN_ID', problem: 'must be letters, digits, dots, dashes or underscores' },
    ],
    new Date(),
  );
  expect(written).toBeDefined();
  // The bad run id never became a path: the bundle is inside the evidence dir under a fresh id.
  expect(written!.startsWith(dir)).toBe(true);
  expect(readdirSync(dir).sort()).toEqual([written!.slice(dir.length + 1), 'latest', 'schema.json'].sort());
  const v = verifyEvidence(join(dir, 'latest'));
  expect(v.problems).toEqual([]);
  expect(v.bundle!.verdict).toBe('incomplete');
  expect(v.bundle!.run.target).toBe('deployment');
  expect(v.bundle!.environment.langfuse.url).toBe('https://langfuse.example.com');
  expect(v.bundle!.runErrors).toEqual([
    'configuration refused, nothing was sent: LANGFUSE_URL: must not contain credentials',
    'configuration refused, nothing was sent: CUTOVER_RUN_ID: must be letters, digits, dots, dashes or underscores',
  ]);
  for (const f of readdirSync(join(dir, 'latest')))
    expect(readFileSync(join(dir, 'latest', f), 'utf8')).not.toContain('hunter2');
});

test('nothing is written when the evidence directory itself is the problem, and the baseline run is never displaced', () => {
  expect(writeRefusal([{ variable: 'CUTOVER_EVIDENCE_DIR', problem: 'is not writable' }], new Date())).toBeUndefined();
  expect(readdirSync(dir)).toEqual([]);
  expect(
    writeRefusal([{ variable: 'THRESHOLD_SMOKE_MS', problem: 'must be greater than 0' }], new Date()),
  ).toBeDefined();
  expect(existsSync(join(dir, 'latest-pre'))).toBe(false);
});
