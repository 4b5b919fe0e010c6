import { writeFileSync, mkdtempSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFaults, type FaultName } from '../../sandbox/faults.ts';
import { createSandboxCa, startTlsProxy, type SandboxCa } from '../../sandbox/tls/index.ts';
import { probeTls, TlsProbeError, trustedCas } from './tls-probe.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

let ca: SandboxCa | undefined;
async function site(faults: FaultName[] = []): Promise<{ url: string; caPem: string }> {
  ca ??= await createSandboxCa();
  const proxy = await startTlsProxy({
    faults: parseFaults(faults),
    counter: { total: 0, byComponent: {} },
    target: 'http://127.0.0.1:9',
    hostName: 'localhost',
    ca,
  });
  closers.push(() => proxy.close());
  return { url: proxy.url, caPem: ca.certPem };
}

describe('probeTls against the sandbox TLS front', () => {
  it('verifies a certificate for the host and reports issuer, names and expiry', async () => {
    const s = await site();
    const r = await probeTls(s.url, { ca: [s.caPem], timeoutMs: 3000 });
    expect(r).toMatchObject({
      host: 'localhost',
      verified: true,
      issuer: 'CN=gateway-cutover sandbox CA, O=gateway-cutover sandbox',
      san: 'DNS:localhost, IP Address:127.0.0.1',
    });
    expect(r.addresses).toContain('127.0.0.1');
    expect(r.daysLeft).toBeGreaterThan(89);
    expect(r.daysLeft).toBeLessThan(91);
  });

  it('refuses a certificate issued for another host', async () => {
    const s = await site(['tls-wrong-host']);
    const r = await probeTls(s.url, { ca: [s.caPem], timeoutMs: 3000 });
    expect(r.verified).toBe(false);
    expect(r.problem).toMatch(/^the certificate is not valid for localhost: .*wrong\.example\.test/);
  });

  it('reports the days left of an expiring certificate (the caller judges them)', async () => {
    const s = await site(['tls-expiring']);
    const r = await probeTls(s.url, { ca: [s.caPem], timeoutMs: 3000 });
    expect(r.verified).toBe(true);
    expect(r.daysLeft).toBeGreaterThan(2.9);
    expect(r.daysLeft).toBeLessThan(3.1);
  });

  it('refuses a chain from a CA that is not trusted, and says how to trust it', async () => {
    const s = await site();
    const r = await probeTls(s.url, { ca: await trustedCas(), timeoutMs: 3000 });
    expect(r.verified).toBe(false);
    expect(r.problem).toMatch(
      /chain does not verify \((UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\).*TLS_CA_FILE/,
    );
  });

  it('adds TLS_CA_FILE to the system roots', async () => {
    const s = await site();
    const file = join(mkdtempSync(join(tmpdir(), 'ca-')), 'ca.pem');
    writeFileSync(file, s.caPem);
    const cas = await trustedCas(file);
    expect(cas.at(-1)).toBe(s.caPem);
    expect((await probeTls(s.url, { ca: cas, timeoutMs: 3000 })).verified).toBe(true);
    await expect(trustedCas(join(tmpdir(), 'no-such-ca.pem'))).rejects.toThrow(
      /TLS_CA_FILE .*no-such-ca\.pem cannot be read/,
    );
  });
});

describe('probeTls failures', () => {
  it('fails when DNS does not resolve the host', async () => {
    await expect(probeTls('https://no-such-host.invalid', { ca: [], timeoutMs: 3000 })).rejects.toThrow(
      /^DNS does not resolve no-such-host\.invalid: ENOTFOUND/,
    );
  });

  it('ends in bounded time when the host accepts TCP but never answers the handshake', async () => {
    const sockets = new Set<Socket>();
    const server = createServer((s) => void sockets.add(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(
      () =>
        new Promise((r) => {
          for (const s of sockets) s.destroy();
          server.close(() => r());
        }),
    );
    const started = performance.now();
    const err = await probeTls(`https://127.0.0.1:${(server.address() as AddressInfo).port}`, {
      ca: [],
      timeoutMs: 300,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TlsProbeError);
    expect((err as Error).message).toMatch(
      /no TLS handshake with 127\.0\.0\.1:\d+ \(127\.0\.0\.1: no handshake within 300 ms\)/,
    );
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
