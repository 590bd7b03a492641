// Rtnetlink: addresses and links of the network namespace this process runs
// in, and their change events. Requests go over one socket, notifications
// come in on another (see socket.ts for why).

import { formatAddress, parseAddress } from '@keepalived-ts/vrrp';
import { AF_UNSPEC, NLM_F, RTM, RTNLGRP } from './constants.js';
import { NetlinkError, errnoOf, toNetlinkError } from './errors.js';
import {
  buildAddAddress,
  buildAddressDump,
  buildCreateMacvlan,
  buildDeleteAddress,
  buildDeleteLink,
  buildGetLink,
  buildLinkDump,
  buildSetLinkUp,
  checkInterfaceName,
  decodeAddress,
  decodeLink,
  describeAddress,
  withName,
  type DecodedAddress,
} from './messages.js';
import { formatMac, parseMac } from './mac.js';
import { CommandChannel, EventChannel, loadNetlink, type RawMessage } from './socket.js';
import type { AddressInfo, AddressSpec, LinkInfo, MacvlanSpec, NetlinkEvent, Rtnetlink } from './types.js';

/** Opens rtnetlink in the calling process's network namespace (loads the native module on first call). */
export async function openRtnetlink(): Promise<Rtnetlink> {
  const netlink = loadNetlink();
  return new RtnetlinkClient(netlink, new CommandChannel(netlink));
}

type Listener = (event: NetlinkEvent) => void;

class RtnetlinkClient implements Rtnetlink {
  private readonly listeners = new Set<Listener>();
  private events: EventChannel | undefined;
  /** Serialises event handling, which may wait for a name lookup, so that events keep their order. */
  private eventChain: Promise<void> = Promise.resolve();
  /** Interface names by index, kept by the event socket: an address event carries only the index. */
  private readonly names = new Map<number, string>();
  private closed = false;

  constructor(
    private readonly netlink: ReturnType<typeof loadNetlink>,
    private readonly command: CommandChannel,
  ) {}

  // --- links ----------------------------------------------------------------

  async getLink(name: string): Promise<LinkInfo | undefined> {
    checkInterfaceName(name, 'getLink', `get link ${name}`);
    return this.lookupLink({ name }, 'getLink', `get link ${name}`);
  }

  async listLinks(): Promise<LinkInfo[]> {
    return this.dumpLinks('listLinks', 'list links');
  }

  async setLinkUp(name: string, up: boolean): Promise<void> {
    const action = `set ${name} ${up ? 'up' : 'down'}`;
    const link = await this.requireLink(name, 'setLinkUp', action);
    await this.call('setLinkUp', action, RTM.NEWLINK, buildSetLinkUp(link.index, up));
  }

  async createMacvlan(spec: MacvlanSpec): Promise<LinkInfo> {
    const operation = 'createMacvlan';
    const action = `create macvlan ${spec.name} on ${spec.parent}`;
    const encode = buildCreateMacvlan(spec);
    const parent = await this.requireLink(spec.parent, operation, action);
    try {
      await this.call(operation, action, RTM.NEWLINK, encode(parent.index), NLM_F.CREATE | NLM_F.EXCL);
    } catch (error) {
      if (!(error instanceof NetlinkError) || error.errno !== 'EEXIST') throw error;
      // Like keepalived, take over a matching VMAC left by an earlier run.
      const existing = await this.lookupLink({ name: spec.name }, operation, action);
      const wantedMac = formatMac(parseMac(spec.mac) ?? Buffer.alloc(0));
      if (existing?.kind === 'macvlan' && existing.parentIndex === parent.index && existing.mac === wantedMac) return existing;
      const what = existing ? `${existing.kind ?? 'link'} with MAC ${existing.mac || 'none'}` : 'link';
      throw new NetlinkError('EEXIST', operation, action, `${spec.name} already exists as a ${what}`, { cause: error });
    }
    const created = await this.lookupLink({ name: spec.name }, operation, action);
    if (!created) throw new NetlinkError('ENODEV', operation, action, `${spec.name} vanished right after it was created`);
    return created;
  }

  async deleteLink(name: string): Promise<'deleted' | 'absent'> {
    const action = `delete link ${name}`;
    checkInterfaceName(name, 'deleteLink', action);
    const link = await this.lookupLink({ name }, 'deleteLink', action);
    if (!link) return 'absent';
    try {
      await this.call('deleteLink', action, RTM.DELLINK, buildDeleteLink(link.index));
      return 'deleted';
    } catch (error) {
      // Gone between the lookup and the request.
      if (error instanceof NetlinkError && error.errno === 'ENODEV') return 'absent';
      throw error;
    }
  }

  // --- addresses ------------------------------------------------------------

  async listAddresses(filter: { readonly ifname?: string; readonly family?: 4 | 6 } = {}): Promise<AddressInfo[]> {
    const operation = 'listAddresses';
    const action = `list addresses${filter.ifname === undefined ? '' : ` of ${filter.ifname}`}`;
    let decoded: DecodedAddress[];
    let names: Map<number, string>;
    if (filter.ifname !== undefined) {
      const link = await this.requireLink(filter.ifname, operation, action);
      decoded = (await this.dumpAddresses(filter.family, operation, action)).filter((address) => address.ifindex === link.index);
      names = new Map([[link.index, link.name]]);
    } else {
      decoded = await this.dumpAddresses(filter.family, operation, action);
      names = new Map((await this.dumpLinks(operation, action)).map((link) => [link.index, link.name]));
    }
    return decoded.map((address) => withName(address, names.get(address.ifindex) ?? nameFromLabel(address)));
  }

  async findAddress(address: string): Promise<AddressInfo[]> {
    const parsed = parseAddress(address);
    if (!parsed) throw new NetlinkError('EINVAL', 'findAddress', `find ${address}`, `${JSON.stringify(address)} is not an IP address`);
    const canonical = formatAddress(parsed.bytes, parsed.family);
    const matches = (await this.dumpAddresses(parsed.family, 'findAddress', `find ${address}`)).filter((entry) => entry.address === canonical);
    if (matches.length === 0) return [];
    const names = new Map((await this.dumpLinks('findAddress', `find ${address}`)).map((link) => [link.index, link.name]));
    return matches.map((entry) => withName(entry, names.get(entry.ifindex) ?? nameFromLabel(entry)));
  }

  async addAddress(spec: AddressSpec): Promise<'added' | 'exists'> {
    const action = describeAddress('add', spec);
    const encode = buildAddAddress(spec);
    const link = await this.requireLink(spec.ifname, 'addAddress', action);
    try {
      await this.call('addAddress', action, RTM.NEWADDR, encode(link.index), NLM_F.CREATE | NLM_F.EXCL);
      return 'added';
    } catch (error) {
      if (error instanceof NetlinkError && error.errno === 'EEXIST') return 'exists';
      throw error;
    }
  }

  async deleteAddress(spec: Pick<AddressSpec, 'ifname' | 'address' | 'prefixLength'>): Promise<'deleted' | 'absent'> {
    const action = describeAddress('delete', spec);
    const encode = buildDeleteAddress(spec);
    const link = await this.requireLink(spec.ifname, 'deleteAddress', action);
    try {
      await this.call('deleteAddress', action, RTM.DELADDR, encode(link.index));
      return 'deleted';
    } catch (error) {
      if (error instanceof NetlinkError && error.errno === 'EADDRNOTAVAIL') return 'absent';
      throw error;
    }
  }

  // --- events ---------------------------------------------------------------

  watch(listener: Listener): () => void {
    if (this.closed) throw new NetlinkError('EBADF', 'watch', 'watch rtnetlink events', 'rtnetlink is closed');
    this.listeners.add(listener);
    if (!this.events) this.openEvents();
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.closeEvents();
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.closeEvents();
    this.command.close();
  }

  private openEvents(): void {
    const channel = new EventChannel(
      this.netlink,
      [RTNLGRP.LINK, RTNLGRP.IPV4_IFADDR, RTNLGRP.IPV6_IFADDR],
      (message) => {
        // A message that cannot be decoded is dropped; it must not stall the chain.
        this.eventChain = this.eventChain.then(() => this.handleEvent(channel, message)).catch(() => undefined);
      },
      (error) => {
        // ENOBUFS: the receive buffer overflowed and notifications were lost.
        if (errnoOf(error) === 'ENOBUFS') this.eventChain = this.eventChain.then(() => this.emit(channel, { kind: 'events-lost' }));
      },
    );
    this.events = channel;
    // Names for the address events: subscribed first, then listed, so that no
    // link can appear unseen in between; events wait in the chain meanwhile.
    this.names.clear();
    this.eventChain = this.listLinks().then(
      (links) => {
        for (const link of links) this.names.set(link.index, link.name);
      },
      () => undefined,
    );
  }

  private closeEvents(): void {
    this.events?.close();
    this.events = undefined;
  }

  private async handleEvent(channel: EventChannel, message: RawMessage): Promise<void> {
    if (channel !== this.events) return;
    switch (message.type) {
      case RTM.NEWADDR:
      case RTM.DELADDR: {
        const decoded = decodeAddress(message.payload);
        if (!decoded) return;
        // The label is the last resort: the kernel does not insist that it starts with the name.
        const ifname = this.names.get(decoded.ifindex) ?? ((await this.nameOf(decoded.ifindex)) || nameFromLabel(decoded));
        const kind = message.type === RTM.NEWADDR ? 'address-added' : 'address-removed';
        this.emit(channel, { kind, address: withName(decoded, ifname) });
        return;
      }
      case RTM.NEWLINK: {
        const { family, link } = decodeLink(message.payload);
        // AF_BRIDGE messages describe bridge ports, not links coming and going.
        if (family !== AF_UNSPEC) return;
        this.names.set(link.index, link.name);
        this.emit(channel, { kind: 'link-changed', link });
        return;
      }
      case RTM.DELLINK: {
        const { family, link } = decodeLink(message.payload);
        if (family !== AF_UNSPEC) return;
        this.names.delete(link.index);
        this.emit(channel, { kind: 'link-removed', index: link.index, name: link.name });
        return;
      }
    }
  }

  private emit(channel: EventChannel, event: NetlinkEvent): void {
    if (channel !== this.events) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        // A listener's bug must surface, but not stop the other listeners or later events.
        process.nextTick(() => {
          throw error;
        });
      }
    }
  }

  private async nameOf(index: number): Promise<string> {
    try {
      const link = await this.lookupLink({ index }, 'watch', `get link ${index}`);
      if (link) this.names.set(index, link.name);
      return link?.name ?? '';
    } catch {
      return '';
    }
  }

  // --- plumbing -------------------------------------------------------------

  private async call(operation: string, action: string, type: number, payload: readonly Buffer[], flags = 0): Promise<RawMessage[]> {
    try {
      return await this.command.request(type, payload, flags);
    } catch (error) {
      throw toNetlinkError(error, operation, action);
    }
  }

  private async lookupLink(link: { readonly name: string } | { readonly index: number }, operation: string, action: string): Promise<LinkInfo | undefined> {
    try {
      const [reply] = await this.command.request(RTM.GETLINK, buildGetLink(link));
      return reply?.type === RTM.NEWLINK ? decodeLink(reply.payload).link : undefined;
    } catch (error) {
      const failure = toNetlinkError(error, operation, action);
      if (failure.errno === 'ENODEV') return undefined;
      throw failure;
    }
  }

  private async dumpLinks(operation: string, action: string): Promise<LinkInfo[]> {
    const messages = await this.call(operation, action, RTM.GETLINK, buildLinkDump(), NLM_F.DUMP);
    return messages.flatMap((message) => {
      if (message.type !== RTM.NEWLINK) return [];
      const { family, link } = decodeLink(message.payload);
      return family === AF_UNSPEC ? [link] : [];
    });
  }

  private async requireLink(name: string, operation: string, action: string): Promise<LinkInfo> {
    checkInterfaceName(name, operation, action);
    const link = await this.lookupLink({ name }, operation, action);
    if (!link) throw new NetlinkError('ENODEV', operation, action);
    return link;
  }

  private async dumpAddresses(family: 4 | 6 | undefined, operation: string, action: string): Promise<DecodedAddress[]> {
    const messages = await this.call(operation, action, RTM.GETADDR, buildAddressDump(family), NLM_F.DUMP);
    return messages.flatMap((message) => {
      const decoded = message.type === RTM.NEWADDR ? decodeAddress(message.payload) : undefined;
      return decoded ? [decoded] : [];
    });
  }
}

/**
 * For an address whose interface could not be looked up (it went away): IPv4
 * labels normally start with the interface name (`eth1`, `eth1:1`), and
 * interface names hold no ':'.
 */
function nameFromLabel(address: DecodedAddress): string {
  return address.label?.split(':')[0] ?? '';
}
