// HTTP_GET and SSL_GET (libs/checks httpCheck) against a real nginx on
// loopback: each check shown up, and down for each reason an operator meets
// (refused, timed out, 503, digest mismatch, TLS handshake failed).

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { httpCheck, type CheckResult, type HttpCheckOptions } from '@keepalived-ts/checks';
import { uniquePrefix, withLab } from '@keepalived-ts/test-utils';
import { blackholeLab } from './blackhole.js';
import { INDEX_BODY, OTHER_VHOST, VHOST, missingTools, silentServer, startNginx, type NginxLab } from './nginxLab.js';
import { createHash } from 'node:crypto';

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
const skip = missingTools();
const BIG = 32 * 1024 * 1024;

const summary = (result: CheckResult): string => (result.status === 'up' ? `up: ${result.detail}` : `down ${result.reason}: ${result.detail}`);

describe('httpCheck against nginx', { skip }, () => {
  let dir: string;
  let nginx: NginxLab;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kt-http-'));
    nginx = await startNginx(dir, { files: { 'big.bin': BIG } });
  });
  after(async () => {
    await nginx?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const http = (extra: Partial<HttpCheckOptions> & Pick<HttpCheckOptions, 'urls'>): Promise<CheckResult> => httpCheck({ host: '127.0.0.1', port: nginx.httpPort, timeoutMs: 5000, ...extra });
  const https = (extra: Partial<HttpCheckOptions> & Pick<HttpCheckOptions, 'urls'>): Promise<CheckResult> =>
    httpCheck({ host: '127.0.0.1', port: nginx.httpsPort, timeoutMs: 5000, tls: { insecure: true }, ...extra });

  it('HTTP_GET is up with the right digest, down on a digest mismatch with both digests', async () => {
    assert.equal(summary(await http({ urls: [{ path: '/index.html', digest: md5(INDEX_BODY) }] })), 'up: /index.html: status 200, digest ok');
    const wrong = '9b3a0c85a887a256d6939da88aabd8cd';
    assert.equal(summary(await http({ urls: [{ path: '/index.html', digest: wrong }] })), `down digest: /index.html: digest mismatch: got ${md5(INDEX_BODY)}, want ${wrong}`);
  });

  it('virtual hosts: the Host header picks the server block', async () => {
    assert.equal((await http({ virtualhost: OTHER_VHOST, urls: [{ path: '/vh', digest: md5('vhost other\n') }] })).status, 'up');
    assert.equal((await http({ urls: [{ path: '/vh', digest: md5('vhost www\n'), virtualhost: VHOST }] })).status, 'up');
    assert.equal((await http({ virtualhost: OTHER_VHOST, urls: [{ path: '/vh', digest: md5('vhost www\n') }] })).status, 'down');
  });

  it('a 503 is down with the status and what was wanted; status_code can accept it', async () => {
    assert.equal(summary(await http({ urls: [{ path: '/index.html' }, { path: '/503' }] })), 'down status: /503: status 503 (want 200-299)');
    assert.equal(summary(await http({ urls: [{ path: '/503', statusCodes: [[200, 299], [503, 503]] }] })), 'up: /503: status 503');
  });

  it('HTTP/1.1 and a chunked body: the digest covers the chunk framing, as keepalived hashes it', async () => {
    const body = INDEX_BODY.replace('nginx', 'NGINX');
    const framed = `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    assert.equal((await http({ httpVersion: '1.1', urls: [{ path: '/chunked.html', digest: md5(framed) }] })).status, 'up');
    assert.equal((await http({ httpVersion: '1.0', urls: [{ path: '/chunked.html', digest: md5(body) }] })).status, 'up');
  });

  it('a 32 MiB body is hashed as it streams', async () => {
    const result = await http({ urls: [{ path: '/big.bin', digest: nginx.digests.get('/big.bin')! }] });
    assert.equal(result.status, 'up', summary(result));
  });

  it('SSL_GET: --insecure accepts the self-signed certificate, as keepalived does', async () => {
    assert.equal(summary(await https({ urls: [{ path: '/index.html', digest: md5(INDEX_BODY) }] })), 'up: /index.html: status 200, digest ok');
  });

  it('SSL_GET with a CA file verifies the chain and the name (SNI or virtualhost)', async () => {
    const ca = nginx.certFile;
    assert.equal((await https({ tls: { ca, sni: VHOST }, urls: [{ path: '/index.html' }] })).status, 'up');
    assert.equal((await https({ tls: { ca, sni: true }, virtualhost: OTHER_VHOST, urls: [{ path: '/vh', digest: md5('vhost other\n') }] })).status, 'up');
    const wrongName = await https({ tls: { ca, sni: 'bad.example.test' }, urls: [{ path: '/index.html' }] });
    assert.equal(wrongName.status === 'down' && wrongName.reason, 'tls');
    assert.match(wrongName.detail, /^\/index\.html: TLS handshake failed: Hostname\/IP does not match certificate's altnames/);
  });

  it('SSL_GET without --insecure or a CA: the self-signed certificate fails the handshake', async () => {
    assert.equal(summary(await https({ tls: {}, urls: [{ path: '/index.html' }] })), 'down tls: /index.html: TLS handshake failed: self-signed certificate');
  });

  it('SSL_GET to a plain HTTP port: the handshake fails, saying why', async () => {
    const result = await httpCheck({ host: '127.0.0.1', port: nginx.httpPort, timeoutMs: 5000, tls: { insecure: true }, urls: [{ path: '/' }] });
    assert.equal(result.status === 'down' && result.reason, 'tls');
    assert.match(result.detail, /TLS handshake failed: .*(wrong version number|packet length too long)/);
  });

  it('a server that accepts and never answers: timed out after N ms', async () => {
    const silent = await silentServer();
    try {
      const result = await httpCheck({ host: '127.0.0.1', port: silent.port, timeoutMs: 400, urls: [{ path: '/' }] });
      assert.equal(summary(result), 'down timeout: /: timed out after 400 ms waiting for the response');
      assert.ok(result.durationMs >= 390 && result.durationMs < 3000, `${result.durationMs} ms`);
    } finally {
      await silent.close();
    }
  });

  it('retry and delay_before_retry: down only after 1 + retry attempts, that far apart', async () => {
    const silent = await silentServer();
    try {
      const result = await httpCheck({ host: '127.0.0.1', port: silent.port, timeoutMs: 200, retry: 2, delayBeforeRetryMs: 100, urls: [{ path: '/' }] });
      assert.equal(result.status, 'down');
      assert.ok(result.durationMs >= 3 * 200 + 2 * 100 - 20, `${result.durationMs} ms`);
    } finally {
      await silent.close();
    }
  });

  it('the server stopped: refused', async () => {
    await nginx.stop();
    assert.equal(summary(await http({ urls: [{ path: '/index.html' }] })), 'down refused: /index.html: connection refused');
  });
});

const root = process.getuid?.() === 0 ? false : 'needs root (network namespaces)';

describe('httpCheck to an address that drops packets', { skip: skip || root }, () => {
  it('times out waiting for the connection', async () => {
    await withLab(uniquePrefix('hcto'), async (lab) => {
      const { client, address } = await blackholeLab(lab, 77);
      const runner = fileURLToPath(new URL('./runHttpCheck.ts', import.meta.url));
      const options = { host: address, port: 80, timeoutMs: 500, urls: [{ path: '/' }] };
      const started = Date.now();
      const run = await lab.exec(client, [process.execPath, '--import', import.meta.resolve('tsx'), '--conditions=source', runner, JSON.stringify(options)], { check: true, timeoutMs: 20_000 });
      const result = JSON.parse(run.stdout) as CheckResult;
      assert.equal(summary(result), `down timeout: /: timed out after 500 ms waiting for the connection to ${address}:80`);
      assert.ok(Date.now() - started < 15_000);
    });
  });
});
