// Our genhash against keepalived's genhash 2.2.7 (Debian's /usr/bin/genhash)
// on the same URLs of a real nginx, HTTP and HTTPS, plain and verbose: the
// same stdout, stderr and exit status, byte for byte, but for the response
// time genhash -v prints and the program name in the usage. Then --json,
// --config against a keepalived.conf, and memory that does not grow with the
// body.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCommand, uniquePrefix, withLab, type CommandResult, type Lab } from '@keepalived-ts/test-utils';
import { blackholeLab } from './blackhole.js';
import { KEEPALIVED_GENHASH, OTHER_VHOST, OUR_GENHASH, freePort, missingTools, silentServer, startNginx, type NginxLab } from './nginxLab.js';

const skip = missingTools();
const root = process.getuid?.() === 0 ? false : 'needs root (network namespaces)';

interface Run {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
}

const normalise = (result: CommandResult): Run => ({
  // The response time differs from run to run; the usage names the program as invoked.
  stdout: result.stdout.replace(/ = \d+ usecs\n/g, ' = N usecs\n'),
  stderr: result.stderr.replace(/^Usage: \S+ /m, 'Usage: genhash '),
  code: result.code,
});

const theirs = (args: readonly string[], lab?: { lab: Lab; ns: string }): Promise<CommandResult> =>
  lab ? lab.lab.exec(lab.ns, [KEEPALIVED_GENHASH!, ...args], { timeoutMs: 20_000 }) : runCommand([KEEPALIVED_GENHASH!, ...args], { timeoutMs: 20_000 });
const ours = (args: readonly string[], lab?: { lab: Lab; ns: string }): Promise<CommandResult> =>
  lab ? lab.lab.exec(lab.ns, [process.execPath, OUR_GENHASH, ...args], { timeoutMs: 20_000 }) : runCommand([process.execPath, OUR_GENHASH, ...args], { timeoutMs: 20_000 });

const dateOf = (text: string): string | undefined => /^Date: .*$/m.exec(text)?.[0];

/** Both genhashes on the same arguments; retried (bounded) when nginx's Date header ticked between the two runs. */
async function assertSame(args: readonly string[], lab?: { lab: Lab; ns: string }): Promise<Run> {
  for (let attempt = 1; ; attempt++) {
    const reference = normalise(await theirs(args, lab));
    const candidate = normalise(await ours(args, lab));
    if (dateOf(reference.stdout) !== dateOf(candidate.stdout) && attempt < 4) continue;
    assert.deepEqual(candidate, reference, `genhash ${args.join(' ')}`);
    return reference;
  }
}

describe('genhash: command line, byte for byte with keepalived 2.2.7', { skip }, () => {
  const cases: readonly (readonly string[])[] = [
    [],
    ['--help'],
    ['-h'],
    ['-v'],
    ['-s', '127.0.0.1'],
    ['-s', '127.0.0.1', '-p', '80'],
    ['-s', '127.0.0.1', '-p', '80', '-u', '/', '-x'],
    ['-s', '127.0.0.1', '-y', '-p', '80', '--bogus', '-vz', '-u', '/', '--verbose=1'],
    ['-s', '127.0.0.1', '-p', '80', '-u', '/', '--use'],
    ['-s', 'localhost', '-p', '80', '-u', '/'],
    ['-s', '[::1]', '-p', '80', '-u', '/'],
    ['-s', '127.0.0.1', '-p', '0', '-u', '/'],
    ['-s', '127.0.0.1', '-p', '80x', '-u', '/'],
    ['-s', '127.0.0.1', '-p', '80', '-u', '/', '-P', '2.0'],
    ['-s', '127.0.0.1', '-p', '80', '-u', '/', '-t', 'abc'],
    ['-s', '127.0.0.1', '-p', '80', '-u', '/', '-t', ''],
    ['-s', '127.0.0.1', '-p', '80', '-u', '/', '-m', '-5'],
    ['-s', '127.0.0.1', '-p', '80', '-u', '/', 'extra', 'words'],
    ['-s', '127.0.0.1', '-p', '80', '-u'],
    ['-s', '127.0.0.1', '-p', '80', '-u', '/', '-h'],
  ];
  for (const args of cases) {
    it(`genhash ${args.map((a) => (a === '' ? "''" : a)).join(' ')}`, async () => {
      await assertSame(args);
    });
  }
});

describe('genhash against nginx, byte for byte with keepalived 2.2.7', { skip }, () => {
  let dir: string;
  let nginx: NginxLab;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kt-genhash-'));
    nginx = await startNginx(dir, { files: { 'medium.bin': 20_000, 'big.bin': 8 * 1024 * 1024 } });
  });
  after(async () => {
    await nginx?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const server = (): string[] => ['-s', '127.0.0.1', '-p', String(nginx.httpPort)];
  const tls = (): string[] => ['-S', '-s', '127.0.0.1', '-p', String(nginx.httpsPort)];

  const matrix: readonly [string, () => string[]][] = [
    ['a static file', () => [...server(), '-u', '/index.html']],
    ['a virtual host', () => [...server(), '-V', OTHER_VHOST, '-u', '/vh']],
    ['HTTP/1.1, chunked', () => [...server(), '-P', '1.1', '-u', '/chunked.html']],
    ['HTTP/1.0 with Connection: close', () => [...server(), '-P', '1.0c', '-u', '/index.html']],
    ['a 503', () => [...server(), '-u', '/503']],
    ['a 404', () => [...server(), '-u', '/missing']],
    ['TLS, a static file', () => [...tls(), '-u', '/index.html']],
    ['TLS, SNI and a virtual host', () => [...tls(), '-I', '-V', OTHER_VHOST, '-u', '/vh']],
    ['TLS, 20 kB over several records', () => [...tls(), '-u', '/medium.bin']],
    ['TLS, HTTP/1.1 chunked', () => [...tls(), '-P', '1.1', '-u', '/chunked.html']],
    ['TLS to the plain HTTP port', () => ['-S', ...server(), '-u', '/']],
    ['plain HTTP to the TLS port', () => ['-s', '127.0.0.1', '-p', String(nginx.httpsPort), '-u', '/']],
  ];
  for (const [name, args] of matrix) {
    it(`${name}`, async () => {
      await assertSame(args());
    });
    it(`${name}, verbose`, async () => {
      await assertSame([...args(), '-v']);
    });
  }

  it('an 8 MiB file: the digest is the MD5 of the file', async () => {
    const run = await assertSame([...server(), '-u', '/big.bin']);
    assert.equal(run.stdout, `${nginx.digests.get('/big.bin')}\n`);
    await assertSame([...tls(), '-u', '/big.bin']);
  });

  it('--json carries the same digest, the status and the sizes', async () => {
    const reference = await theirs([...server(), '-u', '/index.html']);
    const run = await ours([...server(), '-u', '/index.html', '--json']);
    assert.equal(run.code, 0);
    const record = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.equal(`${String(record['digest'])}\n`, reference.stdout);
    assert.deepEqual([record['statusCode'], record['contentLength'], record['bodyBytes'], record['error']], [200, 17, 17, null]);
    const refused = JSON.parse((await ours(['-s', '127.0.0.1', '-p', String(await freePort()), '-u', '/', '--json'])).stdout) as Record<string, unknown>;
    assert.deepEqual([refused['digest'], refused['error'], refused['detail']], [null, 'Connection failed', 'connection refused']);
  });

  it('--ca verifies the certificate that -S alone accepts', async () => {
    const verified = await ours([...tls(), '-I', '-V', OTHER_VHOST, '-u', '/vh', '--ca', nginx.certFile]);
    assert.equal(verified.stdout, (await theirs([...tls(), '-I', '-V', OTHER_VHOST, '-u', '/vh'])).stdout);
    const wrongCa = await ours([...tls(), '-u', '/index.html', '--ca', '/etc/ssl/certs/ca-certificates.crt', '--json']);
    assert.equal((JSON.parse(wrongCa.stdout) as Record<string, unknown>)['detail'], 'TLS handshake failed: self-signed certificate');
  });

  it('memory does not grow with the body (streamed, hashed on the way)', async () => {
    const peakKb = async (path: string): Promise<number> => {
      const run = await runCommand(['/usr/bin/time', '-f', '%M', process.execPath, OUR_GENHASH, ...server(), '-u', path], { check: true });
      return Number(run.stderr.trim().split('\n').at(-1));
    };
    const small = await peakKb('/index.html');
    const big = await peakKb('/big.bin');
    assert.ok(big - small < 16 * 1024, `peak RSS ${small} kB for 17 bytes, ${big} kB for 8 MiB`);
  });

  it('a closed port: "Connection failed"', async () => {
    const port = String(await freePort());
    assert.equal((await assertSame(['-s', '127.0.0.1', '-p', port, '-u', '/'])).stdout, 'Connection failed\n');
    await assertSame(['-s', '127.0.0.1', '-p', port, '-u', '/', '-v']);
  });

  it('a server that never answers: "Timeout WEB read" after -t seconds', async () => {
    const silent = await silentServer();
    try {
      const run = await assertSame(['-s', '127.0.0.1', '-p', String(silent.port), '-u', '/', '-t', '1', '-v']);
      assert.match(run.stdout, /^Timeout WEB read\n/);
    } finally {
      await silent.close();
    }
  });
});

describe('genhash to an address that drops packets', { skip: skip || root }, () => {
  it('"Timeout connecting", as keepalived\'s genhash says it', async () => {
    await withLab(uniquePrefix('ghto'), async (lab) => {
      const { client, address } = await blackholeLab(lab, 78);
      for (const extra of [[], ['-v'], ['-S']]) {
        const run = await assertSame(['-s', address, '-p', '80', '-u', '/', '-t', '1', ...extra], { lab, ns: client });
        assert.match(run.stdout, /^Timeout connecting\n/);
      }
    });
  });
});

describe('genhash --config: the digests of a keepalived.conf against the live servers', { skip }, () => {
  let dir: string;
  let nginx: NginxLab;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kt-genhash-conf-'));
    nginx = await startNginx(dir, { files: { 'medium.bin': 20_000 } });
  });
  after(async () => {
    await nginx?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const reference = async (args: readonly string[]): Promise<string> => (await theirs(args)).stdout.trim();

  it('flags the urls whose digest no longer matches, and says why others fail', async () => {
    const http = ['-s', '127.0.0.1', '-p', String(nginx.httpPort)];
    const indexDigest = await reference([...http, '-u', '/index.html']);
    const otherDigest = await reference([...http, '-V', OTHER_VHOST, '-u', '/vh']);
    const tlsOtherDigest = await reference(['-S', '-I', '-V', OTHER_VHOST, '-s', '127.0.0.1', '-p', String(nginx.httpsPort), '-u', '/vh']);
    const mediumDigest = await reference([...http, '-u', '/medium.bin']);
    const stale = '9b3a0c85a887a256d6939da88aabd8cd';
    const closedPort = await freePort();
    const conf = join(dir, 'keepalived.conf');
    const text = `global_defs {
    router_id web-lb
}

virtual_server 10.10.10.10 80 {
    delay_loop 10
    lb_algo rr
    lb_kind NAT
    protocol TCP

    real_server 127.0.0.1 ${nginx.httpPort} {
        weight 1
        HTTP_GET {
            url {
                path /index.html
                digest ${indexDigest}
            }
            url {
                path /vh
                virtualhost ${OTHER_VHOST}
                digest ${otherDigest}
            }
            url {
                path /medium.bin
                digest ${stale}
            }
            url {
                path /503
                status_code 503
            }
            connect_timeout 3
        }
    }
    real_server 127.0.0.1 ${closedPort} {
        HTTP_GET {
            url {
                path /
                digest ${indexDigest}
            }
            connect_timeout 1
        }
    }
}

virtual_server 10.10.10.10 443 {
    real_server 10.99.99.99 443 {
        SSL_GET {
            url {
                path /vh
                digest ${tlsOtherDigest}
            }
            connect_ip 127.0.0.1
            connect_port ${nginx.httpsPort}
            virtualhost ${OTHER_VHOST}
            enable_sni
        }
    }
}
`;
    await writeFile(conf, text);
    // Each line names its url block: FILE:LINE of its `url {`.
    const urlLines = text.split('\n').flatMap((line, index) => (line.trim() === 'url {' ? [`${conf}:${index + 1}:`] : []));
    const run = await ours(['--config', conf]);
    assert.equal(run.code, 3, run.stderr);
    assert.deepEqual(run.stdout.split('\n'), [
      `${urlLines[0]} 127.0.0.1:${nginx.httpPort} HTTP_GET /index.html 200 ${indexDigest} ok`,
      `${urlLines[1]} 127.0.0.1:${nginx.httpPort} HTTP_GET /vh 200 ${otherDigest} ok`,
      `${urlLines[2]} 127.0.0.1:${nginx.httpPort} HTTP_GET /medium.bin 200 ${mediumDigest} MISMATCH configured ${stale}`,
      `${urlLines[3]} 127.0.0.1:${nginx.httpPort} HTTP_GET /503 503 ${await reference([...http, '-u', '/503'])} no-digest`,
      `${urlLines[4]} 127.0.0.1:${closedPort} HTTP_GET / - - ERROR connection refused`,
      `${urlLines[5]} 127.0.0.1:${nginx.httpsPort} SSL_GET /vh 200 ${tlsOtherDigest} ok`,
      '',
    ]);
    assert.equal(run.stderr, 'genhash: 2 of 6 urls no longer match or could not be fetched\n');

    const json = (await ours(['--config', conf, '--json'])).stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(json.map((r) => r['verdict']), ['ok', 'ok', 'MISMATCH', 'no-digest', 'ERROR', 'ok']);
    assert.deepEqual(json[2], {
      location: urlLines[2]?.slice(0, -1),
      virtualServer: '10.10.10.10 80',
      endpoint: `127.0.0.1:${nginx.httpPort}`,
      checker: 'HTTP_GET',
      path: '/medium.bin',
      virtualhost: null,
      configuredDigest: stale,
      statusCode: 200,
      digest: mediumDigest,
      verdict: 'MISMATCH',
      error: null,
    });
  });

  it('exits 0 when every digest matches, 2 when the file cannot be read', async () => {
    const conf = join(dir, 'good.conf');
    const digest = await reference(['-s', '127.0.0.1', '-p', String(nginx.httpPort), '-u', '/index.html']);
    await writeFile(conf, `virtual_server 10.10.10.10 80 {\n  real_server 127.0.0.1 ${nginx.httpPort} {\n    HTTP_GET {\n      url {\n        path /index.html\n        digest ${digest}\n      }\n    }\n  }\n}\n`);
    const run = await ours(['--config', conf]);
    assert.deepEqual([run.code, run.stderr], [0, '']);
    const missing = await ours(['--config', join(dir, 'nope.conf')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^genhash: .*nope\.conf: no such file or directory/);
  });
});
