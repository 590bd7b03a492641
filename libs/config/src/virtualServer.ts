// `virtual_server ... { ... }`: the keyword handlers of keepalived 2.2.7's
// check/check_parser.c, then what check_data.c validate_check_config() does
// once everything is read: defaults (protocol, scheduler, forwarding), the
// real server and checker settings inherited from the virtual server, and
// its corrections (hysteresis below quorum, ports of fwmark services).

import { familyOf, type AddressFamily } from '@keepalived-ts/vrrp';
import type { SourceLocation } from './diagnostics.js';
import type { BuildContext } from './environment.js';
import { dispatchBlock, requireArg, type Handler } from './keywords.js';
import type { ScriptCommand } from './model.js';
import type { ConfigNode } from './parser.js';
import { readScriptCommand } from './scriptCommand.js';
import { readBoolean, readInt, readUnsigned, UINT_MAX } from './values.js';
import { CHECKER_TYPES, readChecker, UNSUPPORTED_CHECKERS, type CheckerDraft } from './virtualServerChecker.js';
import type {
  LvsConfig,
  LvsMethod,
  LvsProtocol,
  RealServer,
  RealServerChecker,
  SorryServer,
  VirtualServer,
  VirtualServerGroup,
  VirtualService,
} from './virtualServerModel.js';
import { readTimer } from './virtualServerValues.js';

/** keepalived's KEEPALIVED_DEFAULT_DELAY, connect_timeout default and IPVS_SVC_PERSISTENT_TIMEOUT, in seconds. */
export const DEFAULT_DELAY_LOOP = 60;
export const DEFAULT_CONNECT_TIMEOUT = 5;
export const DEFAULT_PERSISTENCE_TIMEOUT = 360;
const PERSISTENCE_TIMEOUT_MAX = 2678400;
const DEFAULT_SCHEDULER = 'wlc';
const SCHEDULERS = new Set(['rr', 'wrr', 'lc', 'wlc', 'lblc', 'sh', 'mh', 'dh', 'fo', 'ovf', 'lblcr', 'sed', 'nq', 'twos']);
const SCHEDULER_FLAGS = new Set(['flag-1', 'flag-2', 'flag-3', 'sh-port', 'sh-fallback', 'mh-port', 'mh-fallback']);
const INT_MAX = 2147483647;

/** Keywords keepalived accepts that change nothing hcheck does (SNMP names, mail alerts, IPVS extras hcheck does not print). */
const UNMODELLED_VS = new Set(['snmp_name', 'smtp_alert', 'persistence_engine', 'hashed']);
const UNMODELLED_RS = new Set(['snmp_name', 'smtp_alert']);
/** Accepted by keepalived, not done by hcheck: a note says so. */
const NOTED_VS: Readonly<Record<string, string>> = { ha_suspend: 'checks run whether or not the virtual address is up' };

interface RealServerDraft {
  address: string;
  family: AddressFamily;
  port: number;
  location: SourceLocation;
  weight: number | undefined;
  method: LvsMethod | undefined;
  inhibit: boolean | undefined;
  alpha: boolean | undefined;
  retry: number | undefined;
  delayBeforeRetry: number | undefined;
  delayLoop: number | undefined;
  warmup: number | undefined;
  connectTimeout: number | undefined;
  virtualhost: string | undefined;
  notifyUp: ScriptCommand | undefined;
  notifyDown: ScriptCommand | undefined;
  upperThreshold: number | undefined;
  lowerThreshold: number | undefined;
  checkers: CheckerDraft[];
}

interface SorryDraft {
  address: string;
  family: AddressFamily;
  port: number;
  method: LvsMethod | undefined;
  inhibit: boolean;
  location: SourceLocation;
}

/** A virtual_server as written; undefined fields take keepalived's defaults in completeVirtualServers(). */
export interface VirtualServerDraft {
  service: VirtualService;
  location: SourceLocation;
  family: AddressFamily | undefined;
  protocol: LvsProtocol | undefined;
  scheduler: string | undefined;
  schedulerFlags: string[];
  onePacket: boolean;
  method: LvsMethod | undefined;
  persistenceTimeout: number | undefined;
  persistenceGranularity: string | undefined;
  delayLoop: number;
  retry: number | undefined;
  delayBeforeRetry: number | undefined;
  warmup: number | undefined;
  connectTimeout: number | undefined;
  inhibit: boolean;
  alpha: boolean;
  omega: boolean;
  quorum: number;
  hysteresis: number;
  weight: number;
  virtualhost: string | undefined;
  quorumUp: ScriptCommand | undefined;
  quorumDown: ScriptCommand | undefined;
  sorryServer: SorryDraft | undefined;
  realServers: RealServerDraft[];
}

/** Reads one virtual_server block; undefined when keepalived skips it (the reason is reported). */
export function readVirtualServer(node: ConfigNode, context: BuildContext): VirtualServerDraft | undefined {
  const { diagnostics } = context;
  const [first, second] = node.args;
  if (first === undefined) {
    requireArg(node, 1, diagnostics);
    return undefined;
  }
  let service: VirtualService;
  if (first === 'group' || first === 'fwmark') {
    const value = requireArg(node, 2, diagnostics);
    if (value === undefined) return undefined;
    if (first === 'group') {
      service = { kind: 'group', group: value };
    } else {
      const mark = readUnsigned(value, 1, UINT_MAX);
      if (!mark.ok) {
        diagnostics.warn(node.location, `${mark.reason}: virtual server fwmark '${value}' invalid - skipping`);
        return undefined;
      }
      service = { kind: 'fwmark', fwmark: mark.value };
    }
  } else {
    const family = familyOf(first);
    const port = second === undefined ? { ok: true as const, value: 0 } : readUnsigned(second, 0, 65535);
    if (family === undefined || !port.ok) {
      diagnostics.warn(node.location, `Invalid virtual server IP address/port ${first}/${second ?? ''} - skipping`);
      return undefined;
    }
    service = { kind: 'address', address: first, family, port: port.value };
  }
  const draft: VirtualServerDraft = {
    service,
    location: node.location,
    family: service.kind === 'address' ? service.family : undefined,
    protocol: undefined,
    scheduler: undefined,
    schedulerFlags: [],
    onePacket: false,
    method: undefined,
    persistenceTimeout: undefined,
    persistenceGranularity: undefined,
    delayLoop: DEFAULT_DELAY_LOOP,
    retry: undefined,
    delayBeforeRetry: undefined,
    warmup: undefined,
    connectTimeout: undefined,
    inhibit: false,
    alpha: false,
    omega: false,
    quorum: 1,
    hysteresis: 0,
    weight: 1,
    virtualhost: undefined,
    quorumUp: undefined,
    quorumDown: undefined,
    sorryServer: undefined,
    realServers: [],
  };
  if (node.children === undefined) {
    diagnostics.warn(node.location, "missing '{' at beginning of configuration block virtual_server - ignoring it");
    return undefined;
  }
  dispatchBlock(node.children, virtualServerHandlers(context), UNMODELLED_VS, draft, diagnostics);
  return draft;
}

function virtualServerHandlers(context: BuildContext): Record<string, Handler<VirtualServerDraft>> {
  const { diagnostics } = context;
  const arg = (node: ConfigNode): string | undefined => requireArg(node, 1, diagnostics);
  const shared = sharedHandlers<VirtualServerDraft>(context, 'virtual server');
  const handlers: Record<string, Handler<VirtualServerDraft>> = {
    ...shared,
    delay_loop: (node, draft) => {
      const text = arg(node);
      if (text === undefined) return;
      const read = readTimer(text, 1e-6);
      if (!read.ok) return diagnostics.warn(node.location, `${read.reason}: virtual server delay loop '${text}' invalid - ignoring`);
      draft.delayLoop = read.value;
    },
    lb_algo: scheduler,
    lvs_sched: scheduler,
    ops: (_node, draft) => {
      draft.onePacket = true;
    },
    lb_kind: method('virtual server', (draft: VirtualServerDraft, value) => (draft.method = value)),
    lvs_method: method('virtual server', (draft: VirtualServerDraft, value) => (draft.method = value)),
    persistence_timeout: (node, draft) => {
      const text = node.args[0];
      if (text === undefined) {
        draft.persistenceTimeout = DEFAULT_PERSISTENCE_TIMEOUT;
        return;
      }
      const read = readUnsigned(text, 1, PERSISTENCE_TIMEOUT_MAX);
      if (!read.ok) return diagnostics.warn(node.location, `${read.reason}: persistence_timeout invalid`);
      draft.persistenceTimeout = read.value;
    },
    persistence_granularity: (node, draft) => {
      const text = arg(node);
      if (text === undefined) return;
      draft.persistenceGranularity = text;
      draft.persistenceTimeout ??= DEFAULT_PERSISTENCE_TIMEOUT;
    },
    protocol: (node, draft) => {
      const text = arg(node);
      if (text === undefined) return;
      const upper = text.toUpperCase();
      if (upper === 'TCP' || upper === 'UDP' || upper === 'SCTP') draft.protocol = upper;
      else diagnostics.warn(node.location, `Unknown protocol ${text} - ignoring`);
    },
    ip_family: (node, draft) => {
      const text = arg(node);
      if (text === undefined) return;
      if (text !== 'inet' && text !== 'inet6') return diagnostics.warn(node.location, `unknown address family ${text}`);
      const family = text === 'inet' ? 4 : 6;
      if (draft.family !== undefined && draft.family !== family) return diagnostics.warn(node.location, `Virtual server specified family ${text} conflicts with server family`);
      draft.family = family;
    },
    alpha: (node, draft) => {
      const value = bool(node, context);
      if (value !== undefined) draft.alpha = value;
    },
    omega: (node, draft) => {
      const value = bool(node, context);
      if (value !== undefined) draft.omega = value;
    },
    inhibit_on_failure: (node, draft) => {
      const value = bool(node, context);
      if (value !== undefined) draft.inhibit = value;
    },
    quorum: (node, draft) => {
      const text = arg(node);
      if (text === undefined) return;
      const read = readUnsigned(text, 1, UINT_MAX);
      if (!read.ok) {
        diagnostics.warn(node.location, `${read.reason}: Quorum ${text} must be in [1, ${UINT_MAX}]. Setting to 1.`);
        draft.quorum = 1;
        return;
      }
      draft.quorum = read.value;
    },
    hysteresis: (node, draft) => {
      const text = arg(node);
      if (text === undefined) return;
      const read = readUnsigned(text, 0, UINT_MAX);
      if (!read.ok) return diagnostics.warn(node.location, `${read.reason}: Hysteresis ${text} must be in [0, ${UINT_MAX}] - ignoring`);
      draft.hysteresis = read.value;
    },
    quorum_up: (node, draft) => {
      if (draft.quorumUp) return diagnostics.warn(node.location, `quorum_up script already specified - ignoring ${node.args[0] ?? ''}`);
      draft.quorumUp = readScriptCommand(node, context, { withUser: true });
    },
    quorum_down: (node, draft) => {
      if (draft.quorumDown) return diagnostics.warn(node.location, `quorum_down script already specified - ignoring ${node.args[0] ?? ''}`);
      draft.quorumDown = readScriptCommand(node, context, { withUser: true });
    },
    weight: (node, draft) => {
      const text = arg(node);
      if (text === undefined) return;
      const read = readInt(text, 0, INT_MAX);
      if (!read.ok) return diagnostics.warn(node.location, `${read.reason}: Virtual server weight ${text} is outside range 0-${INT_MAX}`);
      draft.weight = read.value;
    },
    sorry_server: (node, draft) => {
      const address = arg(node);
      if (address === undefined) return;
      const family = familyOf(address);
      const port = node.args[1] === undefined ? { ok: true as const, value: 0 } : readUnsigned(node.args[1], 0, 65535);
      if (family === undefined || !port.ok) return diagnostics.warn(node.location, `Invalid sorry server IP address ${address} - skipping`);
      draft.sorryServer = { address, family, port: port.value, method: undefined, inhibit: false, location: node.location };
    },
    sorry_server_inhibit: (node, draft) => {
      if (draft.sorryServer) draft.sorryServer.inhibit = true;
      else diagnostics.warn(node.location, 'Ignoring sorry_server inhibit used before or without sorry_server');
    },
    sorry_server_lvs_method: (node, draft) => {
      if (!draft.sorryServer) return diagnostics.warn(node.location, 'sorry_server forwarding used without sorry_server');
      method('sorry server', (d: SorryDraft, value) => (d.method = value))(node, draft.sorryServer);
    },
    real_server: (node, draft) => {
      const rs = readRealServer(node, context);
      if (!rs) return;
      // Tunnelled real servers may be of the other family (keepalived's rs_end_handler).
      if (rs.method !== 'TUN') {
        draft.family ??= rs.family;
        if (draft.family !== rs.family) return diagnostics.warn(node.location, `Address family of virtual server and real server ${rs.address} don't match - skipping real server.`);
      }
      draft.realServers.push(rs);
    },
  };
  for (const flag of SCHEDULER_FLAGS) {
    handlers[flag] = (node, draft) => {
      if (flag.startsWith('sh-') && draft.scheduler !== 'sh') return diagnostics.warn(node.location, `${flag} only applies to sh scheduler - ignoring`);
      if (flag.startsWith('mh-') && draft.scheduler !== 'mh') return diagnostics.warn(node.location, `${flag} only applies to mh scheduler - ignoring`);
      if (!draft.schedulerFlags.includes(flag)) draft.schedulerFlags.push(flag);
    };
  }
  for (const [keyword, why] of Object.entries(NOTED_VS)) {
    handlers[keyword] = (node) => diagnostics.note(node.location, `${keyword} is not supported by hcheck (${why}) - ignoring`);
  }
  return handlers;

  function scheduler(node: ConfigNode, draft: VirtualServerDraft): void {
    const text = arg(node);
    if (text === undefined) return;
    if (!SCHEDULERS.has(text)) return diagnostics.warn(node.location, `Invalid lvs_scheduler '${text}' - ignoring`);
    draft.scheduler = text;
  }

  function method<T>(owner: string, apply: (target: T, value: LvsMethod) => void): Handler<T> {
    return (node, target) => {
      const text = arg(node);
      if (text === undefined) return;
      if (text === 'NAT' || text === 'DR' || text === 'TUN') apply(target, text);
      else diagnostics.warn(node.location, `PARSER : unknown [${text}] routing method for ${owner}.`);
    };
  }
}

/** What virtual_server and real_server both set, in keepalived's words for each. */
function sharedHandlers<T extends { retry: number | undefined; delayBeforeRetry: number | undefined; warmup: number | undefined; connectTimeout: number | undefined; virtualhost: string | undefined }>(
  context: BuildContext,
  owner: string,
): Record<string, Handler<T>> {
  const { diagnostics } = context;
  const timer = (key: 'delayBeforeRetry' | 'warmup' | 'connectTimeout', min: number, max?: string): Handler<T> => (node, draft) => {
    const text = requireArg(node, 1, diagnostics);
    if (text === undefined) return;
    const read = readTimer(text, min, max);
    if (!read.ok) return diagnostics.warn(node.location, `${read.reason}: ${owner} ${node.keyword} '${text}' invalid - ignoring`);
    draft[key] = read.value;
  };
  return {
    retry: (node, draft) => {
      const text = requireArg(node, 1, diagnostics);
      if (text === undefined) return;
      const read = readUnsigned(text, 1, UINT_MAX);
      if (!read.ok) return diagnostics.warn(node.location, `${read.reason}: retry value invalid - ${text}`);
      draft.retry = read.value;
    },
    delay_before_retry: timer('delayBeforeRetry', 0),
    warmup: timer('warmup', 0),
    connect_timeout: timer('connectTimeout', 1e-6, '4294.967295'),
    virtualhost: (node, draft) => {
      const text = requireArg(node, 1, diagnostics);
      if (text !== undefined) draft.virtualhost = text;
    },
  };
}

function bool(node: ConfigNode, context: BuildContext): boolean | undefined {
  const text = node.args[0];
  if (text === undefined) return true;
  const value = readBoolean(text);
  if (value === undefined) context.diagnostics.warn(node.location, `Invalid ${node.keyword} parameter ${text}`);
  return value;
}

function readRealServer(node: ConfigNode, context: BuildContext): RealServerDraft | undefined {
  const { diagnostics } = context;
  const address = requireArg(node, 1, diagnostics);
  if (address === undefined) return undefined;
  const portText = node.args[1];
  const family = familyOf(address);
  const port = portText === undefined ? { ok: true as const, value: 0 } : readUnsigned(portText, 0, 65535);
  if (family === undefined || !port.ok) {
    diagnostics.warn(node.location, `Invalid real server ip address/port ${address}/${portText ?? ''} - skipping`);
    return undefined;
  }
  const draft: RealServerDraft = {
    address,
    family,
    port: port.value,
    location: node.location,
    weight: undefined,
    method: undefined,
    inhibit: undefined,
    alpha: undefined,
    retry: undefined,
    delayBeforeRetry: undefined,
    delayLoop: undefined,
    warmup: undefined,
    connectTimeout: undefined,
    virtualhost: undefined,
    notifyUp: undefined,
    notifyDown: undefined,
    upperThreshold: undefined,
    lowerThreshold: undefined,
    checkers: [],
  };
  const notify = (key: 'notifyUp' | 'notifyDown'): Handler<RealServerDraft> => (child, rs) => {
    if (rs[key]) return diagnostics.warn(child.location, `${child.keyword} script already specified - ignoring ${child.args[0] ?? ''}`);
    rs[key] = readScriptCommand(child, context, { withUser: true });
  };
  const threshold = (key: 'upperThreshold' | 'lowerThreshold'): Handler<RealServerDraft> => (child, rs) => {
    const text = requireArg(child, 1, diagnostics);
    if (text === undefined) return;
    const read = readUnsigned(text, 0, UINT_MAX);
    if (!read.ok) return diagnostics.warn(child.location, `${read.reason}: ${child.keyword} '${text}' invalid - ignoring`);
    rs[key] = read.value;
  };
  const handlers: Record<string, Handler<RealServerDraft>> = {
    ...sharedHandlers<RealServerDraft>(context, 'real server'),
    weight: (child, rs) => {
      const text = requireArg(child, 1, diagnostics);
      if (text === undefined) return;
      const read = readInt(text, 0, INT_MAX);
      if (!read.ok) return diagnostics.warn(child.location, `${read.reason.replace(/^number '(-\d+)' outside range.*$/, "negative number '$1'")}: Real server weight ${text} is outside range 0-${INT_MAX}`);
      rs.weight = read.value;
    },
    lvs_method: (child, rs) => {
      const text = requireArg(child, 1, diagnostics);
      if (text === undefined) return;
      if (text === 'NAT' || text === 'DR' || text === 'TUN') rs.method = text;
      else diagnostics.warn(child.location, `PARSER : unknown [${text}] routing method for real server.`);
    },
    delay_loop: (child, rs) => {
      const text = requireArg(child, 1, diagnostics);
      if (text === undefined) return;
      const read = readTimer(text, 1e-6);
      if (!read.ok) return diagnostics.warn(child.location, `${read.reason}: real server delay loop '${text}' invalid - ignoring`);
      rs.delayLoop = read.value;
    },
    inhibit_on_failure: (child, rs) => {
      const value = bool(child, context);
      if (value !== undefined) rs.inhibit = value;
    },
    alpha: (child, rs) => {
      const value = bool(child, context);
      if (value !== undefined) rs.alpha = value;
    },
    notify_up: notify('notifyUp'),
    notify_down: notify('notifyDown'),
    uthreshold: threshold('upperThreshold'),
    lthreshold: threshold('lowerThreshold'),
  };
  for (const type of CHECKER_TYPES) {
    handlers[type] = (child, rs) => {
      const checker = readChecker(child, context);
      if (checker) rs.checkers.push(checker);
    };
  }
  for (const type of UNSUPPORTED_CHECKERS) {
    handlers[type] = (child) => diagnostics.note(child.location, `${type} is not supported by hcheck - ignoring this checker`);
  }
  if (node.children === undefined) {
    diagnostics.warn(node.location, "missing '{' at beginning of configuration block real_server - ignoring it");
    return undefined;
  }
  dispatchBlock(node.children, handlers, UNMODELLED_RS, draft, diagnostics);
  return draft;
}

/** keepalived's names in its log lines: `[10.0.0.2]:tcp:80`, `[fd00::2]:udp:53`, `[10.0.0.2]:none:0` for fwmark services. */
export function formatServer(address: string, protocol: LvsProtocol | undefined, port: number): string {
  return `[${address}]:${protocol?.toLowerCase() ?? 'none'}:${port}`;
}

function virtualServerName(service: VirtualService, protocol: LvsProtocol | undefined): string {
  switch (service.kind) {
    case 'address':
      return formatServer(service.address, protocol, service.port);
    case 'fwmark':
      return `FWM ${service.fwmark}`;
    case 'group':
      return `[${service.group}]:0`;
  }
}

/**
 * validate_check_config(): drops what cannot run, fills the defaults and
 * resolves what real servers and checkers inherit. `groups` are the
 * virtual_server_groups already read.
 */
export function completeVirtualServers(drafts: readonly VirtualServerDraft[], groups: readonly VirtualServerGroup[], context: BuildContext): LvsConfig {
  const { diagnostics } = context;
  const servers: VirtualServer[] = [];
  const seen = new Set<string>();
  for (const draft of drafts) {
    const group = draft.service.kind === 'group' ? groups.find((g) => g.name === (draft.service as { group: string }).group) : undefined;
    const groupAddresses = group?.entries.some((entry) => entry.kind === 'address') ?? false;
    const byAddress = draft.service.kind === 'address' || groupAddresses;
    const isFwmark = draft.service.kind === 'fwmark' || (draft.service.kind === 'group' && !groupAddresses);
    let protocol = draft.protocol;
    let name = virtualServerName(draft.service, protocol);
    const at = draft.location;

    if (draft.service.kind === 'group' && !group) {
      diagnostics.note(at, `virtual server group ${draft.service.group} is not configured - ignoring virtual server ${name}`);
      continue;
    }
    if (draft.realServers.length === 0) {
      diagnostics.warn(at, `Virtual server ${name} has no real servers - ignoring`);
      continue;
    }
    let hysteresis = draft.hysteresis;
    if (hysteresis >= draft.quorum) {
      diagnostics.warn(at, `Virtual server ${name}: hysteresis ${hysteresis} >= quorum ${draft.quorum}; setting hysteresis to ${draft.quorum - 1}`);
      hysteresis = draft.quorum - 1;
    }
    let persistenceTimeout = draft.persistenceTimeout;
    let onePacket = draft.onePacket;
    if (byAddress) {
      if (protocol === undefined) {
        diagnostics.warn(at, `Virtual server ${name}: no protocol set - defaulting to UDP`);
        protocol = 'UDP';
        name = virtualServerName(draft.service, protocol);
      }
      if (onePacket && protocol !== 'UDP') {
        diagnostics.warn(at, `Virtual server ${name}: one packet scheduling requires UDP - resetting`);
        onePacket = false;
      }
      if (persistenceTimeout === undefined && draft.service.kind === 'address' && draft.service.port === 0) {
        diagnostics.warn(at, `Virtual server ${name}: zero port only valid for persistent services - setting`);
        persistenceTimeout = DEFAULT_PERSISTENCE_TIMEOUT;
      }
    }
    if (isFwmark && protocol !== undefined) {
      diagnostics.warn(at, `Warning: Virtual server ${name}: protocol specified for fwmark - protocol will be ignored`);
      protocol = undefined;
    }
    let scheduler = draft.scheduler;
    if (scheduler === undefined) {
      diagnostics.warn(at, `Virtual server ${name}: no scheduler set, setting default '${DEFAULT_SCHEDULER}'`);
      scheduler = DEFAULT_SCHEDULER;
    }
    if (seen.has(name)) {
      diagnostics.warn(at, `Virtual server ${name} is duplicated - removing the second one`);
      continue;
    }
    seen.add(name);

    let vsMethod = draft.method;
    const family: AddressFamily = draft.family ?? (group?.entries.find((e) => e.family !== undefined)?.family as AddressFamily | undefined) ?? 4;
    const realServers: RealServer[] = [];
    const rsSeen = new Set<string>();
    for (const rs of draft.realServers) {
      if (rs.method === undefined && vsMethod === undefined) {
        diagnostics.warn(at, `Virtual server ${name}: no forwarding method set, setting default NAT`);
        vsMethod = 'NAT';
      }
      const method = rs.method ?? vsMethod ?? 'NAT';
      let port = rs.port;
      // IPVS keeps no port for a fwmark destination unless it is masqueraded (ipvswrapper.c ipvs_cmd).
      if (draft.service.kind === 'fwmark' && method !== 'NAT' && port !== 0) {
        diagnostics.warn(rs.location, `WARNING - fwmark virtual server ${name}, real server ${formatServer(rs.address, protocol, port)} has port specified - clearing`);
        port = 0;
      }
      const rsName = formatServer(rs.address, protocol, port);
      if (rsSeen.has(rsName)) {
        diagnostics.warn(rs.location, `VS ${name}: real server ${rsName} is duplicated - removing second rs`);
        continue;
      }
      rsSeen.add(rsName);
      const inherited = {
        alpha: rs.alpha ?? draft.alpha,
        retry: rs.retry ?? draft.retry,
        delayLoop: rs.delayLoop ?? draft.delayLoop,
        warmup: rs.warmup ?? draft.warmup,
        delayBeforeRetry: rs.delayBeforeRetry ?? draft.delayBeforeRetry,
        connectTimeout: rs.connectTimeout ?? draft.connectTimeout,
        virtualhost: rs.virtualhost ?? draft.virtualhost,
      };
      realServers.push({
        address: rs.address,
        family: rs.family,
        port,
        weight: rs.weight ?? draft.weight,
        method,
        inhibitOnFailure: rs.inhibit ?? draft.inhibit,
        notifyUp: rs.notifyUp,
        notifyDown: rs.notifyDown,
        upperThreshold: rs.upperThreshold,
        lowerThreshold: rs.lowerThreshold,
        checkers: rs.checkers.map((checker) => completeChecker(checker, { address: rs.address, port: rs.port }, inherited, draft.delayLoop)),
        location: rs.location,
      });
    }
    const sorry = draft.sorryServer;
    let sorryServer: SorryServer | undefined;
    if (sorry) {
      const method = sorry.method ?? vsMethod ?? 'NAT';
      if (method !== 'TUN' && sorry.family !== family) {
        diagnostics.warn(sorry.location, `Address family of virtual server and sorry server ${sorry.address} don't match - skipping sorry server.`);
      } else {
        sorryServer = { address: sorry.address, family: sorry.family, port: sorry.port, method, inhibit: sorry.inhibit, location: sorry.location };
      }
    }
    servers.push({
      service: draft.service,
      name,
      family,
      protocol,
      scheduler,
      schedulerFlags: draft.schedulerFlags,
      onePacket,
      persistenceTimeout,
      persistenceGranularity: draft.persistenceGranularity,
      delayLoop: draft.delayLoop,
      alpha: draft.alpha,
      omega: draft.omega,
      quorum: draft.quorum,
      hysteresis,
      quorumUp: draft.quorumUp,
      quorumDown: draft.quorumDown,
      sorryServer,
      realServers,
      location: draft.location,
    });
  }
  return { virtualServers: servers, virtualServerGroups: groups };
}

interface Inherited {
  readonly alpha: boolean;
  readonly retry: number | undefined;
  readonly delayLoop: number;
  readonly warmup: number | undefined;
  readonly delayBeforeRetry: number | undefined;
  readonly connectTimeout: number | undefined;
  readonly virtualhost: string | undefined;
}

/** keepalived's per-checker defaults: DNS_CHECK retries 3 times and waits a delay_loop, HTTP 3 s, MISC_CHECK never retries. */
function checkerDefaults(type: CheckerDraft['type']): { retry: number; delayBeforeRetry: number | undefined } {
  switch (type) {
    case 'DNS_CHECK':
      return { retry: 3, delayBeforeRetry: undefined };
    case 'HTTP_GET':
    case 'SSL_GET':
      return { retry: 1, delayBeforeRetry: 3 };
    case 'MISC_CHECK':
      return { retry: 0, delayBeforeRetry: 1 };
    default:
      return { retry: 1, delayBeforeRetry: 1 };
  }
}

function completeChecker(draft: CheckerDraft, rs: { address: string; port: number }, from: Inherited, vsDelayLoop: number): RealServerChecker {
  const defaults = checkerDefaults(draft.type);
  const delayLoop = draft.delayLoop ?? from.delayLoop;
  const timing = {
    connectTimeout: draft.connectTimeout ?? from.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT,
    retry: draft.retry ?? from.retry ?? defaults.retry,
    delayBeforeRetry: draft.delayBeforeRetry ?? from.delayBeforeRetry ?? defaults.delayBeforeRetry ?? delayLoop,
    delayLoop,
    warmup: draft.warmup ?? from.warmup ?? delayLoop,
    alpha: draft.alpha ?? from.alpha,
    logAllFailures: draft.logAllFailures,
    location: draft.location,
  };
  if (draft.type === 'MISC_CHECK') {
    return { ...timing, type: 'MISC_CHECK', script: draft.script!, timeout: draft.miscTimeout ?? vsDelayLoop, dynamic: draft.dynamic, user: draft.user };
  }
  const connection = { connectIp: draft.connectIp ?? rs.address, connectPort: draft.connectPort ?? rs.port, bindTo: draft.bindTo };
  switch (draft.type) {
    case 'TCP_CHECK':
    case 'PING_CHECK':
      return { ...timing, ...connection, type: draft.type };
    case 'HTTP_GET':
    case 'SSL_GET':
      return { ...timing, ...connection, type: draft.type, urls: draft.urls, virtualhost: draft.virtualhost ?? from.virtualhost, httpProtocol: draft.httpProtocol, enableSni: draft.enableSni };
    case 'SMTP_CHECK':
      return { ...timing, ...connection, type: 'SMTP_CHECK', heloName: draft.heloName };
    case 'DNS_CHECK':
      return { ...timing, ...connection, type: 'DNS_CHECK', queryType: draft.queryType, name: draft.name ?? '.' };
    case 'UDP_CHECK':
      return {
        ...timing,
        ...connection,
        type: 'UDP_CHECK',
        payload: draft.payload,
        requireReply: draft.requireReply,
        reply: draft.reply,
        minReplyLength: draft.minReplyLength,
        maxReplyLength: draft.maxReplyLength,
      };
  }
}
