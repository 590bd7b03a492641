// keepalived 2.2.7's log lines, word for word, so that operators' greps keep
// working. Checked against the Debian 2.2.7 binary (strings, and its console
// log in network-namespace labs, with and without --log-detail).
// `detail: true` lines appear only with --log-detail (-D).

export interface LogLine {
  readonly message: string;
  readonly detail?: true;
}

const info = (message: string): LogLine => ({ message });
const detail = (message: string): LogLine => ({ message, detail: true });

export const messages = {
  // State entries.
  enteringBackupInit: (i: string) => info(`(${i}) Entering BACKUP STATE (init)`),
  enteringBackup: (i: string) => info(`(${i}) Entering BACKUP STATE`),
  enteringMaster: (i: string) => info(`(${i}) Entering MASTER STATE`),
  enteringFault: (i: string) => info(`(${i}) Entering FAULT STATE`),
  /** Startup with a fault already known: keepalived's lower-case line. */
  enteringFaultAtStartup: (i: string) => info(`(${i}) entering FAULT state`),
  faultAtStartupInterface: (i: string, ifname: string) => info(`(${i}): entering FAULT state (interface ${ifname} down)`),
  faultAtStartupScript: (i: string, script: string) => info(`(${i}): entering FAULT state due to script ${script}`),

  // Adverts.
  discardingLowerPriority: (i: string, priority: number, from: string) =>
    info(`(${i}) received lower priority (${priority}) advert from ${from} - discarding`),
  masterHeardHigherPriority: (i: string, from: string, priority: number, ours: number) =>
    info(`(${i}) Master received advert from ${from} with higher priority ${priority}, ours ${ours}`),
  masterHeardHigherAddress: (i: string, from: string, priority: number) =>
    info(`(${i}) Master received advert from ${from} with same priority ${priority} but higher IP address than ours`),
  masterHeardLowerPriority: (i: string, from: string, priority: number, ours: number, forcingElection: boolean) =>
    info(`(${i}) Received advert from ${from} with lower priority ${priority}, ours ${ours}${forcingElection ? ', forcing new election' : ''}`),
  equalPriorityOwnAddress: (i: string) => info(`(${i}) WARNING - equal priority advert received from remote host with our IP address.`),
  ownerConflict: (i: string) =>
    info(`(${i}) CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority`),
  intervalMismatch: (i: string, mineSeconds: number, receivedSeconds: number) =>
    info(`(${i}) advertisement interval mismatch mine=${mineSeconds} sec rcv'd=${receivedSeconds} sec`),
  backupHeardPriorityZero: (i: string) => detail(`(${i}) Backup received priority 0 advertisement`),
  masterHeardPriorityZero: (i: string) => detail(`(${i}) Master received priority 0 message`),
  intervalLearned: (i: string, fromMs: number, toMs: number) => detail(`(${i}) advertisement interval updated from ${fromMs}ms to ${toMs}ms by master`),
  intervalRestored: (i: string, fromMs: number, toMs: number) =>
    detail(`(${i}) changing advert interval from ${fromMs}ms to locally configured ${toMs}ms`),
  startPreemptDelay: (i: string, delay: string) => detail(`(${i}) start preempt delay (${delay})`),
  stopPreemptDelay: (i: string) => detail(`(${i}) stop preempt delay`),

  // Timers and the addresses.
  receiveTimeout: (i: string) => detail(`(${i}) Receive advertisement timeout`),
  sentPriorityZero: (i: string) => detail(`(${i}) sent 0 priority`),
  settingVips: (i: string) => detail(`(${i}) setting VIPs.`),
  removingVips: (i: string) => detail(`(${i}) removing VIPs.`),

  // Tracking.
  changingPriority: (i: string, from: number, to: number) => info(`(${i}) Changing effective priority from ${from} to ${to}`),

  // Configuration adjustments keepalived makes (logged while it loads the configuration).
  nopreemptWithOwner: (i: string) => info(`(${i}) nopreempt is incompatible with priority 255. resetting nopreempt`),
  nopreemptWithInitialMaster: (i: string) => info(`(${i}) Warning - nopreempt will not work with initial state MASTER - clearing`),
  preemptDelayWithInitialMaster: (i: string) => info(`(${i}) Warning - preempt delay will not work with initial state MASTER - clearing`),
  ownInterfaceTracked: (i: string, ifname: string) => info(`(${i}) Ignoring track_interface ${ifname} since own interface`),
  weightedInterfaceIgnored: (i: string, ifname: string, why: 'sync group' | 'owner') =>
    info(`(${i}) ignoring ${ifname} tracked interface ${why === 'sync group' ? 'weight ' : ''}due to ${why === 'sync group' ? 'SYNC group' : 'address owner'}`),
  weightedScriptIgnored: (i: string, script: string, why: 'sync group' | 'owner') =>
    info(`(${i}) ignoring tracked script ${script} with weights due to ${why === 'sync group' ? 'SYNC group' : 'address_owner'}`),

  // Sync groups.
  groupSyncing: (g: string, state: 'MASTER' | 'BACKUP' | 'FAULT') => info(`VRRP_Group(${g}) Syncing instances to ${state} state`),
  groupFaultAtStartup: (g: string) => info(`VRRP_Group(${g}): Syncing instances to FAULT state`),
} as const;
