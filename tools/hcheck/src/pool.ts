// One virtual server's pool, as keepalived's checker process keeps it
// (check/ipwrapper.c, ipvswrapper.c ipvs_cmd): which real servers are alive,
// which are in IPVS (and with what weight), whether the quorum is up, and
// whether the sorry server stands in. Pure: checker outcomes and reload
// requests in, actions out (log lines in keepalived's words, IPVS changes,
// notify scripts to run, events), in the order keepalived makes them.
//
// The keepalived rules kept here:
// - alpha: a checker starts down, so its real server is not in the pool
//   until the checker succeeds; without alpha a real server starts up.
// - A real server is alive while none of its checkers fails.
// - inhibit_on_failure: a failed real server stays in IPVS with weight 0.
// - quorum: the sum of the alive weights must reach quorum + hysteresis to
//   be gained, and falls below quorum - hysteresis to be lost; then the
//   sorry server replaces every real server until it is gained again.
// - omega: on stop, the notify_down and quorum_down scripts run too.

import { formatServer, type RealServer, type RealServerChecker, type ScriptCommand, type VirtualServer, type VirtualServerGroup } from '@keepalived-ts/config';
import type { IpvsChange, IpvsDestination, IpvsService } from './ipvsChange.js';

export type ServerState = 'up' | 'down';

export type PoolEvent =
  | {
      readonly event: 'realServer';
      readonly virtualServer: string;
      readonly realServer: string;
      readonly from: ServerState | 'init';
      readonly to: ServerState;
      readonly reason: string;
      /** The weight IPVS gives it when alive (keepalived's effective weight). */
      readonly weight: number;
    }
  | {
      readonly event: 'quorum';
      readonly virtualServer: string;
      readonly from: ServerState | 'init';
      readonly to: ServerState;
      readonly reason: string;
      /** The sum of the alive real servers' weights. */
      readonly weight: number;
      readonly quorum: number;
      readonly hysteresis: number;
    };

export type PoolAction =
  | { readonly kind: 'log'; readonly message: string }
  | { readonly kind: 'ipvs'; readonly change: IpvsChange }
  /** A notify_up / notify_down / quorum_up / quorum_down script to run, with the arguments configured (keepalived adds none). */
  | { readonly kind: 'script'; readonly keyword: string; readonly script: ScriptCommand }
  | { readonly kind: 'event'; readonly event: PoolEvent };

/** What one run of a checker found, retries included. */
export interface CheckerOutcome {
  readonly up: boolean;
  /** misc_dynamic: the weight the script's exit status asks for. */
  readonly weight?: number;
  /** Why, for events ("connection refused", "status 503 (want 200-299)"). */
  readonly reason: string;
  /** keepalived's log lines for this result, logged when it changes the checker's state (or is its first). */
  readonly lines: readonly string[];
}

interface CheckerState {
  readonly config: RealServerChecker;
  isUp: boolean;
  hasRun: boolean;
  /** The last misc_dynamic weight applied, to act only on a change (keepalived's last_exit_code). */
  lastWeight: number | undefined;
}

interface RealServerState {
  readonly config: RealServer;
  readonly name: string;
  alive: boolean;
  /** In IPVS (keepalived's rs->set), with weight 0 when inhibited. */
  set: boolean;
  effectiveWeight: number;
  failed: number;
  /** Carried over by a reload: not re-added at start. */
  reloaded: boolean;
  checkers: CheckerState[];
}

interface SorryState {
  readonly config: NonNullable<VirtualServer['sorryServer']>;
  readonly name: string;
  alive: boolean;
  set: boolean;
}

/** IPVS keeps weights in 0..65535 (keepalived's real_weight). */
const realWeight = (weight: number): number => Math.min(Math.max(weight, 0), 65535);

/** The IPVS services a virtual server stands for: one, or one per address and fwmark of its group. */
export function servicesOf(vs: VirtualServer, group: VirtualServerGroup | undefined): IpvsService[] {
  const base = {
    scheduler: vs.scheduler,
    schedulerFlags: vs.schedulerFlags,
    onePacket: vs.onePacket,
    persistenceTimeout: vs.persistenceTimeout,
    persistenceGranularity: vs.persistenceGranularity,
  };
  switch (vs.service.kind) {
    case 'address':
      return [{ ...base, protocol: vs.protocol, address: vs.service.address, port: vs.service.port, fwmark: undefined, family: vs.service.family }];
    case 'fwmark':
      return [{ ...base, protocol: undefined, address: undefined, port: 0, fwmark: vs.service.fwmark, family: vs.family }];
    case 'group':
      return (group?.entries ?? []).flatMap((entry): IpvsService[] =>
        entry.kind === 'fwmark'
          ? [{ ...base, protocol: undefined, address: undefined, port: 0, fwmark: entry.fwmark, family: entry.family ?? vs.family }]
          : entry.addresses.map((address) => ({ ...base, protocol: vs.protocol, address, port: entry.port, fwmark: undefined, family: entry.family })),
      );
  }
}

/** A checker's identity across reloads: its configuration, without where it was written. */
export function checkerKey(checker: RealServerChecker): string {
  const { location: _location, ...rest } = checker;
  return JSON.stringify(rest, (key, value: unknown) => (key === 'location' ? undefined : value));
}

export class VirtualServerPool {
  private quorumUp = false;
  private quorumReported = false;
  private started = false;
  private readonly servers: RealServerState[];
  private readonly sorry: SorryState | undefined;
  private actions: PoolAction[] = [];

  constructor(
    readonly config: VirtualServer,
    readonly services: readonly IpvsService[],
  ) {
    this.servers = config.realServers.map((rs) => {
      // keepalived's validate_check_config: an alpha checker starts failed.
      const checkers = rs.checkers.map((checker) => ({ config: checker, isUp: !checker.alpha, hasRun: false, lastWeight: undefined }));
      return {
        config: rs,
        name: formatServer(rs.address, config.protocol, rs.port),
        alive: false,
        set: false,
        effectiveWeight: rs.weight,
        failed: checkers.filter((c) => !c.isUp).length,
        reloaded: false,
        checkers,
      };
    });
    const sorry = config.sorryServer;
    this.sorry = sorry && { config: sorry, name: formatServer(sorry.address, config.protocol, sorry.port), alive: false, set: false };
  }

  get name(): string {
    return this.config.name;
  }

  /** Puts the service and its real servers in IPVS (keepalived's init_service_vs). */
  start(): PoolAction[] {
    this.started = true;
    for (const service of this.services) this.emit({ kind: 'ipvs', change: { kind: 'add-service', service } });
    this.initRealServers();
    this.finishInit();
    return this.flush();
  }

  /** keepalived's name of a real server of this pool: `[10.0.0.2]:tcp:80`. */
  realServerName(server: number): string {
    return this.servers[server]?.name ?? '';
  }

  /** Whether the checker has had a result (keepalived's has_run). */
  checkerHasRun(server: number, checker: number): boolean {
    return this.servers[server]?.checkers[checker]?.hasRun ?? false;
  }

  /** Whether a failure of this checker should be retried first: only while it is up, or before its first result. */
  wantsRetries(server: number, checker: number): boolean {
    const state = this.servers[server]?.checkers[checker];
    return state !== undefined && (state.isUp || !state.hasRun);
  }

  /** One checker's result (keepalived's update_svr_checker_state and, for misc_dynamic, update_svr_wgt). */
  checkerResult(server: number, checker: number, outcome: CheckerOutcome): PoolAction[] {
    const rs = this.servers[server];
    const state = rs?.checkers[checker];
    if (!rs || !state || !this.started) return [];
    if (outcome.up ? !state.isUp || !state.hasRun : state.isUp || !state.hasRun) {
      for (const message of outcome.lines) this.log(message);
    }
    if (outcome.up && outcome.weight !== undefined && outcome.weight !== state.lastWeight) {
      state.lastWeight = outcome.weight;
      this.updateWeight(rs, outcome.weight);
    }
    if (state.isUp === outcome.up) {
      if (!state.hasRun && state.config.alpha && !outcome.up) this.notifyServer(rs);
      state.hasRun = true;
      return this.flush();
    }
    state.hasRun = true;
    if (outcome.up) {
      if (rs.failed <= 1) this.setServerState(rs, true, outcome.reason);
    } else if (rs.failed === 0) {
      this.setServerState(rs, false, outcome.reason);
    }
    state.isUp = outcome.up;
    rs.failed += outcome.up ? -1 : 1;
    return this.flush();
  }

  /** Takes everything out of IPVS on the way out (keepalived's clear_service_vs when stopping). */
  stop(): PoolAction[] {
    this.clear(true);
    return this.flush();
  }

  /**
   * The pool for `next`, the same virtual server after a reload: real
   * servers and checkers that did not change keep their state, and only the
   * difference reaches IPVS (keepalived's clear_diff_services and
   * migrate_checkers, then init_service_vs).
   */
  reload(next: VirtualServer, services: readonly IpvsService[]): { pool: VirtualServerPool; actions: PoolAction[] } {
    const pool = new VirtualServerPool(next, services);
    pool.started = true;
    pool.quorumUp = this.quorumUp;
    pool.quorumReported = true;
    const emit = (action: PoolAction): void => void pool.actions.push(action);
    const oldKeys = new Set(this.services.map(serviceKey));
    const newKeys = new Set(services.map(serviceKey));
    for (const service of this.services) if (!newKeys.has(serviceKey(service))) emit({ kind: 'ipvs', change: { kind: 'delete-service', service } });
    for (const service of services) {
      if (!oldKeys.has(serviceKey(service))) emit({ kind: 'ipvs', change: { kind: 'add-service', service } });
      else if (serviceChanged(this.services.find((s) => serviceKey(s) === serviceKey(service))!, service)) emit({ kind: 'ipvs', change: { kind: 'edit-service', service } });
    }
    // The old pool acts on the services that remain, so its changes land in the new pool's list.
    this.actions = pool.actions;
    const keptServices = this.services.filter((s) => newKeys.has(serviceKey(s)));
    for (const old of this.servers) {
      const successor = pool.servers.find((rs) => rs.name === old.name);
      if (!successor) {
        this.log(`service ${old.name} no longer exist`);
        this.clearServer(old, false, keptServices);
        continue;
      }
      successor.alive = old.alive;
      successor.set = old.set;
      successor.reloaded = true;
      const weightShift = old.effectiveWeight - old.config.weight;
      successor.effectiveWeight = successor.config.weight + weightShift;
      pool.migrateCheckers(old, successor);
      const weightChanged = realWeight(successor.effectiveWeight) !== realWeight(old.effectiveWeight);
      if (successor.alive && successor.set && (weightChanged || successor.config.method !== old.config.method || successor.config.upperThreshold !== old.config.upperThreshold || successor.config.lowerThreshold !== old.config.lowerThreshold)) {
        if (weightChanged) pool.log(`Changing weight from ${realWeight(old.effectiveWeight)} to ${realWeight(successor.effectiveWeight)} for active service ${successor.name} of VS ${pool.name}`);
        pool.destination('edit', successor);
      }
    }
    this.reloadSorry(pool);
    // A service new to the group gets the destinations already in IPVS (keepalived's sync_service_vsg).
    const added = services.filter((s) => !oldKeys.has(serviceKey(s)));
    if (added.length > 0) {
      for (const rs of pool.servers) if (rs.set) pool.destination('add', { ...rs, set: false }, false, added);
      const sorry = pool.sorry;
      if (sorry?.set) {
        const destination = pool.destinationOf(sorry.config, sorry.alive ? 1 : 0);
        for (const service of added) pool.emit({ kind: 'ipvs', change: { kind: 'add-destination', service, destination } });
      }
    }
    pool.initRealServers();
    pool.finishInit();
    return { pool, actions: pool.flush() };
  }

  /** Takes the whole virtual server out after a reload dropped it (keepalived logs "Removing Virtual Server"). */
  remove(): PoolAction[] {
    this.log(this.config.service.kind === 'group' ? `Removing Virtual Server Group [${this.config.service.group}]` : `Removing Virtual Server ${this.name}`);
    this.clear(false);
    return this.flush();
  }

  /** What is alive and in IPVS now, for the state dump and tests. */
  snapshot(): { readonly virtualServer: string; readonly quorum: ServerState; readonly sorryServer?: { readonly name: string; readonly active: boolean }; readonly realServers: readonly { readonly name: string; readonly state: ServerState; readonly inIpvs: boolean; readonly weight: number }[] } {
    return {
      virtualServer: this.name,
      quorum: this.quorumUp ? 'up' : 'down',
      ...(this.sorry ? { sorryServer: { name: this.sorry.name, active: this.sorry.alive } } : {}),
      realServers: this.servers.map((rs) => ({ name: rs.name, state: rs.alive ? 'up' : 'down', inIpvs: rs.set, weight: realWeight(rs.effectiveWeight) })),
    };
  }

  // --- keepalived's ipwrapper.c, one function each ---

  private initRealServers(): void {
    for (const rs of this.servers) {
      if (rs.reloaded) continue;
      // In alpha mode a real server only joins (with weight 0, under inhibit) until its checkers succeed.
      if ((rs.failed === 0 && !rs.alive) || (rs.config.inhibitOnFailure && !rs.set)) {
        this.destination('add', rs);
        if (rs.failed === 0) rs.alive = true;
      }
      this.event({ event: 'realServer', virtualServer: this.name, realServer: rs.name, from: 'init', to: rs.alive ? 'up' : 'down', reason: rs.alive ? 'started (no alpha: up until a check fails)' : 'started in alpha mode: down until its checks succeed', weight: realWeight(rs.effectiveWeight) });
    }
  }

  private finishInit(): void {
    this.updateQuorum(true);
    if (!this.quorumReported) {
      this.quorumReported = true;
      this.event(this.quorumEvent('init', this.quorumUp ? 'quorum up at start' : `quorum down at start ${this.config.quorum}+${this.config.hysteresis} > ${this.liveWeight()}`));
    }
    const sorry = this.sorry;
    if (sorry && sorry.config.inhibit && !sorry.set) {
      // keepalived adds an inhibited sorry server at once, with weight 0.
      this.sorryDestination('add', 0);
    }
  }

  private liveWeight(): number {
    return this.servers.reduce((sum, rs) => sum + (rs.alive ? realWeight(rs.effectiveWeight) : 0), 0);
  }

  /** keepalived's update_quorum_state: gained at quorum + hysteresis, lost below quorum - hysteresis. */
  private updateQuorum(init: boolean): void {
    const { quorum, hysteresis } = this.config;
    const sum = this.liveWeight();
    const threshold = quorum + (this.quorumUp ? -1 : 1) * hysteresis;
    const sorry = this.sorry;
    if (!this.quorumUp && sum >= threshold) {
      this.quorumUp = true;
      const reason = `Gained quorum ${quorum}+${hysteresis}=${threshold} <= ${sum}`;
      this.log(`${reason} for VS ${this.name}`);
      if (sorry?.alive) {
        this.log(`${sorry.config.inhibit ? 'Disabling' : 'Removing'} sorry server ${sorry.name} from VS ${this.name}`);
        this.sorryDestination('delete');
        sorry.alive = false;
        this.pushAliveServers(true);
      }
      this.quorumChanged(init, reason);
      return;
    }
    if ((this.quorumUp && (sum === 0 || sum < threshold)) || (init && !this.quorumUp && sorry !== undefined && !sorry.alive)) {
      this.quorumUp = false;
      const reason = `${init ? 'Starting with quorum down' : 'Lost quorum'} ${quorum}-${hysteresis}=${threshold} > ${sum}`;
      this.log(`${reason} for VS ${this.name}`);
      if (sorry && !sorry.alive) {
        this.log(`${sorry.config.inhibit ? 'Enabling' : 'Adding'} sorry server ${sorry.name} to VS ${this.name}`);
        this.pushAliveServers(false);
        this.sorryDestination('add');
        sorry.alive = true;
      }
      this.quorumChanged(init, reason);
    }
  }

  private quorumChanged(init: boolean, reason: string): void {
    const script = this.quorumUp ? this.config.quorumUp : this.config.quorumDown;
    if (script) this.emit({ kind: 'script', keyword: this.quorumUp ? 'quorum_up' : 'quorum_down', script });
    this.event(this.quorumEvent(init && !this.quorumReported ? 'init' : this.quorumUp ? 'down' : 'up', reason));
    this.quorumReported = true;
  }

  private quorumEvent(from: ServerState | 'init', reason: string): PoolEvent {
    return { event: 'quorum', virtualServer: this.name, from, to: this.quorumUp ? 'up' : 'down', reason, weight: this.liveWeight(), quorum: this.config.quorum, hysteresis: this.config.hysteresis };
  }

  /** keepalived's perform_quorum_state: the alive real servers leave for the sorry server, or come back. */
  private pushAliveServers(add: boolean): void {
    this.log(`${add ? 'Adding alive servers to' : 'Removing alive servers from'} the pool for VS ${this.name}`);
    for (const rs of this.servers) if (rs.alive) this.destination(add ? 'add' : 'delete', rs);
  }

  /** keepalived's perform_svr_state. */
  private setServerState(rs: RealServerState, alive: boolean, reason: string): void {
    if (rs.alive === alive) return;
    const inhibit = rs.config.inhibitOnFailure;
    const verb = alive ? (inhibit ? 'Enabling' : 'Adding') : inhibit ? 'Disabling' : 'Removing';
    this.log(`${verb} service ${rs.name} ${inhibit ? 'of' : alive ? 'to' : 'from'} VS ${this.name}`);
    // While the sorry server stands in, IPVS waits for the quorum to come back.
    if (this.quorumUp || !this.sorry || !this.sorry.alive) this.destination(alive ? 'add' : 'delete', rs);
    rs.alive = alive;
    this.event({ event: 'realServer', virtualServer: this.name, realServer: rs.name, from: alive ? 'down' : 'up', to: alive ? 'up' : 'down', reason, weight: realWeight(rs.effectiveWeight) });
    this.notifyServer(rs);
    this.updateQuorum(false);
  }

  private notifyServer(rs: RealServerState): void {
    const script = rs.alive ? rs.config.notifyUp : rs.config.notifyDown;
    if (script) this.emit({ kind: 'script', keyword: rs.alive ? 'notify_up' : 'notify_down', script });
  }

  /** keepalived's update_svr_wgt. */
  private updateWeight(rs: RealServerState, weight: number): void {
    const before = realWeight(rs.effectiveWeight);
    rs.effectiveWeight = weight;
    const after = realWeight(weight);
    if (before === after) return;
    this.log(`Changing weight from ${before} to ${after} for ${rs.alive ? '' : 'in'}active service ${rs.name} of VS ${this.name}`);
    if (rs.set && rs.alive && (this.quorumUp || !this.sorry || !this.sorry.alive)) this.destination('edit', rs);
    this.updateQuorum(false);
  }

  /** keepalived's clear_service_vs: `stopping` for the daemon's end, else a reload that dropped the virtual server. */
  private clear(stopping: boolean): void {
    const sorry = this.sorry;
    if (sorry?.set) {
      this.sorryDestination('delete', undefined, true);
      sorry.alive = false;
    }
    for (const rs of this.servers) this.clearServer(rs, stopping, this.services);
    // keepalived's update_vs_notifies: on the way out the quorum is down; scripts only with omega.
    const sum = this.liveWeight();
    const threshold = this.config.quorum - this.config.hysteresis;
    if (stopping || (this.quorumUp && (sum === 0 || sum < threshold))) {
      const was = this.quorumUp;
      this.quorumUp = false;
      if (!stopping || this.config.omega) {
        if (this.config.quorumDown) this.emit({ kind: 'script', keyword: 'quorum_down', script: this.config.quorumDown });
      }
      if (was) this.event(this.quorumEvent('up', stopping ? 'shutting down' : 'virtual server removed'));
    }
    for (const service of this.services) this.emit({ kind: 'ipvs', change: { kind: 'delete-service', service } });
  }

  /** keepalived's clear_service_rs. */
  private clearServer(rs: RealServerState, stopping: boolean, services: readonly IpvsService[]): void {
    if (rs.set || stopping) {
      this.log(`${stopping ? 'Shutting down' : 'Removing'} ${rs.config.inhibitOnFailure && !rs.alive ? '(inhibited) ' : ''}service ${rs.name} from VS ${this.name}`);
    }
    if (!rs.set) return;
    this.destination('delete', rs, true, services);
    if (!rs.alive) return;
    rs.alive = false;
    this.event({ event: 'realServer', virtualServer: this.name, realServer: rs.name, from: 'up', to: 'down', reason: stopping ? 'shutting down' : 'removed from the configuration', weight: realWeight(rs.effectiveWeight) });
    // On the way out, notify scripts run only with omega.
    if (stopping && !this.config.omega) return;
    this.notifyServer(rs);
  }

  private migrateCheckers(old: RealServerState, next: RealServerState): void {
    const unused = [...old.checkers];
    for (const checker of next.checkers) {
      const key = checkerKey(checker.config);
      const index = unused.findIndex((c) => checkerKey(c.config) === key);
      if (index < 0) continue;
      const [match] = unused.splice(index, 1);
      checker.isUp = match!.isUp;
      checker.hasRun = match!.hasRun;
      checker.lastWeight = match!.lastWeight;
    }
    const failed = (): number => next.checkers.filter((c) => !c.isUp).length;
    // keepalived: a new checker of a failed (or never checked) real server starts down when it is alpha.
    const anyRun = next.checkers.some((c) => c.hasRun);
    if (next.checkers.some((c) => c.hasRun && !c.isUp) || (!next.alive && !anyRun)) {
      for (const checker of next.checkers) if (!checker.hasRun && checker.config.alpha) checker.isUp = false;
    }
    next.failed = failed();
    if (next.failed === 0 && !next.alive) {
      this.setServerState(next, true, 'reload: none of its checkers has failed');
    } else if (next.failed > 0 && next.alive) {
      this.setServerState(next, false, 'reload: a checker has failed');
    } else if (next.failed > 0 && next.set !== next.config.inhibitOnFailure) {
      this.destination(next.config.inhibitOnFailure ? 'add' : 'delete', next);
    }
  }

  private reloadSorry(pool: VirtualServerPool): void {
    const old = this.sorry;
    const next = pool.sorry;
    if (!old) return;
    if (next && next.name === old.name) {
      next.alive = old.alive;
      next.set = old.set;
      if (old.config.inhibit === next.config.inhibit || old.alive) return;
    }
    const reinstate = old.alive && !next;
    if (old.set || old.alive) {
      pool.log(`Removing sorry server ${old.name} from VS ${pool.name}`);
      this.sorryDestination('delete', undefined, true);
      if (next) next.set = false;
      if (reinstate) pool.pushAliveServers(true);
    }
  }

  // --- IPVS, as keepalived's ipvs_cmd turns its commands into kernel changes ---

  private destinationOf(config: { address: string; family: 4 | 6; port: number; method: IpvsDestination['method'] }, weight: number, thresholds?: RealServer): IpvsDestination {
    return {
      address: config.address,
      family: config.family,
      port: config.port,
      method: config.method,
      weight,
      upperThreshold: thresholds?.upperThreshold,
      lowerThreshold: thresholds?.lowerThreshold,
    };
  }

  /**
   * ipvs_cmd for a real server: with inhibit_on_failure a delete becomes
   * weight 0 and an add of one already there a weight change; `force`
   * deletes whatever inhibit says (stopping, removal).
   */
  private destination(command: 'add' | 'delete' | 'edit', rs: RealServerState, force = false, services: readonly IpvsService[] = this.services): void {
    const inhibit = rs.config.inhibitOnFailure && !force;
    const weight = realWeight(rs.effectiveWeight);
    let kind: 'add-destination' | 'edit-destination' | 'delete-destination';
    let actual = weight;
    if (command === 'delete' && inhibit) {
      kind = 'edit-destination';
      actual = 0;
    } else if (command === 'add' && rs.set) {
      kind = 'edit-destination';
    } else if (command === 'add') {
      rs.set = true;
      kind = 'add-destination';
      if (inhibit && rs.failed > 0) actual = 0;
    } else if (command === 'delete') {
      if (!rs.set) return;
      rs.set = false;
      kind = 'delete-destination';
    } else {
      if (!rs.set) return;
      kind = 'edit-destination';
    }
    const destination = this.destinationOf(rs.config, actual, rs.config);
    for (const service of services) this.emit({ kind: 'ipvs', change: { kind, service, destination } });
  }

  private sorryDestination(command: 'add' | 'delete', weight?: number, force = false): void {
    const sorry = this.sorry;
    if (!sorry) return;
    const inhibit = sorry.config.inhibit && !force;
    type Kind = 'add-destination' | 'edit-destination' | 'delete-destination';
    let kind: Kind;
    // keepalived gives the sorry server weight 1 (alloc_ssvr).
    let actual = weight ?? 1;
    if (command === 'delete' && inhibit) {
      kind = 'edit-destination';
      actual = 0;
    } else if (command === 'add' && sorry.set) {
      kind = 'edit-destination';
    } else if (command === 'add') {
      sorry.set = true;
      kind = 'add-destination';
    } else {
      if (!sorry.set) return;
      sorry.set = false;
      kind = 'delete-destination';
    }
    const destination = this.destinationOf(sorry.config, actual);
    for (const service of this.services) this.emit({ kind: 'ipvs', change: { kind, service, destination } });
  }

  private log(message: string): void {
    this.emit({ kind: 'log', message });
  }

  private event(event: PoolEvent): void {
    this.emit({ kind: 'event', event });
  }

  private emit(action: PoolAction): void {
    this.actions.push(action);
  }

  private flush(): PoolAction[] {
    const out = this.actions;
    this.actions = [];
    return out;
  }
}

const serviceKey = (s: IpvsService): string => `${s.protocol ?? 'fwmark'}|${s.address ?? ''}|${s.port}|${s.fwmark ?? ''}|${s.family}`;

const serviceChanged = (a: IpvsService, b: IpvsService): boolean =>
  a.scheduler !== b.scheduler ||
  a.schedulerFlags.join(',') !== b.schedulerFlags.join(',') ||
  a.onePacket !== b.onePacket ||
  a.persistenceTimeout !== b.persistenceTimeout ||
  a.persistenceGranularity !== b.persistenceGranularity;
