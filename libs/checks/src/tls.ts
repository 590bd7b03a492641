// TLS for SSL_GET and genhash -S. keepalived never verifies the server's
// certificate (its SSL context has no verify mode), so `insecure` is what
// keepalived does; without it the certificate is checked against `ca` (or
// Node's bundled roots) and against the name the server should have.

import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { checkServerIdentity, type ConnectionOptions, type PeerCertificate } from 'node:tls';

export interface HttpTlsOptions {
  /** Accept any certificate, as keepalived's SSL_GET and genhash do. */
  readonly insecure?: boolean;
  /** A PEM file of the CAs to trust instead of Node's bundled roots. */
  readonly ca?: string;
  /**
   * Server Name Indication. A name is sent as given; true sends the request's
   * virtualhost, as keepalived's enable_sni (and genhash -I) do; absent or
   * false sends none.
   */
  readonly sni?: string | boolean;
}

export type TlsSetup = { readonly ok: true; readonly options: ConnectionOptions } | { readonly ok: false; readonly reason: string };

/**
 * Node's connect options for one exchange. `virtualhost` is the request's
 * Host; the certificate must name the SNI name, else the virtualhost, else
 * the address connected to.
 */
export async function tlsConnectOptions(tls: HttpTlsOptions, address: string, virtualhost: string | undefined): Promise<TlsSetup> {
  const sni = tls.sni === true ? virtualhost : tls.sni === false ? undefined : tls.sni;
  const identity = sni ?? virtualhost ?? address;
  let ca: Buffer | undefined;
  if (tls.ca !== undefined) {
    try {
      ca = await readFile(tls.ca);
    } catch (error) {
      return { ok: false, reason: `cannot read CA file ${tls.ca}: ${(error as Error).message.replace(/^\w+: /, '')}` };
    }
  }
  return {
    ok: true,
    options: {
      // Node refuses an IP address as SNI (RFC 6066); OpenSSL would send it, but no server keys on it.
      ...(sni !== undefined && sni !== '' && isIP(sni) === 0 ? { servername: sni } : {}),
      ...(ca ? { ca } : {}),
      rejectUnauthorized: tls.insecure !== true,
      checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(identity, cert),
    },
  };
}

/** Why a handshake failed, in OpenSSL's or Node's words ("self-signed certificate", "wrong version number"). */
export function tlsFailureText(error: Error): string {
  const message = error.message
    .replace(/^[0-9A-F]+:error:[0-9A-F]+:SSL routines:[^:]*:/i, '')
    .replace(/^.*?SSL routines::/, '')
    .replace(/:\.\.\/deps\/openssl.*$/s, '')
    .trim();
  if ((error as NodeJS.ErrnoException).code === 'ECONNRESET') return 'connection reset by the server';
  if (message === 'Client network socket disconnected before secure TLS connection was established') return 'connection closed by the server';
  return message;
}
