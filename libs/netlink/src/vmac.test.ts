import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { macvlanName, vmacAddress } from './vmac.js';

describe('use_vmac helpers', () => {
  it('gives the VRRP virtual router MAC per family (RFC 5798 7.3)', () => {
    assert.equal(vmacAddress(51), '00:00:5e:00:01:33');
    assert.equal(vmacAddress(51, 4), '00:00:5e:00:01:33');
    assert.equal(vmacAddress(1, 6), '00:00:5e:00:02:01');
    assert.equal(vmacAddress(255, 6), '00:00:5e:00:02:ff');
    assert.throws(() => vmacAddress(0), /VRID 0 is not in 1-255/);
    assert.throws(() => vmacAddress(256, 6), /VRID 256/);
  });

  it("names the interface as keepalived does: vrrp.VRID, then its fallbacks", () => {
    assert.equal(macvlanName(51), 'vrrp.51');
    const taken = (names: string[]) => (name: string) => names.includes(name);
    assert.equal(macvlanName(51, 4, taken(['vrrp.51'])), 'vrrp1.51');
    assert.equal(macvlanName(51, 4, taken(['vrrp.51', 'vrrp1.51'])), 'vrrp2.51');
    // IPv6 instances try vrrp6 first, then count from 1 skipping 6.
    assert.equal(macvlanName(51, 6, taken(['vrrp.51'])), 'vrrp6.51');
    assert.equal(macvlanName(51, 6, taken(['vrrp.51', 'vrrp6.51'])), 'vrrp1.51');
    assert.equal(macvlanName(51, 6, taken(['vrrp.51', 'vrrp6.51', 'vrrp1.51', 'vrrp2.51', 'vrrp3.51', 'vrrp4.51', 'vrrp5.51'])), 'vrrp7.51');
    assert.throws(() => macvlanName(51, 4, () => true), /no free use_vmac interface name/);
  });
});
