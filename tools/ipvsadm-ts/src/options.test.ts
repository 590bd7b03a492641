import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandLineError, parseCommandLine, splitRestoreLine, type Lookups } from './options.js';

const LOOKUPS: Lookups = { servicePort: (name) => (name === 'http' ? 80 : undefined), hostAddress: () => undefined };
const parse = (line: string) => parseCommandLine(line.split(' '), LOOKUPS);
const failure = (line: string): [string, number] => {
  try {
    parse(line);
  } catch (error) {
    if (error instanceof CommandLineError) return [error.message, error.status];
    throw error;
  }
  return ['', 0];
};

describe('ipvsadm command line', () => {
  it('reads a service with defaults', () => {
    const c = parse('-A -t 10.0.0.1:http');
    assert.equal(c.command, 'add-service');
    assert.equal(c.service.port, 80);
    assert.equal(c.service.scheduler, 'wlc');
  });
  it('copies the service port to a routed destination', () => {
    const c = parse('-a -t 10.0.0.1:80 -r 10.0.1.1:8080 -g');
    assert.equal(c.dest.port, 80);
    assert.equal(parse('-a -t 10.0.0.1:80 -r 10.0.1.1:8080 -m').dest.port, 8080);
  });
  it('combines short options', () => {
    const c = parse('-Ln');
    assert.equal(c.command, 'list');
    assert.equal(c.format.numeric, true);
  });
  it('refuses as ipvsadm refuses', () => {
    assert.deepEqual(failure('-A -t 10.0.0.7:0 -s rr'), ['Zero port specified for non-persistent service', 2]);
    assert.deepEqual(failure('-A -t 10.0.0.7:80 -r 1.2.3.4'), ["Illegal 'real-server' option with the 'add-service' command", 2]);
    assert.deepEqual(failure('-A -t 10.0.0.7:80 -o'), ['One-Packet Scheduling is only for UDP virtual services', 2]);
    assert.deepEqual(failure('-a -t 10.0.0.7:80 -r 1.2.3.4 -w 2147483648'), ['illegal weight specified', 2]);
  });
  it('wants the command first, as popt in ipvsadm', () => {
    assert.deepEqual(failure('-A -t 10.0.0.1:80 -A'), ["invalid option `-A'", 2]);
    assert.deepEqual(failure('-n -L'), ['', 255]);
    assert.equal(parse('-L -n --json').json, true);
  });
  it('splits -R lines', () => assert.deepEqual(splitRestoreLine('-A -t  1.2.3.4:80 -s "rr"'), ['-A', '-t', '1.2.3.4:80', '-s', 'rr']));
});
