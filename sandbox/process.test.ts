import { describe, expect, it } from 'vitest';
import { prestartSandbox, sandboxOptions, startSandboxProcess, takeSandbox } from './process.ts';

const live = async (url: string): Promise<boolean> =>
  fetch(`${url}/health/liveliness`).then(
    (r) => r.ok,
    () => false,
  );

describe('the sandbox in its own process', () => {
  it('starts, hands over its environment over IPC, and is gone after stop', async () => {
    const s = await startSandboxProcess(sandboxOptions({ SANDBOX_FAULTS: 'cache-off', CUTOVER_RUN_ID: 'r-proc' }));
    expect(s.faults).toEqual(['cache-off']);
    expect(s.profile).toBe('default');
    expect(s.env.GATEWAY_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await live(s.env.GATEWAY_URL!)).toBe(true);
    await s.stop();
    expect(await live(s.env.GATEWAY_URL!)).toBe(false);
  });

  it('refuses to start with a clear reason', async () => {
    await expect(startSandboxProcess({ faults: 'no-such-fault' })).rejects.toThrow(/did not start: .*no-such-fault/);
  });

  it('hands a prestarted sandbox to the setup that asks with the same options, once', async () => {
    const options = sandboxOptions({ CUTOVER_RUN_ID: 'r-pre' });
    prestartSandbox(options);
    const first = await takeSandbox(options);
    const second = await takeSandbox(sandboxOptions({ CUTOVER_RUN_ID: 'r-other' }));
    try {
      expect(second.env.GATEWAY_URL).not.toBe(first.env.GATEWAY_URL);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });

  it('stops a prestarted sandbox that was started with other options', async () => {
    prestartSandbox(sandboxOptions({ CUTOVER_RUN_ID: 'r-a', SANDBOX_FAULTS: 'cache-off' }));
    const s = await takeSandbox(sandboxOptions({ CUTOVER_RUN_ID: 'r-b' }));
    try {
      expect(s.faults).toEqual([]);
    } finally {
      await s.stop();
    }
  });
});
