// Many VRRP instances on one segment, for vrrpdSteadyState.ts and
// vrrpdStall.ts: the keepalived.conf both implementations read, each
// instance's state from the log, and the kernel's view (VIPs held, adverts
// dropped at the VRRP sockets).

import type { Lab } from '@keepalived-ts/test-utils';
import type { InstanceState, Router } from './vrrpRouters.js';

/** The segment's subnet: routers 10.90.0.1 and .2, VIPs 10.90.1.VRID/32. */
export const SUBNET = 90;
const VIP_PREFIX = `10.${SUBNET}.1.`;

/**
 * `count` instances VI_1..VI_count (VRIDs 1..count, at most 255), VRRPv3,
 * advert_int 0.1, one /32 VIP each: /32 so that removing one address never
 * takes others with it as a primary's secondaries.
 */
export function manyInstancesConf(count: number, state: 'MASTER' | 'BACKUP', priority: number): string {
  const blocks = [`global_defs {\n    router_id bench\n}\n`];
  for (let vrid = 1; vrid <= count; vrid++) {
    blocks.push(`vrrp_instance VI_${vrid} {
    state ${state}
    interface eth0
    virtual_router_id ${vrid}
    priority ${priority}
    advert_int 0.1
    version 3
    virtual_ipaddress {
        ${VIP_PREFIX}${vrid}/32
    }
}
`);
  }
  return blocks.join('');
}

const STATE_LINE = /\(VI_(\d+)\) Entering (MASTER|BACKUP|FAULT) STATE/;

/** Each instance's last logged state, and how many state lines the log holds. */
export function states(router: Router): { readonly last: Map<number, InstanceState>; readonly transitions: number } {
  const last = new Map<number, InstanceState>();
  let transitions = 0;
  for (const line of router.logLines()) {
    const m = STATE_LINE.exec(line);
    if (!m) continue;
    transitions++;
    last.set(Number(m[1]), m[2] as InstanceState);
  }
  return { last, transitions };
}

export const countIn = (last: ReadonlyMap<number, InstanceState>, state: InstanceState): number => [...last.values()].filter((s) => s === state).length;

/** How many of our VIPs a router namespace holds (kernel state). */
export async function vipCount(lab: Lab, ns: string): Promise<number> {
  const { stdout } = await lab.exec(ns, ['ip', '-j', '-4', 'addr', 'show', 'dev', 'eth0'], { check: true });
  const links = JSON.parse(stdout) as { addr_info: { local: string }[] }[];
  return links.flatMap((l) => l.addr_info).filter((a) => a.local.startsWith(VIP_PREFIX)).length;
}

/** Drops counted by the kernel on a namespace's raw sockets for protocol 112 (/proc/net/raw, last column). */
export async function vrrpSocketDrops(lab: Lab, ns: string): Promise<number> {
  const { stdout } = await lab.exec(ns, ['cat', '/proc/net/raw'], { check: true });
  return stdout
    .split('\n')
    .filter((l) => /^\s*\d+: [0-9A-F]{8}:0070 /.test(l))
    .reduce((sum, l) => sum + Number(l.trim().split(/\s+/).at(-1)), 0);
}
