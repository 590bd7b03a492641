// The one-instance mode without a file:
//   vrrpd -i eth0 --vrid 51 --priority 100 --vip 10.0.0.100/24
// builds the same DaemonConfig a keepalived.conf would, with keepalived's defaults.

import { usageError } from '@keepalived-ts/cli';
import { familyOf, VRRP_MULTICAST_IPV4, VRRP_MULTICAST_IPV6 } from '@keepalived-ts/vrrp';
import { DEFAULT_GARP_TIMING } from '@keepalived-ts/election';
import type { DaemonConfig, VirtualAddress } from './runtimeConfig.js';

export interface InstanceFlags {
  readonly interface: string;
  readonly vrid: number;
  readonly priority: number;
  readonly vips: readonly string[];
  readonly advertIntSeconds: number;
  readonly version?: 2 | 3;
  readonly state: 'master' | 'backup';
  readonly preempt: boolean;
  readonly authPass?: string;
  readonly unicastSource?: string;
  readonly unicastPeers: readonly string[];
  readonly name: string;
}

export function parseVip(text: string, where: string): VirtualAddress {
  const [address, prefix, ...rest] = text.split('/');
  const family = address === undefined ? undefined : familyOf(address);
  if (!address || !family || rest.length > 0) throw usageError(`${where} ${JSON.stringify(text)}: not an IPv4 or IPv6 address with an optional /prefix`);
  const max = family === 4 ? 32 : 128;
  const prefixLength = prefix === undefined ? max : Number(prefix);
  if (!/^\d+$/.test(prefix ?? String(max)) || prefixLength > max) throw usageError(`${where} ${JSON.stringify(text)}: prefix must be 0 to ${max}`);
  return { address, prefixLength, family };
}

export function configFromFlags(flags: InstanceFlags): DaemonConfig {
  if (flags.vips.length === 0) throw usageError('--vip is required with -i (at least one)');
  const vips = flags.vips.map((v) => parseVip(v, '--vip'));
  const family = vips[0]!.family;
  if (vips.some((v) => v.family !== family)) throw usageError('--vip: all VIPs of one instance must be of one address family');
  const version = family === 6 ? 3 : (flags.version ?? 2);
  if (family === 6 && flags.version === 2) throw usageError('--vrrp-version 2 cannot carry IPv6 VIPs (VRRPv2 is IPv4 only)');
  if (version === 2 && !Number.isInteger(flags.advertIntSeconds)) throw usageError(`--advert-int ${flags.advertIntSeconds}: VRRPv2 needs whole seconds`);
  if (flags.authPass !== undefined && version === 3) throw usageError('--auth-pass: VRRPv3 has no authentication');
  return {
    instances: [
      {
        name: flags.name,
        interface: flags.interface,
        vrid: flags.vrid,
        version,
        family,
        priority: flags.priority,
        advertIntervalCs: Math.round(flags.advertIntSeconds * 100),
        initialState: flags.state,
        preempt: flags.preempt,
        preemptDelayMs: 0,
        ...(flags.authPass !== undefined ? { authPassword: flags.authPass } : {}),
        vips,
        excludedVips: [],
        ...(flags.unicastSource ? { unicastSource: flags.unicastSource } : {}),
        unicastPeers: flags.unicastPeers,
        multicastGroup: family === 4 ? VRRP_MULTICAST_IPV4 : VRRP_MULTICAST_IPV6,
        trackScripts: [],
        trackInterfaces: [],
        notify: {},
        garp: DEFAULT_GARP_TIMING,
        v3ChecksumAsV2: false,
      },
    ],
    scripts: [],
    syncGroups: [],
  };
}
