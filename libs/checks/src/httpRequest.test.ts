import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostHeader, httpRequestBytes } from './httpRequest.js';

const text = (target: Parameters<typeof httpRequestBytes>[0]): string => httpRequestBytes(target).toString('utf8');

describe("the request keepalived's HTTP_GET sends", () => {
  it('HTTP/1.0 by default, Host address:port, no Connection header', () => {
    assert.equal(text({ host: '10.0.0.2', port: 80, path: '/' }), 'GET / HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 10.0.0.2:80\r\n\r\n');
  });

  it('1.0c and 1.1 add Connection: close before Host', () => {
    assert.equal(text({ host: '10.0.0.2', port: 80, path: '/x', httpVersion: '1.0c' }), 'GET /x HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: 10.0.0.2:80\r\n\r\n');
    assert.equal(text({ host: '10.0.0.2', port: 80, path: '/x', httpVersion: '1.1' }), 'GET /x HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: 10.0.0.2:80\r\n\r\n');
  });

  it('a virtualhost is the Host header without a port', () => {
    assert.equal(text({ host: '10.0.0.2', port: 8080, path: '/', virtualhost: 'www.example.com' }), 'GET / HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: www.example.com\r\n\r\n');
  });

  it('IPv6 in brackets, as inet_ntop prints it (IPv4-mapped keeps its dotted tail)', () => {
    assert.equal(hostHeader('::1', 80), '[::1]:80');
    assert.equal(hostHeader('fd00:0:0:0:0:0:0:2', 443), '[fd00::2]:443');
    assert.equal(hostHeader('::FFFF:7F00:1', 80), '[::ffff:127.0.0.1]:80');
  });

  it('is cut at 2047 bytes, as keepalived builds it in a 2048-byte buffer', () => {
    assert.equal(httpRequestBytes({ host: '10.0.0.2', port: 80, path: `/${'a'.repeat(3000)}` }).length, 2047);
  });
});
