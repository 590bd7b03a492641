// The lab the demo builds: one switch, routers node1..nodeN and a client on
// it, all in network namespaces named after the lab's prefix, and the
// keepalived.conf every router reads (the same text for vrrpd and keepalived).

import type { Lab } from '@keepalived-ts/test-utils';
import type { DemoOptions } from './options.js';

export const SUBNET = '10.77.0';
export const VIP = `${SUBNET}.100`;
export const VRID = 51;
const CLIENT_HOST = 250;
// node1 clearly first; the rest close together, as in most real pairs.
const PRIORITIES = [150, 100, 90, 80, 70] as const;

export type Daemon = 'vrrpd' | 'keepalived';

export interface NodeSpec {
  /** node1, node2, ... */
  readonly name: string;
  /** Full namespace name. */
  readonly ns: string;
  readonly address: string;
  readonly priority: number;
  readonly daemon: Daemon;
}

export interface Topology {
  readonly switchNs: string;
  readonly nodes: readonly NodeSpec[];
  readonly clientNs: string;
  readonly clientAddress: string;
}

export function keepalivedConf(node: NodeSpec, options: DemoOptions): string {
  // Every router starts as BACKUP: the election, not the file, picks the master.
  return `global_defs {
    router_id ${node.name}
}

vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id ${VRID}
    priority ${node.priority}
    advert_int ${options.advertIntText}
    version ${options.vrrpVersion}
    virtual_ipaddress {
        ${VIP}/24
    }
}
`;
}

export async function buildTopology(lab: Lab, options: DemoOptions): Promise<Topology> {
  const switchNs = await lab.addSwitch('sw');
  const nodes: NodeSpec[] = [];
  for (let index = 0; index < options.nodes; index += 1) {
    const name = `node${index + 1}`;
    const ns = await lab.addNamespace(name);
    const address = `${SUBNET}.${index + 1}`;
    await lab.plug(ns, switchNs);
    await lab.addAddress(ns, 'eth0', `${address}/24`);
    nodes.push({
      name,
      ns,
      address,
      priority: PRIORITIES[index] ?? 50,
      // node2 is the backup that takes over: with --keepalived, the real one does.
      daemon: options.keepalived && index === 1 ? 'keepalived' : 'vrrpd',
    });
  }
  const clientNs = await lab.addNamespace('client');
  const clientAddress = `${SUBNET}.${CLIENT_HOST}`;
  await lab.plug(clientNs, switchNs);
  await lab.addAddress(clientNs, 'eth0', `${clientAddress}/24`);
  // Learn the VIP's new owner from a gratuitous ARP even without an entry for it yet.
  await lab.exec(clientNs, ['sh', '-c', 'echo 1 > /proc/sys/net/ipv4/conf/all/arp_accept && echo 1 > /proc/sys/net/ipv4/conf/eth0/arp_accept'], { check: true });
  return { switchNs, nodes, clientNs, clientAddress };
}

/** The nodes whose eth0 holds the VIP, as the kernel has it (`ip -j addr`). */
export async function vipHolders(lab: Lab, topology: Topology): Promise<string[]> {
  const found: string[] = [];
  for (const node of topology.nodes) {
    const { stdout } = await lab.exec(node.ns, ['ip', '-j', '-4', 'addr', 'show', 'dev', 'eth0'], { check: true });
    const links = JSON.parse(stdout || '[]') as { addr_info?: { local?: string }[] }[];
    if (links.some((link) => (link.addr_info ?? []).some((info) => info.local === VIP))) found.push(node.name);
  }
  return found;
}
