import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { checkServerIdentity, connect, rootCertificates, type PeerCertificate } from 'node:tls';
import { errorMessage } from '../evidence/error-text.ts';

/**
 * What one TLS handshake with a public host showed. `verified` is true when the chain leads to
 * a trusted CA (system roots plus TLS_CA_FILE) AND the certificate names the host; when false,
 * `problem` says which part failed. Dates are ISO-8601; `daysLeft` is fractional.
 */
export interface TlsProbeResult {
  readonly host: string;
  readonly port: number;
  /** Addresses DNS returned, in resolver order. */
  readonly addresses: readonly string[];
  /** The address the handshake happened with. */
  readonly address: string;
  readonly verified: boolean;
  readonly problem?: string;
  readonly subject?: string;
  readonly issuer: string;
  readonly san: string;
  readonly validFrom: string;
  readonly validTo: string;
  readonly daysLeft: number;
  readonly fingerprint256: string;
}

/** DNS did not resolve the host, or no address accepted a TLS handshake within the budget. */
export class TlsProbeError extends Error {
  override readonly name = 'TlsProbeError';
}

/** Reads the extra CA file (PEM) and returns system roots plus it; the roots alone when no file is given. */
export async function trustedCas(caFile?: string): Promise<string[]> {
  if (!caFile) return [...rootCertificates];
  try {
    return [...rootCertificates, await readFile(caFile, 'utf8')];
  } catch (err) {
    throw new TlsProbeError(`TLS_CA_FILE ${caFile} cannot be read: ${errorMessage(err)}`);
  }
}

/**
 * Resolves the host of an https URL and performs one TLS handshake with SNI set to the host
 * (tls.connect does not send SNI unless told, and Fly's edge would then serve another
 * certificate). Verification does not abort the handshake: the certificate is read either way,
 * so a failing host still reports its issuer, names and expiry. Each address DNS returned is
 * tried in order until one connects (`localhost` may resolve to ::1 where only 127.0.0.1
 * listens). The whole probe is bounded by `timeoutMs` per address.
 */
export async function probeTls(url: string, o: { ca: readonly string[]; timeoutMs: number }): Promise<TlsProbeResult> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port || 443);
  let addresses: string[];
  try {
    addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch (err) {
    throw new TlsProbeError(
      `DNS does not resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`,
    );
  }
  if (addresses.length === 0) throw new TlsProbeError(`DNS returned no address for ${host}`);
  const failures: string[] = [];
  for (const address of addresses) {
    try {
      return await handshake(host, port, address, addresses, o);
    } catch (err) {
      failures.push(`${address}: ${errorMessage(err)}`);
    }
  }
  throw new TlsProbeError(`no TLS handshake with ${host}:${port} (${failures.join('; ')})`);
}

function handshake(
  host: string,
  port: number,
  address: string,
  addresses: string[],
  o: { ca: readonly string[]; timeoutMs: number },
): Promise<TlsProbeResult> {
  return new Promise((resolve, reject) => {
    // SNI must be a host name (RFC 6066); an IP literal is matched against the IP SANs instead.
    const socket = connect({
      host: address,
      port,
      ...(isIP(host) ? {} : { servername: host }),
      ca: [...o.ca],
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    const timer = setTimeout(() => socket.destroy(new Error(`no handshake within ${o.timeoutMs} ms`)), o.timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const cert = socket.getPeerCertificate();
      socket.end();
      if (!cert || !cert.valid_to) return reject(new Error('the server sent no certificate'));
      // Node has already checked the name (authorizationError ERR_TLS_CERT_ALTNAME_INVALID);
      // checking again keeps the reason readable, and separate from chain problems.
      const identity = checkServerIdentity(host, cert);
      const chainError = socket.authorized ? undefined : String(socket.authorizationError ?? 'not authorized');
      const problems = [
        ...(chainError && !/ALTNAME/.test(chainError)
          ? [`the certificate chain does not verify (${chainError}); a private CA must be trusted through TLS_CA_FILE`]
          : []),
        ...(identity ? [`the certificate is not valid for ${host}: ${identity.message}`] : []),
      ];
      const problem = problems.join('; ') || undefined;
      const validTo = new Date(Date.parse(cert.valid_to));
      resolve({
        host,
        port,
        addresses,
        address,
        verified: !problem,
        ...(problem ? { problem } : {}),
        subject: nameOf(cert.subject),
        issuer: nameOf(cert.issuer) ?? '(unknown issuer)',
        san: cert.subjectaltname ?? '',
        validFrom: new Date(Date.parse(cert.valid_from)).toISOString(),
        validTo: validTo.toISOString(),
        daysLeft: (validTo.getTime() - Date.now()) / 86_400_000,
        fingerprint256: cert.fingerprint256,
      });
    });
  });
}

function nameOf(n: PeerCertificate['issuer'] | undefined): string | undefined {
  if (!n) return undefined;
  const parts = [n.CN && `CN=${n.CN}`, n.O && `O=${n.O}`].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : undefined;
}
