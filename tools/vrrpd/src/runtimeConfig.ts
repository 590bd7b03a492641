// What the daemon runs, whatever it was read from (a keepalived.conf, or the
// flags of the one-instance mode): the operator's intent, no runtime state.

import type { GarpTiming } from '@keepalived-ts/election';

export interface VirtualAddress {
  readonly address: string;
  readonly prefixLength: number;
  readonly family: 4 | 6;
  /** The interface to put it on; the instance's interface when absent. */
  readonly dev?: string;
  readonly label?: string;
  readonly broadcast?: string;
  readonly scope?: 'global' | 'site' | 'link' | 'host';
}

/** A command as keepalived runs it: argv, no shell. */
export type Command = readonly string[];

export interface NotifyScripts {
  readonly master?: Command;
  readonly backup?: Command;
  readonly fault?: Command;
  readonly stop?: Command;
  /** `notify`: called on every transition with keepalived's four arguments. */
  readonly any?: Command;
}

export interface InstanceConfig {
  readonly name: string;
  readonly interface: string;
  readonly vrid: number;
  readonly version: 2 | 3;
  readonly family: 4 | 6;
  readonly priority: number;
  readonly advertIntervalCs: number;
  readonly initialState: 'master' | 'backup';
  readonly preempt: boolean;
  readonly preemptDelayMs: number;
  readonly authPassword?: string;
  readonly vips: readonly VirtualAddress[];
  readonly excludedVips: readonly VirtualAddress[];
  readonly unicastSource?: string;
  readonly unicastPeers: readonly string[];
  readonly multicastGroup: string;
  readonly trackScripts: readonly { readonly name: string; readonly weight?: number }[];
  readonly trackInterfaces: readonly { readonly name: string; readonly weight: number }[];
  readonly notify: NotifyScripts;
  /** keepalived's use_vmac: the macvlan's name. */
  readonly vmacName?: string;
  readonly garp: GarpTiming;
  readonly v3ChecksumAsV2: boolean;
}

export interface ScriptConfig {
  readonly name: string;
  readonly command: Command;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly weight: number;
  readonly weightReverse: boolean;
  readonly rise: number;
  readonly fall: number;
  readonly user?: { readonly user: string; readonly group?: string };
}

export interface SyncGroupConfig {
  readonly name: string;
  readonly members: readonly string[];
  readonly notify: NotifyScripts;
}

export interface DaemonConfig {
  readonly routerId?: string;
  readonly instances: readonly InstanceConfig[];
  readonly scripts: readonly ScriptConfig[];
  readonly syncGroups: readonly SyncGroupConfig[];
  readonly scriptUser?: { readonly user: string; readonly group?: string };
  readonly notifyFifo?: string;
}
