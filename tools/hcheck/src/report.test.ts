import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { colourFor } from '@keepalived-ts/cli';
import { down, up } from '@keepalived-ts/checks';
import { shapeOf } from './oneShot.js';
import { reportJson, reportLine } from './report.js';

const plain = colourFor({ isTTY: false } as NodeJS.WriteStream, true);

describe('reportLine and reportJson', () => {
  it('prints KIND TARGET STATUS: DETAIL (TIME), with attempts after a retry', () => {
    assert.equal(reportLine({ check: 'tcp', target: '10.0.0.2:80', result: up('connected', 1.234), attempts: 1 }, plain), 'tcp 10.0.0.2:80 up: connected (1.2 ms)');
    assert.equal(
      reportLine({ check: 'smtp', target: 'mx1:25', address: '10.0.0.25', result: down('protocol', 'SMTP said 554 go away, expected 220 (greeting)', 40.6), attempts: 3 }, plain),
      'smtp mx1:25 (10.0.0.25) down: SMTP said 554 go away, expected 220 (greeting) (41 ms, 3 attempts)',
    );
  });

  it('gives programs the same facts, with the reason and the weight', () => {
    assert.deepEqual(JSON.parse(reportJson({ check: 'misc', target: 'check.sh', result: up('check.sh exited 7: weight 5', 12.3456, 5), attempts: 1 })), {
      check: 'misc',
      target: 'check.sh',
      status: 'up',
      detail: 'check.sh exited 7: weight 5',
      weight: 5,
      durationMs: 12.346,
      attempts: 1,
    });
    assert.equal(JSON.parse(reportJson({ check: 'tcp', target: 'x:1', result: down('refused', 'connection refused', 1), attempts: 2 })).reason, 'refused');
  });
});

describe('shapeOf', () => {
  it('finds the check after common options and their values, and keepalived\'s -f', () => {
    assert.deepEqual(shapeOf(['tcp', '10.0.0.2:80']), { kind: 'check', index: 0 });
    assert.deepEqual(shapeOf(['--timeout', '500', '--json', 'tcp', '10.0.0.2:80']), { kind: 'check', index: 3 });
    assert.deepEqual(shapeOf(['-f', '/etc/keepalived/keepalived.conf']), { kind: 'daemon' });
    assert.deepEqual(shapeOf(['--use-file=/etc/keepalived/keepalived.conf']), { kind: 'daemon' });
    assert.deepEqual(shapeOf(['--help']), { kind: 'none' });
    assert.deepEqual(shapeOf([]), { kind: 'none' });
  });
});
