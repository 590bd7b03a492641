import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findHttpChecks, type ConfigBlock } from './httpConfig.js';

let line = 0;
/** A block as libs/config's parser makes it (only the fields read here). */
const block = (keyword: string, args: readonly string[] = [], children?: readonly ConfigBlock[]): ConfigBlock => ({
  keyword,
  args,
  children,
  location: { file: 'keepalived.conf', line: ++line, column: 1 },
});

describe('findHttpChecks', () => {
  it("reads HTTP_GET with keepalived's defaults and inheritance", () => {
    const vs = block('virtual_server', ['10.0.0.1', '80'], [
      block('virtualhost', ['vs.example']),
      block('delay_before_retry', ['2']),
      block('real_server', ['192.168.1.10', '8080'], [
        block('connect_timeout', ['1.5']),
        block('HTTP_GET', [], [
          block('url', [], [block('path', ['/index.html']), block('digest', ['9B3A0C85A887A256D6939DA88AABD8CD'])]),
          block('url', [], [block('path', ['/health']), block('status_code', ['200-299', '503']), block('virtualhost', ['url.example'])]),
          block('http_protocol', ['1.0C']),
          block('nb_get_retry', ['4']),
        ]),
      ]),
    ]);
    const [check] = findHttpChecks([vs]);
    assert.equal(check?.checker, 'HTTP_GET');
    assert.deepEqual(check?.problems, []);
    const options = check?.options;
    assert.ok(options);
    assert.equal(options.host, '192.168.1.10');
    assert.equal(options.port, 8080);
    assert.equal(options.timeoutMs, 1500);
    assert.equal(options.delayBeforeRetryMs, 2000);
    assert.equal(options.retry, 4);
    assert.equal(options.httpVersion, '1.0c');
    assert.equal(options.virtualhost, 'vs.example');
    assert.equal(options.tls, undefined);
    assert.deepEqual(options.urls.map(({ location: _, ...url }) => url), [
      { path: '/index.html', digest: '9b3a0c85a887a256d6939da88aabd8cd', statusCodes: [[200, 299]] },
      { path: '/health', statusCodes: [[200, 299], [503, 503]], virtualhost: 'url.example' },
    ]);
  });

  it('SSL_GET: connect_ip/connect_port, enable_sni, never verifying the certificate; keepalived defaults', () => {
    const vs = block('virtual_server', ['fwmark', '1'], [
      block('real_server', ['192.168.1.11'], [
        block('SSL_GET', [], [block('url', [], [block('path', ['/'])]), block('connect_ip', ['192.168.2.11']), block('connect_port', ['443']), block('enable_sni')]),
      ]),
    ]);
    const options = findHttpChecks([vs])[0]?.options;
    assert.equal(options?.host, '192.168.2.11');
    assert.equal(options?.port, 443);
    assert.deepEqual(options?.tls, { insecure: true, sni: true });
    assert.deepEqual([options?.timeoutMs, options?.retry, options?.delayBeforeRetryMs, options?.httpVersion], [5000, 1, 3000, '1.0']);
  });

  it('reports what keepalived refuses, and drops it', () => {
    const vs = block('virtual_server', ['fwmark', '1'], [
      block('real_server', ['192.168.1.12'], [
        block('HTTP_GET', [], [block('url', [], [block('path', ['/']), block('digest', ['abc'])]), block('url', [], [block('digest', ['9b3a0c85a887a256d6939da88aabd8cd'])])]),
      ]),
    ]);
    const [check] = findHttpChecks([vs]);
    assert.deepEqual(check?.problems.map((p) => p.message), [
      "digest 'abc' character length should be 32 rather than 3",
      'HTTP/SSL_GET checker url has no path - ignoring',
      'no port to connect to (give connect_port)',
    ]);
    assert.equal(check?.options, undefined);
  });
});
