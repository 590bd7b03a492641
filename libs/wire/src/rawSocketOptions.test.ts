import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  encodeInterfaceName,
  encodeIntOption,
  encodeIpMreqn,
  encodeIpv6Mreq,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IpOption,
  Ipv6Option,
  SocketOption,
  SOL_SOCKET,
} from './rawSocketOptions.js';

// The kernel's uapi headers are the authority (Debian: linux-libc-dev).
const HEADERS = ['/usr/include/asm-generic/socket.h', '/usr/include/linux/in.h', '/usr/include/linux/in6.h', '/usr/include/linux/socket.h'];
const haveHeaders = HEADERS.slice(0, 3).every((path) => existsSync(path));

function defines(): Map<string, number> {
  const table = new Map<string, number>();
  for (const path of HEADERS.filter((file) => existsSync(file))) {
    for (const match of readFileSync(path, 'utf8').matchAll(/^#define\s+(\w+)\s+(\d+)\b/gm)) table.set(match[1]!, Number(match[2]));
  }
  return table;
}

describe('socket option numbers', () => {
  it('match the kernel headers', { skip: haveHeaders ? false : 'no kernel headers in /usr/include' }, () => {
    const table = defines();
    const ours: Record<string, number> = { SOL_SOCKET, ...SocketOption, ...IpOption, ...Ipv6Option };
    for (const [name, value] of Object.entries(ours)) assert.equal(value, table.get(name), name);
    // IPPROTO_IP and IPPROTO_IPV6 are enum members in <linux/in.h>, not defines.
    const inH = readFileSync('/usr/include/linux/in.h', 'utf8');
    assert.match(inH, new RegExp(`IPPROTO_IP = ${IPPROTO_IP},`));
    assert.match(inH, new RegExp(`IPPROTO_IPV6 = ${IPPROTO_IPV6},`));
  });
});

describe('option structs', () => {
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const hostInt = (value: number) => {
    const out = Buffer.alloc(4);
    if (littleEndian) out.writeInt32LE(value);
    else out.writeInt32BE(value);
    return out.toString('hex');
  };

  it('struct ip_mreqn: group, any address, ifindex', () => {
    assert.equal(encodeIpMreqn(Buffer.from([224, 0, 0, 18]), 7).toString('hex'), `e0000012` + '00000000' + hostInt(7));
    assert.equal(encodeIpMreqn(undefined, 3).toString('hex'), '00000000' + '00000000' + hostInt(3));
  });

  it('struct ipv6_mreq: group, ifindex', () => {
    const group = Buffer.from('ff020000000000000000000000000012', 'hex');
    assert.equal(encodeIpv6Mreq(group, 9).toString('hex'), group.toString('hex') + hostInt(9));
  });

  it('ints in host order, interface names NUL-terminated', () => {
    assert.equal(encodeIntOption(255).toString('hex'), hostInt(255));
    assert.deepEqual([...encodeInterfaceName('eth0')], [0x65, 0x74, 0x68, 0x30, 0]);
  });
});
