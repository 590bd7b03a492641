import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '@keepalived-ts/cli';
import { parseHost, parseHostPort, parseHttpUrl, resolveHost } from './target.js';

const usage = (pattern: RegExp) => (error: unknown) => error instanceof UserError && error.exitCode === 2 && pattern.test(error.message);

describe('parseHostPort', () => {
  it('reads IPv4, [IPv6] and names with ports, and bare hosts with a default port', () => {
    assert.deepEqual(parseHostPort('10.0.0.2:80'), { host: '10.0.0.2', port: 80 });
    assert.deepEqual(parseHostPort('[fd00::2]:443'), { host: 'fd00::2', port: 443 });
    assert.deepEqual(parseHostPort('web1:8080'), { host: 'web1', port: 8080 });
    assert.deepEqual(parseHostPort('10.0.0.25', 25), { host: '10.0.0.25', port: 25 });
    assert.deepEqual(parseHostPort('fd00::53', 53), { host: 'fd00::53', port: 53 });
    assert.deepEqual(parseHostPort('[fd00::53]', 53), { host: 'fd00::53', port: 53 });
  });

  it('refuses a missing or bad port and a bracketed non-IPv6', () => {
    assert.throws(() => parseHostPort('10.0.0.2'), usage(/give a port/));
    assert.throws(() => parseHostPort('fd00::2'), usage(/give a port/));
    assert.throws(() => parseHostPort('10.0.0.2:0'), usage(/not from 1 to 65535/));
    assert.throws(() => parseHostPort('10.0.0.2:http'), usage(/not from 1 to 65535/));
    assert.throws(() => parseHostPort('[10.0.0.2]:80'), usage(/not an IPv6 address/));
    assert.throws(() => parseHostPort(':80'), usage(/no host/));
  });
});

describe('parseHost', () => {
  it('takes an address, a name or [IPv6], never a port', () => {
    assert.equal(parseHost('10.0.0.2'), '10.0.0.2');
    assert.equal(parseHost('[fd00::2]'), 'fd00::2');
    assert.equal(parseHost('fe80::1%eth0'), 'fe80::1%eth0');
    assert.throws(() => parseHost('10.0.0.2:80'), usage(/without a port/));
  });
});

describe('parseHttpUrl', () => {
  it('splits a URL into what keepalived configures: address, port, path, virtual host', () => {
    assert.deepEqual(parseHttpUrl('http://10.0.0.2/health?full=1', 'http'), { tls: false, host: '10.0.0.2', port: 80, path: '/health?full=1', hostName: undefined });
    assert.deepEqual(parseHttpUrl('https://[fd00::2]:8443/', 'https'), { tls: true, host: 'fd00::2', port: 8443, path: '/', hostName: undefined });
    assert.deepEqual(parseHttpUrl('https://www.example.com', 'https'), { tls: true, host: 'www.example.com', port: 443, path: '/', hostName: 'www.example.com' });
    assert.throws(() => parseHttpUrl('https://10.0.0.2/', 'http'), usage(/takes http:\/\//));
    assert.throws(() => parseHttpUrl('10.0.0.2/health', 'http'), usage(/not a URL/));
  });
});

describe('resolveHost', () => {
  it('keeps addresses and resolves names from /etc/hosts', async () => {
    assert.equal(await resolveHost('10.0.0.2'), '10.0.0.2');
    assert.equal(await resolveHost('fe80::1%lo'), 'fe80::1%lo');
    assert.match(await resolveHost('localhost'), /^(127\.0\.0\.1|::1)$/);
    await assert.rejects(resolveHost('no-such-host.invalid'), usage(/cannot resolve no-such-host.invalid/));
  });
});
