// vrrp_sync_group: the members follow each other (keepalived's vrrp_sync.c).
// One member's transition drives the others; the group remembers its state so
// that each propagation happens, and is logged, once.

import { log, transition, cancelAllTimers, type Step } from './actions.js';
import { messages } from './messages.js';
import { canGotoMaster, type InstanceRuntime } from './runtime.js';
import { becomeMaster, leaveFault, leaveMaster } from './transitions.js';

/** `rt` has become MASTER: the others follow, if all of them want to. */
export function syncMaster(step: Step, rt: InstanceRuntime): void {
  const group = rt.group;
  if (!group || group.state === 'master' || !canGotoMaster(rt)) return;
  log(step, rt, messages.groupSyncing(group.name, 'MASTER'), group.name);
  // Marked first so that each member passes canGotoMaster whatever its place in the list.
  group.state = 'master';
  for (const member of group.members) {
    if (member === rt || member.state === 'master') continue;
    becomeMaster(step, member, 'sync-group');
  }
}

/** `rt` has become BACKUP (from MASTER, or up from FAULT): the others follow. */
export function syncBackup(step: Step, rt: InstanceRuntime): void {
  const group = rt.group;
  if (!group || group.state === 'backup') return;
  log(step, rt, messages.groupSyncing(group.name, 'BACKUP'), group.name);
  for (const member of group.members) {
    if (member === rt || member.state === 'backup') continue;
    member.wantState = 'backup';
    if (member.state === 'master') leaveMaster(step, member, 'backup', 'sync-group', false);
    else leaveFault(step, member, 'sync-group');
  }
  group.state = 'backup';
}

/**
 * `rt` has entered FAULT: the others follow. A master says so on the wire
 * (priority 0) and logs it; a backup goes quietly, as in keepalived.
 */
export function syncFault(step: Step, rt: InstanceRuntime): void {
  const group = rt.group;
  if (!group || group.state === 'fault') return;
  log(step, rt, messages.groupSyncing(group.name, 'FAULT'), group.name);
  for (const member of group.members) {
    if (member === rt || member.state === 'fault') continue;
    member.wantState = 'fault';
    if (member.state === 'master') {
      leaveMaster(step, member, 'fault', 'sync-group', false);
    } else {
      transition(step, member, 'fault', 'sync-group');
      cancelAllTimers(step, member);
    }
  }
  group.state = 'fault';
}
