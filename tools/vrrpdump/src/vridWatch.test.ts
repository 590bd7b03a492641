import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeAdvert, encodeAdvert, parseAddress, type AdvertInput, type DecodedAdvert } from '@keepalived-ts/vrrp';
import { VridWatch } from './vridWatch.js';

const GROUP = parseAddress('224.0.0.18')!.bytes;

function advert(source: string, input: Partial<AdvertInput> & { version?: 2 | 3 } = {}): DecodedAdvert {
  const base: AdvertInput =
    input.version === 3
      ? { version: 3, vrid: 51, priority: 100, intervalCentiseconds: 100, addresses: ['10.0.0.100'], ...(input as object) }
      : { version: 2, vrid: 51, priority: 100, intervalSeconds: 1, authData: 'pw', addresses: ['10.0.0.100'], ...(input as object) } as AdvertInput;
  const scope = { family: 4 as const, source: parseAddress(source)!.bytes, destination: GROUP };
  const result = decodeAdvert(encodeAdvert(base, scope), scope);
  assert.ok(result.ok);
  return result.advert;
}

describe('VridWatch', () => {
  it('says nothing for one master advertising steadily', () => {
    const watch = new VridWatch();
    for (let t = 0; t < 10_000; t += 1000) assert.deepEqual(watch.observe('eth0', '10.0.0.1', advert('10.0.0.1'), t), []);
    const [row] = watch.rows(10_000);
    assert.deepEqual(row?.masters, ['10.0.0.1']);
    assert.equal(row?.packets, 10);
  });

  it('does not call a preemption split brain: the old master stops after the new one starts', () => {
    const watch = new VridWatch();
    const warnings = [
      ...watch.observe('eth0', '10.0.0.1', advert('10.0.0.1', { priority: 100 }), 0),
      ...watch.observe('eth0', '10.0.0.1', advert('10.0.0.1', { priority: 100 }), 1000),
      ...watch.observe('eth0', '10.0.0.2', advert('10.0.0.2', { priority: 150 }), 1500),
      ...watch.observe('eth0', '10.0.0.2', advert('10.0.0.2', { priority: 150 }), 2500),
      ...watch.observe('eth0', '10.0.0.2', advert('10.0.0.2', { priority: 150 }), 3500),
    ];
    assert.deepEqual(warnings.map((w) => w.kind), []);
  });

  it('does not call a restarted master preempting split brain', () => {
    const watch = new VridWatch();
    const kinds: string[] = [];
    const see = (source: string, priority: number, t: number) => kinds.push(...watch.observe('eth0', source, advert(source, { priority }), t).map((w) => w.kind));
    see('10.0.0.1', 150, 0);
    see('10.0.0.1', 0, 500); // stops cleanly
    for (let t = 1100; t < 8000; t += 1000) see('10.0.0.2', 100, t);
    see('10.0.0.1', 150, 8400); // back, preempts; 10.0.0.2 hears it and stops
    see('10.0.0.1', 150, 9400);
    see('10.0.0.1', 150, 10400);
    assert.deepEqual(kinds, ['priority-zero']);
  });

  it('flags two masters interleaving once per episode, and again after it ended', () => {
    const watch = new VridWatch();
    const kinds: string[] = [];
    for (let t = 0; t < 5000; t += 1000) {
      kinds.push(...watch.observe('eth0', '10.0.0.1', advert('10.0.0.1'), t).map((w) => w.kind));
      kinds.push(...watch.observe('eth0', '10.0.0.2', advert('10.0.0.2'), t + 500).map((w) => w.kind));
    }
    assert.deepEqual(kinds, ['split-brain']);
    assert.deepEqual(watch.rows(5000)[0]?.masters, ['10.0.0.1', '10.0.0.2']);
    // 10.0.0.2 goes quiet for longer than Master_Down_Interval, then both are back.
    for (let t = 10_000; t < 13_000; t += 1000) kinds.push(...watch.observe('eth0', '10.0.0.1', advert('10.0.0.1'), t).map((w) => w.kind));
    for (let t = 13_000; t < 16_000; t += 1000) {
      kinds.push(...watch.observe('eth0', '10.0.0.1', advert('10.0.0.1'), t).map((w) => w.kind));
      kinds.push(...watch.observe('eth0', '10.0.0.2', advert('10.0.0.2'), t + 500).map((w) => w.kind));
    }
    assert.deepEqual(kinds, ['split-brain', 'split-brain']);
  });

  it('flags a master leaving with priority 0', () => {
    const watch = new VridWatch();
    watch.observe('eth0', '10.0.0.1', advert('10.0.0.1'), 0);
    const [warning] = watch.observe('eth0', '10.0.0.1', advert('10.0.0.1', { priority: 0 }), 500);
    assert.equal(warning?.kind, 'priority-zero');
    assert.match(warning!.message, /10\.0\.0\.1 is leaving/);
  });

  it('flags interval, version and auth mismatches between routers of one VRID', () => {
    const watch = new VridWatch();
    watch.observe('eth0', '10.0.0.1', advert('10.0.0.1'), 0);
    const interval = watch.observe('eth0', '10.0.0.2', advert('10.0.0.2', { intervalSeconds: 2 } as Partial<AdvertInput>), 100).map((w) => w.kind);
    assert.ok(interval.includes('interval-mismatch'), interval.join());
    const watch2 = new VridWatch();
    watch2.observe('eth0', '10.0.0.1', advert('10.0.0.1'), 0);
    assert.ok(watch2.observe('eth0', '10.0.0.2', advert('10.0.0.2', { version: 3 }), 100).some((w) => w.kind === 'version-mismatch'));
    const watch3 = new VridWatch();
    watch3.observe('eth0', '10.0.0.1', advert('10.0.0.1'), 0);
    assert.ok(watch3.observe('eth0', '10.0.0.2', advert('10.0.0.2', { authData: 'other' } as Partial<AdvertInput>), 100).some((w) => w.kind === 'auth-mismatch'));
  });

  it('keeps VRIDs and interfaces apart', () => {
    const watch = new VridWatch();
    watch.observe('eth0', '10.0.0.1', advert('10.0.0.1', { vrid: 1 }), 0);
    watch.observe('eth1', '10.0.0.2', advert('10.0.0.2', { vrid: 1 }), 0);
    assert.deepEqual(watch.observe('eth0', '10.0.0.3', advert('10.0.0.3', { vrid: 2 }), 100), []);
    assert.equal(watch.rows(100).length, 3);
  });
});
