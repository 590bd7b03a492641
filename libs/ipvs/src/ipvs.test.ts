import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeAttrs, encodeAttrs, IPVS_CMD_ATTR } from './attributes.js';
import { inetAton, inetNtop6 } from './address.js';
import { AF_INET, AF_INET6, IPPROTO_TCP, SVC_F } from './constants.js';
import { ipvsStrerror } from './errors.js';
import { formatListing, glibcSort, largeNum, cmpServices } from './format.js';
import { buildService, decodeService } from './messages.js';
import { parseIPv6 } from '@keepalived-ts/vrrp';
import type { Service } from './types.js';

const ZERO = { conns: 0n, inpkts: 0n, outpkts: 0n, inbytes: 0n, outbytes: 0n, cps: 0n, inpps: 0n, outpps: 0n, inbps: 0n, outbps: 0n };

describe('attributes', () => {
  it('encodes and decodes a service through the same table', () => {
    const payload = Buffer.concat(buildService({ af: AF_INET, protocol: IPPROTO_TCP, address: '10.0.0.1', port: 80, fwmark: 0, scheduler: 'rr', flags: SVC_F.PERSISTENT, timeout: 300, netmask: 0xffffff00, pe: '' }));
    const svc = decodeService(payload)!;
    assert.equal(svc.address, '10.0.0.1');
    assert.equal(svc.port, 80);
    assert.equal(svc.scheduler, 'rr');
    assert.equal(svc.netmask, 0xffffff00);
    assert.equal(svc.timeout, 300);
    assert.deepEqual(decodeAttrs(IPVS_CMD_ATTR, Buffer.concat(encodeAttrs(IPVS_CMD_ATTR, { timeoutTcp: 900 }))), { timeoutTcp: 900 });
  });
});

describe('addresses as glibc prints them', () => {
  for (const [text, want] of [
    ['2001:db8::1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
    ['::1', '::1'],
    ['::', '::'],
    ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
  ] as const) {
    it(`${text} -> ${want}`, () => assert.equal(inetNtop6(parseIPv6(text)!), want));
  }
  it('reads inet_aton forms', () => {
    assert.deepEqual([...inetAton('10.1')!], [10, 0, 0, 1]);
    assert.equal(inetAton('256.1.1.1'), undefined);
  });
});

describe('ipvsadm formats', () => {
  it('print_largenum', () => {
    assert.equal(largeNum(5n, false), '        5');
    assert.equal(largeNum(123456789n, false), '  123456K');
    assert.equal(largeNum(123456789n, true), '123456789 '.trimEnd().padStart(10));
  });
  it('sorts as libipvs does, with its wrapping comparison (192.168/8 before 10/8)', () => {
    const svc = (address: string): Service => ({ af: AF_INET, protocol: IPPROTO_TCP, address, port: 80, fwmark: 0, scheduler: 'rr', flags: 0, timeout: 0, netmask: 0xffffffff, pe: '', stats: ZERO });
    assert.deepEqual(glibcSort([svc('10.0.0.1'), svc('192.168.0.1')], cmpServices).map((s) => s.address), ['192.168.0.1', '10.0.0.1']);
  });
  it('lists like ipvsadm -Ln', () => {
    const text = formatListing({ version: 0x010201, size: 4096 }, [
      {
        service: { af: AF_INET6, protocol: IPPROTO_TCP, address: '2001:db8::1', port: 443, fwmark: 0, scheduler: 'wlc', flags: SVC_F.PERSISTENT, timeout: 300, netmask: 64, pe: '', stats: ZERO },
        dests: [{ af: AF_INET6, address: '2001:db8::2', port: 8443, fwd: 0, weight: 1, uThreshold: 0, lThreshold: 0, tunType: 0, tunPort: 0, tunFlags: 0, activeConns: 0, inactConns: 0, persistConns: 0, stats: ZERO }],
      },
    ], { numeric: true });
    assert.equal(
      text,
      'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\nTCP  [2001:db8::1]:443 wlc persistent 300 mask 64\n  -> [2001:db8::2]:8443           Masq    1      0          0         \n',
    );
  });
  it('says what ipvsadm says', () => {
    assert.equal(ipvsStrerror('addDest', 'ESRCH'), 'Service not defined');
    assert.equal(ipvsStrerror('deleteService', 'ESRCH'), 'No such service');
    assert.equal(ipvsStrerror('addService', 'ENOMEM'), 'Memory allocation problem');
  });
});
