// `vrrp_instance NAME { ... }`: the keyword handlers of keepalived 2.2.7's
// vrrp/vrrp_parser.c, then the corrections vrrp.c vrrp_complete_instance()
// makes once everything is read (version from family, priority from state,
// authentication rules, strict mode, advert rounding).

import { familyOf, type AddressFamily } from '@keepalived-ts/vrrp';
import type { SourceLocation } from './diagnostics.js';
import type { BuildContext } from './environment.js';
import { optionalBoolean } from './globalDefs.js';
import { dispatchBlock, requireArg, UNMODELLED_VRRP_INSTANCE, valueBlock, type Handler } from './keywords.js';
import type {
  GlobalDefs,
  ScriptCommand,
  TrackedInterface,
  TrackedScript,
  UnicastPeer,
  VirtualAddress,
  VrrpAuthentication,
  VrrpInstance,
  VrrpScript,
  VrrpState,
} from './model.js';
import type { ConfigNode } from './parser.js';
import { readScriptCommand } from './scriptCommand.js';
import { readTrackedInterfaces, readTrackedScripts } from './tracking.js';
import { MICROSECONDS_PER_SECOND, readDecimal, readInt, readUnsigned, UINT_MAX } from './values.js';
import { readVirtualAddress } from './virtualAddress.js';

const OWNER_PRIORITY = 255;
const DEFAULT_PRIORITY = 100;
const SECONDS_MAX = Math.floor(UINT_MAX / MICROSECONDS_PER_SECOND);
const CENTISECOND = 10_000;
const IFNAMSIZ = 16;

/** What the handlers collect; `undefined` means "not configured", which the completion step resolves. */
export interface InstanceDraft {
  name: string;
  location: SourceLocation;
  state: VrrpState | undefined;
  interface: string | undefined;
  virtualRouterId: number | undefined;
  priority: number | undefined;
  advertMicroseconds: number | undefined;
  version: 2 | 3 | undefined;
  family: AddressFamily | undefined;
  authType: 'PASS' | 'AH' | undefined;
  authPass: string | undefined;
  virtualIpaddress: VirtualAddress[];
  virtualIpaddressExcluded: VirtualAddress[];
  unicastSrcIp: string | undefined;
  unicastKeyword: SourceLocation | undefined;
  unicastPeers: UnicastPeer[];
  nopreempt: boolean;
  preemptDelayMicroseconds: number;
  trackInterface: TrackedInterface[];
  trackScript: TrackedScript[];
  notifyMaster: ScriptCommand | undefined;
  notifyBackup: ScriptCommand | undefined;
  notifyFault: ScriptCommand | undefined;
  notifyStop: ScriptCommand | undefined;
  notify: ScriptCommand | undefined;
  useVmac: { name: string | undefined } | undefined;
  vmacXmitBase: boolean;
  garpMasterDelay: number | undefined;
  garpMasterRepeat: number | undefined;
  garpMasterRefresh: number | undefined;
  garpMasterRefreshRepeat: number | undefined;
  garpLowerPrioDelay: number | undefined;
  garpLowerPrioRepeat: number | undefined;
  strictMode: boolean | undefined;
  skipCheckAdvAddr: boolean | undefined;
  checkUnicastSrc: boolean;
  dontTrackPrimary: boolean;
  v3ChecksumAsV2: boolean | undefined;
}

/** Reads one instance block; undefined when it has no name (keepalived skips it). */
export function readVrrpInstance(node: ConfigNode, scripts: ReadonlySet<string>, context: BuildContext): InstanceDraft | undefined {
  const { diagnostics } = context;
  if (node.args.length !== 1) {
    diagnostics.warn(node.location, 'vrrp_instance must have a name - skipping');
    return undefined;
  }
  const name = node.args[0]!;
  const draft: InstanceDraft = {
    name,
    location: node.location,
    state: undefined,
    interface: undefined,
    virtualRouterId: undefined,
    priority: undefined,
    advertMicroseconds: undefined,
    version: undefined,
    family: undefined,
    authType: undefined,
    authPass: undefined,
    virtualIpaddress: [],
    virtualIpaddressExcluded: [],
    unicastSrcIp: undefined,
    unicastKeyword: undefined,
    unicastPeers: [],
    nopreempt: false,
    preemptDelayMicroseconds: 0,
    trackInterface: [],
    trackScript: [],
    notifyMaster: undefined,
    notifyBackup: undefined,
    notifyFault: undefined,
    notifyStop: undefined,
    notify: undefined,
    useVmac: undefined,
    vmacXmitBase: false,
    garpMasterDelay: undefined,
    garpMasterRepeat: undefined,
    garpMasterRefresh: undefined,
    garpMasterRefreshRepeat: undefined,
    garpLowerPrioDelay: undefined,
    garpLowerPrioRepeat: undefined,
    strictMode: undefined,
    skipCheckAdvAddr: undefined,
    checkUnicastSrc: false,
    dontTrackPrimary: false,
    v3ChecksumAsV2: undefined,
  };
  dispatchBlock(node.children ?? [], instanceHandlers(name, scripts, context), UNMODELLED_VRRP_INSTANCE, draft, diagnostics);
  return draft;
}

function instanceHandlers(name: string, scripts: ReadonlySet<string>, context: BuildContext): Record<string, Handler<InstanceDraft>> {
  const { diagnostics } = context;
  const tag = `(${name})`;
  const arg = (node: ConfigNode): string | undefined => requireArg(node, 1, diagnostics);

  const unsigned = (node: ConfigNode, min: number, max: number, apply: (value: number) => void, onZero?: number): void => {
    const text = arg(node);
    if (text === undefined) return;
    const read = readUnsigned(text, min, max);
    if (!read.ok) return diagnostics.warn(node.location, `${read.reason}: ${tag}: ${node.keyword} '${text}' invalid - ignoring`);
    if (read.value === 0 && onZero !== undefined) {
      diagnostics.warn(node.location, `${tag}: ${node.keyword} must be greater than 0, setting to ${onZero}`);
      return apply(onZero);
    }
    apply(read.value);
  };

  const setFamily = (draft: InstanceDraft, family: AddressFamily): boolean => {
    draft.family ??= family;
    return draft.family === family;
  };

  const notify = (key: 'notifyMaster' | 'notifyBackup' | 'notifyFault' | 'notifyStop' | 'notify'): Handler<InstanceDraft> => (node, draft) => {
    if (draft[key]) return diagnostics.warn(node.location, `${tag} ${node.keyword} script already specified - ignoring ${node.args[0] ?? ''}`);
    draft[key] = readScriptCommand(node, context, { withUser: true });
  };

  const sourceIp = (node: ConfigNode, draft: InstanceDraft): void => {
    const text = arg(node);
    if (text === undefined) return;
    const family = familyOf(text);
    if (family === undefined) return diagnostics.warn(node.location, `configuration error: VRRP instance[${name}] malformed src address[${text}]. Skipping...`);
    if (node.keyword === 'unicast_src_ip') draft.unicastKeyword = node.location;
    if (!setFamily(draft, family)) return diagnostics.warn(node.location, `configuration error: VRRP instance[${name}] and src address[${text}] MUST be of the same family !!! Skipping...`);
    draft.unicastSrcIp = text;
  };

  return {
    state: (node, draft) => {
      const text = arg(node);
      if (text === undefined) return;
      if (text === 'MASTER') draft.state = 'MASTER';
      else if (text === 'BACKUP') {
        if (draft.state === 'MASTER') diagnostics.warn(node.location, `${tag} state previously set as MASTER - ignoring BACKUP`);
        else draft.state = 'BACKUP';
      } else {
        diagnostics.warn(node.location, `${tag} unknown state '${text}', defaulting to BACKUP`);
        draft.state = 'BACKUP';
      }
    },
    interface: (node, draft) => {
      const text = arg(node);
      if (text === undefined) return;
      if (text.length >= IFNAMSIZ) return diagnostics.warn(node.location, `interface name '${text}' too long - ignoring`);
      const status = context.environment.interfaceStatus?.(text);
      if (status === 'loopback') {
        diagnostics.warn(node.location, `${tag} cannot use a loopback interface (${text}) for vrrp - ignoring`);
        draft.interface = undefined;
        return;
      }
      if (status === 'missing') {
        diagnostics.warn(node.location, `WARNING - interface ${text} for vrrp_instance ${name} doesn't exist`);
        diagnostics.add({ severity: 'error', kind: 'fatal', location: node.location, message: `non-existent interface ${text} specified in configuration` });
      }
      draft.interface = text;
    },
    virtual_router_id: (node, draft) => {
      const text = arg(node);
      if (text === undefined) return;
      const read = readUnsigned(text, 1, 255);
      if (!read.ok) return diagnostics.warn(node.location, `${read.reason}: ${tag}: VRID '${text}' not valid - must be between 1 & 255`);
      draft.virtualRouterId = read.value;
    },
    priority: (node, draft) => {
      const text = arg(node);
      if (text === undefined) return;
      const read = readUnsigned(text, 1, OWNER_PRIORITY);
      if (!read.ok) {
        diagnostics.warn(node.location, `${read.reason}: ${tag} Priority not valid! must be between 1 & 255. Using default ${DEFAULT_PRIORITY}`);
        draft.priority = DEFAULT_PRIORITY;
        return;
      }
      draft.priority = read.value;
    },
    advert_int: (node, draft) => {
      const text = arg(node);
      if (text === undefined) return;
      const read = readDecimal(text, 6, MICROSECONDS_PER_SECOND / 100, 255 * MICROSECONDS_PER_SECOND);
      if (!read.ok) return diagnostics.warn(node.location, `${read.reason}: ${tag} Advert interval (${text}) not valid! Must be > 0 - ignoring`);
      if (read.note) diagnostics.warn(node.location, read.note);
      draft.advertMicroseconds = read.value;
    },
    version: (node, draft) => {
      const text = arg(node);
      if (text === undefined) return;
      const read = readInt(text, 2, 3);
      if (!read.ok) return diagnostics.warn(node.location, `${read.reason}: ${tag}: Version must be either 2 or 3`);
      const version = read.value === 3 ? 3 : 2;
      if ((draft.version !== undefined && draft.version !== version) || (version === 2 && draft.family === 6)) {
        return diagnostics.warn(node.location, `${tag} vrrp_version ${version} conflicts with configured or deduced version ${draft.version ?? 0}; ignoring.`);
      }
      draft.version = version;
    },
    authentication: (node, draft) => {
      if (node.children === undefined) return diagnostics.warn(node.location, "missing '{' at beginning of configuration block authentication - ignoring");
      const handlers: Record<string, Handler<InstanceDraft>> = {
        auth_type: (child, d) => {
          const text = arg(child);
          if (text === undefined) return;
          if (text === 'PASS' || text === 'AH') d.authType = text;
          else diagnostics.warn(child.location, `${tag} unknown authentication type '${text}'`);
        },
        auth_pass: (child, d) => {
          const text = arg(child);
          if (text === undefined) return;
          // VRRPv2 carries exactly 8 octets of authentication data (RFC 3768 5.3.10).
          if (Buffer.byteLength(text) > 8) diagnostics.warn(child.location, 'Truncating auth_pass to 8 characters');
          d.authPass = Buffer.from(text).subarray(0, 8).toString();
        },
      };
      dispatchBlock(node.children, handlers, new Set(), draft, diagnostics);
    },
    virtual_ipaddress: (node, draft) => {
      for (const entry of valueBlock(node, diagnostics)) {
        const vip = readVirtualAddress(entry, context);
        if (!vip) continue;
        if (!setFamily(draft, vip.family)) {
          diagnostics.warn(entry.location, `${tag}: address family must match VRRP instance [${entry.keyword}] - ignoring`);
          continue;
        }
        draft.virtualIpaddress.push(vip);
      }
    },
    virtual_ipaddress_excluded: (node, draft) => {
      for (const entry of valueBlock(node, diagnostics)) {
        const vip = readVirtualAddress(entry, context);
        if (vip) draft.virtualIpaddressExcluded.push(vip);
      }
    },
    unicast_src_ip: sourceIp,
    mcast_src_ip: sourceIp,
    unicast_peer: (node, draft) => {
      for (const entry of valueBlock(node, diagnostics)) {
        const family = familyOf(entry.keyword);
        if (family === undefined) {
          diagnostics.warn(entry.location, `configuration error: VRRP instance[${name}] malformed unicast peer address[${entry.keyword}]. Skipping...`);
          continue;
        }
        if (!setFamily(draft, family)) {
          diagnostics.warn(entry.location, `configuration error: VRRP instance[${name}] and unicast peer address[${entry.keyword}] MUST be of the same family !!! Skipping...`);
          continue;
        }
        draft.unicastPeers.push({ address: entry.keyword, location: entry.location });
      }
    },
    nopreempt: (_node, draft) => {
      draft.nopreempt = true;
    },
    preempt: (_node, draft) => {
      draft.nopreempt = false;
    },
    preempt_delay: (node, draft) => {
      const text = arg(node);
      if (text === undefined) return;
      const read = readDecimal(text, 6, 0, 1000 * MICROSECONDS_PER_SECOND);
      if (!read.ok) {
        diagnostics.warn(node.location, `${read.reason}: ${tag} Preempt_delay not valid! must be between 0-1000`);
        draft.preemptDelayMicroseconds = 0;
        return;
      }
      draft.preemptDelayMicroseconds = read.value;
    },
    track_interface: (node, draft) => {
      draft.trackInterface.push(...readTrackedInterfaces(node, name, context));
    },
    track_script: (node, draft) => {
      draft.trackScript.push(...readTrackedScripts(node, name, scripts, context));
    },
    notify_master: notify('notifyMaster'),
    notify_backup: notify('notifyBackup'),
    notify_fault: notify('notifyFault'),
    notify_stop: notify('notifyStop'),
    notify: notify('notify'),
    use_vmac: (node, draft) => {
      const vmacName = node.args[0];
      if (vmacName !== undefined && (vmacName.length >= IFNAMSIZ || vmacName === '.' || vmacName === '..' || /[/:\s]/.test(vmacName))) {
        diagnostics.warn(node.location, `VMAC interface name '${vmacName}' too long or invalid characters - ignoring`);
        draft.useVmac = { name: undefined };
        return;
      }
      draft.useVmac = { name: vmacName };
    },
    vmac_xmit_base: (_node, draft) => {
      draft.vmacXmitBase = true;
    },
    garp_master_delay: (node, draft) => unsigned(node, 0, SECONDS_MAX, (v) => (draft.garpMasterDelay = v)),
    garp_master_repeat: (node, draft) => unsigned(node, 0, UINT_MAX, (v) => (draft.garpMasterRepeat = v), 1),
    garp_master_refresh: (node, draft) => unsigned(node, 0, UINT_MAX, (v) => (draft.garpMasterRefresh = v)),
    garp_master_refresh_repeat: (node, draft) => unsigned(node, 0, UINT_MAX, (v) => (draft.garpMasterRefreshRepeat = v), 1),
    garp_lower_prio_delay: (node, draft) => unsigned(node, 0, SECONDS_MAX, (v) => (draft.garpLowerPrioDelay = v)),
    garp_lower_prio_repeat: (node, draft) => unsigned(node, 0, 2147483647, (v) => (draft.garpLowerPrioRepeat = v)),
    strict_mode: (node, draft) => {
      const value = optionalBoolean(node, context);
      if (value !== undefined) draft.strictMode = value;
    },
    skip_check_adv_addr: (node, draft) => {
      const value = optionalBoolean(node, context);
      if (value !== undefined) draft.skipCheckAdvAddr = value;
    },
    check_unicast_src: (_node, draft) => {
      draft.checkUnicastSrc = true;
    },
    dont_track_primary: (_node, draft) => {
      draft.dontTrackPrimary = true;
    },
    v3_checksum_as_v2: (node, draft) => {
      diagnostics.warn(node.location, "unknown keyword 'v3_checksum_as_v2' in keepalived 2.2.7 (it needs keepalived 2.3 or later); applied here");
      draft.v3ChecksumAsV2 = optionalBoolean(node, context) ?? true;
    },
  };
}

/** Tracking rules that depend on sync groups: keepalived drops weights of members unless sync_group_tracking_weight. */
export interface InstanceCompletionContext {
  readonly globalDefs: GlobalDefs;
  readonly scripts: ReadonlyMap<string, VrrpScript>;
  readonly syncGroup: string | undefined;
  /** The sync group has sync_group_tracking_weight (or the deprecated global_tracking). */
  readonly syncGroupKeepsWeights: boolean;
}

/** Applies keepalived's defaults and corrections; undefined when keepalived would refuse the instance. */
export function completeVrrpInstance(draft: InstanceDraft, completion: InstanceCompletionContext, context: BuildContext): VrrpInstance | undefined {
  const { diagnostics } = context;
  const { globalDefs } = completion;
  const tag = `(${draft.name})`;
  const at = draft.location;

  const strictMode = draft.strictMode ?? globalDefs.vrrpStrict;
  let version = draft.version;
  if (draft.family === 6) {
    if (version === 2 && strictMode) {
      diagnostics.warn(at, `${tag} cannot use IPv6 with VRRP version 2; setting version 3`);
      version = 3;
    } else if (version === 2) {
      // keepalived 2.2.7 keeps an explicit `version 2` that came before the IPv6 addresses, silently.
      diagnostics.note(at, `${tag} VRRP version 2 with IPv6 addresses is not standard; keepalived 2.2.7 keeps version 2`);
    }
  }
  const family: AddressFamily = draft.family ?? 4;
  version ??= family === 6 ? 3 : globalDefs.vrrpVersion;

  if (draft.virtualIpaddress.length === 0 && (version === 3 || family === 6 || strictMode)) {
    diagnostics.error(at, `${tag} No VIP specified; at least one is required - instance ignored`);
    return undefined;
  }

  const priority = draft.priority ?? (draft.state === 'MASTER' ? OWNER_PRIORITY : DEFAULT_PRIORITY);
  let state: VrrpState = draft.state ?? (priority === OWNER_PRIORITY ? 'MASTER' : 'BACKUP');
  if (draft.state !== undefined && strictMode && (state === 'MASTER') !== (priority === OWNER_PRIORITY)) {
    diagnostics.warn(at, `${tag} State MASTER must match being address owner`);
    state = priority === OWNER_PRIORITY ? 'MASTER' : 'BACKUP';
  }

  let authentication: VrrpAuthentication | undefined = draft.authType ? { type: draft.authType, password: draft.authPass ?? '' } : undefined;
  if (authentication) {
    if (strictMode) {
      diagnostics.warn(at, `${tag} Strict mode does not support authentication. Ignoring.`);
      authentication = undefined;
    } else if (version === 3) {
      diagnostics.warn(at, `${tag} VRRP version 3 does not support authentication. Ignoring.`);
      authentication = undefined;
    } else if (authentication.password === '') {
      diagnostics.warn(at, `${tag} Authentication specified but no password given. Ignoring`);
      authentication = undefined;
    } else if (family === 6 && authentication.type === 'AH') {
      diagnostics.warn(at, `${tag} Cannot use AH authentication with IPv6 - ignoring`);
      authentication = undefined;
    } else if (authentication.type === 'AH' && state === 'MASTER' && priority !== OWNER_PRIORITY) {
      diagnostics.warn(at, `${tag} Initial state master is incompatible with AH authentication - clearing`);
      state = 'BACKUP';
    }
  }

  if (draft.virtualIpaddress.length === 0) diagnostics.warn(at, `${tag} No VIP specified; at least one is sensible`);
  if (draft.virtualRouterId === undefined) {
    diagnostics.error(at, `${tag} the virtual router id must be set - instance ignored`);
    return undefined;
  }
  if (draft.interface === undefined) {
    diagnostics.error(at, `${tag} Unknown interface! - instance ignored`);
    return undefined;
  }
  if (strictMode && draft.unicastPeers.length > 0) {
    diagnostics.error(at, `${tag} Unicast peers are not supported in strict mode - instance ignored`);
    return undefined;
  }
  if (draft.unicastKeyword && draft.unicastPeers.length === 0) {
    diagnostics.warn(draft.unicastKeyword, `${tag} A unicast keyword has been specified without any unicast peers. Defaulting to multicast.`);
  }

  let nopreempt = draft.nopreempt;
  let preemptDelay = draft.preemptDelayMicroseconds;
  if (priority === OWNER_PRIORITY && nopreempt) {
    diagnostics.warn(at, `${tag} nopreempt is incompatible with priority 255. resetting nopreempt`);
    nopreempt = false;
  }
  if (state === 'MASTER') {
    if (nopreempt) diagnostics.warn(at, `${tag} Warning - nopreempt will not work with initial state MASTER - clearing`);
    if (preemptDelay) diagnostics.warn(at, `${tag} Warning - preempt delay will not work with initial state MASTER - clearing`);
    nopreempt = false;
    preemptDelay = 0;
  }
  if (preemptDelay && strictMode) {
    diagnostics.warn(at, `${tag} preempt_delay is incompatible with strict mode - resetting`);
    preemptDelay = 0;
  }
  if (preemptDelay && nopreempt) {
    diagnostics.warn(at, `${tag} preempt_delay is incompatible with nopreempt mode - resetting`);
    preemptDelay = 0;
  }

  let garpLowerPrioRepeat = draft.garpLowerPrioRepeat ?? (strictMode ? 0 : globalDefs.vrrpGarpLowerPrioRepeat);
  if (strictMode && draft.garpLowerPrioRepeat) {
    diagnostics.warn(at, `${tag} Strict mode requires no repeat garps - resetting`);
    garpLowerPrioRepeat = 0;
  }
  let garpLowerPrioDelay = draft.garpLowerPrioDelay ?? (strictMode ? 0 : globalDefs.vrrpGarpLowerPrioDelay);
  if (strictMode && draft.garpLowerPrioDelay) {
    diagnostics.warn(at, `${tag} Strict mode requires no repeat garp delay - resetting`);
    garpLowerPrioDelay = 0;
  }

  const advertInterval = advertCentiseconds(draft.advertMicroseconds ?? MICROSECONDS_PER_SECOND, version, tag, at, context);

  let vmacXmitBase = draft.vmacXmitBase;
  if (draft.useVmac && draft.unicastPeers.length > 0 && !vmacXmitBase) {
    diagnostics.warn(at, `${tag} unicast with use_vmac requires vmac_xmit_base - setting`);
    vmacXmitBase = true;
  }
  if (draft.useVmac && strictMode && vmacXmitBase) {
    diagnostics.warn(at, `${tag} xmit_base is incompatible with strict mode - resetting`);
    vmacXmitBase = false;
  }
  if (vmacXmitBase && !draft.useVmac) {
    diagnostics.warn(at, `${tag} vmac_xmit_base is only valid with a vmac`);
    vmacXmitBase = false;
  }

  let trackInterface = draft.trackInterface.filter((tracked) => {
    if (tracked.name !== draft.interface) return true;
    diagnostics.warn(tracked.location, `${tag} Ignoring track_interface ${tracked.name} since own interface`);
    return false;
  });
  let trackScript = draft.trackScript;
  const syncWithoutWeights = completion.syncGroup !== undefined && !completion.syncGroupKeepsWeights;
  if (syncWithoutWeights || priority === OWNER_PRIORITY) {
    const why = syncWithoutWeights ? 'SYNC group' : 'address owner';
    trackInterface = trackInterface.flatMap((tracked) => {
      if (tracked.weight === 0) return [tracked];
      diagnostics.warn(tracked.location, `${tag} ignoring ${tracked.name} tracked interface ${syncWithoutWeights ? 'weight ' : ''}due to ${why}`);
      return syncWithoutWeights ? [{ ...tracked, weight: 0 }] : [];
    });
    trackScript = trackScript.filter((tracked) => {
      const weight = tracked.weight ?? completion.scripts.get(tracked.name)?.weight ?? 0;
      if (weight === 0) return true;
      diagnostics.warn(tracked.location, `${tag} ignoring tracked script ${tracked.name} with weights due to ${why}`);
      return false;
    });
  }

  return {
    name: draft.name,
    state,
    interface: draft.interface,
    virtualRouterId: draft.virtualRouterId,
    priority,
    advertInterval,
    version,
    family,
    authentication,
    virtualIpaddress: draft.virtualIpaddress,
    virtualIpaddressExcluded: draft.virtualIpaddressExcluded,
    unicastSrcIp: draft.unicastSrcIp,
    unicastPeers: draft.unicastPeers,
    nopreempt,
    preemptDelay: preemptDelay / MICROSECONDS_PER_SECOND,
    trackInterface,
    trackScript,
    notifyMaster: draft.notifyMaster,
    notifyBackup: draft.notifyBackup,
    notifyFault: draft.notifyFault,
    notifyStop: draft.notifyStop,
    notify: draft.notify,
    useVmac: draft.useVmac,
    vmacXmitBase,
    garpMasterDelay: draft.garpMasterDelay ?? globalDefs.vrrpGarpMasterDelay,
    garpMasterRepeat: draft.garpMasterRepeat ?? globalDefs.vrrpGarpMasterRepeat,
    garpMasterRefresh: draft.garpMasterRefresh ?? globalDefs.vrrpGarpMasterRefresh,
    garpMasterRefreshRepeat: draft.garpMasterRefreshRepeat ?? globalDefs.vrrpGarpMasterRefreshRepeat,
    garpLowerPrioDelay,
    garpLowerPrioRepeat,
    strictMode,
    skipCheckAdvAddr: draft.skipCheckAdvAddr ?? globalDefs.vrrpSkipCheckAdvAddr,
    checkUnicastSrc: draft.checkUnicastSrc || globalDefs.vrrpCheckUnicastSrc,
    dontTrackPrimary: draft.dontTrackPrimary,
    v3ChecksumAsV2: draft.v3ChecksumAsV2 ?? globalDefs.v3ChecksumAsV2,
    syncGroup: completion.syncGroup,
    location: draft.location,
  };
}

/**
 * VRRPv2 advertises whole seconds up to 255; VRRPv3 centiseconds up to 4095.
 * keepalived rounds half up and never to zero.
 */
function advertCentiseconds(microseconds: number, version: 2 | 3, tag: string, at: SourceLocation, context: BuildContext): number {
  const seconds = (us: number): string => (us / MICROSECONDS_PER_SECOND).toFixed(6);
  if (version === 2) {
    if (microseconds >= 256 * MICROSECONDS_PER_SECOND) {
      context.diagnostics.warn(at, `${tag} VRRPv2 advertisement interval ${seconds(microseconds)}s is out of range. Must be less than 256s. Setting to 255s`);
      return 25500;
    }
    if (microseconds % MICROSECONDS_PER_SECOND === 0) return microseconds / CENTISECOND;
    context.diagnostics.warn(at, `${tag} VRRPv2 advertisement interval ${seconds(microseconds)}s must be an integer - rounding`);
    const rounded = Math.floor((microseconds + MICROSECONDS_PER_SECOND / 2) / MICROSECONDS_PER_SECOND) * MICROSECONDS_PER_SECOND;
    return Math.max(rounded, MICROSECONDS_PER_SECOND) / CENTISECOND;
  }
  if (microseconds >= 4096 * CENTISECOND) {
    context.diagnostics.warn(at, `${tag} VRRPv3 advertisement interval ${seconds(microseconds)}s is out of range. Must be less than 40.96s. Setting to 40.95s`);
    return 4095;
  }
  if (microseconds % CENTISECOND === 0) return microseconds / CENTISECOND;
  context.diagnostics.warn(at, `${tag} VRRPv3 advertisement interval ${seconds(microseconds)}s must be in units of 10ms - rounding`);
  return Math.max(1, Math.floor((microseconds + CENTISECOND / 2) / CENTISECOND));
}
