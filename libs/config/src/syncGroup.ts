// `vrrp_sync_group NAME { group { INSTANCE ... } notify_* ... }`
// (keepalived 2.2.7 vrrp/vrrp_parser.c vrrp_sync_group_handler and
// vrrp_sync.c vrrp_sync_set_group()).

import type { SourceLocation } from './diagnostics.js';
import type { BuildContext } from './environment.js';
import { dispatchBlock, requireArg, UNMODELLED_SYNC_GROUP, valueBlock, type Handler } from './keywords.js';
import type { ScriptCommand, TrackedInterface, TrackedScript } from './model.js';
import type { ConfigNode } from './parser.js';
import { readScriptCommand } from './scriptCommand.js';
import { readTrackedInterfaces, readTrackedScripts } from './tracking.js';

export interface SyncGroupDraft {
  name: string;
  location: SourceLocation;
  instances: { name: string; location: SourceLocation }[] | undefined;
  trackInterface: TrackedInterface[];
  trackScript: TrackedScript[];
  notifyMaster: ScriptCommand | undefined;
  notifyBackup: ScriptCommand | undefined;
  notifyFault: ScriptCommand | undefined;
  notifyStop: ScriptCommand | undefined;
  notify: ScriptCommand | undefined;
  keepsTrackingWeights: boolean;
}

export function readSyncGroup(node: ConfigNode, scripts: ReadonlySet<string>, context: BuildContext): SyncGroupDraft | undefined {
  const { diagnostics } = context;
  if (node.args.length !== 1) {
    diagnostics.warn(node.location, 'vrrp_sync_group must have a name - skipping');
    return undefined;
  }
  const name = node.args[0]!;
  const draft: SyncGroupDraft = {
    name,
    location: node.location,
    instances: undefined,
    trackInterface: [],
    trackScript: [],
    notifyMaster: undefined,
    notifyBackup: undefined,
    notifyFault: undefined,
    notifyStop: undefined,
    notify: undefined,
    keepsTrackingWeights: false,
  };
  const notify = (key: 'notifyMaster' | 'notifyBackup' | 'notifyFault' | 'notifyStop' | 'notify'): Handler<SyncGroupDraft> => (child, d) => {
    if (d[key]) return diagnostics.warn(child.location, `vrrp group ${name}: ${child.keyword} script already specified - ignoring ${child.args[0] ?? ''}`);
    if (requireArg(child, 1, diagnostics) === undefined) return;
    d[key] = readScriptCommand(child, context, { withUser: true });
  };
  const handlers: Record<string, Handler<SyncGroupDraft>> = {
    group: (child, d) => {
      if (d.instances) return diagnostics.warn(child.location, `Group list already specified for sync group ${name} - ignoring`);
      d.instances = valueBlock(child, diagnostics).flatMap((entry) => [entry.keyword, ...entry.args].map((instance) => ({ name: instance, location: entry.location })));
      if (d.instances.length === 0) diagnostics.warn(child.location, `Warning - sync group ${name} has empty group block`);
    },
    track_interface: (child, d) => {
      d.trackInterface.push(...readTrackedInterfaces(child, name, context));
    },
    track_script: (child, d) => {
      d.trackScript.push(...readTrackedScripts(child, name, scripts, context));
    },
    notify_master: notify('notifyMaster'),
    notify_backup: notify('notifyBackup'),
    notify_fault: notify('notifyFault'),
    notify_stop: notify('notifyStop'),
    notify: notify('notify'),
    sync_group_tracking_weight: (_child, d) => {
      d.keepsTrackingWeights = true;
    },
    global_tracking: (child, d) => {
      diagnostics.warn(child.location, `(${name}) global_tracking is deprecated. Use track_interface/script/file on the sync group`);
      d.keepsTrackingWeights = true;
    },
  };
  dispatchBlock(node.children ?? [], handlers, UNMODELLED_SYNC_GROUP, draft, diagnostics);
  return draft;
}
