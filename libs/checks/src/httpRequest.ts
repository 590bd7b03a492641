// The GET request HTTP_GET, SSL_GET and genhash send, byte for byte as
// keepalived 2.2.7 builds it (check_http.c, request_template and
// http_request_thread):
//
//   GET <path> HTTP/1.<0|1>\r\n
//   User-Agent: KeepAliveClient\r\n
//   [Connection: close\r\n]            only for http_protocol 1.0C and 1.1
//   Host: <virtualhost | address:port | [v6 address]:port>\r\n
//   \r\n
//
// A virtualhost is sent without a port; without one the Host header is the
// server address as inet_ntop prints it (IPv6 in brackets, RFC 2732) and the
// port. No Accept-Encoding is sent, so servers do not compress the body.

import { formatAddress, parseAddress } from '@keepalived-ts/vrrp';

/** keepalived's http_protocol: 1.0C is 1.0 with "Connection: close", which 1.1 always sends. */
export type HttpVersion = '1.0' | '1.0c' | '1.1';

/** keepalived builds the request in a 2048-byte buffer (GET_BUFFER_LENGTH): snprintf keeps 2047 bytes. */
const GET_BUFFER_LENGTH = 2048;

export interface HttpRequestTarget {
  /** The server's address (a name is sent as written). */
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly virtualhost?: string;
  readonly httpVersion?: HttpVersion;
}

/** The Host header's value. */
export function hostHeader(host: string, port: number, virtualhost?: string): string {
  if (virtualhost !== undefined) return virtualhost;
  const address = parseAddress(host);
  if (!address) return `${host}:${port}`;
  const text = formatAddress(address.bytes, address.family);
  return address.family === 6 ? `[${text}]:${port}` : `${text}:${port}`;
}

/** The request's bytes (the path and virtualhost as UTF-8, as typed on a command line). */
export function httpRequestBytes(target: HttpRequestTarget): Buffer {
  const version = target.httpVersion ?? '1.0';
  const text =
    `GET ${target.path} HTTP/1.${version === '1.1' ? 1 : 0}\r\n` +
    'User-Agent: KeepAliveClient\r\n' +
    (version === '1.0' ? '' : 'Connection: close\r\n') +
    `Host: ${hostHeader(target.host, target.port, target.virtualhost)}\r\n\r\n`;
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length < GET_BUFFER_LENGTH ? bytes : bytes.subarray(0, GET_BUFFER_LENGTH - 1);
}
