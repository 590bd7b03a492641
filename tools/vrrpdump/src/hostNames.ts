// Without -n, tcpdump resolves addresses to names. vrrpdump looks only in
// /etc/hosts: a DNS query per packet would put traffic on the network and
// stall the output, which is the wrong trade for a monitoring tool.

import { readFileSync } from 'node:fs';
import { parseAddress, formatAddress } from '@keepalived-ts/vrrp';

export type NameOf = (address: string) => string;

export const numeric: NameOf = (address) => address;

export function hostsFileNames(path = '/etc/hosts'): NameOf {
  const names = new Map<string, string>();
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return numeric;
  }
  for (const line of text.split('\n')) {
    const fields = line.replace(/#.*/, '').trim().split(/\s+/);
    const address = fields[0] && parseAddress(fields[0]);
    if (!address || !fields[1]) continue;
    // Keyed by the printed form so that fe80:0::1 and fe80::1 meet.
    const key = formatAddress(address.bytes, address.family);
    if (!names.has(key)) names.set(key, fields[1]);
  }
  return (address) => names.get(address) ?? address;
}
