import type { MacvlanMode, ScopeName } from './constants.js';

export interface LinkInfo {
  readonly index: number;
  readonly name: string;
  /** `aa:bb:cc:dd:ee:ff`; empty for links without a hardware address (tun, wireguard). */
  readonly mac: string;
  /** IFF_UP: administratively up. */
  readonly up: boolean;
  /** IFF_RUNNING: up with carrier (operationally up). */
  readonly running: boolean;
  readonly mtu: number;
  /** IFLA_INFO_KIND: 'veth', 'macvlan', 'bridge', ...; undefined for physical NICs and lo. */
  readonly kind?: string;
  /**
   * The lower device (IFLA_LINK) of a macvlan or vlan, when it is in this
   * namespace. Undefined for veth, whose IFLA_LINK names the peer instead.
   */
  readonly parentIndex?: number;
  /** The macvlan mode, for kind 'macvlan'. */
  readonly macvlanMode?: MacvlanMode;
}

export interface AddressInfo {
  readonly ifindex: number;
  /** The interface's name ('' in the rare event it vanished before it could be looked up). */
  readonly ifname: string;
  readonly family: 4 | 6;
  /** Canonical text (RFC 5952 for IPv6): the local address (IFA_LOCAL, else IFA_ADDRESS). */
  readonly address: string;
  readonly prefixLength: number;
  /** IFA_LABEL. IPv4 only; the kernel always reports one, equal to the interface name unless set. */
  readonly label?: string;
  /** IFA_BROADCAST (IPv4). */
  readonly broadcast?: string;
  /** ifa_scope: 0 global, 200 site, 253 link, 254 host. */
  readonly scope: number;
  /** IFA_PROTO; undefined when the kernel did not report it (unset, i.e. 0, or a kernel before 5.18). */
  readonly proto?: number;
  /** IFA_FLAGS (IFA_F_* bits: SECONDARY 0x1, NODAD 0x2, TENTATIVE 0x40, PERMANENT 0x80, ...). */
  readonly flags: number;
}

export interface AddressSpec {
  readonly ifname: string;
  readonly address: string;
  readonly prefixLength: number;
  /** IPv4 only; must start with the interface name, like keepalived's `label eth1:1`. */
  readonly label?: string;
  /** IPv4 only: an address, or '+' / '-' for the prefix's all-ones / all-zeros host part (as `ip addr ... brd +`). */
  readonly broadcast?: string;
  /** IPv4 only (IPv6 scope follows from the address). Default 'global'. */
  readonly scope?: ScopeName | number;
  /** IFA_PROTO mark, 0-255; default OWNER_PROTO. 0 leaves the address unmarked. */
  readonly proto?: number;
  /**
   * IPv6 only: IFA_F_NODAD, so that the address is usable at once instead of
   * being tentative during duplicate address detection. Default true, as
   * keepalived always sets it on IPv6 VIPs; ignored for IPv4.
   */
  readonly noDad?: boolean;
}

export interface MacvlanSpec {
  /** The lower device. */
  readonly parent: string;
  readonly name: string;
  readonly mac: string;
  /** Default 'private', keepalived's use_vmac mode. */
  readonly mode?: MacvlanMode;
}

export type NetlinkEvent =
  | { readonly kind: 'address-added' | 'address-removed'; readonly address: AddressInfo }
  | { readonly kind: 'link-changed'; readonly link: LinkInfo }
  | { readonly kind: 'link-removed'; readonly index: number; readonly name: string }
  /**
   * The kernel dropped notifications because they came faster than they were
   * read (ENOBUFS): whatever is being tracked must be listed again.
   */
  | { readonly kind: 'events-lost' };

export interface Rtnetlink {
  /** The link named `name`, or undefined when there is none. */
  getLink(name: string): Promise<LinkInfo | undefined>;
  listLinks(): Promise<LinkInfo[]>;
  /** Every address (one dump per family asked, plus one of links for the names), optionally filtered. */
  listAddresses(filter?: { readonly ifname?: string; readonly family?: 4 | 6 }): Promise<AddressInfo[]>;
  /** Where `address` is configured, on any interface (vipctl refuses a VIP that is already elsewhere). */
  findAddress(address: string): Promise<AddressInfo[]>;
  /**
   * Adds an address, marked with `proto` (default OWNER_PROTO). Idempotent:
   * 'exists' when the interface already has it (whatever its mark).
   */
  addAddress(spec: AddressSpec): Promise<'added' | 'exists'>;
  /** Idempotent: 'absent' when the interface does not have that address/prefix. Throws ENODEV for a missing interface. */
  deleteAddress(spec: Pick<AddressSpec, 'ifname' | 'address' | 'prefixLength'>): Promise<'deleted' | 'absent'>;
  /**
   * Creates a macvlan (keepalived's use_vmac). If a macvlan of that name with
   * the same parent and MAC exists already it is returned as is; any other
   * link of that name is an EEXIST error. The link is created down.
   */
  createMacvlan(spec: MacvlanSpec): Promise<LinkInfo>;
  deleteLink(name: string): Promise<'deleted' | 'absent'>;
  setLinkUp(name: string, up: boolean): Promise<void>;
  /**
   * Calls `listener` for RTM_NEWADDR/DELADDR (IPv4 and IPv6) and
   * RTM_NEWLINK/DELLINK, in the order the kernel sent them. While at least
   * one listener is subscribed the event socket keeps the process alive;
   * the returned function unsubscribes (and closes that socket after the last one).
   */
  watch(listener: (event: NetlinkEvent) => void): () => void;
  /** Closes every socket; pending requests reject with EBADF. The process can then exit. */
  close(): void;
}
