// hcheck's manners as a Unix tool: exit statuses 0/1/2, one line or one JSON
// object, -q, colour only on a terminal (never with NO_COLOR or --no-color),
// usage errors as `hcheck: ...`, help, and -f answering that the daemon
// mode is not there yet.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCommand, uniquePrefix, withLab } from '@keepalived-ts/test-utils';
import { check, HCHECK, hcheck, makeCheckLab, missing, SERVER_V4, SERVER_V6, skipUnlessRoot, socat } from './checkLab.js';

const PYTHON = '/usr/bin/python3';

const run = (args: readonly string[]) => runCommand([process.execPath, HCHECK, ...args], { timeoutMs: 10_000 });

test('usage errors, help and a missing daemon configuration give one clear line and their status', async (t) => {
  await t.test('no arguments: the overview on stderr, status 2', async () => {
    const result = await run([]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^hcheck: check a real server once/);
    assert.equal(result.stdout, '');
  });

  await t.test('--help: the overview on stdout; CHECK --help: that check\'s options, once', async () => {
    const overview = await run(['--help']);
    assert.equal(overview.code, 0);
    for (const name of ['tcp', 'http', 'https', 'smtp', 'dns', 'udp', 'ping', 'misc']) assert.match(overview.stdout, new RegExp(`^  hcheck ${name} `, 'm'));
    assert.match(overview.stdout, /Exit status: 0 up, 1 down, 2 usage or configuration error/);
    const smtp = await run(['smtp', '--help']);
    assert.equal(smtp.code, 0);
    assert.equal(smtp.stdout.match(/Usage:/g)?.length, 1);
    assert.match(smtp.stdout, /--helo <name>/);
  });

  await t.test('-f with a file that does not exist: one line, status 1 (the daemon itself is tested in test/hcheck-daemon)', async () => {
    for (const args of [['-f', '/nonexistent/keepalived.conf'], ['--use-file=/nonexistent/keepalived.conf']]) {
      const result = await run(args);
      assert.equal(result.code, 1);
      assert.equal(result.stderr, 'hcheck: /nonexistent/keepalived.conf: No such file or directory\n');
    }
  });

  await t.test('bad words and values name themselves, status 2, nothing on stdout', async () => {
    const cases: [readonly string[], RegExp][] = [
      [['fetch', 'x'], /^hcheck: unknown check "fetch"/],
      [['tcp'], /^hcheck: tcp: give HOST:PORT/],
      [['tcp', '10.0.0.2'], /give a port/],
      [['tcp', '10.0.0.2:80', 'extra'], /unexpected argument "extra"/],
      [['tcp', '10.0.0.2:80', '--bogus'], /unknown option --bogus/],
      [['tcp', '10.0.0.2:80', '--timeout', 'soon'], /--timeout "soon": not a whole number/],
      [['tcp', '10.0.0.2:80', '--delay-before-retry', '1.5'], /--delay-before-retry "1.5": not a whole number/],
      [['tcp', '10.0.0.2:80', '--timeout', '1', '--timeout', '2'], /--timeout given more than once/],
      [['tcp', '10.0.0.2:80', '--json', '-q'], /--json and -q: choose one/],
      [['tcp', '10.0.0.2:80', '--bind', 'eth0'], /--bind "eth0" is not an IP address/],
      [['tcp', '10.0.0.2:80', '--bind', 'fd00::1'], /bindto fd00::1 is not an IPv4 address/],
      [['tcp', 'no-such-host.invalid:80'], /cannot resolve no-such-host.invalid/],
      [['dns', '10.0.0.53', '--type', 'SRV'], /--type "SRV": one of A, NS/],
      [['dns', '10.0.0.53', '--name', 'a..b'], /--name: "a..b" has an empty label/],
      [['http', 'ftp://10.0.0.2/'], /takes http:\/\/ URLs/],
      [['https', 'https://10.0.0.2/', '--insecure', '--ca', '/etc/ssl/ca.pem'], /--insecure and --ca: choose one/],
      [['http', 'http://10.0.0.2/', '--status', '2xx'], /--status "2xx"/],
      [['udp', '10.0.0.2:53', '--payload', ''], /--payload/],
      [['misc', '--bind', '10.0.0.1', '--', 'true'], /misc has no --bind/],
    ];
    for (const [args, pattern] of cases) {
      const result = await run(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, pattern, args.join(' '));
      assert.equal(result.stderr.split('\n').length, 2, `one line: ${result.stderr}`);
      assert.equal(result.stdout, '');
    }
  });
});

const skip = skipUnlessRoot || (await missing('socat', 'socat'));

test('hcheck output: the line, JSON, -q, colour', { skip }, async (t) => {
  await withLab(uniquePrefix('chck'), async (lab) => {
    const l = await makeCheckLab(lab);
    await socat(l, l.server, ['TCP6-LISTEN:80,ipv6only=0,fork,reuseaddr', 'SYSTEM:true']);
    await socat(l, l.server, ['UDP6-LISTEN:7,ipv6only=0,fork', 'PIPE']);
    await socat(l, l.server, ['-u', 'UDP6-RECV:9,ipv6only=0', 'OPEN:/dev/null']);

    await t.test('one line: CHECK TARGET STATUS: DETAIL (TIME), 0 up and 1 down', async () => {
      const up = await hcheck(l, ['tcp', `[${SERVER_V6}]:80`]);
      assert.equal(up.code, 0);
      assert.match(up.stdout, /^tcp \[fd91::2\]:80 up: connected \(\d+(\.\d)? ms\)\n$/);
      const down = await hcheck(l, ['tcp', `${SERVER_V4}:81`, '--retry', '1', '--delay-before-retry', '10']);
      assert.equal(down.code, 1);
      assert.match(down.stdout, /^tcp 10\.91\.0\.2:81 down: connection refused \(\d+(\.\d)? ms, 2 attempts\)\n$/);
      assert.equal(down.stderr, '');
    });

    await t.test('--json: one object with the reason; -q: nothing, the status says it', async () => {
      const json = await check(l, ['tcp', `${SERVER_V4}:81`]);
      assert.deepEqual(Object.keys(json), ['check', 'target', 'status', 'reason', 'detail', 'durationMs', 'attempts']);
      const quietUp = await hcheck(l, ['-q', 'tcp', `${SERVER_V4}:80`]);
      const quietDown = await hcheck(l, ['tcp', `${SERVER_V4}:81`, '--quiet']);
      assert.deepEqual([quietUp.code, quietUp.stdout, quietDown.code, quietDown.stdout], [0, '', 1, '']);
    });

    await t.test('flag values stay as typed (cac would read "0012" as 12)', async () => {
      const echoed = await check(l, ['udp', `${SERVER_V4}:7`, '--payload', '0012', '--reply', '0012']);
      assert.deepEqual([echoed['status'], echoed['detail']], ['up', 'reply of 2 bytes']);
      const timeout = await hcheck(l, ['--timeout', '0300', 'udp', `${SERVER_V4}:9`, '--json']);
      assert.equal(timeout.json?.['detail'], 'no ICMP error within 300 ms');
    });

    await t.test('colour on a terminal only, never with NO_COLOR or --no-color', { skip: await missing('script', 'bsdutils') }, async () => {
      // script(1) gives hcheck a terminal.
      const onTty = (env: string, extra = '') =>
        lab.exec(l.client, ['script', '-q', '-c', `${env} ${process.execPath} ${HCHECK} tcp ${SERVER_V4}:80 ${extra}`, '/dev/null'], { timeoutMs: 10_000 });
      assert.match((await onTty('env')).stdout, /\x1b\[32mup\x1b\[39m/);
      assert.doesNotMatch((await onTty('env NO_COLOR=1')).stdout, /\x1b\[/);
      assert.doesNotMatch((await onTty('env', '--no-color')).stdout, /\x1b\[/);
      assert.doesNotMatch((await hcheck(l, ['tcp', `${SERVER_V4}:80`])).stdout, /\x1b\[/);
    });
  });
});

const skipHttp = skipUnlessRoot || (await missing(PYTHON, 'python3')) || (await missing('openssl', 'openssl'));

test('hcheck http and https against python3 http.server and openssl s_server', { skip: skipHttp }, async (t) => {
  await withLab(uniquePrefix('chttp'), async (lab) => {
    const l = await makeCheckLab(lab);
    const dir = await lab.tempDir('www');
    await writeFile(join(dir, 'health'), 'ok\n');
    const md5 = createHash('md5').update('ok\n').digest('hex');
    const http = await lab.spawn(l.server, [PYTHON, '-u', '-m', 'http.server', '80', '--bind', SERVER_V4, '--directory', dir]);
    await http.waitForLine(/Serving HTTP/, { timeoutMs: 10_000 });
    await lab.exec(l.server, ['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=web.test',
      '-addext', 'subjectAltName=DNS:web.test', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { check: true });
    const https = await lab.spawn(l.server, ['openssl', 's_server', '-quiet', '-accept', `${SERVER_V4}:443`, '-cert', join(dir, 'cert.pem'), '-key', join(dir, 'key.pem'), '-www']);
    await waitForPort(l, 443);
    assert.equal(https.exitStatus(), undefined);

    await t.test('http: up on the status and digest, down on either', async () => {
      const up = await check(l, ['http', `http://${SERVER_V4}/health`, '--status', '200', '--digest', md5]);
      assert.equal(up['status'], 'up', JSON.stringify(up));
      const status = await check(l, ['http', `http://${SERVER_V4}/health`, '--status', '204']);
      assert.deepEqual([status['status'], status['reason']], ['down', 'status']);
      const missingPage = await check(l, ['http', `http://${SERVER_V4}/nothere`]);
      assert.deepEqual([missingPage['status'], missingPage['reason']], ['down', 'status']);
      const digest = await check(l, ['http', `http://${SERVER_V4}/health`, '--digest', '0'.repeat(32)]);
      assert.deepEqual([digest['status'], digest['reason']], ['down', 'digest']);
      const closed = await check(l, ['http', `http://${SERVER_V4}:81/`]);
      assert.deepEqual([closed['status'], closed['reason']], ['down', 'refused']);
    });

    await t.test('https: a self-signed certificate is down unless --insecure or its --ca', async () => {
      const insecure = await check(l, ['https', `https://${SERVER_V4}/`, '--insecure']);
      assert.equal(insecure['status'], 'up', JSON.stringify(insecure));
      const verified = await check(l, ['https', `https://${SERVER_V4}/`]);
      assert.deepEqual([verified['status'], verified['reason']], ['down', 'tls']);
      const trusted = await check(l, ['https', `https://${SERVER_V4}/`, '--ca', join(dir, 'cert.pem'), '--host', 'web.test']);
      assert.equal(trusted['status'], 'up', JSON.stringify(trusted));
    });
  });
});

/** Waits (bounded) until something accepts TCP connections on SERVER_V4:port. */
async function waitForPort(l: Awaited<ReturnType<typeof makeCheckLab>>, port: number): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    if ((await hcheck(l, ['tcp', `${SERVER_V4}:${port}`, '--timeout', '200', '-q'])).code === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`nothing listens on ${SERVER_V4}:${port}`);
}
