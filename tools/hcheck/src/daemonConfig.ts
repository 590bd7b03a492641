// keepalived.conf for `hcheck -f`: the file judged as `keepalived -t`
// judges it (-t), or read for running its virtual servers, with the scripts
// keepalived's security checks disable left out.

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
  type GlobalDefs,
  type KeepalivedConfig,
  type ScriptCommand,
  type VirtualServer,
  type VirtualServerGroup,
} from '@keepalived-ts/config';

export interface CheckerPlan {
  readonly globalDefs: GlobalDefs;
  /** The virtual servers to run, without the scripts keepalived would not run (not found, insecure, no user). */
  readonly virtualServers: readonly VirtualServer[];
  readonly groups: readonly VirtualServerGroup[];
}

function read(path: string, checkInterfaces: boolean): { config: KeepalivedConfig; diagnostics: readonly Diagnostic[] } {
  if (!existsSync(path)) throw new UserError(`${path}: No such file or directory`, ExitCode.failure);
  try {
    const { config, diagnostics } = loadKeepalivedConfig(path, { checkInterfaces });
    return { config, diagnostics };
  } catch (error) {
    if (error instanceof ConfigError) throw new UserError(error.message, ExitCode.failure);
    throw error;
  }
}

/**
 * `hcheck -t`: the whole file, as `keepalived -t` sees it (interfaces and
 * the VRRP side included, since keepalived judges one file): 0 good, 5
 * problems, 6 script security, 4 fatal, 2 a parameter missing.
 */
export function configTest(path: string, print: (line: string) => void): number {
  const { config, diagnostics } = read(path, true);
  const all = [...diagnostics, ...checkScriptSecurity(config), ...checkVirtualServerScripts(config).diagnostics];
  for (const d of all) print(formatDiagnostic(d));
  return configTestStatus(all);
}

/**
 * The file for the daemon; its diagnostics are printed. VRRP interfaces are
 * not looked up: they are vrrpd's concern. Throws UserError (status 1) when
 * there is nothing to run or keepalived would not read on.
 */
export function loadPlan(path: string, print: (line: string) => void): CheckerPlan {
  const { config, diagnostics } = read(path, false);
  const scripts = checkVirtualServerScripts(config);
  for (const d of [...diagnostics, ...scripts.diagnostics]) print(formatDiagnostic(d));
  const abort = diagnostics.find((d) => d.kind === 'abort');
  if (abort) throw new UserError(`configuration not usable: ${formatDiagnostic(abort)}`, ExitCode.failure);
  if (config.lvs.virtualServers.length === 0) throw new UserError(`${path}: no virtual_server to run`, ExitCode.failure);
  return { globalDefs: config.globalDefs, virtualServers: config.lvs.virtualServers.map((vs) => withoutScripts(vs, scripts.disabled)), groups: config.lvs.virtualServerGroups };
}

/** keepalived removes a MISC_CHECK whose script it will not run, and runs no disabled notify script. */
function withoutScripts(vs: VirtualServer, disabled: ReadonlySet<ScriptCommand>): VirtualServer {
  const keep = (script: ScriptCommand | undefined): ScriptCommand | undefined => (script && disabled.has(script) ? undefined : script);
  return {
    ...vs,
    quorumUp: keep(vs.quorumUp),
    quorumDown: keep(vs.quorumDown),
    realServers: vs.realServers.map((rs) => ({
      ...rs,
      notifyUp: keep(rs.notifyUp),
      notifyDown: keep(rs.notifyDown),
      checkers: rs.checkers.filter((checker) => checker.type !== 'MISC_CHECK' || !disabled.has(checker.script)),
    })),
  };
}
