// httpCheck against small servers on loopback (ports chosen by the kernel);
// nginx over HTTP and HTTPS is in test/checks-http.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { httpCheck } from './httpCheck.js';

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/** A server answering each path from `routes` (raw responses); `/silent` never answers. */
async function rawServer(routes: Record<string, () => string>): Promise<{ server: Server; port: number; requests: string[] }> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let request = '';
    socket.on('data', (data) => {
      request += data.toString('latin1');
      if (!request.includes('\r\n\r\n')) return;
      requests.push(request);
      const path = request.split(' ')[1] ?? '';
      const route = routes[path];
      if (route) socket.end(route());
    });
  });
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, requests };
}

describe('httpCheck', () => {
  let lab: Awaited<ReturnType<typeof rawServer>>;
  let flaky = 0;
  before(async () => {
    lab = await rawServer({
      '/ok': () => 'HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nhello\n',
      '/down': () => 'HTTP/1.0 503 Service Unavailable\r\n\r\nbusy',
      '/moved': () => 'HTTP/1.0 301 Moved\r\nLocation: /ok\r\n\r\n',
      '/nohead': () => 'HTTP/1.0 200 OK\r\n',
      '/flaky': () => (++flaky % 2 === 1 ? 'HTTP/1.0 500 Oops\r\n\r\n' : 'HTTP/1.0 200 OK\r\n\r\nfine'),
    });
  });
  after(() => lab.server.close());
  const base = () => ({ host: '127.0.0.1', port: lab.port, timeoutMs: 2000 });

  it('is up when every url answers 2xx with the configured digest', async () => {
    const result = await httpCheck({ ...base(), urls: [{ path: '/ok', digest: md5('hello\n') }, { path: '/moved', statusCodes: [[300, 399]] }] });
    assert.equal(result.status, 'up', JSON.stringify(result));
    assert.equal(result.detail, '/ok: status 200, digest ok; /moved: status 301');
  });

  it('sends the Host header of the url, else of the checker', async () => {
    await httpCheck({ ...base(), virtualhost: 'checker.example', urls: [{ path: '/ok' }, { path: '/ok', virtualhost: 'url.example' }] });
    assert.match(lab.requests.at(-2) ?? '', /\r\nHost: checker\.example\r\n/);
    assert.match(lab.requests.at(-1) ?? '', /\r\nHost: url\.example\r\n/);
  });

  it('is down on a status outside status_code, saying which', async () => {
    const result = await httpCheck({ ...base(), urls: [{ path: '/ok' }, { path: '/down' }] });
    assert.deepEqual([result.status, result.status === 'down' && result.reason, result.detail], ['down', 'status', '/down: status 503 (want 200-299)']);
  });

  it('is down on a digest mismatch, with both digests', async () => {
    const want = '9b3a0c85a887a256d6939da88aabd8cd';
    const result = await httpCheck({ ...base(), urls: [{ path: '/ok', digest: want }] });
    assert.equal(result.status === 'down' && result.reason, 'digest');
    assert.equal(result.detail, `/ok: digest mismatch: got ${md5('hello\n')}, want ${want}`);
  });

  it('is down, refused, when nothing listens', async () => {
    const closed = await rawServer({});
    await new Promise<void>((resolve) => closed.server.close(() => resolve()));
    const result = await httpCheck({ host: '127.0.0.1', port: closed.port, timeoutMs: 2000, urls: [{ path: '/' }] });
    assert.deepEqual([result.status === 'down' && result.reason, result.detail], ['refused', '/: connection refused']);
  });

  it('is down, timed out, when the server never answers', async () => {
    const result = await httpCheck({ ...base(), timeoutMs: 300, urls: [{ path: '/silent' }] });
    assert.equal(result.status === 'down' && result.reason, 'timeout');
    assert.equal(result.detail, '/silent: timed out after 300 ms waiting for the response');
    assert.ok(result.durationMs >= 290 && result.durationMs < 2000, `${result.durationMs}`);
  });

  it('is down when the connection closes before the header ends', async () => {
    const result = await httpCheck({ ...base(), urls: [{ path: '/nohead' }] });
    assert.equal(result.status === 'down' && result.reason, 'protocol');
  });

  it('retries a failing url delay_before_retry apart', async () => {
    flaky = 0;
    const once = await httpCheck({ ...base(), urls: [{ path: '/flaky' }] });
    assert.equal(once.status, 'down');
    const retried = await httpCheck({ ...base(), retry: 1, delayBeforeRetryMs: 50, urls: [{ path: '/flaky' }] });
    assert.equal(retried.status, 'up');
  });

  it('refuses options keepalived would refuse', async () => {
    await assert.rejects(httpCheck({ ...base(), urls: [] }), RangeError);
    await assert.rejects(httpCheck({ ...base(), urls: [{ path: '/', digest: 'xyz' }] }), /character length should be 32/);
    await assert.rejects(httpCheck({ ...base(), host: 'localhost', urls: [{ path: '/' }] }), /not an IP address/);
  });
});
