// The name look-ups ipvsadm does through libc: getservbyname/getservbyport
// (/etc/services, first match in file order), gethostbyname (here from
// /etc/hosts) and gethostbyaddr (getnameinfo through Node, which asks the
// same NSS sources: /etc/hosts, then DNS).

import { lookupService } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP, type Af, type NameResolver } from '@keepalived-ts/ipvs';
import type { Lookups } from './options.js';

interface ServiceEntry {
  readonly names: readonly string[];
  readonly port: number;
  readonly proto: string;
}

let services: ServiceEntry[] | undefined;
function serviceTable(): ServiceEntry[] {
  if (services) return services;
  services = [];
  let text = '';
  try {
    text = readFileSync('/etc/services', 'utf8');
  } catch {
    return services;
  }
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const m = /^(\S+)\s+(\d+)\/(\S+)\s*(.*)$/.exec(line);
    if (m) services.push({ names: [m[1]!, ...m[4]!.split(/\s+/).filter(Boolean)], port: Number(m[2]), proto: m[3]! });
  }
  return services;
}

const protoName = (p: number): string | undefined => (p === IPPROTO_TCP ? 'tcp' : p === IPPROTO_UDP ? 'udp' : p === IPPROTO_SCTP ? 'sctp' : undefined);

export function servicePort(name: string, protocol: number): number | undefined {
  const proto = protoName(protocol);
  return proto === undefined ? undefined : serviceTable().find((s) => s.proto === proto && s.names.includes(name))?.port;
}

export function serviceName(port: number, protocol: number): string | undefined {
  const proto = protoName(protocol);
  return proto === undefined ? undefined : serviceTable().find((s) => s.proto === proto && s.port === port)?.names[0];
}

export function hostAddress(name: string): string | undefined {
  try {
    for (const raw of readFileSync('/etc/hosts', 'utf8').split('\n')) {
      const [addr, ...names] = raw.replace(/#.*/, '').trim().split(/\s+/);
      if (addr && /^\d+\.\d+\.\d+\.\d+$/.test(addr) && names.includes(name)) return addr;
    }
  } catch {
    // no /etc/hosts: no name
  }
  return undefined;
}

export const LOOKUPS: Lookups = { servicePort, hostAddress };

/** Resolves every address once, beforehand, so that the formatter stays synchronous. */
export async function resolveNames(addresses: Iterable<readonly [Af, string]>): Promise<NameResolver> {
  const hosts = new Map<string, string | undefined>();
  await Promise.all(
    [...new Set([...addresses].map(([, a]) => a))].map(async (address) => {
      try {
        const { hostname } = await lookupService(address, 0);
        hosts.set(address, hostname === address ? undefined : hostname);
      } catch {
        hosts.set(address, undefined);
      }
    }),
  );
  return {
    host: (_af, address) => hosts.get(address),
    service: serviceName,
  };
}
