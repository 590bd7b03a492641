// A VRRP segment for the interop tests: two router namespaces and a client on
// one switch, and the kernel-state questions every test asks (who holds the
// VIP, what MAC the client's neighbour table has for it).

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab, ProcessHandle } from '@keepalived-ts/test-utils';

export const VRRPD = fileURLToPath(new URL('../../tools/vrrpd/dist/vrrpd.js', import.meta.url));

export interface Segment {
  readonly a: string;
  readonly b: string;
  readonly client: string;
  /** The routers' own addresses: IPv4 10.N.0.1/.2 and link-local fe80::1/::2. */
  readonly ipA: string;
  readonly ipB: string;
  readonly ipClient: string;
}

/** `subnet` keeps parallel tests' addresses apart (10.<subnet>.0.0/24), though namespaces already do. */
export async function segment(lab: Lab, subnet: number): Promise<Segment> {
  const sw = await lab.addSwitch('sw');
  const a = await lab.addNamespace('a');
  const b = await lab.addNamespace('b');
  const client = await lab.addNamespace('c');
  const hosts: [string, number][] = [[a, 1], [b, 2], [client, 9]];
  for (const [ns, host] of hosts) {
    await lab.plug(ns, sw, { up: false });
    // A fixed link-local so that IPv6 adverts have a known source and tie-break.
    await lab.exec(ns, ['ip', 'link', 'set', 'eth0', 'addrgenmode', 'none'], { check: true });
    await lab.linkUp(ns, 'eth0');
    await lab.addAddress(ns, 'eth0', `10.${subnet}.0.${host}/24`);
    await lab.addAddress(ns, 'eth0', `fe80::${host}/64`);
    await lab.addAddress(ns, 'eth0', `fd${subnet}::${host}/64`);
  }
  return { a, b, client, ipA: `10.${subnet}.0.1`, ipB: `10.${subnet}.0.2`, ipClient: `10.${subnet}.0.9` };
}

export async function startVrrpd(lab: Lab, ns: string, configText: string, extraArgs: readonly string[] = []): Promise<{ process: ProcessHandle; configFile: string }> {
  const dir = await lab.tempDir('vrrpd');
  const configFile = join(dir, 'keepalived.conf');
  await writeFile(configFile, configText);
  const child = await lab.spawn(ns, [process.execPath, VRRPD, '-f', configFile, ...extraArgs]);
  return { process: child, configFile };
}

/** The namespaces whose interfaces hold `vip` (kernel state, as `ip -j addr` shows it). */
export async function holders(lab: Lab, namespaces: readonly string[], vip: string): Promise<string[]> {
  const found: string[] = [];
  for (const ns of namespaces) {
    const { stdout } = await lab.exec(ns, ['ip', '-j', 'addr', 'show']);
    const links = JSON.parse(stdout) as { addr_info: { local: string }[] }[];
    if (links.some((l) => l.addr_info.some((a) => a.local === vip))) found.push(ns);
  }
  return found;
}

export async function macOf(lab: Lab, ns: string, ifname = 'eth0'): Promise<string> {
  const { stdout } = await lab.exec(ns, ['cat', `/sys/class/net/${ifname}/address`], { check: true });
  return stdout.trim();
}

/** The MAC the client's neighbour table has for `ip`, if any. */
export async function neighbourMac(lab: Lab, ns: string, ip: string): Promise<string | undefined> {
  const { stdout } = await lab.exec(ns, ['ip', '-j', 'neigh', 'show', 'to', ip]);
  const entries = JSON.parse(stdout || '[]') as { lladdr?: string }[];
  return entries[0]?.lladdr;
}

/**
 * Makes the client learn gratuitous ARPs even for addresses it has no entry
 * for yet (arp_accept), and gives it a first entry by talking to the VIP.
 */
export async function prepareClient(lab: Lab, seg: Segment): Promise<void> {
  await lab.exec(seg.client, ['sysctl', '-q', '-w', 'net.ipv4.conf.eth0.arp_accept=1', 'net.ipv4.conf.all.arp_accept=1'], { check: true });
}
