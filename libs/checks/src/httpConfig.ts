// The HTTP_GET and SSL_GET checkers of a keepalived.conf, read from the
// generic blocks libs/config keeps for virtual_server (ConfigNode fits
// ConfigBlock), into HttpCheckOptions with keepalived 2.2.7's defaults:
// connect_timeout 5 s, retry 1, delay_before_retry 3 s, http_protocol 1.0,
// status_code 200-299. connect_timeout, retry, delay_before_retry and bindto
// may be set on the checker, its real_server or its virtual_server (the
// nearest wins); the Host header comes from the url's virtualhost, else the
// checker's, the real_server's, then the virtual_server's. What keepalived
// would refuse is reported as a problem and left out, as keepalived leaves it out.

import { parseDigest } from './digest.js';
import type { HttpCheckOptions, HttpCheckUrl } from './httpCheck.js';
import type { HttpVersion } from './httpRequest.js';
import { DEFAULT_STATUS_CODES, parseStatusCodes, type StatusRange } from './httpStatus.js';

/** The shape of libs/config's ConfigNode that this needs. */
export interface ConfigBlock {
  readonly keyword: string;
  readonly args: readonly string[];
  readonly children: readonly ConfigBlock[] | undefined;
  readonly location: ConfigPlace;
}

export interface ConfigPlace {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface ConfiguredUrl extends HttpCheckUrl {
  readonly location: ConfigPlace;
}

export interface ConfiguredHttpCheck {
  readonly checker: 'HTTP_GET' | 'SSL_GET';
  readonly location: ConfigPlace;
  /** The virtual_server's words: "10.0.0.1 80", "fwmark 1", "group web". */
  readonly virtualServer: string;
  readonly realServer: { readonly address: string; readonly port: number | undefined };
  /** Undefined when the checker cannot run (no port to connect to). */
  readonly options: (Omit<HttpCheckOptions, 'urls'> & { readonly urls: readonly ConfiguredUrl[] }) | undefined;
  /** keepalived's complaints about this checker, in its words where it has them. */
  readonly problems: readonly { readonly location: ConfigPlace; readonly message: string }[];
}

const DEFAULTS = { connectTimeoutMs: 5000, retry: 1, delayBeforeRetryMs: 3000 } as const;

/** Every HTTP_GET and SSL_GET under the virtual_server blocks, in file order. */
export function findHttpChecks(virtualServers: readonly ConfigBlock[]): ConfiguredHttpCheck[] {
  const found: ConfiguredHttpCheck[] = [];
  for (const vs of virtualServers) {
    const vsWords = vs.args.join(' ');
    for (const rs of vs.children ?? []) {
      if (rs.keyword !== 'real_server') continue;
      for (const checker of rs.children ?? []) {
        if (checker.keyword === 'HTTP_GET' || checker.keyword === 'SSL_GET') found.push(readChecker(checker, rs, vs, vsWords));
      }
    }
  }
  return found;
}

function readChecker(checker: ConfigBlock, rs: ConfigBlock, vs: ConfigBlock, virtualServer: string): ConfiguredHttpCheck {
  const problems: { location: ConfigPlace; message: string }[] = [];
  const complain = (at: ConfigBlock, message: string): void => void problems.push({ location: at.location, message });
  const kind = checker.keyword as 'HTTP_GET' | 'SSL_GET';
  const [rsAddress = '', rsPortText] = rs.args;
  // The nearest of checker, real_server, virtual_server.
  const inherited = (keyword: string): ConfigBlock | undefined => last(checker, keyword) ?? last(rs, keyword) ?? last(vs, keyword);

  const urls: ConfiguredUrl[] = [];
  for (const block of checker.children ?? []) {
    if (block.keyword !== 'url') continue;
    const url = readUrl(block, complain);
    if (url) urls.push(url);
  }
  if (urls.length === 0) complain(checker, 'HTTP/SSL_GET checker has no urls specified - ignoring');

  const host = last(checker, 'connect_ip')?.args[0] ?? rsAddress;
  const portText = last(checker, 'connect_port')?.args[0] ?? rsPortText ?? (vs.args.length === 2 && vs.args[0] !== 'fwmark' && vs.args[0] !== 'group' ? vs.args[1] : undefined);
  const port = portText !== undefined && /^\d+$/.test(portText) && Number(portText) >= 1 && Number(portText) <= 65535 ? Number(portText) : undefined;
  if (port === undefined) complain(checker, portText === undefined ? 'no port to connect to (give connect_port)' : `invalid port '${portText}'`);

  const timeoutMs = timer(inherited('connect_timeout'), DEFAULTS.connectTimeoutMs, complain);
  const delayBeforeRetryMs = timer(inherited('delay_before_retry'), DEFAULTS.delayBeforeRetryMs, complain);
  const retryNode = last(checker, 'retry') ?? last(checker, 'nb_get_retry') ?? last(rs, 'retry') ?? last(vs, 'retry');
  let retry: number = DEFAULTS.retry;
  if (retryNode) {
    if (/^\d+$/.test(retryNode.args[0] ?? '')) retry = Number(retryNode.args[0]);
    else complain(retryNode, `Invalid ${retryNode.keyword} value '${retryNode.args[0] ?? ''}'`);
  }
  const virtualhost = last(checker, 'virtualhost')?.args[0] ?? last(rs, 'virtualhost')?.args[0] ?? last(vs, 'virtualhost')?.args[0];
  const bindTo = inherited('bindto')?.args[0];

  let httpVersion: HttpVersion = '1.0';
  const protocol = last(checker, 'http_protocol');
  if (protocol) {
    const word = protocol.args[0];
    if (word === '1.0' || word === '1.1') httpVersion = word;
    else if (word === '1.0C' || word === '1.0c') httpVersion = '1.0c';
    else complain(protocol, word === undefined ? 'Missing http_protocol version' : `Invalid http_protocol version ${word}`);
  }
  const sni = last(checker, 'enable_sni');
  const fwmark = inherited('fwmark');
  if (fwmark) complain(fwmark, 'fwmark is not applied: Node.js cannot set SO_MARK on a socket');

  const options =
    port === undefined || urls.length === 0
      ? undefined
      : {
          host,
          port,
          urls,
          timeoutMs,
          retry,
          delayBeforeRetryMs,
          httpVersion,
          ...(virtualhost !== undefined ? { virtualhost } : {}),
          ...(bindTo !== undefined ? { bindTo } : {}),
          // keepalived never verifies the certificate; enable_sni sends the virtualhost.
          ...(kind === 'SSL_GET' ? { tls: { insecure: true, sni: sni !== undefined && sni.args[0] !== 'false' && sni.args[0] !== 'no' && sni.args[0] !== 'off' } } : {}),
        };
  return { checker: kind, location: checker.location, virtualServer, realServer: { address: rsAddress, port: rsPortText !== undefined ? Number(rsPortText) : undefined }, options, problems };
}

function readUrl(block: ConfigBlock, complain: (at: ConfigBlock, message: string) => void): ConfiguredUrl | undefined {
  const path = last(block, 'path')?.args.join(' ');
  if (path === undefined) {
    complain(block, 'HTTP/SSL_GET checker url has no path - ignoring');
    return undefined;
  }
  let digest: string | undefined;
  const digestNode = last(block, 'digest');
  if (digestNode) {
    const parsed = parseDigest(digestNode.args[0] ?? '');
    if (parsed.ok) digest = parsed.digest;
    else complain(digestNode, parsed.reason);
  }
  const statusCodes: StatusRange[] = [];
  for (const node of block.children ?? []) {
    if (node.keyword !== 'status_code') continue;
    const parsed = parseStatusCodes(node.args);
    statusCodes.push(...parsed.ranges);
    for (const error of parsed.errors) complain(node, error);
  }
  const virtualhost = last(block, 'virtualhost')?.args[0];
  return {
    path,
    location: block.location,
    statusCodes: statusCodes.length > 0 ? statusCodes : DEFAULT_STATUS_CODES,
    ...(digest !== undefined ? { digest } : {}),
    ...(virtualhost !== undefined ? { virtualhost } : {}),
  };
}

function last(block: ConfigBlock, keyword: string): ConfigBlock | undefined {
  const children = block.children ?? [];
  for (let i = children.length - 1; i >= 0; i--) if (children[i]!.keyword === keyword) return children[i];
  return undefined;
}

/** keepalived's <TIMER>: seconds, fractions allowed. */
function timer(node: ConfigBlock | undefined, fallbackMs: number, complain: (at: ConfigBlock, message: string) => void): number {
  if (!node) return fallbackMs;
  const text = node.args[0] ?? '';
  if (!/^\d+(\.\d+)?$/.test(text)) {
    complain(node, `Invalid ${node.keyword} '${text}'`);
    return fallbackMs;
  }
  return Math.round(Number(text) * 1000);
}
