import { afterAll, beforeAll } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../sandbox/index.ts';

/**
 * One sandbox for a whole selftest file: started before its tests, stopped after. Returns a
 * getter, because the sandbox exists only once `beforeAll` has run.
 */
export function sharedSandbox(o: SandboxOptions = {}): () => Sandbox {
  let sandbox: Sandbox | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox(o);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });
  return () => {
    if (!sandbox) throw new Error('the shared sandbox is not running (used outside a test?)');
    return sandbox;
  };
}
