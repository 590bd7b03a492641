// Users and groups as keepalived resolves script_user and `user` (getpwnam,
// getgrnam). Node has no getpwnam, so the local files are read; accounts
// served only by NSS modules (LDAP, sssd) are not seen.

import { readFileSync } from 'node:fs';

export interface Accounts {
  readonly users: ReadonlyMap<string, { readonly uid: number; readonly gid: number }>;
  readonly groups: ReadonlyMap<string, number>;
}

export function parseAccounts(passwd: string, group: string): Accounts {
  const users = new Map<string, { uid: number; gid: number }>();
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name && uid !== undefined && gid !== undefined) users.set(name, { uid: Number(uid), gid: Number(gid) });
  }
  const groups = new Map<string, number>();
  for (const line of group.split('\n')) {
    const [name, , gid] = line.split(':');
    if (name && gid !== undefined) groups.set(name, Number(gid));
  }
  return { users, groups };
}

export function readAccounts(passwdPath = '/etc/passwd', groupPath = '/etc/group'): Accounts {
  const read = (path: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  };
  return parseAccounts(read(passwdPath), read(groupPath));
}
