// The pure entry: text (through a file reader) in, typed configuration and
// keepalived-style diagnostics out. Top-level blocks are handled in file
// order, because keepalived resolves `track_script` names against the
// vrrp_scripts defined above them.

import { DiagnosticSink, type Diagnostic } from './diagnostics.js';
import type { BuildContext, ConfigEnvironment } from './environment.js';
import { buildGlobalDefs } from './globalDefs.js';
import { readStatements, type ConfigFileSystem, type ReadOptions } from './include.js';
import { OTHER_TOP_LEVEL } from './keywords.js';
import type { KeepalivedConfig, VrrpInstance, VrrpScript, VrrpSyncGroup } from './model.js';
import { parseStatements, type ConfigNode } from './parser.js';
import { readSyncGroup, type SyncGroupDraft } from './syncGroup.js';
import { completeVrrpInstance, readVrrpInstance, type InstanceDraft } from './vrrpInstance.js';
import { buildVrrpScript } from './vrrpScript.js';
import { completeVirtualServers, readVirtualServer, type VirtualServerDraft } from './virtualServer.js';
import { readVirtualServerGroup } from './virtualServerGroup.js';
import type { VirtualServerGroup } from './virtualServerModel.js';

export interface ParseOptions extends ReadOptions {
  /** Host lookups (users, groups, interfaces); each one left out skips its checks. */
  readonly environment?: ConfigEnvironment;
}

export interface ParseResult {
  readonly config: KeepalivedConfig;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Reads `mainFile` and its includes through `fs` and builds the model.
 * Throws ConfigError (`FILE:LINE:COL: what`) for text that cannot be read as
 * a configuration at all: unbalanced braces, an unterminated quote, an
 * include cycle.
 */
export function parseKeepalivedConfig(mainFile: string, fs: ConfigFileSystem, options: ParseOptions = {}): ParseResult {
  const diagnostics = new DiagnosticSink();
  const { statements, files } = readStatements(mainFile, fs, diagnostics, options);
  const nodes = parseStatements(statements);
  const config = buildConfig(nodes, files, { diagnostics, environment: options.environment ?? {} });
  return { config, diagnostics: diagnostics.items };
}

/** A configuration held in memory, e.g. from a test or stdin; includes resolve against `files`. */
export function parseKeepalivedConfigText(text: string, options: ParseOptions & { readonly fileName?: string; readonly files?: Readonly<Record<string, string>> } = {}): ParseResult {
  const fileName = options.fileName ?? 'keepalived.conf';
  return parseKeepalivedConfig(fileName, memoryFileSystem({ ...options.files, [fileName]: text }), options);
}

/** A read-only file system over a map of path to text; directories are implied by the paths. */
export function memoryFileSystem(files: Readonly<Record<string, string>>): ConfigFileSystem {
  const normalise = (path: string): string => path.replace(/\/+$/, '').replace(/^\.\//, '') || '/';
  const entries = new Map(Object.entries(files).map(([path, text]) => [normalise(path), text]));
  const childrenOf = (dir: string): string[] | undefined => {
    const prefix = dir === '.' ? '' : dir === '/' ? '/' : `${dir}/`;
    const names = new Set<string>();
    for (const path of entries.keys()) {
      if (!path.startsWith(prefix) || path === dir) continue;
      const name = path.slice(prefix.length).split('/')[0];
      if (name) names.add(name);
    }
    return names.size > 0 ? [...names] : undefined;
  };
  return {
    readFile(path) {
      const text = entries.get(normalise(path));
      if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file '${path}'`), { code: 'ENOENT' });
      return text;
    },
    listDirectory: (path) => childrenOf(normalise(path)),
    kindOf(path) {
      const key = normalise(path);
      if (entries.has(key)) return 'file';
      return childrenOf(key) ? 'directory' : undefined;
    },
  };
}

export function buildConfig(nodes: readonly ConfigNode[], files: readonly string[], context: BuildContext): KeepalivedConfig {
  const { diagnostics } = context;
  const globalDefs = buildGlobalDefs(
    nodes.filter((node) => node.keyword === 'global_defs' && withBlock(node, context)),
    context,
  );
  const scripts: VrrpScript[] = [];
  const scriptNames = new Set<string>();
  const instanceDrafts: InstanceDraft[] = [];
  const groupDrafts: SyncGroupDraft[] = [];
  const virtualServers: ConfigNode[] = [];
  const virtualServerGroups: ConfigNode[] = [];
  const virtualServerDrafts: VirtualServerDraft[] = [];
  const groups: VirtualServerGroup[] = [];
  const otherBlocks: ConfigNode[] = [];

  for (const node of nodes) {
    switch (node.keyword) {
      case 'global_defs':
        break;
      case 'vrrp_script': {
        if (!withBlock(node, context)) break;
        const script = buildVrrpScript(node, globalDefs, context);
        if (script) {
          scripts.push(script);
          scriptNames.add(script.name);
        }
        break;
      }
      case 'vrrp_instance': {
        if (!withBlock(node, context)) break;
        const draft = readVrrpInstance(node, scriptNames, context);
        if (!draft) break;
        if (instanceDrafts.some((other) => other.name === draft.name)) {
          diagnostics.warn(node.location, `vrrp instance ${draft.name} already defined - skipping`);
          break;
        }
        instanceDrafts.push(draft);
        break;
      }
      case 'vrrp_sync_group': {
        if (!withBlock(node, context)) break;
        const draft = readSyncGroup(node, scriptNames, context);
        if (!draft) break;
        if (groupDrafts.some((other) => other.name === draft.name)) {
          diagnostics.warn(node.location, `vrrp sync group ${draft.name} already defined - skipping`);
          break;
        }
        groupDrafts.push(draft);
        break;
      }
      case 'virtual_server': {
        virtualServers.push(node);
        const draft = readVirtualServer(node, context);
        if (draft) virtualServerDrafts.push(draft);
        break;
      }
      case 'virtual_server_group': {
        virtualServerGroups.push(node);
        if (!withBlock(node, context)) break;
        const group = readVirtualServerGroup(node, context);
        if (group) groups.push(group);
        break;
      }
      default:
        if (OTHER_TOP_LEVEL.has(node.keyword)) otherBlocks.push(node);
        else diagnostics.warn(node.location, `unknown keyword '${node.keyword}'`);
    }
  }

  const groupOf = new Map<string, SyncGroupDraft>();
  const syncGroups: VrrpSyncGroup[] = [];
  for (const group of groupDrafts) {
    const members: string[] = [];
    for (const member of group.instances ?? []) {
      if (!instanceDrafts.some((draft) => draft.name === member.name)) {
        diagnostics.warn(member.location, `Virtual router ${member.name} specified in sync group ${group.name} doesn't exist - ignoring`);
        continue;
      }
      const other = groupOf.get(member.name);
      if (other) {
        diagnostics.warn(member.location, `VRRP instance ${member.name} is already in sync group ${other.name} - ignoring`);
        continue;
      }
      groupOf.set(member.name, group);
      members.push(member.name);
    }
    if (members.length < 2) diagnostics.warn(group.location, `Sync group ${group.name} has only ${members.length} virtual router(s) - this probably isn't what you want`);
    syncGroups.push({
      name: group.name,
      instances: members,
      trackInterface: group.trackInterface,
      trackScript: group.trackScript,
      notifyMaster: group.notifyMaster,
      notifyBackup: group.notifyBackup,
      notifyFault: group.notifyFault,
      notifyStop: group.notifyStop,
      notify: group.notify,
      location: group.location,
    });
  }

  const scriptsByName = new Map<string, VrrpScript>();
  for (const script of scripts) if (!scriptsByName.has(script.name)) scriptsByName.set(script.name, script);
  const instances: VrrpInstance[] = [];
  for (const draft of instanceDrafts) {
    const group = groupOf.get(draft.name);
    const completion = { globalDefs, scripts: scriptsByName, syncGroup: group?.name, syncGroupKeepsWeights: group?.keepsTrackingWeights ?? false };
    const instance = completeVrrpInstance(draft, completion, context);
    if (instance) instances.push(instance);
  }
  reportSharedRouterIds(instances, context);
  // Groups are looked up once everything is read: a virtual_server may name one defined below it.
  const lvs = completeVirtualServers(virtualServerDrafts, groups, context);

  return { globalDefs, vrrpScripts: scripts, vrrpInstances: instances, vrrpSyncGroups: syncGroups, virtualServers, virtualServerGroups, lvs, otherBlocks, files };
}

function withBlock(node: ConfigNode, context: BuildContext): boolean {
  if (node.children !== undefined) return true;
  context.diagnostics.warn(node.location, `missing '{' at beginning of configuration block ${node.keyword} - ignoring it`);
  return false;
}

/** Two instances with one VRID, family and interface would answer each other's adverts. */
function reportSharedRouterIds(instances: readonly VrrpInstance[], context: BuildContext): void {
  const seen = new Map<string, VrrpInstance>();
  for (const instance of instances) {
    const key = `${instance.interface}/${instance.family}/${instance.virtualRouterId}`;
    const other = seen.get(key);
    if (other) {
      context.diagnostics.warn(instance.location, `${other.name} and ${instance.name} both use VRID ${instance.virtualRouterId} with IPv${instance.family} on interface ${instance.interface}`);
    } else {
      seen.set(key, instance);
    }
  }
}
