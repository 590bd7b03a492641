import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareAddresses } from './addressOrder.js';
import { formatPreemptDelay, masterDownIntervalMs, skewTimeMs } from './timing.js';

test('VRRPv2 Skew_Time is (256 - priority) / 256 s, whatever the interval', () => {
  assert.equal(skewTimeMs(2, 100, 100), 609); // 609.375 ms
  assert.equal(skewTimeMs(2, 254, 300), 7); // 7.8125 ms
  assert.equal(skewTimeMs(2, 1, 100), 996);
  assert.equal(masterDownIntervalMs(2, 100, 100), 3609);
  assert.equal(masterDownIntervalMs(2, 100, 300), 9609);
});

test('VRRPv3 Skew_Time is ((256 - priority) * Master_Adver_Interval) / 256, in centiseconds', () => {
  assert.equal(skewTimeMs(3, 100, 100), 609);
  assert.equal(skewTimeMs(3, 100, 50), 304); // 304.6875 ms
  assert.equal(skewTimeMs(3, 200, 10), 21); // 21.875 ms
  assert.equal(masterDownIntervalMs(3, 200, 10), 321);
  assert.equal(masterDownIntervalMs(3, 255, 100), 3003);
});

test('a higher priority always has a shorter master-down interval', () => {
  for (const version of [2, 3] as const) {
    for (let p = 1; p < 255; p++) assert.ok(masterDownIntervalMs(version, p + 1, 100) < masterDownIntervalMs(version, p, 100), `v${version} p${p}`);
  }
});

test('the preempt delay prints as keepalived prints it', () => {
  assert.equal(formatPreemptDelay(3000), '3.000000');
  assert.equal(formatPreemptDelay(1500), '1.500000');
});

test('addresses compare as unsigned bytes in network order', () => {
  assert.ok(compareAddresses('10.0.0.2', '10.0.0.1') > 0);
  assert.ok(compareAddresses('10.0.0.10', '10.0.0.9') > 0); // not as text
  assert.ok(compareAddresses('192.168.0.1', '10.255.255.255') > 0);
  assert.ok(compareAddresses('128.0.0.1', '127.255.255.255') > 0); // no sign trouble
  assert.equal(compareAddresses('10.0.0.1', '10.0.0.1'), 0);
  assert.ok(compareAddresses('fe80::2', 'fe80::1') > 0);
  assert.ok(compareAddresses('fe80::1:0', 'fe80::ffff') > 0);
});
