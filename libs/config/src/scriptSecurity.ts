// keepalived's script checks (core/notify.c check_script_secure(),
// check_security(); vrrp/vrrp.c check_vrrp_script_security()), run against
// the real files. A script that runs as root (or group root) must not be
// writable by anyone but root, nor sit below a directory that is (unless
// the directory is sticky), counting every component of its path.
//
// What `keepalived -t` (2.2.7) makes of it, checked on this host:
// - enable_script_security set: an insecure or missing vrrp_script is
//   "Disabling track script X ..." (exit 5); a vrrp_script that is not
//   executable, and any bad notify script, are disabled with only a log line
//   (exit 0).
// - enable_script_security not set: any script that exists gives
//   "SECURITY VIOLATION - scripts are being executed but script_security not
//   enabled." (exit 6), whether or not it is safe.

import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { posix } from 'node:path';
import { readAccounts, type Accounts } from './accounts.js';
import type { Diagnostic } from './diagnostics.js';
import type { KeepalivedConfig, ScriptCommand, ScriptUser } from './model.js';

export interface ScriptSecurityOptions {
  /** Users and groups; read from /etc/passwd and /etc/group when left out. */
  readonly accounts?: Accounts;
  /** The PATH used for bare command names (keepalived searches its own PATH). */
  readonly path?: string;
}

interface ScriptUse {
  readonly label: string;
  /** The vrrp_script's name, or the instance / sync group that owns a notify script. */
  readonly owner: string;
  /** 'script' for a vrrp_script, else the notify keyword. */
  readonly keyword: string;
  readonly kind: 'vrrp_script' | 'notify';
  readonly command: ScriptCommand;
  readonly user: ScriptUser | undefined;
}

type Verdict =
  | { readonly found: false; readonly detail: string }
  | { readonly found: true; readonly executable: boolean; readonly insecure: string | undefined; readonly system: boolean };

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function checkScriptSecurity(config: KeepalivedConfig, options: ScriptSecurityOptions = {}): Diagnostic[] {
  // keepalived checks nothing when there is no vrrp instance.
  if (config.vrrpInstances.length === 0) return [];
  const accounts = options.accounts ?? readAccounts();
  const { globalDefs } = config;
  const security = globalDefs.enableScriptSecurity;
  const diagnostics: Diagnostic[] = [];
  let anyScript = false;
  let anyInsecure = false;

  for (const use of scriptUses(config)) {
    const identity = identityOf(use.user ?? globalDefs.scriptUser ?? defaultUser(accounts), accounts);
    const verdict = judge(use.command, identity, options.path ?? process.env['PATH'] ?? DEFAULT_PATH);
    const location = use.command.location;
    const disablesScript = { kind: use.kind, owner: use.owner, keyword: use.keyword };
    const logged = (message: string, disables = false): void =>
      void diagnostics.push({ severity: 'warning', kind: 'logged', location, message, ...(disables ? { disablesScript } : {}) });
    if (!verdict.found) {
      if (security && use.kind === 'vrrp_script') diagnostics.push({ severity: 'error', kind: 'config', location, message: `Disabling track script ${use.label} since not found/accessible (${verdict.detail})`, disablesScript });
      else logged(`${use.label}: script ${use.command.argv[0]} cannot be used (${verdict.detail}) - disabling`, true);
      continue;
    }
    if (verdict.system) continue;
    anyScript = true;
    if (verdict.insecure) {
      anyInsecure = true;
      if (security && use.kind === 'vrrp_script') {
        diagnostics.push({ severity: 'error', kind: 'config', location, message: `Disabling track script ${use.label} due to insecure: ${verdict.insecure}`, disablesScript });
      } else {
        logged(`unsafe permissions found for ${use.label} script ${use.command.argv[0]}: ${verdict.insecure}${security ? ' - disabling' : ''}`, security);
      }
      continue;
    }
    if (!verdict.executable) logged(`WARNING - ${use.label} script '${use.command.argv[0]}' is not executable for uid:gid ${identity.uid}:${identity.gid} - disabling`, true);
  }
  if (!security && anyScript) {
    diagnostics.push({
      severity: 'error',
      kind: 'security',
      location: globalDefs.location,
      message: `SECURITY VIOLATION - scripts are being executed but script_security not enabled.${anyInsecure ? ' There are insecure scripts.' : ''}`,
    });
  }
  return diagnostics;
}

function scriptUses(config: KeepalivedConfig): ScriptUse[] {
  const uses: ScriptUse[] = config.vrrpScripts.map((script) => ({ label: script.name, owner: script.name, keyword: 'script', kind: 'vrrp_script', command: script.script, user: script.user }));
  const notifyKeywords = { notifyMaster: 'notify_master', notifyBackup: 'notify_backup', notifyFault: 'notify_fault', notifyStop: 'notify_stop', notify: 'notify' } as const;
  for (const owner of [...config.vrrpInstances, ...config.vrrpSyncGroups]) {
    for (const [key, keyword] of Object.entries(notifyKeywords) as [keyof typeof notifyKeywords, string][]) {
      const command = owner[key];
      if (command) uses.push({ label: `(${owner.name}) ${keyword}`, owner: owner.name, keyword, kind: 'notify', command, user: command.user });
    }
  }
  return uses;
}

const defaultUser = (accounts: Accounts): ScriptUser => ({ user: accounts.users.has('keepalived_script') ? 'keepalived_script' : 'root', group: undefined });

export interface Identity {
  readonly uid: number;
  readonly gid: number;
}

export function identityOf(user: ScriptUser, accounts: Accounts): Identity {
  const entry = accounts.users.get(user.user);
  const gid = user.group !== undefined ? accounts.groups.get(user.group) : entry?.gid;
  // An unknown user is judged as root, the case that needs the strictest check.
  return { uid: entry?.uid ?? 0, gid: gid ?? entry?.gid ?? 0 };
}

export function isExecutable(stats: Stats, uid: number, gid: number): boolean {
  if (uid === 0) return (stats.mode & 0o111) !== 0;
  if (stats.uid === uid) return (stats.mode & 0o100) !== 0;
  if (stats.gid === gid) return (stats.mode & 0o010) !== 0;
  return (stats.mode & 0o001) !== 0;
}

/** Where a script's file is, as keepalived finds it (PATH for a bare name), and what it resolves to. */
export type ScriptLocation =
  | { readonly found: false; readonly detail: string }
  | { readonly found: true; readonly file: string; readonly real: string; readonly stats: Stats };

export function locateScript(argv0: string, identity: Identity, searchPath: string): ScriptLocation {
  let file = argv0;
  if (!file.includes('/')) {
    const found = searchPath
      .split(':')
      .map((dir) => posix.join(dir || '.', file))
      .find((candidate) => {
        try {
          const stats = statSync(candidate);
          return stats.isFile() && isExecutable(stats, identity.uid, identity.gid);
        } catch {
          return false;
        }
      });
    if (!found) return { found: false, detail: `cannot find ${file} in PATH` };
    file = found;
  }
  try {
    const real = realpathSync(file);
    return { found: true, file, real, stats: statSync(real) };
  } catch (error) {
    return { found: false, detail: error instanceof Error && 'code' in error ? String(error.code) : 'not accessible' };
  }
}

/** Whether a script runs with root's power: as root, or set-uid/set-gid root. */
export const runsAsRoot = (stats: Stats, identity: Identity): boolean =>
  identity.uid === 0 ||
  identity.gid === 0 ||
  (stats.uid === 0 && (stats.mode & 0o4100) === 0o4100) ||
  (stats.gid === 0 && (stats.mode & 0o2010) === 0o2010);

function judge(command: ScriptCommand, identity: Identity, searchPath: string): Verdict {
  const argv0 = command.argv[0] ?? '';
  // `</path` only tests that a file can be opened; nothing is executed.
  if (/^<[ \t]*\//.test(argv0)) return { found: true, executable: true, insecure: undefined, system: true };
  const location = locateScript(argv0, identity, searchPath);
  if (!location.found) return location;
  const { file, real, stats } = location;
  const executable = isExecutable(stats, identity.uid, identity.gid);
  if (!executable || !runsAsRoot(stats, identity)) return { found: true, executable, insecure: undefined, system: false };
  const insecure = unsafeComponent(file) ?? (real !== file ? unsafeComponent(real) : undefined);
  return { found: true, executable, insecure, system: false };
}

/** The first path component that a non-root user could change, described; undefined when all are safe. */
export function unsafeComponent(path: string): string | undefined {
  const absolute = posix.resolve(path);
  const parts = absolute.split('/').filter(Boolean);
  const components = ['/', ...parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`)];
  for (const [index, component] of components.entries()) {
    const last = index === components.length - 1;
    let stats: Stats;
    try {
      stats = lstatSync(component);
    } catch {
      return `${component} cannot be examined`;
    }
    if ((!last && !stats.isDirectory()) || (last && !stats.isFile() && !stats.isSymbolicLink())) return `wrong file type at ${component}`;
    if (stats.uid !== 0) return `${component} is owned by uid ${stats.uid}, not root`;
    const checked = (stats.isDirectory() && (stats.mode & 0o1000) === 0) || stats.isFile();
    if (checked && stats.gid !== 0 && stats.mode & 0o020) return `${component} is writable by group ${stats.gid}`;
    if (checked && stats.mode & 0o002) return `${component} is writable by everyone`;
  }
  return undefined;
}

