import './reflect-metadata.ts';
import * as x509 from '@peculiar/x509';
import { writeFile } from 'node:fs/promises';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';
import { countRequest, type ComponentContext, type Listening } from '../types.ts';

// ECDSA P-256 keeps key generation and signing in the low milliseconds, so the whole TLS piece
// (CA + leaves) starts far below the sandbox's 300 ms budget; RSA-2048 would take ~100 ms a key.
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** The host name a `tls-wrong-host` gateway leaf is issued for instead of the real one. */
const WRONG_HOST = 'wrong.example.test';

/**
 * The sandbox's private certificate authority. `certPem` is what the suite must trust (write it
 * with `writeCaPem` for `NODE_EXTRA_CA_CERTS`, or pass the string as a `ca` option); `issuer` is
 * its distinguished name as it appears in every leaf's issuer field. The signing key never
 * leaves WebCrypto (it is not extractable).
 */
export interface SandboxCa {
  readonly certPem: string;
  readonly issuer: string;
  readonly cert: x509.X509Certificate;
  readonly keys: CryptoKeyPair;
}

/** A leaf certificate with its PKCS#8 private key, both PEM, and the facts a Fly record needs. */
export interface SandboxLeaf {
  readonly certPem: string;
  readonly keyPem: string;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  /** ISO-8601 instants, as the Fly certificates API reports them. */
  readonly notBefore: string;
  readonly notAfter: string;
  readonly issuer: string;
  /** Colon-separated upper-case SHA-256, the format of `getPeerCertificate().fingerprint256`. */
  readonly fingerprint256: string;
}

/**
 * Generates a fresh self-signed CA (ECDSA P-256, valid from yesterday for ten years, path length
 * 0 so it can only sign leaves). Every sandbox start makes a new one, so a stale trust file from
 * an earlier run never verifies the current servers.
 */
export async function createSandboxCa(name = 'gateway-cutover sandbox CA'): Promise<SandboxCa> {
  const keys = await crypto.subtle.generateKey(ALGORITHM, false, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${name}, O=gateway-cutover sandbox`,
    keys,
    signingAlgorithm: ALGORITHM,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 3650 * DAY_MS),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), issuer: cert.subject, cert, keys };
}

/**
 * Writes the CA certificate as PEM to `path` and returns the path. Node reads
 * `NODE_EXTRA_CA_CERTS` only at process start, so this is for child processes (the cutover run
 * a selftest spawns); in-process clients should pass `ca.certPem` as a `ca` option instead.
 */
export async function writeCaPem(ca: SandboxCa, path: string): Promise<string> {
  await writeFile(path, ca.certPem, { mode: 0o644 });
  return path;
}

/**
 * Issues a TLS server leaf signed by `ca`. `validDays` counts from now; `notBefore` is one hour
 * in the past so clock skew between the sandbox and a client never makes a fresh leaf "not yet
 * valid". The subject CN is the first DNS name, but clients match on the SAN only.
 */
export async function issueLeaf(
  ca: SandboxCa,
  o: { dnsNames: readonly string[]; ipAddresses?: readonly string[]; validDays: number },
): Promise<SandboxLeaf> {
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const notBefore = new Date(now - 3_600_000);
  const notAfter = new Date(now + o.validDays * DAY_MS);
  const ipAddresses = o.ipAddresses ?? [];
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${o.dnsNames[0] ?? ipAddresses[0] ?? 'sandbox'}`,
    issuer: ca.cert.subject,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ALGORITHM,
    notBefore,
    notAfter,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...o.dnsNames.map((value) => ({ type: 'dns' as const, value })),
        ...ipAddresses.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    ],
  });
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  const thumbprint = Buffer.from(await cert.getThumbprint('SHA-256'))
    .toString('hex')
    .toUpperCase();
  return {
    certPem: cert.toString('pem'),
    keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
    dnsNames: [...o.dnsNames],
    ipAddresses: [...ipAddresses],
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    issuer: cert.issuer,
    fingerprint256: thumbprint.match(/../g)?.join(':') ?? thumbprint,
  };
}

/** Options of `startTlsProxy`. */
export interface TlsProxyOptions extends ComponentContext {
  /** HTTP base URL the decrypted bytes are piped to, e.g. the gateway stand-in's `url`. */
  readonly target: string;
  /** The public host name the leaf is issued for; use `localhost` so DNS really resolves. */
  readonly hostName: string;
  readonly ca: SandboxCa;
  /** Leaf lifetime from now; 90 days (Let's Encrypt's) by default. */
  readonly validDays?: number;
  /**
   * Which public site this proxy fronts. Only `gateway` (the default) consults the
   * `tls-expiring` and `tls-wrong-host` faults, because each fault breaks one site's promise.
   */
  readonly site?: 'gateway' | 'langfuse';
}

/** A running TLS terminator; `url` is `https://<hostName>:<port>`. */
export interface TlsProxy extends Listening {
  readonly port: number;
  readonly hostName: string;
  /** The leaf actually served, after faults; feed it to the Fly certificates stand-in. */
  readonly leaf: SandboxLeaf;
}

/**
 * Starts an HTTPS listener on 127.0.0.1 that terminates TLS with a leaf from `ca` and pipes the
 * plaintext to `target` over TCP, the way Fly's edge proxy fronts an app. The leaf's SAN is
 * `hostName` plus IP 127.0.0.1; with `tls-wrong-host` it is `wrong.example.test` only, with
 * `tls-expiring` it is valid for 3 more days. ALPN offers only `http/1.1` because the pipe
 * cannot translate HTTP/2. Every accepted TLS connection counts once under `tls-<site>`, so a
 * run that "sent nothing" also opened no TLS connection.
 */
export async function startTlsProxy(o: TlsProxyOptions): Promise<TlsProxy> {
  const site = o.site ?? 'gateway';
  const faulty = site === 'gateway';
  const wrongHost = faulty && o.faults.has('tls-wrong-host');
  const leaf = await issueLeaf(o.ca, {
    dnsNames: wrongHost ? [WRONG_HOST] : [o.hostName],
    ipAddresses: wrongHost ? [] : ['127.0.0.1'],
    validDays: faulty && o.faults.has('tls-expiring') ? 3 : (o.validDays ?? 90),
  });
  const target = new URL(o.target);
  const targetPort = Number(target.port || 80);
  const sockets = new Set<Socket>();
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };

  const server = createServer(
    { key: leaf.keyPem, cert: leaf.certPem, ALPNProtocols: ['http/1.1'] },
    (tlsSocket: TLSSocket) => {
      countRequest(o.counter, `tls-${site}`);
      track(tlsSocket);
      const upstream = connect(targetPort, target.hostname);
      track(upstream);
      // Either side failing ends both, like a proxy that lost its backend: the client sees a reset.
      upstream.on('error', () => tlsSocket.destroy());
      tlsSocket.on('error', () => upstream.destroy());
      tlsSocket.pipe(upstream).pipe(tlsSocket);
    },
  );
  // A client that rejects our certificate aborts the handshake; that is the expected outcome of
  // the TLS faults, not a server error.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    hostName: o.hostName,
    leaf,
    url: `https://${o.hostName}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
