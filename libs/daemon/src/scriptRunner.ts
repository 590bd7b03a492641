// Runs the scripts a keepalived.conf names (vrrp_script checks, notify
// scripts) as keepalived 2.x does: the words libs/config split the command
// line into (no shell), executed as script_user, ended after its timeout.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ScriptUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

function lookup(file: string, name: string): string[] | undefined {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name) return fields;
  }
  return undefined;
}

/** Resolves `script_user USER [GROUP]` through /etc/passwd and /etc/group; throws naming what is unknown. */
export function resolveScriptUser(user: string, group?: string): ScriptUser {
  const passwd = /^\d+$/.test(user) ? undefined : lookup('/etc/passwd', user);
  if (!passwd && !/^\d+$/.test(user)) throw new Error(`script_user ${user}: no such user`);
  const uid = passwd ? Number(passwd[2]) : Number(user);
  let gid = passwd ? Number(passwd[3]) : uid;
  if (group !== undefined) {
    const entry = /^\d+$/.test(group) ? undefined : lookup('/etc/group', group);
    if (!entry && !/^\d+$/.test(group)) throw new Error(`script_user ${user} ${group}: no such group`);
    gid = entry ? Number(entry[2]) : Number(group);
  }
  return { name: user, uid, gid };
}

export interface ScriptResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  /** Set when the script could not be started at all (not found, not executable). */
  readonly error?: string;
}

export interface RunScriptOptions {
  readonly user?: ScriptUser;
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export function runScript(argv: readonly string[], options: RunScriptOptions = {}): Promise<ScriptResult> {
  return new Promise((resolve) => {
    const [file, ...args] = argv;
    if (file === undefined) {
      resolve({ code: null, signal: null, timedOut: false, error: 'empty command' });
      return;
    }
    let timedOut = false;
    let settled = false;
    const child = spawn(file, args, {
      stdio: 'ignore',
      env: options.env ?? process.env,
      ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
    });
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs)
        : undefined;
    const finish = (result: ScriptResult) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolve(result);
    };
    child.on('error', (error) => finish({ code: null, signal: null, timedOut: false, error: `${file}: ${(error as NodeJS.ErrnoException).code ?? error.message}` }));
    child.on('exit', (code, signal) => finish({ code, signal, timedOut }));
  });
}
