// The daemon: drives the pure election (libs/election) with real sockets,
// timers, netlink and scripts, and carries out its actions in order. One
// VRRP socket per interface, family and peer set, shared by the instances on
// it and demultiplexed by VRID, so 200 instances cost one socket, not 200.
// Instances run in units (a sync group, or one instance alone), each with its
// own election, so that a reload (SIGHUP) restarts only the units whose
// configuration changed and leaves the others, and their VIPs, undisturbed.

import { Election, type ElectionAction, type ElectionEvent, type InstanceSpec, type TimerName } from '@keepalived-ts/election';
import { openRtnetlink, OWNER_PROTO, type NetlinkEvent, type Rtnetlink } from '@keepalived-ts/netlink';
import { authPassword, decodeAdvert, intervalCentiseconds, parseAddress, type AdvertInput } from '@keepalived-ts/vrrp';
import { resolveScriptUser, type DaemonLog, type EventSink, type ScriptUser } from '@keepalived-ts/daemon';
import { Notifier, type TransitionEvent } from './notifier.js';
import type { DaemonConfig, InstanceConfig, ScriptConfig, SyncGroupConfig, VirtualAddress } from './runtimeConfig.js';
import { ScriptTracker } from './scriptTracker.js';
import { monotonicNow, TimerSet } from './timerSet.js';
import type { ReceivedVrrpPacket, VrrpSocket } from '@keepalived-ts/wire/vrrpSocket';
import type { Announcer } from '@keepalived-ts/wire/announceSender';

export interface DaemonOptions {
  readonly config: DaemonConfig;
  /** false with --no-vip: report transitions, touch no address. */
  readonly manageVips: boolean;
  readonly log: DaemonLog;
  readonly events?: EventSink<TransitionEvent>;
}

/** Why adverts were dropped, counted per instance (or per socket before the VRID is known). */
export type DropReason = 'malformed' | 'unknown-vrid' | 'version-mismatch' | 'auth-type' | 'auth-password' | 'not-a-peer' | string;

interface InstanceRuntime {
  readonly config: InstanceConfig;
  /** The interface adverts go out of and VIPs go on (the macvlan with use_vmac). */
  readonly linkName: string;
  readonly primaryAddress: string;
  socket: VrrpSocket | undefined;
  announcer: Announcer | undefined;
  readonly counters: { advertsSent: number; advertsReceived: number; garpsSent: number; nasSent: number; transitions: number; drops: Record<string, number> };
}

interface SharedSocket {
  readonly socket: VrrpSocket;
  readonly byVrid: Map<number, InstanceRuntime>;
  readonly drops: Record<string, number>;
}

interface Unit {
  /** The configuration the unit was made from, as text: equal text on reload means untouched. */
  readonly fingerprint: string;
  readonly election: Election;
  readonly names: readonly string[];
}

interface UnitConfig {
  readonly fingerprint: string;
  readonly instances: readonly InstanceConfig[];
  readonly syncGroup: SyncGroupConfig | undefined;
}

/** Sync groups and lone instances, each with what its behaviour depends on. */
function unitsOf(config: DaemonConfig): UnitConfig[] {
  const byName = new Map(config.instances.map((i) => [i.name, i]));
  const grouped = new Set<string>();
  const units: UnitConfig[] = [];
  const scriptsOf = (instances: readonly InstanceConfig[]) =>
    config.scripts.filter((s) => instances.some((i) => i.trackScripts.some((t) => t.name === s.name)));
  const fingerprint = (instances: readonly InstanceConfig[], group: SyncGroupConfig | undefined) =>
    JSON.stringify({ instances, group, scripts: scriptsOf(instances), scriptUser: config.scriptUser, notifyFifo: config.notifyFifo });
  for (const group of config.syncGroups) {
    const members = group.members.flatMap((m) => (byName.has(m) ? [byName.get(m)!] : []));
    members.forEach((m) => grouped.add(m.name));
    units.push({ fingerprint: fingerprint(members, group), instances: members, syncGroup: group });
  }
  for (const instance of config.instances) {
    if (!grouped.has(instance.name)) units.push({ fingerprint: fingerprint([instance], undefined), instances: [instance], syncGroup: undefined });
  }
  return units;
}

const socketKey = (c: InstanceConfig, linkName: string, source: string) =>
  `${linkName}|${c.family}|${source}|${c.unicastPeers.length ? c.unicastPeers.join(',') : c.multicastGroup}`;

function vipText(v: VirtualAddress): string {
  return `${v.address}/${v.prefixLength}`;
}

export class VrrpDaemon {
  private readonly units = new Map<string, Unit>();
  private readonly unitOf = new Map<string, Unit>();
  private readonly instances = new Map<string, InstanceRuntime>();
  private readonly sockets = new Map<string, SharedSocket>();
  /** One announcer (a pcap handle) per interface, shared: one per instance cost 2 MiB and a descriptor each. */
  private readonly announcers = new Map<string, { readonly announcer: Announcer; users: number }>();
  private readonly timers: TimerSet<TimerName>;
  private readonly trackers = new Map<string, { readonly fingerprint: string; readonly tracker: ScriptTracker }>();
  private readonly notifier: Notifier;
  private readonly scriptUser: ScriptUser | undefined;
  private config: DaemonConfig;
  private unwatch: (() => void) | undefined;
  /** Actions run one after another: netlink calls are async, and order matters (advert, VIPs, announce). */
  private queue: Promise<void> = Promise.resolve();
  /** Jobs queued and not yet done: with none, an advert can go out at once without overtaking anything. */
  private pending = 0;
  private stopping = false;

  private constructor(private readonly options: DaemonOptions, private readonly rtnl: Rtnetlink) {
    this.config = options.config;
    this.timers = new TimerSet((instance, timer) => this.handle({ kind: 'timer', instance, timer }));
    const { config } = options;
    this.scriptUser = config.scriptUser ? resolveScriptUser(config.scriptUser.user, config.scriptUser.group) : undefined;
    this.notifier = new Notifier({ log: options.log, ...(options.events ? { events: options.events } : {}), ...(config.notifyFifo ? { notifyFifo: config.notifyFifo } : {}), ...(this.scriptUser ? { scriptUser: this.scriptUser } : {}) });
  }

  static async start(options: DaemonOptions): Promise<VrrpDaemon> {
    const rtnl = await openRtnetlink();
    const daemon = new VrrpDaemon(options, rtnl);
    try {
      await daemon.apply(options.config, true);
      daemon.unwatch = rtnl.watch((event) => daemon.onNetlink(event));
      return daemon;
    } catch (error) {
      await daemon.stop().catch(() => undefined);
      throw error;
    }
  }

  /** SIGHUP: units whose configuration is unchanged go on as they are. */
  async reload(config: DaemonConfig): Promise<void> {
    if (this.stopping) return;
    await this.queue;
    await this.apply(config, false);
  }

  private async apply(config: DaemonConfig, initial: boolean): Promise<void> {
    const wanted = unitsOf(config);
    const wantedPrints = new Set(wanted.map((u) => u.fingerprint));
    let removed = 0;
    for (const unit of [...this.units.values()]) {
      if (!wantedPrints.has(unit.fingerprint)) {
        await this.removeUnit(unit);
        removed++;
      }
    }
    this.config = config;
    this.reconcileScripts(config.scripts);
    let added = 0;
    for (const unit of wanted) {
      if (this.units.has(unit.fingerprint)) continue;
      await this.addUnit(unit, initial);
      added++;
    }
    if (!initial) this.options.log('info', `Reloaded: ${added} instance group(s) started, ${removed} stopped, ${this.units.size - added} unchanged`);
  }

  private reconcileScripts(scripts: readonly ScriptConfig[]): void {
    const wanted = new Map(scripts.map((s) => [s.name, s]));
    for (const [name, entry] of this.trackers) {
      const next = wanted.get(name);
      if (!next || JSON.stringify(next) !== entry.fingerprint) {
        entry.tracker.stop();
        this.trackers.delete(name);
      }
    }
    for (const script of scripts) {
      if (this.trackers.has(script.name)) continue;
      const user = script.user ? resolveScriptUser(script.user.user, script.user.group) : this.scriptUser;
      const tracker = new ScriptTracker(script, user, this.options.log, (name, healthy) => this.handle({ kind: 'script', name, healthy }));
      this.trackers.set(script.name, { fingerprint: JSON.stringify(script), tracker });
      tracker.start();
    }
  }

  private async addUnit(unitConfig: UnitConfig, initial: boolean): Promise<void> {
    const { openVrrpSocket } = await import('@keepalived-ts/wire/vrrpSocket');
    const { openAnnouncer } = await import('@keepalived-ts/wire/announceSender');
    const rtnl = this.rtnl;
    const specs: InstanceSpec[] = [];
    const runtimes: InstanceRuntime[] = [];
    for (const config of unitConfig.instances) {
      if (this.instances.has(config.name)) throw new Error(`(${config.name}) is defined twice`);
      const link = await rtnl.getLink(config.interface);
      if (!link) throw new Error(`(${config.name}) interface ${config.interface} does not exist`);
      const linkName = config.vmacName && this.options.manageVips ? await ensureVmac(rtnl, config) : config.interface;
      const primaryAddress = config.unicastSource ?? (await primaryAddressOf(rtnl, config));
      runtimes.push({ config, linkName, primaryAddress, socket: undefined, announcer: undefined, counters: { advertsSent: 0, advertsReceived: 0, garpsSent: 0, nasSent: 0, transitions: 0, drops: {} } });
      specs.push({
        name: config.name,
        vrid: config.vrid,
        version: config.version,
        priority: config.priority,
        advertIntervalCs: config.advertIntervalCs,
        initialState: config.initialState,
        preempt: config.preempt,
        preemptDelayMs: config.preemptDelayMs,
        primaryAddress,
        trackedScripts: config.trackScripts.map((t) => ({ name: t.name, weight: t.weight ?? this.config.scripts.find((s) => s.name === t.name)?.weight ?? 0 })),
        trackedInterfaces: config.trackInterfaces,
        interface: config.interface,
        garp: config.garp,
      });
    }
    const election = new Election(specs, unitConfig.syncGroup ? [{ name: unitConfig.syncGroup.name, members: unitConfig.syncGroup.members }] : []);
    const unit: Unit = { fingerprint: unitConfig.fingerprint, election, names: specs.map((s) => s.name) };
    for (const runtime of runtimes) {
      const c = runtime.config;
      if (this.options.manageVips && initial) await this.removeStaleVips(runtime);
      const key = socketKey(c, runtime.linkName, runtime.primaryAddress);
      let shared = this.sockets.get(key);
      if (!shared) {
        const drops: Record<string, number> = {};
        const byVrid = new Map<number, InstanceRuntime>();
        const socket = await openVrrpSocket(
          {
            family: c.family,
            ifname: runtime.linkName,
            sourceAddress: runtime.primaryAddress,
            multicastGroup: c.multicastGroup,
            ...(c.unicastPeers.length ? { unicastPeers: c.unicastPeers } : {}),
            onError: (error) => this.options.log('warning', `VRRP socket on ${runtime.linkName}: ${error.message}`),
          },
          (packet) => this.receive(byVrid, drops, packet),
        );
        shared = { socket, byVrid, drops };
        this.sockets.set(key, shared);
      }
      const taken = shared.byVrid.get(c.vrid);
      if (taken) throw new Error(`(${c.name}) VRID ${c.vrid} is already used on ${runtime.linkName} by ${taken.config.name}`);
      shared.byVrid.set(c.vrid, runtime);
      runtime.socket = shared.socket;
      if (this.options.manageVips) {
        let shared = this.announcers.get(runtime.linkName);
        if (!shared) {
          shared = { announcer: await openAnnouncer(runtime.linkName), users: 0 };
          this.announcers.set(runtime.linkName, shared);
        }
        shared.users++;
        runtime.announcer = shared.announcer;
      }
      this.instances.set(c.name, runtime);
      this.unitOf.set(c.name, unit);
    }
    this.units.set(unit.fingerprint, unit);
    // What the election must know before it starts: links already down, scripts already failing.
    const now = monotonicNow();
    for (const runtime of runtimes) {
      for (const name of new Set([runtime.config.interface, ...runtime.config.trackInterfaces.map((t) => t.name)])) {
        const link = await rtnl.getLink(name);
        if (!link || !link.up || !link.running) this.executeAll(election.handle({ kind: 'interface', name, up: false }, now));
      }
    }
    // Results that came in while this unit was being set up reached no election: hand them over now.
    for (const [name, entry] of this.trackers) {
      if (entry.tracker.hasReported) this.executeAll(election.handle({ kind: 'script', name, healthy: entry.tracker.isHealthy }, now));
    }
    this.executeAll(election.handle({ kind: 'start' }, monotonicNow()));
  }

  private releaseAnnouncer(runtime: InstanceRuntime): void {
    const shared = this.announcers.get(runtime.linkName);
    if (!shared || !runtime.announcer) return;
    if (--shared.users === 0) {
      shared.announcer.close();
      this.announcers.delete(runtime.linkName);
    }
  }

  /** A unit leaves as on a stop: a master sends priority 0 and releases its VIPs. */
  private async removeUnit(unit: Unit): Promise<void> {
    this.executeAll(unit.election.handle({ kind: 'stop' }, monotonicNow()));
    await this.queue;
    this.units.delete(unit.fingerprint);
    for (const name of unit.names) {
      const runtime = this.instances.get(name)!;
      for (const timer of ['advert', 'masterDown', 'preemptDelay', 'garpDelay', 'garpRefresh', 'garpLowerPrioDelay'] as const) this.timers.cancel(name, timer);
      this.instances.delete(name);
      this.unitOf.delete(name);
      this.releaseAnnouncer(runtime);
      for (const [key, shared] of this.sockets) {
        if (shared.byVrid.get(runtime.config.vrid) !== runtime) continue;
        shared.byVrid.delete(runtime.config.vrid);
        if (shared.byVrid.size === 0) {
          shared.socket.close();
          this.sockets.delete(key);
        }
      }
      if (this.options.manageVips && runtime.linkName !== runtime.config.interface) await this.rtnl.deleteLink(runtime.linkName);
    }
  }

  /** Addresses of our configuration that carry our mark are leftovers of a crash: ours to remove. */
  private async removeStaleVips(runtime: InstanceRuntime): Promise<void> {
    for (const vip of [...runtime.config.vips, ...runtime.config.excludedVips]) {
      const ifname = vip.dev ?? runtime.linkName;
      const present = await this.rtnl.listAddresses({ ifname, family: vip.family });
      if (present.some((a) => a.address === vip.address && a.prefixLength === vip.prefixLength && a.proto === OWNER_PROTO)) {
        await this.rtnl.deleteAddress({ ifname, address: vip.address, prefixLength: vip.prefixLength });
        this.options.log('info', `(${runtime.config.name}) removed stale VIP ${vipText(vip)} on ${ifname} left by an earlier run`);
      }
    }
  }

  private receive(byVrid: Map<number, InstanceRuntime>, drops: Record<string, number>, packet: ReceivedVrrpPacket): void {
    if (this.stopping) return;
    const drop = (counters: Record<string, number>, reason: DropReason) => { counters[reason] = (counters[reason] ?? 0) + 1; };
    const vrid = packet.message.length >= 2 ? packet.message[1]! : -1;
    const runtime = byVrid.get(vrid);
    if (!runtime) { drop(drops, 'unknown-vrid'); return; }
    const c = runtime.config;
    const source = parseAddress(packet.source);
    const destination = parseAddress(packet.destination);
    if (!source || !destination) { drop(runtime.counters.drops, 'malformed'); return; }
    const result = decodeAdvert(packet.message, { family: c.family, source: source.bytes, destination: destination.bytes, ttl: packet.ttl, v3ChecksumAsV2: c.v3ChecksumAsV2 });
    if (!result.ok) {
      drop(runtime.counters.drops, result.reason);
      this.options.log('debug', `(${c.name}) dropped advert from ${packet.source}: ${result.message}`);
      return;
    }
    const advert = result.advert;
    if (advert.version !== c.version) { drop(runtime.counters.drops, 'version-mismatch'); return; }
    if (c.unicastPeers.length && !c.unicastPeers.includes(packet.source)) { drop(runtime.counters.drops, 'not-a-peer'); return; }
    if (advert.version === 2) {
      const expectType = c.authPassword === undefined ? 0 : 1;
      if (advert.authType !== expectType) {
        drop(runtime.counters.drops, 'auth-type');
        this.options.log('warning', `(${c.name}) received an unknown auth type ${advert.authType} from ${packet.source}`);
        return;
      }
      if (expectType === 1 && authPassword(advert) !== c.authPassword!.slice(0, 8)) {
        drop(runtime.counters.drops, 'auth-password');
        this.options.log('warning', `(${c.name}) bad authentication from ${packet.source}`);
        return;
      }
    }
    runtime.counters.advertsReceived++;
    this.handle({ kind: 'advert', instance: c.name, from: packet.source, priority: advert.priority, intervalCs: intervalCentiseconds(advert) });
  }

  private onNetlink(event: NetlinkEvent): void {
    if (this.stopping) return;
    if (event.kind === 'link-changed') {
      this.handle({ kind: 'interface', name: event.link.name, up: event.link.up && event.link.running });
    } else if (event.kind === 'events-lost') {
      this.options.log('warning', 'netlink events were lost (ENOBUFS): link and address changes may have been missed');
    } else if (event.kind === 'link-removed') {
      this.handle({ kind: 'interface', name: event.name, up: false });
    } else if (event.kind === 'address-removed' && this.options.manageVips) {
      // A VIP removed by hand while we are master is put back: the clients need it.
      for (const runtime of this.instances.values()) {
        if (this.unitOf.get(runtime.config.name)?.election.state(runtime.config.name) !== 'master') continue;
        const vip = runtime.config.vips.find((v) => v.address === event.address.address && (v.dev ?? runtime.linkName) === event.address.ifname);
        if (vip) {
          this.options.log('warning', `(${runtime.config.name}) VIP ${vipText(vip)} was removed from ${event.address.ifname}: putting it back`);
          this.enqueue(() => this.addVip(runtime, vip));
        }
      }
    }
  }

  private handle(event: ElectionEvent): void {
    const now = monotonicNow();
    if (event.kind === 'advert' || event.kind === 'timer') {
      const unit = this.unitOf.get(event.instance);
      if (unit) this.executeAll(unit.election.handle(event, now));
      return;
    }
    for (const unit of this.units.values()) this.executeAll(unit.election.handle(event, now));
  }

  /**
   * Adverts first when nothing is queued: a priority-0 or takeover advert is
   * what the other routers wait for, and log lines written before it would
   * delay it by a millisecond. Transitions are told last: keepalived runs
   * notify_master once the VIPs are in place.
   */
  private executeAll(actions: readonly ElectionAction[]): void {
    const advertsNow = this.pending === 0;
    if (advertsNow) for (const action of actions) if (action.kind === 'send-advert') this.sendAdvert(action.instance, action.priority, action.intervalCs);
    for (const action of actions) if (action.kind !== 'transition' && !(advertsNow && action.kind === 'send-advert')) this.execute(action);
    for (const action of actions) if (action.kind === 'transition') this.execute(action);
  }

  private execute(action: ElectionAction): void {
    switch (action.kind) {
      case 'set-timer':
        this.timers.set(action.instance, action.timer, action.at);
        return;
      case 'cancel-timer':
        this.timers.cancel(action.instance, action.timer);
        return;
      case 'log':
        // keepalived prints its detail lines only with --log-detail.
        this.options.log(action.detail ? 'debug' : 'info', action.message);
        return;
      case 'send-advert':
        this.enqueue(() => this.sendAdvert(action.instance, action.priority, action.intervalCs));
        return;
      case 'add-vips':
        if (this.options.manageVips) this.enqueue(() => this.addVips(action.instance));
        return;
      case 'remove-vips':
        if (this.options.manageVips) this.enqueue(() => this.removeVips(action.instance));
        return;
      case 'announce':
        if (this.options.manageVips) this.enqueue(() => this.announce(action.instance, action.count));
        return;
      case 'transition': {
        const runtime = this.instances.get(action.instance);
        if (!runtime) return;
        runtime.counters.transitions++;
        const c = runtime.config;
        // Notify after the actions queued before it (VIPs added), so a notify_master script sees them.
        this.enqueue(async () => {
          this.notifier.transition('INSTANCE', c.name, action.to, action.priority, c.notify, {
            time: new Date().toISOString(),
            instance: c.name,
            vrid: c.vrid,
            interface: c.interface,
            from: action.from,
            to: action.to,
            priority: action.priority,
            reason: action.reason,
            vips: c.vips.map(vipText),
            vipDetails: [...c.vips, ...c.excludedVips].map((v) => ({
              address: vipText(v),
              dev: v.dev ?? runtime.linkName,
              ...(v.label ? { label: v.label } : {}),
              ...(v.broadcast ? { broadcast: v.broadcast } : {}),
              ...(v.scope ? { scope: v.scope } : {}),
            })),
          });
        });
        return;
      }
    }
  }

  private enqueue(job: () => Promise<void> | void): void {
    this.pending++;
    this.queue = this.queue
      .then(job)
      .catch((error: unknown) => this.options.log('error', (error as Error).message))
      .finally(() => { this.pending--; });
  }

  private sendAdvert(instance: string, priority: number, intervalCs: number): void {
    const runtime = this.instances.get(instance);
    if (!runtime) return;
    const c = runtime.config;
    const addresses = c.vips.filter((v) => v.family === c.family).map((v) => v.address);
    const advert: AdvertInput =
      c.version === 2
        ? { version: 2, vrid: c.vrid, priority, intervalSeconds: Math.max(1, Math.round(intervalCs / 100)), addresses, ...(c.authPassword !== undefined ? { authType: 1, authData: c.authPassword.slice(0, 8) } : {}) }
        : { version: 3, vrid: c.vrid, priority, intervalCentiseconds: intervalCs, addresses };
    runtime.socket?.send(advert);
    runtime.counters.advertsSent++;
  }

  private async addVip(runtime: InstanceRuntime, vip: VirtualAddress): Promise<void> {
    await this.rtnl.addAddress({
      ifname: vip.dev ?? runtime.linkName,
      address: vip.address,
      prefixLength: vip.prefixLength,
      ...(vip.label ? { label: vip.label } : {}),
      ...(vip.broadcast ? { broadcast: vip.broadcast } : {}),
      ...(vip.scope ? { scope: vip.scope } : {}),
      proto: OWNER_PROTO,
      noDad: true,
    });
  }

  private async addVips(instance: string): Promise<void> {
    const runtime = this.instances.get(instance);
    if (!runtime) return;
    for (const vip of [...runtime.config.vips, ...runtime.config.excludedVips]) await this.addVip(runtime, vip);
  }

  /** Only addresses carrying our mark: an address someone else put there is not ours to take away. */
  private async removeVips(instance: string): Promise<void> {
    const runtime = this.instances.get(instance);
    if (!runtime) return;
    for (const vip of [...runtime.config.vips, ...runtime.config.excludedVips]) {
      const ifname = vip.dev ?? runtime.linkName;
      const present = await this.rtnl.listAddresses({ ifname, family: vip.family });
      if (present.some((a) => a.address === vip.address && a.prefixLength === vip.prefixLength && a.proto === OWNER_PROTO)) {
        await this.rtnl.deleteAddress({ ifname, address: vip.address, prefixLength: vip.prefixLength });
      }
    }
  }

  private announce(instance: string, count: number): void {
    const runtime = this.instances.get(instance);
    if (!runtime) return;
    const announcer = runtime.announcer;
    if (!announcer) return;
    for (const vip of [...runtime.config.vips, ...runtime.config.excludedVips]) {
      const ifname = vip.dev ?? runtime.linkName;
      if (vip.family === 4) {
        this.options.log('info', `Sending gratuitous ARP on ${ifname} for ${vip.address}`);
        announcer.arp(vip.address, count);
        runtime.counters.garpsSent += count;
      } else {
        this.options.log('info', `Sending unsolicited neighbour advertisement on ${ifname} for ${vip.address}`);
        announcer.neighbourAdvert(vip.address, count);
        runtime.counters.nasSent += count;
      }
    }
  }

  /** SIGTERM/SIGINT: masters send priority 0 and release their VIPs, then everything closes. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.handle({ kind: 'stop' });
    this.stopping = true;
    for (const runtime of this.instances.values()) {
      this.notifier.transition('INSTANCE', runtime.config.name, 'stop', runtime.config.priority, runtime.config.notify);
    }
    await this.queue;
    for (const { tracker } of this.trackers.values()) tracker.stop();
    this.timers.cancelAll();
    this.unwatch?.();
    for (const shared of this.sockets.values()) shared.socket.close();
    for (const { announcer } of this.announcers.values()) announcer.close();
    this.announcers.clear();
    if (this.options.manageVips) {
      for (const runtime of this.instances.values()) {
        if (runtime.linkName !== runtime.config.interface) await this.rtnl.deleteLink(runtime.linkName);
      }
    }
    await this.notifier.drain(5000);
    this.rtnl.close();
  }

  /** The state of every instance, for SIGUSR1. */
  snapshot(): Record<string, unknown> {
    const snapshots = new Map([...this.units.values()].flatMap((u) => u.election.snapshot().map((s) => [s.name, s] as const)));
    return {
      time: new Date().toISOString(),
      routerId: this.config.routerId,
      instances: [...this.instances.values()].map((r) => ({
        name: r.config.name,
        interface: r.config.interface,
        vrid: r.config.vrid,
        version: r.config.version,
        family: r.config.family === 4 ? 'ipv4' : 'ipv6',
        state: snapshots.get(r.config.name)?.state,
        priority: r.config.priority,
        effectivePriority: snapshots.get(r.config.name)?.effectivePriority,
        primaryAddress: r.primaryAddress,
        vips: r.config.vips.map(vipText),
        counters: r.counters,
        election: snapshots.get(r.config.name),
      })),
      scripts: [...this.trackers].map(([name, entry]) => ({ name, healthy: entry.tracker.isHealthy })),
      socketDrops: [...this.sockets.values()].map((s) => ({ drops: s.drops, socket: s.socket.counters })),
    };
  }
}

async function primaryAddressOf(rtnl: Rtnetlink, config: InstanceConfig): Promise<string> {
  const addresses = await rtnl.listAddresses({ ifname: config.interface, family: config.family });
  const vips = new Set(config.vips.map((v) => v.address));
  const candidates = addresses.filter((a) => !vips.has(a.address) && a.proto !== OWNER_PROTO);
  // RFC 5798 5.1.2.2: IPv6 adverts come from the interface's link-local address.
  const pick = config.family === 6 ? candidates.find((a) => a.address.toLowerCase().startsWith('fe80:')) : candidates[0];
  if (!pick) throw new Error(`(${config.name}) interface ${config.interface} has no ${config.family === 6 ? 'IPv6 link-local' : 'IPv4'} address to send adverts from`);
  return pick.address;
}

async function ensureVmac(rtnl: Rtnetlink, config: InstanceConfig): Promise<string> {
  const { vmacAddress } = await import('@keepalived-ts/netlink');
  const name = config.vmacName!;
  const existing = await rtnl.getLink(name);
  if (!existing) await rtnl.createMacvlan({ parent: config.interface, name, mac: vmacAddress(config.vrid, config.family), mode: 'private' });
  await rtnl.setLinkUp(name, true);
  return name;
}
