// keepalived.conf (libs/config's model) to what the daemon runs, with
// keepalived's start-up checks: diagnostics printed as FILE:LINE warnings,
// fatal ones stop before anything is applied, and scripts that the
// script-security check disables are left out, as keepalived leaves them out.

import { existsSync } from 'node:fs';
import { ExitCode, UserError } from '@keepalived-ts/cli';
import {
  checkScriptSecurity,
  checkVirtualServerScripts,
  ConfigError,
  configTestStatus,
  formatDiagnostic,
  loadKeepalivedConfig,
  type Diagnostic,
  type KeepalivedConfig,
  type NotifyScripts as ConfigNotify,
  type VirtualAddress as ConfigVip,
} from '@keepalived-ts/config';
import { macvlanName } from '@keepalived-ts/netlink';
import type { DaemonConfig, NotifyScripts, VirtualAddress } from './runtimeConfig.js';

const SCOPES = new Set(['global', 'site', 'link', 'host']);

function readConfig(path: string): { config: KeepalivedConfig; diagnostics: readonly Diagnostic[] } {
  if (!existsSync(path)) throw new UserError(`${path}: No such file or directory`, ExitCode.failure);
  try {
    const result = loadKeepalivedConfig(path);
    return { config: result.config, diagnostics: [...result.diagnostics, ...checkScriptSecurity(result.config)] };
  } catch (error) {
    if (error instanceof ConfigError) throw new UserError(error.message, ExitCode.failure);
    throw error;
  }
}

/** `vrrpd -t`: keepalived -t's statuses (0 good, 5 problems, 6 script security). */
export function configTest(path: string, print: (line: string) => void): number {
  const read = readConfig(path);
  // keepalived -t judges the whole file: the checker side's scripts count too.
  const diagnostics = [...read.diagnostics, ...checkVirtualServerScripts(read.config).diagnostics];
  for (const d of diagnostics) print(formatDiagnostic(d));
  return configTestStatus(diagnostics);
}

function vip(v: ConfigVip): VirtualAddress {
  return {
    address: v.address,
    prefixLength: v.prefixLength,
    family: v.family,
    ...(v.device ? { dev: v.device } : {}),
    ...(v.label ? { label: v.label } : {}),
    ...(v.broadcast ? { broadcast: v.broadcast } : {}),
    ...(v.scope && SCOPES.has(v.scope) ? { scope: v.scope as VirtualAddress['scope'] & string } : {}),
  };
}

function notifyOf(owner: ConfigNotify & { readonly name: string }, disabled: ReadonlySet<string>): NotifyScripts {
  const pick = (keyword: string, command: { readonly argv: readonly string[] } | undefined) =>
    command && !disabled.has(`${owner.name}\u0000${keyword}`) ? command.argv : undefined;
  const entries = {
    master: pick('notify_master', owner.notifyMaster),
    backup: pick('notify_backup', owner.notifyBackup),
    fault: pick('notify_fault', owner.notifyFault),
    stop: pick('notify_stop', owner.notifyStop),
    any: pick('notify', owner.notify),
  };
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as NotifyScripts;
}

/** Reads the file for the daemon; prints its diagnostics; throws UserError (status 1) when it cannot run. */
export function loadDaemonConfig(path: string, print: (line: string) => void): DaemonConfig {
  const { config, diagnostics } = readConfig(path);
  for (const d of diagnostics) print(formatDiagnostic(d));
  const fatal = diagnostics.find((d) => d.kind === 'fatal' || d.kind === 'abort');
  if (fatal) throw new UserError(`configuration not usable: ${formatDiagnostic(fatal)}`, ExitCode.failure);
  if (config.vrrpInstances.length === 0) throw new UserError(`${path}: no vrrp_instance to run`, ExitCode.failure);
  const disabled = new Set(diagnostics.flatMap((d) => (d.disablesScript ? [`${d.disablesScript.owner}\u0000${d.disablesScript.keyword}`] : [])));
  const g = config.globalDefs;
  for (const instance of config.vrrpInstances) {
    if (instance.authentication?.type === 'AH') throw new UserError(`${instance.location.file}:${instance.location.line}: (${instance.name}) auth_type AH is not supported by vrrpd`, ExitCode.failure);
  }
  const scripts = config.vrrpScripts.filter((s) => !disabled.has(`${s.name}\u0000script`));
  const scriptNames = new Set(scripts.map((s) => s.name));
  return {
    ...(g.routerId ? { routerId: g.routerId } : {}),
    ...(g.scriptUser ? { scriptUser: { user: g.scriptUser.user, ...(g.scriptUser.group ? { group: g.scriptUser.group } : {}) } } : {}),
    ...((g.vrrpNotifyFifo ?? g.notifyFifo) ? { notifyFifo: (g.vrrpNotifyFifo ?? g.notifyFifo)!.path } : {}),
    scripts: scripts.map((s) => ({
      name: s.name,
      command: s.script.argv,
      intervalMs: s.interval * 1000,
      timeoutMs: (s.timeout ?? s.interval) * 1000,
      weight: s.weight,
      weightReverse: s.weightReverse,
      rise: s.rise,
      fall: s.fall,
      ...(s.user ? { user: { user: s.user.user, ...(s.user.group ? { group: s.user.group } : {}) } } : {}),
    })),
    syncGroups: config.vrrpSyncGroups.map((group) => ({ name: group.name, members: group.instances, notify: notifyOf(group, disabled) })),
    instances: config.vrrpInstances.map((i) => ({
      name: i.name,
      interface: i.interface,
      vrid: i.virtualRouterId,
      version: i.version,
      family: i.family,
      priority: i.priority,
      advertIntervalCs: i.advertInterval,
      initialState: i.state === 'MASTER' ? 'master' : 'backup',
      preempt: !i.nopreempt,
      preemptDelayMs: Math.round(i.preemptDelay * 1000),
      ...(i.authentication?.type === 'PASS' ? { authPassword: i.authentication.password } : {}),
      vips: i.virtualIpaddress.map(vip),
      excludedVips: i.virtualIpaddressExcluded.map(vip),
      ...(i.unicastSrcIp ? { unicastSource: i.unicastSrcIp } : {}),
      unicastPeers: i.unicastPeers.map((p) => p.address),
      multicastGroup: i.family === 4 ? g.vrrpMcastGroup4 : g.vrrpMcastGroup6,
      // A track_script naming a disabled or unknown script is dropped, as keepalived drops it.
      trackScripts: i.trackScript.filter((t) => scriptNames.has(t.name)).map((t) => ({ name: t.name, ...(t.weight !== undefined ? { weight: t.weight } : {}) })),
      trackInterfaces: i.trackInterface.map((t) => ({ name: t.name, weight: t.weight })),
      notify: notifyOf(i, disabled),
      ...(i.useVmac ? { vmacName: i.useVmac.name ?? macvlanName(i.virtualRouterId, i.family) } : {}),
      garp: {
        masterDelayMs: i.garpMasterDelay * 1000,
        masterRepeat: i.garpMasterRepeat,
        masterRefreshMs: i.garpMasterRefresh * 1000,
        masterRefreshRepeat: i.garpMasterRefreshRepeat,
        lowerPrioDelayMs: i.garpLowerPrioDelay * 1000,
        lowerPrioRepeat: i.garpLowerPrioRepeat,
      },
      v3ChecksumAsV2: i.v3ChecksumAsV2 || g.v3ChecksumAsV2,
    })),
  };
}
