// Where a check goes, as typed on the command line: HOST, HOST:PORT,
// [IPV6]:PORT, or a URL. Names are resolved once, here, because the
// checkers (like keepalived's connect_ip) take addresses.

import { isIP } from 'node:net';
import { usageError } from '@keepalived-ts/cli';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

function portOf(text: string, whole: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) throw usageError(`${JSON.stringify(whole)}: port ${JSON.stringify(text)} is not from 1 to 65535`);
  return Number(text);
}

/**
 * `10.0.0.2:80`, `[fd00::2]:80`, `web1:80`; without a port, `defaultPort`
 * (a usage error when there is none). A bare IPv6 address has no port.
 */
export function parseHostPort(text: string, defaultPort?: number): HostPort {
  let host: string;
  let port: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1]!;
    port = bracketed[2];
    if (isIP(host) !== 6) throw usageError(`${JSON.stringify(text)}: ${JSON.stringify(host)} is not an IPv6 address`);
  } else if (isIP(text) === 6) {
    host = text;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon >= 0) {
      host = text.slice(0, colon);
      port = text.slice(colon + 1);
    } else {
      host = text;
    }
  }
  if (host === '') throw usageError(`${JSON.stringify(text)}: no host`);
  if (port === undefined) {
    if (defaultPort === undefined) throw usageError(`${JSON.stringify(text)}: give a port, as HOST:PORT or [IPV6]:PORT`);
    return { host, port: defaultPort };
  }
  return { host, port: portOf(port, text) };
}

/** A host with no port: an address, a name or [IPV6]. */
export function parseHost(text: string): string {
  const bracketed = /^\[([^\]]+)\]$/.exec(text);
  const host = bracketed ? bracketed[1]! : text;
  if (host === '' || (bracketed && isIP(host) !== 6)) throw usageError(`${JSON.stringify(text)} is not a host`);
  if (!bracketed && isIP(host) === 0 && host.includes(':')) throw usageError(`${JSON.stringify(text)}: give a host without a port`);
  return host;
}

export interface HttpTarget extends HostPort {
  readonly tls: boolean;
  /** The path and query, as keepalived's `url { path }` holds it. */
  readonly path: string;
  /** The URL's host when it is a name, to send as the Host header. */
  readonly hostName: string | undefined;
}

export function parseHttpUrl(text: string, scheme: 'http' | 'https'): HttpTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usageError(`${JSON.stringify(text)} is not a URL (e.g. ${scheme}://10.0.0.2/health)`);
  }
  if (url.protocol !== `${scheme}:`) throw usageError(`${JSON.stringify(text)}: hcheck ${scheme} takes ${scheme}:// URLs`);
  if (url.username || url.password) throw usageError(`${JSON.stringify(text)}: user names and passwords in URLs are not supported`);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === '' ? (scheme === 'https' ? 443 : 80) : Number(url.port);
  return { tls: scheme === 'https', host, port, path: `${url.pathname}${url.search}`, hostName: isIP(host) === 0 ? host : undefined };
}

/** The address to check: `host` itself when it is one, else its first address (A, then AAAA). */
export async function resolveHost(host: string): Promise<string> {
  if (isIP(host) !== 0 || /^[0-9a-fA-F:]+%[\w.-]+$/.test(host)) return host;
  const { lookup } = await import('node:dns/promises');
  try {
    return (await lookup(host)).address;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw usageError(`cannot resolve ${host}: ${code === 'ENOTFOUND' ? 'no such host' : code ?? String(error)}`);
  }
}
