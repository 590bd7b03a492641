import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandLine } from './options.js';

const usage = (argv: string[]) => {
  const parsed = parseCommandLine(argv);
  assert.equal(parsed.kind, 'usage', JSON.stringify(parsed));
  return parsed.kind === 'usage' ? parsed.messages : [];
};
const fetch = (argv: string[]) => {
  const parsed = parseCommandLine(argv);
  assert.equal(parsed.kind, 'fetch', JSON.stringify(parsed));
  if (parsed.kind !== 'fetch') throw new Error('unreachable');
  return parsed.options;
};

describe("genhash's command line, read as keepalived 2.2.7 reads it", () => {
  it('short, clustered, attached and long forms, long names abbreviated', () => {
    const options = fetch(['-vS', '-s127.0.0.1', '--port=8443', '--url', '/x', '--use-v', 'www.example.com', '-I', '-P', '1.0C', '-t', '3']);
    assert.deepEqual(
      { ...options },
      { server: '127.0.0.1', port: 8443, url: '/x', ssl: true, sni: true, virtualhost: 'www.example.com', verbose: true, protocol: '1.0c', timeoutUs: 3_000_000, fwmark: undefined, json: false, ca: undefined, noColor: false },
    );
  });

  it('the last -u wins, arguments come in any order', () => {
    assert.equal(fetch(['-u', '/a', '-s', '::1', '-p', '80', '-u', '/b']).url, '/b');
  });

  it("keepalived's unsigned 32-bit microseconds for -t", () => {
    assert.equal(fetch(['-s', '10.0.0.1', '-p', '80', '-u', '/', '-t', '4295']).timeoutUs, 32704);
    assert.equal(fetch(['-s', '10.0.0.1', '-p', '80', '-u', '/', '-t', ' 5']).timeoutUs, 5_000_000);
  });

  it('usage alone: too few words, -h, a missing mandatory option', () => {
    assert.deepEqual(usage([]), []);
    assert.deepEqual(usage(['--help']), []);
    assert.deepEqual(usage(['-s', '10.0.0.1', '-p', '80']), []);
    assert.deepEqual(usage(['-s', '10.0.0.1', '-p', '80', '-u', '/', '-h']), []);
  });

  it('every unknown option is named, then the usage', () => {
    assert.deepEqual(usage(['-s', '10.0.0.1', '-y', '-p', '80', '--bogus', '-vz', '-u', '/', '--verbose=1', '--use']), [
      'Unknown option -y',
      'Unknown option --bogus',
      'Unknown option -z',
      'Unknown option --verbose=1',
      'Unknown option --use',
    ]);
  });

  it('a refused value stops the parse with its message', () => {
    assert.deepEqual(usage(['-s', 'localhost', '-p', 'x', '-u', '/']), ['server should be an IP, not localhost']);
    assert.deepEqual(usage(['-s', 'fe80::1%lo', '-p', '80', '-u', '/']), ['server should be an IP, not fe80::1%lo']);
    assert.deepEqual(usage(['-s', '10.0.0.1', '-p', '65536', '-u', '/']), ["invalid port number '65536'"]);
    assert.deepEqual(usage(['-s', '10.0.0.1', '-p', '80', '-u', '/', '-P', '2']), ["invalid HTTP protocol version '2'"]);
    assert.deepEqual(usage(['-s', '10.0.0.1', '-p', '80', '-u', '/', '-t', '-1']), ["invalid timeout '-1'"]);
    assert.deepEqual(usage(['-s', '10.0.0.1', '-p', '80', '-u', '/', '-m', 'x']), ["invalid fwmark 'x'"]);
  });

  it('missing values and stray words', () => {
    assert.deepEqual(usage(['-s', '10.0.0.1', '-p', '80', '-u']), ['Missing parameter for option -u']);
    assert.deepEqual(usage(['-s', '10.0.0.1', '-p', '80', '--url']), ['Missing parameter for option --url']);
    assert.deepEqual(usage(['-s', '10.0.0.1', 'a', '-p', '80', '-u', '/', '--', '-v']), ['Unexpected argument(s): a -v']);
  });

  it('extensions: --json, --ca, --config', () => {
    const options = fetch(['-S', '-s', '10.0.0.1', '-p', '443', '-u', '/', '--json', '--ca', '/etc/ca.pem']);
    assert.deepEqual([options.json, options.ca], [true, '/etc/ca.pem']);
    assert.deepEqual(parseCommandLine(['--config=/etc/keepalived/keepalived.conf']), { kind: 'config', options: { config: '/etc/keepalived/keepalived.conf', json: false, ca: undefined, noColor: false } });
    assert.deepEqual(usage(['--config', 'k.conf', '-s', '10.0.0.1']), ['--config takes everything from the file; drop -s']);
    assert.deepEqual(usage(['-s', '10.0.0.1', '-p', '80', '-u', '/', '--json', '-v']), ['--json and -v do not mix (the JSON carries the response time)']);
  });
});
