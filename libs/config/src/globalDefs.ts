// `global_defs`: keepalived 2.2.7's core/global_parser.c rules for the
// keywords vrrpd uses, and the mail settings kept for completeness.

import { familyOf, VRRP_MULTICAST_IPV4, VRRP_MULTICAST_IPV6 } from '@keepalived-ts/vrrp';
import type { BuildContext } from './environment.js';
import { dispatchBlock, requireArg, UNMODELLED_GLOBAL_DEFS, valueBlock, type Handler } from './keywords.js';
import type { GlobalDefs, NotifyFifo, ScriptUser } from './model.js';
import type { ConfigNode } from './parser.js';
import { MICROSECONDS_PER_SECOND, readDecimal, readInt, readUnsigned, UINT_MAX } from './values.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export const DEFAULT_GLOBAL_DEFS: GlobalDefs = {
  routerId: undefined,
  vrrpVersion: 2,
  vrrpGarpMasterDelay: 5,
  vrrpGarpMasterRepeat: 5,
  vrrpGarpMasterRefresh: 0,
  vrrpGarpMasterRefreshRepeat: 1,
  vrrpGarpLowerPrioDelay: 5,
  vrrpGarpLowerPrioRepeat: 5,
  vrrpGarpInterval: 0,
  vrrpGnaInterval: 0,
  vrrpMcastGroup4: VRRP_MULTICAST_IPV4,
  vrrpMcastGroup6: VRRP_MULTICAST_IPV6,
  scriptUser: undefined,
  enableScriptSecurity: false,
  vrrpStrict: false,
  notifyFifo: undefined,
  vrrpNotifyFifo: undefined,
  notificationEmail: [],
  notificationEmailFrom: undefined,
  smtpServer: undefined,
  smtpConnectTimeout: 30,
  vrrpSkipCheckAdvAddr: false,
  vrrpCheckUnicastSrc: false,
  v3ChecksumAsV2: false,
  location: undefined,
};

const SECONDS_MAX = Math.floor(UINT_MAX / MICROSECONDS_PER_SECOND);

interface GlobalState {
  defs: Mutable<GlobalDefs>;
  lowerPrioDelaySet: boolean;
  lowerPrioRepeatSet: boolean;
}

/** Reads every `global_defs` block in order; later values win, as in keepalived. */
export function buildGlobalDefs(blocks: readonly ConfigNode[], context: BuildContext): GlobalDefs {
  const state: GlobalState = { defs: { ...DEFAULT_GLOBAL_DEFS, notificationEmail: [] }, lowerPrioDelaySet: false, lowerPrioRepeatSet: false };
  for (const block of blocks) {
    state.defs.location ??= block.location;
    dispatchBlock(block.children ?? [], globalHandlers(context), UNMODELLED_GLOBAL_DEFS, state, context.diagnostics);
  }
  // keepalived copies these defaults only after the whole block is read.
  if (!state.lowerPrioDelaySet) state.defs.vrrpGarpLowerPrioDelay = state.defs.vrrpGarpMasterDelay;
  if (!state.lowerPrioRepeatSet) state.defs.vrrpGarpLowerPrioRepeat = state.defs.vrrpGarpMasterRepeat;
  return state.defs;
}

function globalHandlers(context: BuildContext): Record<string, Handler<GlobalState>> {
  const { diagnostics } = context;
  const seconds = (node: ConfigNode, apply: (value: number) => void): void => {
    const text = requireArg(node, 1, diagnostics);
    if (text === undefined) return;
    const read = readUnsigned(text, 0, SECONDS_MAX);
    if (!read.ok) diagnostics.warn(node.location, `${node.keyword} '${text}' invalid (${read.reason}) - ignoring`);
    else apply(read.value);
  };
  const repeat = (node: ConfigNode, max: number, zeroMeansOne: boolean, apply: (value: number) => void): void => {
    const text = requireArg(node, 1, diagnostics);
    if (text === undefined) return;
    const read = readUnsigned(text, 0, max);
    if (!read.ok) return diagnostics.warn(node.location, `${node.keyword} '${text}' invalid (${read.reason}) - ignoring`);
    if (read.value === 0 && zeroMeansOne) {
      diagnostics.warn(node.location, `${node.keyword} must be greater than 0, setting to 1`);
      return apply(1);
    }
    apply(read.value);
  };
  const interval = (node: ConfigNode, apply: (value: number) => void): void => {
    const text = requireArg(node, 1, diagnostics);
    if (text === undefined) return;
    const read = readDecimal(text, 6, 1, UINT_MAX);
    if (!read.ok) return diagnostics.warn(node.location, `${node.keyword} '${text}' is invalid (${read.reason}) - keeping ${node.keyword} at its default`);
    if (read.note) diagnostics.warn(node.location, read.note);
    apply(read.value / MICROSECONDS_PER_SECOND);
    if (read.value >= MICROSECONDS_PER_SECOND) diagnostics.note(node.location, `the ${node.keyword} is very large - ${text} seconds`);
  };
  const multicast = (node: ConfigNode, family: 4 | 6, apply: (value: string) => void): void => {
    const text = requireArg(node, 1, diagnostics);
    if (text === undefined) return;
    if (familyOf(text) !== family || !isMulticast(text, family)) return diagnostics.warn(node.location, `${node.keyword} [${text}] is not multicast. Skipping`);
    apply(text);
  };
  const flag = (apply: (state: GlobalState) => void): Handler<GlobalState> => (_node, state) => apply(state);

  return {
    router_id: (node, s) => {
      if (node.args.length === 0) return diagnostics.warn(node.location, 'routerid name missing - ignoring');
      s.defs.routerId = node.args[0];
    },
    vrrp_version: (node, s) => {
      const text = requireArg(node, 1, diagnostics);
      if (text === undefined) return;
      const read = readInt(text, 2, 3);
      if (!read.ok) return diagnostics.warn(node.location, `${read.reason}: VRRP version must be either 2 or 3 - keeping ${s.defs.vrrpVersion}`);
      s.defs.vrrpVersion = read.value === 3 ? 3 : 2;
    },
    vrrp_garp_master_delay: (node, s) => seconds(node, (v) => (s.defs.vrrpGarpMasterDelay = v)),
    vrrp_garp_master_repeat: (node, s) => repeat(node, UINT_MAX, true, (v) => (s.defs.vrrpGarpMasterRepeat = v)),
    vrrp_garp_master_refresh: (node, s) => {
      const text = requireArg(node, 1, diagnostics);
      if (text === undefined) return;
      const read = readUnsigned(text, 0, UINT_MAX);
      if (!read.ok) return diagnostics.warn(node.location, `invalid vrrp_garp_master_refresh '${text}' (${read.reason}) - ignoring`);
      s.defs.vrrpGarpMasterRefresh = read.value;
    },
    vrrp_garp_master_refresh_repeat: (node, s) => repeat(node, UINT_MAX, true, (v) => (s.defs.vrrpGarpMasterRefreshRepeat = v)),
    vrrp_garp_lower_prio_delay: (node, s) =>
      seconds(node, (v) => {
        s.defs.vrrpGarpLowerPrioDelay = v;
        s.lowerPrioDelaySet = true;
      }),
    vrrp_garp_lower_prio_repeat: (node, s) =>
      repeat(node, 2147483647, false, (v) => {
        s.defs.vrrpGarpLowerPrioRepeat = v;
        s.lowerPrioRepeatSet = true;
      }),
    vrrp_garp_interval: (node, s) => interval(node, (v) => (s.defs.vrrpGarpInterval = v)),
    vrrp_gna_interval: (node, s) => interval(node, (v) => (s.defs.vrrpGnaInterval = v)),
    vrrp_mcast_group4: (node, s) => multicast(node, 4, (v) => (s.defs.vrrpMcastGroup4 = v)),
    vrrp_mcast_group6: (node, s) => multicast(node, 6, (v) => (s.defs.vrrpMcastGroup6 = v)),
    script_user: (node, s) => {
      const user = readScriptUser(node, 1, context);
      if (user === 'invalid') return diagnostics.warn(node.location, 'error setting global script uid/gid - ignoring script_user');
      if (user) s.defs.scriptUser = user;
    },
    enable_script_security: flag((s) => (s.defs.enableScriptSecurity = true)),
    vrrp_strict: flag((s) => (s.defs.vrrpStrict = true)),
    vrrp_skip_check_adv_addr: (node, s) => {
      const value = optionalBoolean(node, context);
      if (value !== undefined) s.defs.vrrpSkipCheckAdvAddr = value;
    },
    vrrp_check_unicast_src: flag((s) => (s.defs.vrrpCheckUnicastSrc = true)),
    v3_checksum_as_v2: (node, s) => {
      diagnostics.warn(node.location, "unknown keyword 'v3_checksum_as_v2' in keepalived 2.2.7 (it needs keepalived 2.3 or later); applied here");
      s.defs.v3ChecksumAsV2 = true;
    },
    notify_fifo: (node, s) => {
      const fifo = readFifo(node, context);
      if (fifo) s.defs.notifyFifo = fifo;
    },
    vrrp_notify_fifo: (node, s) => {
      const fifo = readFifo(node, context);
      if (fifo) s.defs.vrrpNotifyFifo = fifo;
    },
    notification_email: (node, s) => {
      const entries = valueBlock(node, diagnostics);
      if (entries.length === 0 && node.children) diagnostics.warn(node.location, 'Warning - empty notification_email block');
      for (const entry of entries) s.defs.notificationEmail = [...s.defs.notificationEmail, entry.keyword, ...entry.args];
    },
    notification_email_from: (node, s) => {
      if (node.args.length === 0) return diagnostics.warn(node.location, 'emailfrom missing - ignoring');
      s.defs.notificationEmailFrom = node.args[0];
    },
    smtp_server: (node, s) => {
      const host = requireArg(node, 1, diagnostics);
      if (host === undefined) return;
      const portText = node.args[1] ?? '25';
      const port = readUnsigned(portText, 1, 65535);
      // keepalived also accepts a host name, which it resolves; only the port can be judged here.
      if (!port.ok || (familyOf(host) === undefined && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host))) {
        return diagnostics.warn(node.location, `invalid smtp server ${host} ${portText} - ignoring`);
      }
      s.defs.smtpServer = { host, port: port.value };
    },
    smtp_connect_timeout: (node, s) => {
      const text = requireArg(node, 1, diagnostics);
      if (text === undefined) return;
      const read = readUnsigned(text, 0, SECONDS_MAX);
      if (!read.ok) return diagnostics.warn(node.location, `smtp_connect_timeout '${text}' must be in [0, ${SECONDS_MAX}] - ignoring`);
      if (read.value === 0) diagnostics.warn(node.location, 'smtp_connect_timeout must be greater than 0, setting to 1');
      s.defs.smtpConnectTimeout = Math.max(1, read.value);
    },
  };
}

function isMulticast(text: string, family: 4 | 6): boolean {
  if (family === 6) return text.toLowerCase().startsWith('ff');
  const first = Number(text.split('.')[0]);
  return first >= 224 && first <= 239;
}

/** `[<BOOL>]` flags: no value means on. */
export function optionalBoolean(node: ConfigNode, context: BuildContext): boolean | undefined {
  const text = node.args[0];
  if (text === undefined) return true;
  if (['true', 'on', 'yes'].includes(text)) return true;
  if (['false', 'off', 'no'].includes(text)) return false;
  context.diagnostics.warn(node.location, `invalid ${node.keyword} '${text}' specified - ignoring`);
  return undefined;
}

/**
 * USER [GROUP] at `index`; 'invalid' when the host says the user or group
 * does not exist (only checked when the environment can tell).
 */
export function readScriptUser(node: ConfigNode, index: number, context: BuildContext): ScriptUser | 'invalid' | undefined {
  const user = requireArg(node, index, context.diagnostics);
  if (user === undefined) return undefined;
  const group = node.args[index];
  const { userExists, groupExists } = context.environment;
  if (userExists && !userExists(user)) return 'invalid';
  if (group !== undefined && groupExists && !groupExists(group)) return 'invalid';
  return { user, group };
}

function readFifo(node: ConfigNode, context: BuildContext): NotifyFifo | undefined {
  const path = requireArg(node, 1, context.diagnostics);
  if (path === undefined) return undefined;
  let user: ScriptUser | undefined;
  if (node.args.length > 1) {
    const read = readScriptUser(node, 2, context);
    if (read === 'invalid') {
      context.diagnostics.warn(node.location, `invalid user/group for ${node.keyword} ${path} - ignoring`);
      return undefined;
    }
    user = read;
  }
  return { path, user, location: node.location };
}
