// The script checks keepalived's checker process makes (check_data.c
// check_check_script_security(), check_misc.c check_misc_script_security(),
// core/notify.c check_notify_script_secure()) on MISC_CHECK scripts and the
// quorum_up / quorum_down / notify_up / notify_down scripts, against the
// real files. The rules are scriptSecurity.ts's; what keepalived 2.2.7's
// `-t` makes of them here, checked on this host:
// - enable_script_security not set: any script that exists gives "SECURITY VIOLATION - check scripts are being executed
//   but script_security not enabled." (exit 6);
// - set, with no script_user and no keepalived_script user: root is refused,
//   "Unable to set default user keepalived_script for script" (exit 5) and
//   each MISC_CHECK without its own user is removed;
// - a script that cannot be found is dropped with a log line only.

import { readAccounts } from './accounts.js';
import type { Diagnostic } from './diagnostics.js';
import type { KeepalivedConfig, ScriptCommand, ScriptUser } from './model.js';
import { DEFAULT_PATH, identityOf, isExecutable, locateScript, runsAsRoot, unsafeComponent, type Identity, type ScriptSecurityOptions } from './scriptSecurity.js';

export interface VirtualServerScriptCheck {
  readonly diagnostics: readonly Diagnostic[];
  /** Scripts keepalived would not run: the daemon leaves them out. */
  readonly disabled: ReadonlySet<ScriptCommand>;
}

interface Use {
  readonly command: ScriptCommand;
  readonly user: ScriptUser | undefined;
  readonly misc: boolean;
}


export function checkVirtualServerScripts(config: KeepalivedConfig, options: ScriptSecurityOptions = {}): VirtualServerScriptCheck {
  const uses: Use[] = [];
  for (const vs of config.lvs.virtualServers) {
    for (const command of [vs.quorumUp, vs.quorumDown]) if (command) uses.push({ command, user: command.user, misc: false });
    for (const rs of vs.realServers) {
      for (const command of [rs.notifyUp, rs.notifyDown]) if (command) uses.push({ command, user: command.user, misc: false });
      for (const checker of rs.checkers) if (checker.type === 'MISC_CHECK') uses.push({ command: checker.script, user: checker.user, misc: true });
    }
  }
  const diagnostics: Diagnostic[] = [];
  const disabled = new Set<ScriptCommand>();
  if (uses.length === 0) return { diagnostics, disabled };
  const accounts = options.accounts ?? readAccounts();
  const { globalDefs } = config;
  const security = globalDefs.enableScriptSecurity;
  const fallback: ScriptUser | undefined = globalDefs.scriptUser ?? (accounts.users.has('keepalived_script') ? { user: 'keepalived_script', group: undefined } : security ? undefined : { user: 'root', group: undefined });
  let anyScript = false;
  let anyInsecure = false;
  let toldNoUser = false;

  for (const use of uses) {
    const location = use.command.location;
    const user = use.user ?? fallback;
    if (!user) {
      if (!toldNoUser) diagnostics.push({ severity: 'error', kind: 'config', location, message: 'Unable to set default user keepalived_script for script' });
      toldNoUser = true;
      if (use.misc) diagnostics.push({ severity: 'error', kind: 'config', location, message: `Unable to set default user for misc script ${use.command.argv.map((w) => `'${w}'`).join(' ')} - removing` });
      disabled.add(use.command);
      continue;
    }
    const identity = identityOf(user, accounts);
    const verdict = judge(use.command, identity, options.path ?? process.env['PATH'] ?? DEFAULT_PATH);
    const logged = (message: string): void => void diagnostics.push({ severity: 'warning', kind: 'logged', location, message });
    if (!verdict.found) {
      logged(`${use.misc ? 'Disabling misc script' : 'Disabling notify script'} ${use.command.argv[0]} since not found/accessible (${verdict.detail})`);
      disabled.add(use.command);
      continue;
    }
    anyScript = true;
    if (verdict.insecure) {
      anyInsecure = true;
      logged(`unsafe permissions found for script ${use.command.argv[0]}: ${verdict.insecure}${security ? ' - disabling' : ''}`);
      if (security) disabled.add(use.command);
      continue;
    }
    if (!verdict.executable) {
      logged(`WARNING - script '${use.command.argv[0]}' is not executable for uid:gid ${identity.uid}:${identity.gid} - disabling`);
      disabled.add(use.command);
    }
  }
  if (!security && anyScript) {
    diagnostics.push({
      severity: 'error',
      kind: 'security',
      location: globalDefs.location,
      message: `SECURITY VIOLATION - check scripts are being executed but script_security not enabled.${anyInsecure ? ' There are insecure scripts.' : ''}`,
    });
  }
  return { diagnostics, disabled };
}

type Verdict =
  | { readonly found: false; readonly detail: string }
  | { readonly found: true; readonly executable: boolean; readonly insecure: string | undefined };

function judge(command: ScriptCommand, identity: Identity, searchPath: string): Verdict {
  const location = locateScript(command.argv[0] ?? '', identity, searchPath);
  if (!location.found) return location;
  const { real, stats } = location;
  const executable = isExecutable(stats, identity.uid, identity.gid);
  if (!executable || !runsAsRoot(stats, identity)) return { found: true, executable, insecure: undefined };
  // keepalived judges the file the path resolves to (/bin is often a link to usr/bin).
  const insecure = unsafeComponent(real);
  return { found: true, executable, insecure };
}
