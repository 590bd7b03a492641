// The typed keepalived.conf: what the operator asked for, with keepalived
// 2.2.7's defaults already applied and its corrections already made. No
// runtime state lives here. Times keep the unit named in each field.

import type { AddressFamily } from '@keepalived-ts/vrrp';
import type { SourceLocation } from './diagnostics.js';
import type { ConfigNode } from './parser.js';
import type { LvsConfig } from './virtualServerModel.js';

export type * from './virtualServerModel.js';

export interface ScriptUser {
  readonly user: string;
  /** Undefined: the user's own group. */
  readonly group: string | undefined;
}

/** A command line keepalived runs (`script`, `notify_*`). */
export interface ScriptCommand {
  /** The command as written after the keyword, for messages. */
  readonly text: string;
  /** The argv keepalived builds from it: quotes group, backslash escapes. */
  readonly argv: readonly string[];
  /** Who runs it when given on the same line (notify scripts only); otherwise the script_user default. */
  readonly user: ScriptUser | undefined;
  readonly location: SourceLocation;
}

export interface NotifyFifo {
  readonly path: string;
  readonly user: ScriptUser | undefined;
  readonly location: SourceLocation;
}

export interface SmtpServer {
  readonly host: string;
  readonly port: number;
}

export interface GlobalDefs {
  readonly routerId: string | undefined;
  /** Default VRRP version of instances that set none; IPv6 instances use 3. */
  readonly vrrpVersion: 2 | 3;
  /** Seconds before the second burst of gratuitous ARPs after becoming master (0 disables it). */
  readonly vrrpGarpMasterDelay: number;
  readonly vrrpGarpMasterRepeat: number;
  /** Seconds between gratuitous ARP refreshes while master; 0 = off. */
  readonly vrrpGarpMasterRefresh: number;
  readonly vrrpGarpMasterRefreshRepeat: number;
  /** Seconds; defaults to vrrpGarpMasterDelay. */
  readonly vrrpGarpLowerPrioDelay: number;
  /** Defaults to vrrpGarpMasterRepeat. */
  readonly vrrpGarpLowerPrioRepeat: number;
  /** Seconds between gratuitous ARPs on one interface (microsecond resolution); 0 = no pause. */
  readonly vrrpGarpInterval: number;
  /** Seconds between unsolicited neighbour advertisements (microsecond resolution); 0 = no pause. */
  readonly vrrpGnaInterval: number;
  readonly vrrpMcastGroup4: string;
  readonly vrrpMcastGroup6: string;
  readonly scriptUser: ScriptUser | undefined;
  readonly enableScriptSecurity: boolean;
  readonly vrrpStrict: boolean;
  readonly notifyFifo: NotifyFifo | undefined;
  readonly vrrpNotifyFifo: NotifyFifo | undefined;
  readonly notificationEmail: readonly string[];
  readonly notificationEmailFrom: string | undefined;
  readonly smtpServer: SmtpServer | undefined;
  /** Seconds. */
  readonly smtpConnectTimeout: number;
  readonly vrrpSkipCheckAdvAddr: boolean;
  readonly vrrpCheckUnicastSrc: boolean;
  /** keepalived 2.3+ only (2.2.7 rejects the keyword): VRRPv3 over IPv4 without the pseudo-header. */
  readonly v3ChecksumAsV2: boolean;
  readonly location: SourceLocation | undefined;
}

export interface VrrpScript {
  readonly name: string;
  readonly script: ScriptCommand;
  /** Seconds between runs. */
  readonly interval: number;
  /** Seconds; undefined means keepalived's default of the interval. */
  readonly timeout: number | undefined;
  /** Priority change while the script succeeds (positive) or fails (negative); 0 = fault on failure. */
  readonly weight: number;
  readonly weightReverse: boolean;
  readonly rise: number;
  readonly fall: number;
  /** The script's own `user`; undefined uses the global script_user. */
  readonly user: ScriptUser | undefined;
  readonly initFail: boolean;
  readonly location: SourceLocation;
}

export type VrrpState = 'MASTER' | 'BACKUP';

export interface VirtualAddress {
  /** The address as written, without the prefix length. */
  readonly address: string;
  readonly family: AddressFamily;
  readonly prefixLength: number;
  readonly device: string | undefined;
  /** `brd`: an address, or `+`/`-` as ip(8) takes them. */
  readonly broadcast: string | undefined;
  /** `scope`: host, link, site, global, nowhere, or a number. */
  readonly scope: string | undefined;
  readonly label: string | undefined;
  readonly noTrack: boolean;
  /** Other ip(8) flags keepalived passes through: home, -nodad, noprefixroute, autojoin, mngtmpaddr, use_vmac, peer, preferred_lft. */
  readonly flags: readonly string[];
  readonly location: SourceLocation;
}

export interface UnicastPeer {
  readonly address: string;
  readonly location: SourceLocation;
}

export interface TrackedInterface {
  readonly name: string;
  /** 0: the instance goes to FAULT when the interface is down. */
  readonly weight: number;
  readonly reverse: boolean;
  readonly location: SourceLocation;
}

export interface TrackedScript {
  readonly name: string;
  /** Undefined: the vrrp_script's own weight. */
  readonly weight: number | undefined;
  readonly reverse: boolean;
  readonly location: SourceLocation;
}

export type VrrpAuthentication =
  | { readonly type: 'PASS'; readonly password: string }
  | { readonly type: 'AH'; readonly password: string };

export interface NotifyScripts {
  readonly notifyMaster: ScriptCommand | undefined;
  readonly notifyBackup: ScriptCommand | undefined;
  readonly notifyFault: ScriptCommand | undefined;
  readonly notifyStop: ScriptCommand | undefined;
  /** Called with: GROUP|INSTANCE name state priority. */
  readonly notify: ScriptCommand | undefined;
}

export interface VrrpInstance extends NotifyScripts {
  readonly name: string;
  /** The initial state keepalived will use (after its own corrections). */
  readonly state: VrrpState;
  readonly interface: string;
  readonly virtualRouterId: number;
  /** 1-255; 255 is the address owner. */
  readonly priority: number;
  /** Centiseconds, as VRRPv3 carries it; always whole seconds for version 2. */
  readonly advertInterval: number;
  readonly version: 2 | 3;
  /** From the VIPs (IPv6 VIPs make an IPv6 instance); IPv4 when there are none. */
  readonly family: AddressFamily;
  readonly authentication: VrrpAuthentication | undefined;
  readonly virtualIpaddress: readonly VirtualAddress[];
  /** Not advertised; may mix families. */
  readonly virtualIpaddressExcluded: readonly VirtualAddress[];
  /** `unicast_src_ip` or `mcast_src_ip` (keepalived treats them alike). */
  readonly unicastSrcIp: string | undefined;
  readonly unicastPeers: readonly UnicastPeer[];
  readonly nopreempt: boolean;
  /** Seconds (microsecond resolution). */
  readonly preemptDelay: number;
  readonly trackInterface: readonly TrackedInterface[];
  readonly trackScript: readonly TrackedScript[];
  /** `use_vmac [NAME]`; name undefined lets the daemon choose (keepalived: vrrp.VRID). */
  readonly useVmac: { readonly name: string | undefined } | undefined;
  readonly vmacXmitBase: boolean;
  /** Seconds; instance value or the global default. */
  readonly garpMasterDelay: number;
  readonly garpMasterRepeat: number;
  /** Seconds; 0 = off. */
  readonly garpMasterRefresh: number;
  readonly garpMasterRefreshRepeat: number;
  readonly garpLowerPrioDelay: number;
  readonly garpLowerPrioRepeat: number;
  readonly strictMode: boolean;
  readonly skipCheckAdvAddr: boolean;
  readonly checkUnicastSrc: boolean;
  readonly dontTrackPrimary: boolean;
  readonly v3ChecksumAsV2: boolean;
  /** The vrrp_sync_group it belongs to, if any. */
  readonly syncGroup: string | undefined;
  readonly location: SourceLocation;
}

export interface VrrpSyncGroup extends NotifyScripts {
  readonly name: string;
  readonly instances: readonly string[];
  readonly trackInterface: readonly TrackedInterface[];
  readonly trackScript: readonly TrackedScript[];
  readonly location: SourceLocation;
}

export interface KeepalivedConfig {
  readonly globalDefs: GlobalDefs;
  readonly vrrpScripts: readonly VrrpScript[];
  readonly vrrpInstances: readonly VrrpInstance[];
  readonly vrrpSyncGroups: readonly VrrpSyncGroup[];
  /** `virtual_server` blocks as written (genhash --config reads them); `lvs` has them typed. */
  readonly virtualServers: readonly ConfigNode[];
  readonly virtualServerGroups: readonly ConfigNode[];
  /** The virtual servers and groups keepalived would run, typed, with its defaults and corrections applied. */
  readonly lvs: LvsConfig;
  /** Other top-level blocks keepalived knows (static_ipaddress, static_routes, linkbeat_interfaces, ...), untyped. */
  readonly otherBlocks: readonly ConfigNode[];
  /** Every file read, main file first. */
  readonly files: readonly string[];
}
