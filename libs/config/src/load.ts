// The I/O entry: keepalived.conf from disk, with the host's users, groups
// and interfaces consulted as keepalived consults them.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { readAccounts } from './accounts.js';
import { parseKeepalivedConfig, type ParseOptions, type ParseResult } from './config.js';
import type { ConfigEnvironment, InterfaceStatus } from './environment.js';
import type { EntryKind } from './glob.js';
import type { ConfigFileSystem } from './include.js';

/** Linux ARPHRD_LOOPBACK: keepalived refuses loopback interfaces for VRRP. */
const ARPHRD_LOOPBACK = '772';

export const nodeFileSystem: ConfigFileSystem = {
  readFile: (path) => readFileSync(path, 'utf8'),
  listDirectory(path) {
    try {
      return readdirSync(path);
    } catch {
      return undefined;
    }
  },
  kindOf(path): EntryKind | undefined {
    try {
      const stat = statSync(path);
      if (stat.isDirectory()) return 'directory';
      if (!stat.isFile()) return 'other';
      return stat.mode & 0o111 ? 'executable' : 'file';
    } catch {
      return undefined;
    }
  },
};

/** Interfaces as the kernel of this network namespace lists them in /sys/class/net. */
export function systemInterfaceStatus(name: string): InterfaceStatus {
  try {
    return readFileSync(`/sys/class/net/${name}/type`, 'utf8').trim() === ARPHRD_LOOPBACK ? 'loopback' : 'present';
  } catch {
    return 'missing';
  }
}

export interface LoadOptions extends ParseOptions {
  /** Check interfaces against this host, as `keepalived -t` does (default true). */
  readonly checkInterfaces?: boolean;
}

export function systemEnvironment(checkInterfaces = true): ConfigEnvironment {
  const accounts = readAccounts();
  return {
    userExists: (name) => accounts.users.has(name),
    groupExists: (name) => accounts.groups.has(name),
    ...(checkInterfaces ? { interfaceStatus: systemInterfaceStatus } : {}),
  };
}

/** Reads a keepalived.conf and everything it includes from disk. */
export function loadKeepalivedConfig(path: string, options: LoadOptions = {}): ParseResult {
  const environment = options.environment ?? systemEnvironment(options.checkInterfaces ?? true);
  return parseKeepalivedConfig(resolve(path), nodeFileSystem, { ...options, environment });
}
