import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkServerIdentity, connect, type PeerCertificate, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFaults, type FaultName } from '../faults.ts';
import { listen, sendJson } from '../http.ts';
import type { Listening, RequestCounter } from '../types.ts';
import { createSandboxCa, startTlsProxy, writeCaPem, type SandboxCa, type TlsProxy } from './index.ts';

const DAY_MS = 86_400_000;
const open: Listening[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

async function backend(counter: RequestCounter): Promise<Listening> {
  const b = await listen('backend', counter, (req, res) => sendJson(res, 200, { path: req.url }));
  open.push(b);
  return b;
}

async function proxy(
  o: { faults?: FaultName[]; site?: 'gateway' | 'langfuse'; ca?: SandboxCa; validDays?: number } = {},
) {
  const counter: RequestCounter = { total: 0, byComponent: {} };
  const ca = o.ca ?? (await createSandboxCa());
  const b = await backend(counter);
  const p = await startTlsProxy({
    faults: parseFaults(o.faults ?? []),
    counter,
    target: b.url,
    hostName: 'localhost',
    ca,
    ...(o.site ? { site: o.site } : {}),
    ...(o.validDays ? { validDays: o.validDays } : {}),
  });
  open.push(p);
  return { ca, p, counter };
}

interface Handshake {
  socket: TLSSocket;
  cert: PeerCertificate;
}

/** Connects with SNI and full verification, resolving on `secureConnect` or rejecting with the TLS error. */
function handshake(p: TlsProxy, ca: string, servername = 'localhost', rejectUnauthorized = true): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: 'localhost', port: p.port, servername, ca, rejectUnauthorized }, () =>
      resolve({ socket, cert: socket.getPeerCertificate() }),
    );
    socket.on('error', reject);
  });
}

describe('startTlsProxy', () => {
  it('verifies against the sandbox CA with SNI and forwards HTTP to the target', async () => {
    const { ca, p, counter } = await proxy();
    const { socket, cert } = await handshake(p, ca.certPem);
    expect(socket.authorized).toBe(true);
    expect(socket.alpnProtocol).toBe(false);
    expect(cert.subjectaltname).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(cert.issuer.CN).toBe('gateway-cutover sandbox CA');
    expect(checkServerIdentity('localhost', cert)).toBeUndefined();
    const daysLeft = (Date.parse(cert.valid_to) - Date.now()) / DAY_MS;
    expect(daysLeft).toBeGreaterThan(89);
    expect(cert.fingerprint256).toBe(p.leaf.fingerprint256);

    const body = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('end', () => resolve(text));
      socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    });
    expect(body).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(body).toContain('{"path":"/health"}');
    expect(counter.byComponent).toEqual({ 'tls-gateway': 1, backend: 1 });
    expect(p.url).toBe(`https://localhost:${p.port}`);
  });

  it('is untrusted without the CA, and verifies by IP through the IP SAN', async () => {
    const { ca, p } = await proxy();
    await expect(fetch(`${p.url}/x`)).rejects.toThrow();
    const byIp = await new Promise<TLSSocket>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: p.port, ca: ca.certPem }, () => resolve(s));
      s.on('error', reject);
    });
    expect(byIp.authorized).toBe(true);
    byIp.destroy();
  });

  it('rejects a client that does not trust the sandbox CA', async () => {
    const { p } = await proxy();
    const other = await createSandboxCa('someone else');
    await expect(handshake(p, other.certPem)).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('honours validDays and reports the leaf for the Fly certificates record', async () => {
    const { p, ca } = await proxy({ validDays: 30 });
    expect((Date.parse(p.leaf.notAfter) - Date.now()) / DAY_MS).toBeCloseTo(30, 1);
    expect(p.leaf.issuer).toBe(ca.issuer);
    expect(p.leaf.dnsNames).toEqual(['localhost']);
  });

  it('tls-expiring: the gateway leaf still verifies but expires in 3 days', async () => {
    const { ca, p } = await proxy({ faults: ['tls-expiring'] });
    const { socket, cert } = await handshake(p, ca.certPem);
    expect(socket.authorized).toBe(true);
    const daysLeft = (Date.parse(cert.valid_to) - Date.now()) / DAY_MS;
    expect(daysLeft).toBeGreaterThan(2.9);
    expect(daysLeft).toBeLessThan(3.01);
    socket.destroy();
  });

  it('tls-wrong-host: the gateway leaf names another host, so verification fails', async () => {
    const { ca, p } = await proxy({ faults: ['tls-wrong-host'] });
    await expect(handshake(p, ca.certPem)).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    const { socket, cert } = await handshake(p, ca.certPem, 'localhost', false);
    // The chain verifies; only the name check fails, which Node folds into `authorized`.
    expect(socket.authorized).toBe(false);
    expect(String(socket.authorizationError)).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(cert.subjectaltname).toBe('DNS:wrong.example.test');
    expect(checkServerIdentity('localhost', cert)).toBeInstanceOf(Error);
    socket.destroy();
  });

  it('leaves the langfuse site alone under gateway TLS faults', async () => {
    const { ca, p } = await proxy({ faults: ['tls-wrong-host', 'tls-expiring'], site: 'langfuse' });
    const { socket, cert } = await handshake(p, ca.certPem);
    expect(cert.subjectaltname).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect((Date.parse(cert.valid_to) - Date.now()) / DAY_MS).toBeGreaterThan(89);
    socket.destroy();
  });

  it('an expired leaf fails with CERT_HAS_EXPIRED', async () => {
    const ca = await createSandboxCa();
    const { p } = await proxy({ ca, validDays: -1 });
    await expect(handshake(p, ca.certPem)).rejects.toMatchObject({ code: 'CERT_HAS_EXPIRED' });
  });

  it('starts CA and two leaves well under 300 ms', async () => {
    const counter: RequestCounter = { total: 0, byComponent: {} };
    const b = await backend(counter);
    const t0 = performance.now();
    const ca = await createSandboxCa();
    const proxies = await Promise.all(
      (['gateway', 'langfuse'] as const).map((site) =>
        startTlsProxy({ faults: new Set(), counter, target: b.url, hostName: 'localhost', ca, site }),
      ),
    );
    const elapsed = performance.now() - t0;
    open.push(...proxies);
    expect(elapsed).toBeLessThan(300);
  });

  it('writeCaPem writes the trust file', async () => {
    const ca = await createSandboxCa();
    const dir = await mkdtemp(join(tmpdir(), 'sandbox-ca-'));
    try {
      const path = await writeCaPem(ca, join(dir, 'ca.pem'));
      expect(await readFile(path, 'utf8')).toBe(ca.certPem);
      expect(ca.certPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
