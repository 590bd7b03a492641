import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeAttributes, encodeAttributes, IFA, IFLA } from './attributes.js';
import { IFA_F, OWNER_PROTO } from './constants.js';
import { NetlinkError, errnoOf, toNetlinkError } from './errors.js';
import { buildAddAddress, buildCreateMacvlan, buildDeleteAddress, decodeAddress, decodeLink, withName } from './messages.js';
import type { AddressSpec } from './types.js';

const hex = (buffers: readonly Buffer[]): string => Buffer.concat(buffers).toString('hex');

/** The attributes after the 8-byte ifaddrmsg, as [type, payload hex] pairs. */
function attributeList(buf: Buffer, headerSize: number): [number, string][] {
  const out: [number, string][] = [];
  let offset = headerSize;
  while (offset + 4 <= buf.length) {
    const length = buf.readUInt16LE(offset);
    out.push([buf.readUInt16LE(offset + 2), buf.subarray(offset + 4, offset + length).toString('hex')]);
    offset += (length + 3) & ~3;
  }
  return out;
}

function refusal(spec: AddressSpec): string {
  try {
    buildAddAddress(spec);
  } catch (error) {
    assert.ok(error instanceof NetlinkError, String(error));
    assert.equal(error.errno, 'EINVAL');
    assert.equal(error.operation, 'addAddress');
    return error.message;
  }
  assert.fail(`accepted ${JSON.stringify(spec)}`);
}

describe('RTM_NEWADDR payloads', () => {
  it('encodes an IPv4 VIP with label, broadcast and the IFA_PROTO mark (u8, padded)', () => {
    const payload = Buffer.concat(
      buildAddAddress({ ifname: 'eth1', address: '10.0.0.100', prefixLength: 24, label: 'eth1:1', broadcast: '10.0.0.255' })(3),
    );
    // ifaddrmsg: AF_INET, /24, no flags, scope global, ifindex 3 (host order).
    assert.equal(payload.subarray(0, 8).toString('hex'), '0218000003000000');
    assert.deepEqual(attributeList(payload, 8), [
      [1, '0a000064'],
      [2, '0a000064'],
      [3, Buffer.from('eth1:1\0').toString('hex')],
      [4, '0a0000ff'],
      [11, OWNER_PROTO.toString(16)],
    ]);
    // IFA_PROTO: length 5, type 11, one byte, three bytes of padding.
    assert.ok(payload.toString('hex').endsWith('05000b0070000000'));
  });

  it('sets IFA_F_NODAD on IPv6 by default, in ifa_flags and IFA_FLAGS', () => {
    const payload = Buffer.concat(buildAddAddress({ ifname: 'eth1', address: '2001:db8::1', prefixLength: 64 })(7));
    assert.equal(payload.subarray(0, 8).toString('hex'), '0a40020007000000');
    const attrs = decodeAttributes(IFA, payload.subarray(8));
    assert.equal(attrs.flags, IFA_F.NODAD);
    assert.equal(attrs.proto, OWNER_PROTO);
    assert.equal(attrs.local?.toString('hex'), '20010db8000000000000000000000001');
  });

  it('leaves out NODAD when asked, and IFA_PROTO for proto 0', () => {
    const payload = Buffer.concat(buildAddAddress({ ifname: 'eth1', address: '2001:db8::1', prefixLength: 64, noDad: false, proto: 0 })(7));
    assert.equal(payload[2], 0);
    const attrs = decodeAttributes(IFA, payload.subarray(8));
    assert.equal(attrs.flags, undefined);
    assert.equal(attrs.proto, undefined);
  });

  it('computes broadcast + and - like ip addr, and takes scope names', () => {
    const broadcastOf = (spec: Partial<AddressSpec>): string | undefined => {
      const payload = Buffer.concat(buildAddAddress({ ifname: 'eth1', address: '192.168.7.9', prefixLength: 20, ...spec })(3));
      return decodeAttributes(IFA, payload.subarray(8)).broadcast?.join('.');
    };
    assert.equal(broadcastOf({ broadcast: '+' }), '192.168.15.255');
    assert.equal(broadcastOf({ broadcast: '-' }), '192.168.0.0');
    assert.equal(broadcastOf({ broadcast: '+', prefixLength: 32 }), '192.168.7.9');
    assert.equal(broadcastOf({ broadcast: '+', prefixLength: 0 }), '255.255.255.255');
    assert.equal(broadcastOf({}), undefined);
    const scopeOf = (scope: AddressSpec['scope']): number | undefined =>
      buildAddAddress({ ifname: 'lo', address: '127.0.0.2', prefixLength: 8, scope })(1)[0]?.[3];
    assert.equal(scopeOf('host'), 254);
    assert.equal(scopeOf('link'), 253);
    assert.equal(scopeOf(200), 200);
    assert.equal(scopeOf(undefined), 0);
  });

  it('refuses what the kernel would refuse or misread, naming the object', () => {
    const base = { ifname: 'eth1', address: '10.0.0.100', prefixLength: 24 };
    assert.equal(
      refusal({ ...base, label: 'eth2:1' }),
      'add 10.0.0.100/24 on eth1: label "eth2:1" must start with the interface name "eth1" (EINVAL)',
    );
    assert.match(refusal({ ...base, label: 'eth1:0123456789a' }), /longer than 15 characters/);
    assert.doesNotThrow(() => buildAddAddress({ ...base, label: 'eth1:0123456789' }));
    assert.match(refusal({ ...base, address: '2001:db8::1', prefixLength: 64, label: 'eth1:1' }), /labels are for IPv4 addresses only/);
    assert.match(refusal({ ...base, address: '2001:db8::1', prefixLength: 64, broadcast: '+' }), /broadcast addresses are for IPv4 only/);
    assert.match(refusal({ ...base, address: '2001:db8::1', prefixLength: 64, scope: 'host' }), /scope can only be set on IPv4/);
    assert.match(refusal({ ...base, broadcast: '10.0.0' }), /broadcast "10.0.0" is not an IPv4 address/);
    assert.match(refusal({ ...base, prefixLength: 33 }), /prefix length 33 is not in 0-32/);
    assert.match(refusal({ ...base, address: '10.0.0.300' }), /"10.0.0.300" is not an IP address/);
    assert.match(refusal({ ...base, proto: 256 }), /proto 256 is not in 0-255/);
    assert.match(refusal({ ...base, scope: 'galactic' as AddressSpec['scope'] }), /scope galactic is not a scope name/);
  });

  it('deletes by local address and prefix (IFA_ADDRESS too, so the prefix must match)', () => {
    const payload = Buffer.concat(buildDeleteAddress({ ifname: 'eth1', address: '10.0.0.100', prefixLength: 32 })(3));
    assert.equal(payload.subarray(0, 8).toString('hex'), '0220000003000000');
    assert.deepEqual(attributeList(payload, 8), [
      [1, '0a000064'],
      [2, '0a000064'],
    ]);
  });
});

describe('decoding kernel messages', () => {
  it('reads IFA_PROTO and the label from an RTM_NEWADDR the kernel sent', () => {
    // Captured on Linux 6.18: 10.9.0.1/24 on ifindex 3, proto 112, permanent.
    const payload = Buffer.from(
      '0218800003000000' + '080001000a090001' + '080002000a090001' + '0a000300766574683000' + '0000' + '05000b0070000000' +
        '0800080080000000' + '14000600ffffffffffffffff0a8c02000a8c0200',
      'hex',
    );
    const decoded = decodeAddress(payload);
    assert.deepEqual(decoded && withName(decoded, 'veth0'), {
      ifindex: 3,
      ifname: 'veth0',
      family: 4,
      address: '10.9.0.1',
      prefixLength: 24,
      label: 'veth0',
      scope: 0,
      proto: 112,
      flags: IFA_F.PERMANENT,
    });
  });

  it('has no proto when the kernel sends none, and takes IPv6 text in RFC 5952 form', () => {
    const payload = Buffer.concat([
      Buffer.from('0a40000005000000', 'hex'),
      ...encodeAttributes(IFA, { address: Buffer.from('20010db8000000000000000000000010', 'hex') }),
    ]);
    const decoded = decodeAddress(payload);
    assert.equal(decoded?.address, '2001:db8::10');
    assert.equal(decoded?.proto, undefined);
    assert.equal('proto' in (decoded ?? {}), false);
    assert.equal(decoded?.flags, 0);
  });

  it('ignores other families, and stops at a malformed attribute instead of reading past the end', () => {
    assert.equal(decodeAddress(Buffer.from('0708000001000000', 'hex')), undefined);
    const truncated = Buffer.from('0218000003000000' + '080002000a090001' + 'ff000b0070', 'hex');
    assert.equal(decodeAddress(truncated)?.proto, undefined);
    assert.equal(decodeAddress(truncated)?.address, '10.9.0.1');
    assert.throws(() => decodeAddress(Buffer.alloc(4)), /too short/);
  });

  it('reads back a macvlan request with the same tables (kind, mode, parent, MAC)', () => {
    const payload = Buffer.concat(buildCreateMacvlan({ parent: 'eth0', name: 'vrrp.51', mac: '00:00:5E:00:01:33' })(3));
    const { family, link } = decodeLink(payload);
    assert.equal(family, 0);
    assert.deepEqual(link, {
      index: 0,
      name: 'vrrp.51',
      mac: '00:00:5e:00:01:33',
      up: false,
      running: false,
      mtu: 0,
      kind: 'macvlan',
      parentIndex: 3,
      macvlanMode: 'private',
    });
    assert.equal(decodeLink(Buffer.concat(buildCreateMacvlan({ parent: 'eth0', name: 'v', mac: '02:00:00:00:00:01', mode: 'bridge' })(3))).link.macvlanMode, 'bridge');
    assert.throws(() => buildCreateMacvlan({ parent: 'eth0', name: 'vrrp.51', mac: '01:00:5e:00:00:01' })(3), /multicast MAC/);
    assert.throws(() => buildCreateMacvlan({ parent: 'eth0', name: 'a:b', mac: '02:00:00:00:00:01' })(3), /not an interface name/);
    assert.throws(() => buildCreateMacvlan({ parent: 'eth0', name: 'vrrp.1', mac: '02:00:00:00:01' })(3), /not a MAC address/);
  });

  it('does not take a veth peer or an index in another namespace for a parent', () => {
    const linkMessage = (index: number, attrs: Parameters<typeof encodeAttributes<typeof IFLA>>[1]): Buffer => {
      const header = Buffer.alloc(16);
      header.writeInt32LE(index, 4);
      header.writeUInt32LE(0x1 | 0x40, 8);
      return Buffer.concat([header, ...encodeAttributes(IFLA, attrs)]);
    };
    const veth = decodeLink(linkMessage(3, { ifname: 'eth0', link: 2, linkinfo: { kind: 'veth' } })).link;
    assert.equal(veth.parentIndex, undefined);
    assert.equal(veth.up && veth.running, true);
    assert.equal(decodeLink(linkMessage(4, { ifname: 'mv', link: 9, linkNetnsid: 0, linkinfo: { kind: 'macvlan' } })).link.parentIndex, undefined);
    assert.equal(decodeLink(linkMessage(4, { ifname: 'mv', link: 3, linkinfo: { kind: 'macvlan' } })).link.parentIndex, 3);
  });
});

describe('errors', () => {
  it('finds the errno name wherever the netlink package put it', () => {
    assert.equal(errnoOf(new Error('Request rejected: ENODEV')), 'ENODEV');
    assert.equal(errnoOf(new Error('Request rejected: -99')), 'EADDRNOTAVAIL');
    assert.equal(errnoOf(Object.assign(new Error('send failed'), { code: 'ENOBUFS' })), 'ENOBUFS');
    assert.equal(errnoOf(new Error('Timeout has been reached')), 'ETIMEDOUT');
    assert.equal(errnoOf('weird'), 'EIO');
  });

  it('reads like an operator message', () => {
    const error = toNetlinkError(new Error('Request rejected: ENODEV'), 'addAddress', 'add 10.0.0.100/24 on eth9');
    assert.equal(error.message, 'add 10.0.0.100/24 on eth9: no such device (ENODEV)');
    assert.equal(error.errno, 'ENODEV');
    assert.equal(error.operation, 'addAddress');
    assert.equal(toNetlinkError(new Error('Request rejected: EPERM'), 'x', 'add').message, 'add: operation not permitted (EPERM)');
    assert.match(toNetlinkError(new Error('boom'), 'x', 'add').message, /^add: boom \(EIO\)$/);
  });
});
