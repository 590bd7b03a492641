// vrrpd's own behaviour, with the kernel as the judge: configuration checks
// and errors, events and notify scripts, SIGUSR1, VIPs put back, interface
// faults, adverts with the wrong hop limit dropped, SIGHUP reload, use_vmac.

import assert from 'node:assert/strict';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCommand, uniquePrefix, waitFor, withLab, type Lab, type ProcessHandle } from '@keepalived-ts/test-utils';
import { holders, segment, startVrrpd, VRRPD } from './vrrpdLab.js';

const skip = process.getuid?.() === 0 ? false : 'needs root (network namespaces)';
const INJECT = fileURLToPath(new URL('./injectAdvert.ts', import.meta.url));

const instance = (name: string, vrid: number, priority: number, vip: string, extra = '') => `
vrrp_instance ${name} {
    state BACKUP
    interface eth0
    virtual_router_id ${vrid}
    priority ${priority}
    advert_int 1
    virtual_ipaddress {
        ${vip}
    }
    ${extra}
}
`;

const logged = (p: ProcessHandle, pattern: RegExp, timeoutMs = 15_000) => p.waitForLine(pattern, { timeoutMs, stream: 'stderr' });
const vrrpd = (...args: string[]) => runCommand([process.execPath, VRRPD, ...args], { timeoutMs: 30_000 });

async function addresses(lab: Lab, ns: string): Promise<string[]> {
  const { stdout } = await lab.exec(ns, ['ip', '-j', 'addr', 'show']);
  return (JSON.parse(stdout) as { ifname: string; addr_info: { local: string; prefixlen: number }[] }[]).flatMap((l) => l.addr_info.map((a) => `${l.ifname} ${a.local}/${a.prefixlen}`));
}

describe('vrrpd configuration checks and errors', { skip }, () => {
  it('-t answers as keepalived -t: 0 good, 5 problems, 6 script security', async () => {
    await withLab(uniquePrefix('vdt'), async (lab) => {
      const dir = await lab.tempDir('t');
      const good = join(dir, 'good.conf');
      await writeFile(good, instance('VI_1', 1, 100, '10.0.0.100/24'));
      const unknown = join(dir, 'unknown.conf');
      await writeFile(unknown, instance('VI_1', 1, 100, '10.0.0.100/24', 'frobnicate yes'));
      const script = join(dir, 'check.sh');
      await writeFile(script, '#!/bin/sh\nexit 0\n');
      await chmod(script, 0o755);
      const insecure = join(dir, 'security.conf');
      await writeFile(insecure, `vrrp_script chk {\n    script "${script}"\n}\n` + instance('VI_1', 1, 100, '10.0.0.100/24', 'track_script {\n        chk\n    }'));
      const ns = await lab.addNamespace('a');
      await lab.exec(ns, ['ip', 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0p'], { check: true });
      const test = async (file: string) => lab.exec(ns, [process.execPath, VRRPD, '-t', '-f', file], { timeoutMs: 30_000 });
      assert.equal((await test(good)).code, 0, (await test(good)).stderr);
      const u = await test(unknown);
      assert.equal(u.code, 5);
      assert.match(u.stderr, /unknown\.conf:11: unknown keyword 'frobnicate'/i);
      const s = await test(insecure);
      assert.equal(s.code, 6);
      assert.match(s.stderr, /SECURITY VIOLATION - scripts are being executed but script_security not enabled/);
    });
  });

  it('a syntax error stops it with file:line:column and status 1, before any address is added', async () => {
    await withLab(uniquePrefix('vdse'), async (lab) => {
      const seg = await segment(lab, 91);
      const dir = await lab.tempDir('se');
      const file = join(dir, 'broken.conf');
      await writeFile(file, instance('VI_1', 91, 150, '10.91.0.100/24') + 'vrrp_instance VI_2 {\n    state "BACKUP\n');
      const before = await addresses(lab, seg.a);
      const result = await lab.exec(seg.a, [process.execPath, VRRPD, '-f', file], { timeoutMs: 30_000 });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^vrrpd: .*broken\.conf:\d+:\d+: /m);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
      assert.deepEqual(await addresses(lab, seg.a), before);
    });
  });

  it('bad flags and a missing interface give one line and their status', async () => {
    const cases: [string[], number, RegExp][] = [
      [['-i', 'eth0', '--vrid', '0', '--vip', '10.0.0.1'], 2, /^vrrpd: --vrid "0": not a whole number from 1 to 255\n$/],
      [['-i', 'eth0', '--vrid', '5'], 2, /^vrrpd: --vip is required with -i/],
      [['-i', 'eth0', '--vrid', '5', '--vip', '10.0.0.300/24'], 2, /^vrrpd: --vip "10\.0\.0\.300\/24": not an IPv4 or IPv6 address/],
      [['-i', 'eth0', '--vrid', '5', '--vip', 'fd00::1', '--vrrp-version', '2'], 2, /VRRPv2 is IPv4 only/],
      [['-f', '/nonexistent/keepalived.conf'], 1, /^vrrpd: \/nonexistent\/keepalived\.conf: No such file or directory\n$/],
      [['--frobnicate'], 2, /^vrrpd: unknown option --frobnicate/],
      [['-i', 'nosuch0', '--vrid', '5', '--vip', '10.0.0.1/24'], 1, /^vrrpd: \(VI_1\) interface nosuch0 does not exist\n$/],
    ];
    for (const [args, code, message] of cases) {
      const result = await vrrpd(...args);
      assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message, args.join(' '));
    }
  });
});

describe('vrrpd at work', { skip, concurrency: 4 }, () => {
  it('events, notify scripts with keepalived\'s arguments, notify_fifo, SIGUSR1 state, and a clean SIGTERM', async () => {
    await withLab(uniquePrefix('vdev'), async (lab) => {
      const seg = await segment(lab, 92);
      const dir = await lab.tempDir('ev');
      const events = join(dir, 'events.jsonl');
      const fifo = join(dir, 'notify.fifo');
      await runCommand(['mkfifo', fifo], { check: true });
      const notify = join(dir, 'notify.sh');
      await writeFile(notify, `#!/bin/sh\necho "$@" >> ${dir}/notify.log\n`);
      await chmod(notify, 0o755);
      const master = join(dir, 'master.sh');
      await writeFile(master, `#!/bin/sh\nip -o addr show dev eth0 > ${dir}/master.log\n`);
      await chmod(master, 0o755);
      const fifoReader = await lab.spawn(seg.a, ['cat', fifo]);
      const config = `global_defs {\n    notify_fifo ${fifo}\n    enable_script_security\n}\n` +
        instance('VI_1', 92, 100, '10.92.0.100/24', `notify ${notify}\n    notify_master ${master}\n    notify_stop "${notify} stopping"`);
      const stateFile = join(dir, 'state.json');
      const { process: daemon } = await startVrrpd(lab, seg.a, config, ['--events', events, '--state-file', stateFile]);
      await logged(daemon, /\(VI_1\) Entering MASTER STATE/);
      await logged(daemon, /Sending gratuitous ARP on eth0 for 10\.92\.0\.100/);
      const lines = async () => (await readFile(events, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      await waitFor(async () => (await lines()).some((e) => e['to'] === 'master'), { timeoutMs: 5000, what: 'a master event' });
      const toMaster = (await lines()).find((e) => e['to'] === 'master')!;
      assert.deepEqual({ ...toMaster, time: undefined, vipDetails: undefined }, { time: undefined, vipDetails: undefined, instance: 'VI_1', vrid: 92, interface: 'eth0', from: 'backup', to: 'master', priority: 100, reason: 'master-down-timer', vips: ['10.92.0.100/24'] });
      assert.match(String(toMaster['time']), /^\d{4}-\d\d-\d\dT/);
      assert.deepEqual(toMaster['vipDetails'], [{ address: '10.92.0.100/24', dev: 'eth0' }]);
      await waitFor(async () => (await readFile(join(dir, 'notify.log'), 'utf8').catch(() => '')).includes('INSTANCE VI_1 MASTER 100'), { timeoutMs: 5000, what: 'notify called with INSTANCE VI_1 MASTER 100' });
      // notify_master runs after the VIPs are in place.
      await waitFor(async () => (await readFile(join(dir, 'master.log'), 'utf8').catch(() => '')).includes('10.92.0.100/24'), { timeoutMs: 5000, what: 'notify_master to see the VIP' });
      await waitFor(() => fifoReader.text('stdout').includes('INSTANCE "VI_1" MASTER 100'), { timeoutMs: 5000, what: 'the notify_fifo line' });

      daemon.signal('SIGUSR1');
      await waitFor(async () => (await readFile(stateFile, 'utf8').catch(() => '')).length > 0, { timeoutMs: 5000, what: 'the state file' });
      const state = JSON.parse(await readFile(stateFile, 'utf8')) as { instances: { name: string; state: string; counters: { advertsSent: number; garpsSent: number } }[] };
      assert.equal(state.instances[0]?.name, 'VI_1');
      assert.equal(state.instances[0]?.state, 'master');
      assert.ok(state.instances[0]!.counters.advertsSent >= 1);
      assert.ok(state.instances[0]!.counters.garpsSent >= 5);

      const status = await daemon.stop('SIGTERM');
      assert.equal(status.code, 0);
      assert.deepEqual(await holders(lab, [seg.a], '10.92.0.100'), [], 'the VIP is released on stop');
      await waitFor(async () => (await readFile(join(dir, 'notify.log'), 'utf8')).includes('stopping'), { timeoutMs: 5000, what: 'notify_stop' });
      await fifoReader.stop();
    });
  });

  it('puts back a VIP removed by hand, goes to FAULT when its interface goes down and back when it comes up', async () => {
    await withLab(uniquePrefix('vdfa'), async (lab) => {
      const seg = await segment(lab, 93);
      const { process: daemon } = await startVrrpd(lab, seg.a, instance('VI_1', 93, 100, '10.93.0.100/24'));
      await logged(daemon, /\(VI_1\) Entering MASTER STATE/);
      await waitFor(async () => (await holders(lab, [seg.a], '10.93.0.100')).length === 1, { timeoutMs: 5000, what: 'VIP added' });
      await lab.exec(seg.a, ['ip', 'addr', 'del', '10.93.0.100/24', 'dev', 'eth0'], { check: true });
      await logged(daemon, /VIP 10\.93\.0\.100\/24 was removed from eth0: putting it back/);
      await waitFor(async () => (await holders(lab, [seg.a], '10.93.0.100')).length === 1, { timeoutMs: 5000, what: 'VIP put back' });
      await lab.linkDown(seg.a, 'eth0');
      await logged(daemon, /\(VI_1\) Entering FAULT STATE/);
      await waitFor(async () => (await holders(lab, [seg.a], '10.93.0.100')).length === 0, { timeoutMs: 5000, what: 'VIP removed in FAULT' });
      await lab.linkUp(seg.a, 'eth0');
      await waitFor(() => daemon.lines('stderr').filter((l) => l.text.includes('Entering MASTER STATE')).length >= 2, { timeoutMs: 15_000, what: 'master again' });
      await waitFor(async () => (await holders(lab, [seg.a], '10.93.0.100')).length === 1, { timeoutMs: 5000, what: 'VIP back after the fault' });
    });
  });

  it('drops an IPv6 advert whose hop limit is not 255 (RFC 5798 5.1.1.3), and obeys the same advert with 255', async () => {
    await withLab(uniquePrefix('vdhl'), async (lab) => {
      const seg = await segment(lab, 94);
      const dir = await lab.tempDir('hl');
      const stateFile = join(dir, 'state.json');
      const config = instance('VI_6', 94, 100, 'fd94::100/64', 'version 3');
      const { process: daemon } = await startVrrpd(lab, seg.a, config, ['--state-file', stateFile]);
      await logged(daemon, /\(VI_6\) Entering MASTER STATE/);
      const inject = (hopLimit: number) =>
        lab.exec(seg.b, [process.execPath, '--import', 'tsx', '--conditions=source', INJECT, 'eth0', 'fe80::2', 'ff02::12', String(hopLimit), '3', '94', '200', '5', 'fd94::100'], { timeoutMs: 20_000, check: true });
      await inject(64);
      daemon.signal('SIGUSR1');
      await waitFor(async () => (await readFile(stateFile, 'utf8').catch(() => '')).includes('bad-ttl'), { timeoutMs: 5000, what: 'bad-ttl drops counted' });
      const state = JSON.parse(await readFile(stateFile, 'utf8')) as { instances: { state: string; counters: { drops: Record<string, number> } }[] };
      assert.equal(state.instances[0]?.state, 'master', 'a hop-limit-64 advert of priority 200 must not make it step down');
      assert.ok((state.instances[0]?.counters.drops['bad-ttl'] ?? 0) >= 5);
      await inject(255);
      await logged(daemon, /\(VI_6\) Entering BACKUP STATE/, 10_000);
    });
  });

  it('SIGHUP reload restarts a changed instance and leaves an unchanged one and its VIP undisturbed', async () => {
    await withLab(uniquePrefix('vdhu'), async (lab) => {
      const seg = await segment(lab, 95);
      const one = instance('VI_1', 95, 100, '10.95.0.100/24');
      const { process: daemon, configFile } = await startVrrpd(lab, seg.a, one + instance('VI_2', 96, 100, '10.95.0.200/24'));
      await waitFor(() => daemon.lines('stderr').filter((l) => l.text.includes('Entering MASTER STATE')).length === 2, { timeoutMs: 15_000, what: 'both masters' });
      const monitor = await lab.spawn(seg.a, ['ip', 'monitor', 'address']);
      await new Promise((r) => setTimeout(r, 300));
      await writeFile(configFile, one + instance('VI_2', 96, 110, '10.95.0.201/24'));
      daemon.signal('SIGHUP');
      await logged(daemon, /Reloaded: 1 instance group\(s\) started, 1 stopped, 1 unchanged/);
      await waitFor(async () => (await holders(lab, [seg.a], '10.95.0.201')).length === 1, { timeoutMs: 15_000, what: 'the changed instance\'s new VIP' });
      assert.deepEqual(await holders(lab, [seg.a], '10.95.0.200'), [], 'the old VIP of the changed instance is gone');
      assert.deepEqual(await holders(lab, [seg.a], '10.95.0.100'), [seg.a]);
      await monitor.stop();
      assert.doesNotMatch(monitor.text('stdout'), /Deleted.*10\.95\.0\.100/, 'the unchanged VIP was never removed');
      // A broken file keeps what runs.
      await writeFile(configFile, 'vrrp_instance VI_1 {\n');
      daemon.signal('SIGHUP');
      await logged(daemon, /Reload failed, keeping the running configuration/);
      assert.deepEqual(await holders(lab, [seg.a], '10.95.0.100'), [seg.a]);
    });
  });

  it('use_vmac: the VIP lives on a macvlan with the VRRP virtual MAC, removed at stop', async () => {
    await withLab(uniquePrefix('vdvm'), async (lab) => {
      const seg = await segment(lab, 97);
      const { process: daemon } = await startVrrpd(lab, seg.a, instance('VI_1', 97, 100, '10.97.0.100/24', 'use_vmac'));
      await logged(daemon, /\(VI_1\) Entering MASTER STATE/);
      await waitFor(async () => (await addresses(lab, seg.a)).includes('vrrp.97 10.97.0.100/24'), { timeoutMs: 5000, what: 'VIP on vrrp.97' });
      const link = JSON.parse((await lab.exec(seg.a, ['ip', '-j', '-d', 'link', 'show', 'vrrp.97'])).stdout) as { address: string; linkinfo: { info_kind: string } }[];
      assert.equal(link[0]?.address, '00:00:5e:00:01:61');
      assert.equal(link[0]?.linkinfo.info_kind, 'macvlan');
      await daemon.stop('SIGTERM');
      assert.equal((await lab.exec(seg.a, ['ip', 'link', 'show', 'vrrp.97'])).code, 1, 'the macvlan is removed at stop');
    });
  });

  it('one instance from flags; with --no-vip --events - it reports and touches no address', async () => {
    await withLab(uniquePrefix('vdfl'), async (lab) => {
      const seg = await segment(lab, 98);
      const flags = await lab.spawn(seg.a, [process.execPath, VRRPD, '-i', 'eth0', '--vrid', '98', '--priority', '120', '--vip', '10.98.0.100/24', '--auth-pass', 'pw']);
      await logged(flags, /\(VI_1\) Entering MASTER STATE/);
      await waitFor(async () => (await holders(lab, [seg.a], '10.98.0.100')).length === 1, { timeoutMs: 5000, what: 'VIP from flags' });
      const report = await lab.spawn(seg.b, [process.execPath, VRRPD, '--no-vip', '--events', '-', '-i', 'eth0', '--vrid', '99', '--vip', '10.98.0.200/24']);
      await report.waitForLine(/"to":"master"/, { timeoutMs: 15_000, stream: 'stdout' });
      const event = JSON.parse(report.lines('stdout').find((l) => l.text.includes('"to":"master"'))!.text) as Record<string, unknown>;
      assert.equal(event['vrid'], 99);
      assert.deepEqual(event['vips'], ['10.98.0.200/24']);
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(await holders(lab, [seg.b], '10.98.0.200'), [], '--no-vip adds nothing');
      assert.equal((await report.stop('SIGTERM')).code, 0);
      assert.equal((await flags.stop('SIGTERM')).code, 0);
    });
  });

  it('runs vrrp_scripts as script_user, and prefixes syslog priorities when stderr is the journal', async () => {
    await withLab(uniquePrefix('vdsu'), async (lab) => {
      const seg = await segment(lab, 99);
      const dir = await lab.tempDir('su');
      await chmod(dir, 0o777);
      const config = `global_defs {\n    script_user nobody\n    enable_script_security\n}\nvrrp_script chk {\n    script "/bin/sh -c 'id -u > ${dir}/uid'"\n    interval 1\n}\n` +
        instance('VI_1', 99, 100, '10.99.0.100/24', 'track_script {\n        chk\n    }');
      const file = join(dir, 'keepalived.conf');
      await writeFile(file, config);
      const log = join(dir, 'stderr.log');
      // JOURNAL_STREAM names the device and inode of stderr, as systemd sets it for a unit whose output is the journal.
      const shell = `touch ${log}; export JOURNAL_STREAM=$(stat -c %d:%i ${log}); exec ${process.execPath} ${VRRPD} -f ${file} 2>>${log}`;
      const daemon = await lab.spawn(seg.a, ['sh', '-c', shell]);
      await waitFor(async () => (await readFile(join(dir, 'uid'), 'utf8').catch(() => '')).trim() === '65534', { timeoutMs: 10_000, what: 'the script to run as nobody (uid 65534)' });
      await waitFor(async () => (await readFile(log, 'utf8')).includes('<6>(VI_1) Entering MASTER STATE'), { timeoutMs: 15_000, what: 'a journal-prefixed log line' });
      assert.ok((await readFile(log, 'utf8')).split('\n').filter(Boolean).every((l) => /^<\d>/.test(l)), 'every line has a priority');
      await daemon.stop('SIGTERM');
    });
  });
});
