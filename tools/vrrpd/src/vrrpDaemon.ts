// The daemon: drives the pure election (libs/election) with real sockets,
// timers, netlink and scripts, and carries out its actions in order. One
// VRRP socket per interface, family and peer set, shared by the instances on
// it and demultiplexed by VRID, so 200 instances cost one socket, not 200.

import { Election, type ElectionAction, type ElectionEvent, type InstanceSpec, type TimerName } from '@keepalived-ts/election';
import { openRtnetlink, OWNER_PROTO, type NetlinkEvent, type Rtnetlink } from '@keepalived-ts/netlink';
import { authPassword, decodeAdvert, intervalCentiseconds, parseAddress, type AdvertInput } from '@keepalived-ts/vrrp';
import type { DaemonLog } from './daemonLog.js';
import type { EventSink } from './eventSink.js';
import { Notifier } from './notifier.js';
import type { DaemonConfig, InstanceConfig, VirtualAddress } from './runtimeConfig.js';
import { resolveScriptUser, type ScriptUser } from './scriptRunner.js';
import { ScriptTracker } from './scriptTracker.js';
import { monotonicNow, TimerSet } from './timerSet.js';
import type { ReceivedVrrpPacket, VrrpSocket } from '@keepalived-ts/wire/vrrpSocket';
import type { Announcer } from '@keepalived-ts/wire/announceSender';

export interface DaemonOptions {
  readonly config: DaemonConfig;
  /** false with --no-vip: report transitions, touch no address. */
  readonly manageVips: boolean;
  readonly log: DaemonLog;
  readonly events?: EventSink;
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

const socketKey = (c: InstanceConfig, linkName: string, source: string) =>
  `${linkName}|${c.family}|${source}|${c.unicastPeers.length ? c.unicastPeers.join(',') : c.multicastGroup}`;

function vipText(v: VirtualAddress): string {
  return `${v.address}/${v.prefixLength}`;
}

export class VrrpDaemon {
  private readonly election: Election;
  private readonly instances = new Map<string, InstanceRuntime>();
  private readonly sockets = new Map<string, SharedSocket>();
  private readonly timers: TimerSet<TimerName>;
  private readonly trackers: ScriptTracker[] = [];
  private readonly notifier: Notifier;
  private readonly scriptUser: ScriptUser | undefined;
  private rtnl: Rtnetlink | undefined;
  private unwatch: (() => void) | undefined;
  /** Actions run one after another: netlink calls are async, and order matters (advert, VIPs, announce). */
  private queue: Promise<void> = Promise.resolve();
  private stopping = false;

  private constructor(private readonly options: DaemonOptions, specs: readonly InstanceSpec[], runtimes: readonly InstanceRuntime[]) {
    const { config } = options;
    this.election = new Election(specs, config.syncGroups.map((g) => ({ name: g.name, members: g.members })));
    for (const r of runtimes) this.instances.set(r.config.name, r);
    this.timers = new TimerSet((instance, timer) => this.handle({ kind: 'timer', instance, timer }));
    this.scriptUser = config.scriptUser ? resolveScriptUser(config.scriptUser.user, config.scriptUser.group) : undefined;
    this.notifier = new Notifier({ log: options.log, ...(options.events ? { events: options.events } : {}), ...(config.notifyFifo ? { notifyFifo: config.notifyFifo } : {}), ...(this.scriptUser ? { scriptUser: this.scriptUser } : {}) });
  }

  static async start(options: DaemonOptions): Promise<VrrpDaemon> {
    const rtnl = await openRtnetlink();
    try {
      const runtimes: InstanceRuntime[] = [];
      const specs: InstanceSpec[] = [];
      for (const config of options.config.instances) {
        const link = await rtnl.getLink(config.interface);
        if (!link) throw new Error(`(${config.name}) interface ${config.interface} does not exist`);
        const linkName = config.vmacName && options.manageVips ? await ensureVmac(rtnl, config) : config.interface;
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
          trackedScripts: config.trackScripts.map((t) => ({ name: t.name, weight: t.weight ?? options.config.scripts.find((s) => s.name === t.name)?.weight ?? 0 })),
          trackedInterfaces: config.trackInterfaces,
          interface: config.interface,
          garp: config.garp,
        });
      }
      const daemon = new VrrpDaemon(options, specs, runtimes);
      daemon.rtnl = rtnl;
      await daemon.open();
      return daemon;
    } catch (error) {
      rtnl.close();
      throw error;
    }
  }

  private async open(): Promise<void> {
    const { openVrrpSocket } = await import('@keepalived-ts/wire/vrrpSocket');
    const { openAnnouncer } = await import('@keepalived-ts/wire/announceSender');
    const rtnl = this.rtnl!;
    if (this.options.manageVips) await this.removeStaleVips();
    for (const runtime of this.instances.values()) {
      const c = runtime.config;
      const key = socketKey(c, runtime.linkName, runtime.primaryAddress);
      let shared = this.sockets.get(key);
      if (!shared) {
        const drops: Record<string, number> = {};
        const byVrid = new Map<number, InstanceRuntime>();
        const socket = await openVrrpSocket(
          { family: c.family, ifname: runtime.linkName, sourceAddress: runtime.primaryAddress, multicastGroup: c.multicastGroup, ...(c.unicastPeers.length ? { unicastPeers: c.unicastPeers } : {}) },
          (packet) => this.receive(byVrid, drops, packet),
        );
        shared = { socket, byVrid, drops };
        this.sockets.set(key, shared);
      }
      if (shared.byVrid.has(c.vrid)) throw new Error(`(${c.name}) VRID ${c.vrid} is already used on ${runtime.linkName} by ${shared.byVrid.get(c.vrid)!.config.name}`);
      shared.byVrid.set(c.vrid, runtime);
      runtime.socket = shared.socket;
      if (this.options.manageVips) runtime.announcer = await openAnnouncer(runtime.linkName);
    }
    this.unwatch = rtnl.watch((event) => this.onNetlink(event));
    for (const script of this.options.config.scripts) {
      const user = script.user ? resolveScriptUser(script.user.user, script.user.group) : this.scriptUser;
      const tracker = new ScriptTracker(script, user, this.options.log, (name, healthy) => this.handle({ kind: 'script', name, healthy }));
      this.trackers.push(tracker);
      tracker.start();
    }
    // Interfaces already down at start put their instances in fault at once.
    for (const runtime of this.instances.values()) {
      for (const name of new Set([runtime.config.interface, ...runtime.config.trackInterfaces.map((t) => t.name)])) {
        const link = await rtnl.getLink(name);
        if (!link || !link.up || !link.running) this.handle({ kind: 'interface', name, up: false });
      }
    }
    this.handle({ kind: 'start' });
  }

  /** Addresses of our configuration that carry our mark are leftovers of a crash: ours to remove. */
  private async removeStaleVips(): Promise<void> {
    const rtnl = this.rtnl!;
    for (const runtime of this.instances.values()) {
      for (const vip of [...runtime.config.vips, ...runtime.config.excludedVips]) {
        const ifname = vip.dev ?? runtime.linkName;
        const present = await rtnl.listAddresses({ ifname, family: vip.family });
        if (present.some((a) => a.address === vip.address && a.prefixLength === vip.prefixLength && a.proto === OWNER_PROTO)) {
          await rtnl.deleteAddress({ ifname, address: vip.address, prefixLength: vip.prefixLength });
          this.options.log('info', `(${runtime.config.name}) removed stale VIP ${vipText(vip)} on ${ifname} left by an earlier run`);
        }
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
    } else if (event.kind === 'link-removed') {
      this.handle({ kind: 'interface', name: event.name, up: false });
    } else if (event.kind === 'address-removed' && this.options.manageVips) {
      // A VIP removed by hand while we are master is put back: the clients need it.
      for (const runtime of this.instances.values()) {
        if (this.election.state(runtime.config.name) !== 'master') continue;
        const vip = runtime.config.vips.find((v) => v.address === event.address.address && (v.dev ?? runtime.linkName) === event.address.ifname);
        if (vip) {
          this.options.log('warning', `(${runtime.config.name}) VIP ${vipText(vip)} was removed from ${event.address.ifname}: putting it back`);
          this.enqueue(() => this.addVip(runtime, vip));
        }
      }
    }
  }

  private handle(event: ElectionEvent): void {
    const actions = this.election.handle(event, monotonicNow());
    for (const action of actions) this.execute(action);
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
        const runtime = this.instances.get(action.instance)!;
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
          });
        });
        return;
      }
    }
  }

  private enqueue(job: () => Promise<void> | void): void {
    this.queue = this.queue.then(job).catch((error: unknown) => this.options.log('error', (error as Error).message));
  }

  private sendAdvert(instance: string, priority: number, intervalCs: number): void {
    const runtime = this.instances.get(instance)!;
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
    await this.rtnl!.addAddress({
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
    const runtime = this.instances.get(instance)!;
    for (const vip of [...runtime.config.vips, ...runtime.config.excludedVips]) await this.addVip(runtime, vip);
  }

  /** Only addresses carrying our mark: an address someone else put there is not ours to take away. */
  private async removeVips(instance: string): Promise<void> {
    const runtime = this.instances.get(instance)!;
    for (const vip of [...runtime.config.vips, ...runtime.config.excludedVips]) {
      const ifname = vip.dev ?? runtime.linkName;
      const present = await this.rtnl!.listAddresses({ ifname, family: vip.family });
      if (present.some((a) => a.address === vip.address && a.prefixLength === vip.prefixLength && a.proto === OWNER_PROTO)) {
        await this.rtnl!.deleteAddress({ ifname, address: vip.address, prefixLength: vip.prefixLength });
      }
    }
  }

  private announce(instance: string, count: number): void {
    const runtime = this.instances.get(instance)!;
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
    for (const tracker of this.trackers) tracker.stop();
    this.timers.cancelAll();
    this.unwatch?.();
    for (const shared of this.sockets.values()) shared.socket.close();
    for (const runtime of this.instances.values()) runtime.announcer?.close();
    if (this.options.manageVips) {
      for (const runtime of this.instances.values()) {
        if (runtime.linkName !== runtime.config.interface) await this.rtnl!.deleteLink(runtime.linkName);
      }
    }
    await this.notifier.drain(5000);
    this.rtnl?.close();
  }

  /** The state of every instance, for SIGUSR1. */
  snapshot(): Record<string, unknown> {
    const snapshots = new Map(this.election.snapshot().map((s) => [s.name, s]));
    return {
      time: new Date().toISOString(),
      routerId: this.options.config.routerId,
      instances: [...this.instances.values()].map((r) => ({
        name: r.config.name,
        interface: r.config.interface,
        vrid: r.config.vrid,
        version: r.config.version,
        family: r.config.family === 4 ? 'ipv4' : 'ipv6',
        state: this.election.state(r.config.name),
        priority: r.config.priority,
        effectivePriority: this.election.effectivePriority(r.config.name),
        primaryAddress: r.primaryAddress,
        vips: r.config.vips.map(vipText),
        counters: r.counters,
        election: snapshots.get(r.config.name),
      })),
      scripts: this.options.config.scripts.map((s, i) => ({ name: s.name, healthy: this.trackers[i]?.isHealthy })),
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
