// `vrrp_script NAME { ... }` (keepalived 2.2.7 vrrp/vrrp_parser.c
// vrrp_vscript_*_handler and vrrp_vscript_end_handler).

import type { BuildContext } from './environment.js';
import { readScriptUser } from './globalDefs.js';
import { dispatchBlock, requireArg, type Handler } from './keywords.js';
import type { GlobalDefs, ScriptCommand, ScriptUser, VrrpScript } from './model.js';
import type { ConfigNode } from './parser.js';
import { readScriptCommand } from './scriptCommand.js';
import { MICROSECONDS_PER_SECOND, readInt, readUnsigned, UINT_MAX } from './values.js';

interface ScriptDraft {
  script: ScriptCommand | undefined;
  interval: number;
  timeout: number | undefined;
  weight: number;
  weightReverse: boolean;
  rise: number;
  fall: number;
  user: ScriptUser | undefined;
  userInvalid: boolean;
  initFail: boolean;
}

const SECONDS_MAX = Math.floor(UINT_MAX / MICROSECONDS_PER_SECOND);
const INT_MAX = 2147483647;

/** The script, or undefined when keepalived would remove it (the reason is reported). */
export function buildVrrpScript(node: ConfigNode, globalDefs: GlobalDefs, context: BuildContext): VrrpScript | undefined {
  const { diagnostics } = context;
  const name = requireArg(node, 1, diagnostics);
  if (name === undefined) return undefined;
  const draft: ScriptDraft = { script: undefined, interval: 1, timeout: undefined, weight: 0, weightReverse: false, rise: 1, fall: 1, user: undefined, userInvalid: false, initFail: false };

  const positiveSeconds = (child: ConfigNode, what: string, apply: (value: number) => void): void => {
    const text = requireArg(child, 1, diagnostics);
    if (text === undefined) return;
    const read = readUnsigned(text, 0, SECONDS_MAX);
    if (!read.ok) return diagnostics.warn(child.location, `(${name}): vrrp script ${what} '${text}' invalid (${read.reason}) - ignoring`);
    if (read.value === 0) diagnostics.warn(child.location, `(${name}): vrrp script ${what} must be greater than 0, setting to 1`);
    apply(Math.max(1, read.value));
  };
  const count = (child: ConfigNode, what: string, apply: (value: number) => void): void => {
    const text = requireArg(child, 1, diagnostics);
    if (text === undefined) return;
    const read = readUnsigned(text, 1, INT_MAX);
    if (!read.ok) {
      diagnostics.warn(child.location, `${read.reason}: (${name}): vrrp script ${what} value '${text}' invalid, defaulting to 1`);
      return apply(1);
    }
    apply(read.value);
  };

  const handlers: Record<string, Handler<ScriptDraft>> = {
    script: (child, d) => {
      d.script = readScriptCommand(child, context, { withUser: false }) ?? d.script;
    },
    interval: (child, d) => positiveSeconds(child, 'interval', (v) => (d.interval = v)),
    timeout: (child, d) => positiveSeconds(child, 'timeout', (v) => (d.timeout = v)),
    weight: (child, d) => {
      const text = requireArg(child, 1, diagnostics);
      if (text === undefined) return;
      const read = readInt(text, -253, 253);
      if (!read.ok) diagnostics.warn(child.location, `${read.reason}: vrrp_script ${name} weight ${text} must be in [-253, 253] - ignoring`);
      else d.weight = read.value;
      const option = child.args[1];
      if (option === 'reverse') d.weightReverse = true;
      else if (option !== undefined) diagnostics.warn(child.location, `vrrp_script ${name} unknown weight option ${option}`);
    },
    rise: (child, d) => count(child, 'rise', (v) => (d.rise = v)),
    fall: (child, d) => count(child, 'fall', (v) => (d.fall = v)),
    user: (child, d) => {
      const user = readScriptUser(child, 1, context);
      if (user === 'invalid') {
        diagnostics.warn(child.location, `unable to set uid/gid for script of vrrp_script ${name}`);
        d.userInvalid = true;
      } else if (user) {
        d.user = user;
        d.userInvalid = false;
      }
    },
    init_fail: (_child, d) => {
      d.initFail = true;
    },
  };
  dispatchBlock(node.children ?? [], handlers, new Set(), draft, diagnostics);

  if (!draft.script) {
    diagnostics.error(node.location, `no script set for vrrp_script ${name} - removing`);
    return undefined;
  }
  if (draft.userInvalid) {
    diagnostics.error(node.location, `vrrp_script ${name} has an invalid user - removing`);
    return undefined;
  }
  if (!draft.user && !defaultScriptUserUsable(globalDefs, context)) {
    diagnostics.error(node.location, `unable to set default user keepalived_script for vrrp script ${name} - removing`);
    return undefined;
  }
  return {
    name,
    script: draft.script,
    interval: draft.interval,
    timeout: draft.timeout,
    weight: draft.weight,
    weightReverse: draft.weightReverse,
    rise: draft.rise,
    fall: draft.fall,
    user: draft.user,
    initFail: draft.initFail,
    location: node.location,
  };
}

/**
 * keepalived's default script user is script_user, else `keepalived_script`
 * when it exists, else root; with enable_script_security the fallback to
 * root is refused. Unknown when the host cannot be asked.
 */
export function defaultScriptUserUsable(globalDefs: GlobalDefs, context: BuildContext): boolean {
  if (globalDefs.scriptUser || !globalDefs.enableScriptSecurity) return true;
  const { userExists } = context.environment;
  return userExists ? userExists('keepalived_script') : true;
}

/** The user a script will run as, by keepalived's defaults (undefined: unknown without the host). */
export function effectiveScriptUser(own: ScriptUser | undefined, globalDefs: GlobalDefs, keepalivedScriptExists: boolean | undefined): ScriptUser | undefined {
  if (own) return own;
  if (globalDefs.scriptUser) return globalDefs.scriptUser;
  if (keepalivedScriptExists === undefined) return undefined;
  return keepalivedScriptExists ? { user: 'keepalived_script', group: undefined } : { user: 'root', group: undefined };
}
