// The shared example configurations load in hcheck as keepalived 2.2.7
// judges them (`hcheck -t` exits as `keepalived -t` does, in a namespace
// where their interfaces exist), the daemon runs each of them, and -t's
// statuses for good, faulty and script-running files.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { uniquePrefix, withLab, type Lab } from '@keepalived-ts/test-utils';
import { HCHECK, skip } from './hcheckLab.js';

const EXAMPLES = '/work/shared/examples';
const keepalived = spawnSync('keepalived', ['--version'], { encoding: 'utf8' });

/** A namespace with the interfaces the examples name: eth0 (lvs-default) and ens33 (lvs-dr-*). */
async function exampleHost(lab: Lab): Promise<string> {
  const host = await lab.addNamespace('ex');
  const peer = await lab.addNamespace('peer');
  await lab.connect(host, peer, { ifA: 'eth0', ifB: 'p0' });
  await lab.connect(host, peer, { ifA: 'ens33', ifB: 'p1' });
  await lab.addAddress(host, 'eth0', '192.168.200.1/24');
  await lab.addAddress(host, 'ens33', '192.168.79.1/24');
  return host;
}

const run = async (lab: Lab, ns: string, argv: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> => lab.exec(ns, argv, { timeoutMs: 20_000 });

describe('hcheck -f: the shared examples and -t', { skip }, () => {
  it('judges every example as keepalived -t does, with the interfaces present', { skip: keepalived.error ? 'keepalived is not installed' : false }, async () => {
    await withLab(uniquePrefix('hcex'), async (lab) => {
      const host = await exampleHost(lab);
      const expected: Record<string, number> = {
        // vrrp_garp_interval 0 / vrrp_gna_interval 0 are out of range in 2.2.7.
        'lvs-default.conf': 5,
        'lvs-dr-master.conf': 0,
        'lvs-dr-backup.conf': 0,
        // persistence_timeout 0 is out of range; a protocol for a fwmark service is ignored.
        'lvs-fwmark.conf': 5,
        // A TCP_CHECK block alone: unknown at the top level.
        'tcp-check-snippet.conf': 5,
      };
      for (const [name, status] of Object.entries(expected)) {
        const file = join(EXAMPLES, name);
        const ours = await run(lab, host, [process.execPath, HCHECK, '-t', '-f', file]);
        const theirs = await run(lab, host, ['keepalived', '-t', '-f', file]);
        assert.equal(theirs.code, status, `keepalived -t ${name}: ${theirs.stdout}${theirs.stderr}`);
        assert.equal(ours.code, status, `hcheck -t ${name}:\n${ours.stderr}`);
      }
      // Warnings name the file and line.
      const fwmark = await run(lab, host, [process.execPath, HCHECK, '-t', '-f', join(EXAMPLES, 'lvs-fwmark.conf')]);
      assert.match(fwmark.stderr, /lvs-fwmark\.conf:5: number '0' outside range \[1, 2678400\]: persistence_timeout invalid/);
    });
  });

  it('runs the daemon on each example with virtual servers and stops with status 0', async () => {
    await withLab(uniquePrefix('hcrun'), async (lab) => {
      const host = await exampleHost(lab);
      const expectations: Record<string, string[]> = {
        'lvs-default.conf': ['ipvsadm -A -t 192.168.200.100:443 -s rr -p 50', 'ipvsadm -a -t 192.168.200.100:443 -r 192.168.201.100:443 -m -w 1', 'ipvsadm -A -t 10.10.10.2:1358 -s rr -p 50', 'ipvsadm -a -t 10.10.10.3:1358 -r 192.168.200.5:1358 -m -w 1'],
        'lvs-dr-master.conf': ['ipvsadm -A -t 192.168.79.180:80 -s rr -p 10', 'ipvsadm -a -t 192.168.79.180:80 -r 192.168.79.131:80 -g -w 1'],
        'lvs-fwmark.conf': ['ipvsadm -A -f 617443 -s rr', 'ipvsadm -a -f 617443 -r 192.168.79.129 -g -w 1'],
      };
      for (const [name, lines] of Object.entries(expectations)) {
        const child = await lab.spawn(host, [process.execPath, HCHECK, '-f', join(EXAMPLES, name)]);
        await child.waitForLine(/Activating healthchecker|Gained quorum/, { timeoutMs: 10_000, stream: 'stderr' });
        for (const line of lines) await child.waitForLine(line, { timeoutMs: 10_000, stream: 'stdout' });
        assert.deepEqual(await child.stop('SIGTERM'), { code: 0, signal: null }, `${name}:\n${child.text()}`);
      }
      const snippet = await run(lab, host, [process.execPath, HCHECK, '-f', join(EXAMPLES, 'tcp-check-snippet.conf')]);
      assert.equal(snippet.code, 1);
      assert.match(snippet.stderr, /no virtual_server to run/);
    });
  });

  it('-t: 0 for a good file, 5 for problems, 6 for check scripts without script security', async () => {
    await withLab(uniquePrefix('hcst'), async (lab) => {
      const host = await lab.addNamespace('t');
      const dir = await lab.tempDir('conf');
      const vs = (extra: string): string => `virtual_server 10.0.0.1 80 {\n  protocol TCP\n  lb_algo rr\n  lb_kind NAT\n  real_server 10.0.0.2 80 {\n${extra}    TCP_CHECK {\n      connect_timeout 1\n    }\n  }\n}\n`;
      const cases: [string, string, number][] = [
        ['good.conf', vs(''), 0],
        ['unknown.conf', vs('    bogus_keyword 1\n'), 5],
        ['scripts.conf', `global_defs {\n  script_user root\n}\n${vs('    notify_up /bin/true\n')}`, 6],
        ['secure.conf', `global_defs {\n  script_user root\n  enable_script_security\n}\n${vs('    notify_up /bin/true\n')}`, 0],
      ];
      for (const [name, text, status] of cases) {
        const file = join(dir, name);
        await writeFile(file, text);
        const result = await run(lab, host, [process.execPath, HCHECK, '-t', '-f', file]);
        assert.equal(result.code, status, `${name}:\n${result.stderr}`);
      }
      const unknown = await run(lab, host, [process.execPath, HCHECK, '-t', '-f', join(dir, 'unknown.conf')]);
      assert.match(unknown.stderr, /unknown\.conf:6: unknown keyword 'bogus_keyword'/);
    });
  });
});
