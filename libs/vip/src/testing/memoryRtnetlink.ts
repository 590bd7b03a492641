// An Rtnetlink that keeps addresses in memory, for the unit tests of what
// this lib decides (ownership, idempotency, old kernels that drop IFA_PROTO).
// The kernel itself is the judge in test/vipctl; this only stands in for it
// where a real one cannot be made to behave like Linux 5.17.

import { NetlinkError, type AddressInfo, type AddressSpec, type LinkInfo, type Rtnetlink } from '@keepalived-ts/netlink';
import { parseAddress, formatAddress } from '@keepalived-ts/vrrp';

export interface MemoryRtnetlinkOptions {
  readonly links: readonly string[];
  /** false: like a kernel before 5.18, the mark sent with an address is not kept. */
  readonly keepsMarks?: boolean;
  /** Reject additions and deletions with EPERM, as for a process without CAP_NET_ADMIN. */
  readonly readOnly?: boolean;
}

export class MemoryRtnetlink implements Rtnetlink {
  readonly addresses: AddressInfo[] = [];
  private readonly links: LinkInfo[];

  constructor(private readonly options: MemoryRtnetlinkOptions) {
    this.links = options.links.map((name, i) => ({ index: i + 2, name, mac: `02:00:00:00:00:0${i + 2}`, up: true, running: true, mtu: 1500 }));
  }

  /** An address as `ip addr add` leaves it: no mark. */
  seed(ifname: string, cidr: string, proto?: number): void {
    const [text, prefix] = cidr.split('/');
    const parsed = parseAddress(text!)!;
    const link = this.links.find((l) => l.name === ifname)!;
    this.addresses.push({ ifindex: link.index, ifname, family: parsed.family, address: formatAddress(parsed.bytes, parsed.family), prefixLength: Number(prefix), scope: 0, flags: 0x80, ...(proto !== undefined && { proto }) });
  }

  async getLink(name: string): Promise<LinkInfo | undefined> {
    if (/[\s/:]/.test(name) || name.length === 0 || name.length > 15) throw new NetlinkError('EINVAL', 'getLink', `get link ${name}`, 'not an interface name');
    return this.links.find((l) => l.name === name);
  }

  async listLinks(): Promise<LinkInfo[]> {
    return [...this.links];
  }

  async listAddresses(filter: { readonly ifname?: string; readonly family?: 4 | 6 } = {}): Promise<AddressInfo[]> {
    if (filter.ifname !== undefined && !this.links.some((l) => l.name === filter.ifname)) throw new NetlinkError('ENODEV', 'listAddresses', `list addresses of ${filter.ifname}`);
    return this.addresses.filter((a) => (filter.ifname === undefined || a.ifname === filter.ifname) && (filter.family === undefined || a.family === filter.family));
  }

  async findAddress(address: string): Promise<AddressInfo[]> {
    return this.addresses.filter((a) => a.address === address);
  }

  async addAddress(spec: AddressSpec): Promise<'added' | 'exists'> {
    const action = `add ${spec.address}/${spec.prefixLength} on ${spec.ifname}`;
    const link = this.links.find((l) => l.name === spec.ifname);
    if (!link) throw new NetlinkError('ENODEV', 'addAddress', action);
    if (this.options.readOnly) throw new NetlinkError('EPERM', 'addAddress', action);
    const family = spec.address.includes(':') ? 6 : 4;
    if (this.addresses.some((a) => a.ifname === spec.ifname && a.address === spec.address && (family === 6 || a.prefixLength === spec.prefixLength))) return 'exists';
    const proto = this.options.keepsMarks === false ? undefined : spec.proto;
    this.addresses.push({ ifindex: link.index, ifname: spec.ifname, family, address: spec.address, prefixLength: spec.prefixLength, scope: 0, flags: 0x80, ...(proto !== undefined && { proto }) });
    return 'added';
  }

  async deleteAddress(spec: Pick<AddressSpec, 'ifname' | 'address' | 'prefixLength'>): Promise<'deleted' | 'absent'> {
    if (this.options.readOnly) throw new NetlinkError('EPERM', 'deleteAddress', `delete ${spec.address}/${spec.prefixLength} from ${spec.ifname}`);
    const at = this.addresses.findIndex((a) => a.ifname === spec.ifname && a.address === spec.address && a.prefixLength === spec.prefixLength);
    if (at < 0) return 'absent';
    this.addresses.splice(at, 1);
    return 'deleted';
  }

  createMacvlan(): Promise<LinkInfo> {
    throw new Error('not in MemoryRtnetlink');
  }

  deleteLink(): Promise<'deleted' | 'absent'> {
    throw new Error('not in MemoryRtnetlink');
  }

  setLinkUp(): Promise<void> {
    throw new Error('not in MemoryRtnetlink');
  }

  watch(): () => void {
    throw new Error('not in MemoryRtnetlink');
  }

  close(): void {}
}
