// keepalived's TCP_CHECK: the real server is up when a TCP connection to
// connect_ip:connect_port (from bindto, if set) completes within
// connect_timeout; the connection is then closed without a byte sent.

import net from 'node:net';
import type { CheckResult, CommonCheckOptions } from './checkResult.js';
import { assertBindTo, assertPort, formatEndpoint, ipFamily, runExchange } from './socket.js';

export interface TcpCheckOptions extends CommonCheckOptions {
  /** connect_ip: an IP address. */
  readonly host: string;
  /** connect_port. */
  readonly port: number;
}

export function tcpCheck(options: TcpCheckOptions): Promise<CheckResult> {
  const family = ipFamily(options.host, 'connect_ip');
  assertBindTo(options.bindTo, family);
  assertPort(options.port);
  return runExchange(options, (exchange) => {
    exchange.phase = `the connection to ${formatEndpoint(options.host, options.port)}`;
    const socket = net.connect({ host: options.host, port: options.port, family, localAddress: options.bindTo });
    socket.once('connect', () => exchange.up('connected'));
    socket.once('error', (error) => exchange.fail(error));
    return () => socket.destroy();
  });
}
