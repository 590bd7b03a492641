// vrrpd and real keepalived 2.2.7 as the two routers of one VRID, in
// namespaces on one switch with a client. The kernel is the judge: which
// namespace holds the VIP, that exactly one does, and that the client's
// neighbour table follows a failover to the new master's MAC.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startKeepalived, uniquePrefix, waitFor, withLab, type Lab, type ProcessHandle } from '@keepalived-ts/test-utils';
import { holders, macOf, neighbourMac, prepareClient, segment, startVrrpd, type Segment } from './vrrpdLab.js';

const skip = process.getuid?.() === 0 ? false : 'needs root (network namespaces)';

interface InstanceOptions {
  readonly priority: number;
  readonly vrid: number;
  readonly vip: string;
  readonly version?: 2 | 3;
  readonly advertInt?: string;
  readonly auth?: string;
  readonly state?: 'MASTER' | 'BACKUP';
  readonly nopreempt?: boolean;
  readonly unicast?: { readonly src: string; readonly peer: string };
  readonly extra?: string;
  readonly globalExtra?: string;
}

function conf(o: InstanceOptions): string {
  return `
global_defs {
    router_id test
    ${o.globalExtra ?? ''}
}
vrrp_instance VI_1 {
    state ${o.state ?? 'BACKUP'}
    interface eth0
    virtual_router_id ${o.vrid}
    priority ${o.priority}
    advert_int ${o.advertInt ?? '1'}
    ${o.version ? `version ${o.version}` : ''}
    ${o.nopreempt ? 'nopreempt' : ''}
    ${o.auth ? `authentication {\n        auth_type PASS\n        auth_pass ${o.auth}\n    }` : ''}
    ${o.unicast ? `unicast_src_ip ${o.unicast.src}\n    unicast_peer {\n        ${o.unicast.peer}\n    }` : ''}
    virtual_ipaddress {
        ${o.vip}
    }
    ${o.extra ?? ''}
}
`;
}

const vipAddress = (vip: string) => vip.split('/')[0]!;

async function expectHolder(lab: Lab, seg: Segment, vip: string, holder: string, timeoutMs = 15_000): Promise<void> {
  const address = vipAddress(vip);
  await waitFor(async () => {
    const now = await holders(lab, [seg.a, seg.b], address);
    return now.length === 1 && now[0] === holder;
  }, { timeoutMs, what: `${address} on ${holder} only` });
}

async function expectClientFollows(lab: Lab, seg: Segment, vip: string, holder: string): Promise<void> {
  const mac = await macOf(lab, holder);
  await waitFor(async () => (await neighbourMac(lab, seg.client, vipAddress(vip))) === mac, { timeoutMs: 10_000, what: `the client's neighbour entry for ${vip} to be ${mac}` });
}

const logged = (p: ProcessHandle, pattern: RegExp, timeoutMs = 15_000) => p.waitForLine(pattern, { timeoutMs, stream: 'stderr' });

describe('vrrpd with keepalived as the peer', { skip, concurrency: 4 }, () => {
  it('v2 PASS multicast: vrrpd master, keepalived backup; SIGKILL of vrrpd moves the VIP; a restart removes the stale VIP and preempts', async () => {
    await withLab(uniquePrefix('vi1'), async (lab) => {
      const seg = await segment(lab, 81);
      await prepareClient(lab, seg);
      const vip = '10.81.0.100/24';
      // vrrpd first: a keepalived started earlier would rightly be master until vrrpd preempts it.
      const vrrpd = await startVrrpd(lab, seg.a, conf({ priority: 150, vrid: 81, vip, auth: 'secret' }));
      await logged(vrrpd.process, /\(VI_1\) Entering MASTER STATE/);
      const keepalived = await startKeepalived(lab, seg.b, conf({ priority: 100, vrid: 81, vip, auth: 'secret' }), { name: 'b' });
      await expectHolder(lab, seg, vip, seg.a);
      await expectClientFollows(lab, seg, vip, seg.a);
      await keepalived.waitForState('VI_1', 'BACKUP', { timeoutMs: 5000 });
      assert.ok(!keepalived.logLines().some((l) => l.includes('Entering MASTER STATE')), 'keepalived never became master');

      await vrrpd.process.stop('SIGKILL');
      await keepalived.waitForState('VI_1', 'MASTER', { timeoutMs: 10_000 });
      // A crash leaves its address behind, as keepalived's does; the live master is B.
      await waitFor(async () => (await holders(lab, [seg.b], vipAddress(vip))).length === 1, { timeoutMs: 10_000, what: 'VIP on b' });
      await expectClientFollows(lab, seg, vip, seg.b);

      const again = await startVrrpd(lab, seg.a, conf({ priority: 150, vrid: 81, vip, auth: 'secret' }));
      await logged(again.process, /removed stale VIP 10\.81\.0\.100\/24/);
      await logged(again.process, /\(VI_1\) Entering MASTER STATE/);
      await expectHolder(lab, seg, vip, seg.a);
      await expectClientFollows(lab, seg, vip, seg.a);
      await keepalived.waitForState('VI_1', 'BACKUP', { timeoutMs: 5000 });
    });
  });

  it('v2 PASS multicast: keepalived master, vrrpd backup; SIGTERM of keepalived (priority 0) moves the VIP to vrrpd', async () => {
    await withLab(uniquePrefix('vi2'), async (lab) => {
      const seg = await segment(lab, 82);
      await prepareClient(lab, seg);
      const vip = '10.82.0.100/24';
      const vrrpd = await startVrrpd(lab, seg.a, conf({ priority: 100, vrid: 82, vip, auth: 'pw' }));
      const keepalived = await startKeepalived(lab, seg.b, conf({ priority: 200, vrid: 82, vip, auth: 'pw' }), { name: 'b' });
      await keepalived.waitForState('VI_1', 'MASTER', { timeoutMs: 15_000 });
      await expectHolder(lab, seg, vip, seg.b);
      await logged(vrrpd.process, /\(VI_1\) Entering BACKUP STATE/);
      await keepalived.stop('SIGTERM');
      await logged(vrrpd.process, /\(VI_1\) Entering MASTER STATE/, 10_000);
      await expectHolder(lab, seg, vip, seg.a);
      await expectClientFollows(lab, seg, vip, seg.a);
    });
  });

  it('v3 IPv6: vrrpd master and keepalived backup agree; SIGTERM of vrrpd hands over with priority 0', async () => {
    await withLab(uniquePrefix('vi3'), async (lab) => {
      const seg = await segment(lab, 83);
      const vip = 'fd83::100/64';
      const vrrpd = await startVrrpd(lab, seg.a, conf({ priority: 150, vrid: 83, vip, version: 3, advertInt: '0.5' }));
      await logged(vrrpd.process, /\(VI_1\) Entering MASTER STATE/);
      const keepalived = await startKeepalived(lab, seg.b, conf({ priority: 100, vrid: 83, vip, version: 3, advertInt: '0.5' }), { name: 'b' });
      await expectHolder(lab, seg, vip, seg.a);
      await keepalived.waitForState('VI_1', 'BACKUP', { timeoutMs: 5000 });
      await new Promise((r) => setTimeout(r, 2000));
      assert.ok(!keepalived.logLines().some((l) => l.includes('Entering MASTER STATE')), keepalived.logLines().join('\n'));
      await vrrpd.process.stop('SIGTERM');
      assert.equal(vrrpd.process.exitStatus()?.code, 0);
      await keepalived.waitForState('VI_1', 'MASTER', { timeoutMs: 5000 });
      await expectHolder(lab, seg, vip, seg.b);
    });
  });

  it('v2 unicast: vrrpd backup takes over from a killed keepalived master, and gives the VIP back on its return (preempt)', async () => {
    await withLab(uniquePrefix('vi4'), async (lab) => {
      const seg = await segment(lab, 84);
      const vip = '10.84.0.100/24';
      const vrrpd = await startVrrpd(lab, seg.a, conf({ priority: 100, vrid: 84, vip, unicast: { src: seg.ipA, peer: seg.ipB } }));
      const kConf = conf({ priority: 150, vrid: 84, vip, unicast: { src: seg.ipB, peer: seg.ipA } });
      const keepalived = await startKeepalived(lab, seg.b, kConf, { name: 'b' });
      await keepalived.waitForState('VI_1', 'MASTER', { timeoutMs: 15_000 });
      await expectHolder(lab, seg, vip, seg.b);
      await keepalived.stop('SIGKILL');
      await logged(vrrpd.process, /\(VI_1\) Entering MASTER STATE/, 10_000);
      await lab.exec(seg.b, ['ip', 'addr', 'del', vip, 'dev', 'eth0']);
      await expectHolder(lab, seg, vip, seg.a);
      const back = await startKeepalived(lab, seg.b, kConf, { name: 'b2' });
      await back.waitForState('VI_1', 'MASTER', { timeoutMs: 15_000 });
      await expectHolder(lab, seg, vip, seg.b);
    });
  });

  it('nopreempt: a returning higher-priority vrrpd stays backup while keepalived is master', async () => {
    await withLab(uniquePrefix('vi5'), async (lab) => {
      const seg = await segment(lab, 85);
      const vip = '10.85.0.100/24';
      const keepalived = await startKeepalived(lab, seg.b, conf({ priority: 100, vrid: 85, vip, nopreempt: true }), { name: 'b' });
      await keepalived.waitForState('VI_1', 'MASTER', { timeoutMs: 15_000 });
      const vrrpd = await startVrrpd(lab, seg.a, conf({ priority: 150, vrid: 85, vip, nopreempt: true }));
      await logged(vrrpd.process, /\(VI_1\) Entering BACKUP STATE/);
      await new Promise((r) => setTimeout(r, 5000));
      await expectHolder(lab, seg, vip, seg.b, 1000);
      assert.ok(!vrrpd.process.lines('stderr').some((l) => l.text.includes('Entering MASTER STATE')));
    });
  });

  it('equal priority: when two masters meet, the higher primary address wins, with vrrpd on either side', async () => {
    // RFC 5798 6.4.2: a backup hearing equal priority keeps waiting, so which one starts first decides at
    // start-up. The tie-break decides when two masters meet: made here by stopping multicast between them
    // on the switch (links stay up, so nobody goes to FAULT), letting both become master, then healing it.
    for (const vrrpdOn of ['a', 'b'] as const) {
      await withLab(uniquePrefix(`vi6${vrrpdOn}`), async (lab) => {
        const seg = await segment(lab, 86);
        const vip = '10.86.0.100/24';
        const sw = lab.nsName('sw');
        const flood = (on: boolean) =>
          Promise.all(['port1', 'port2'].map((port) => lab.exec(sw, ['bridge', 'link', 'set', 'dev', port, 'mcast_flood', on ? 'on' : 'off'], { check: true })));
        await flood(false);
        const config = conf({ priority: 100, vrid: 86, vip });
        const ours = await startVrrpd(lab, vrrpdOn === 'a' ? seg.a : seg.b, config);
        const theirs = await startKeepalived(lab, vrrpdOn === 'a' ? seg.b : seg.a, config, { name: 'k' });
        await logged(ours.process, /\(VI_1\) Entering MASTER STATE/);
        await theirs.waitForState('VI_1', 'MASTER', { timeoutMs: 15_000 });
        await flood(true);
        // b (10.86.0.2) has the higher address.
        await expectHolder(lab, seg, vip, seg.b);
        if (vrrpdOn === 'a') await logged(ours.process, /\(VI_1\) Entering BACKUP STATE/);
        else await theirs.waitForState('VI_1', 'BACKUP', { timeoutMs: 10_000 });
        await new Promise((r) => setTimeout(r, 2000));
        await expectHolder(lab, seg, vip, seg.b, 1000);
      });
    }
  });

  it('v3 IPv4 at advert_int 0.5: keepalived backup takes over on SIGKILL of vrrpd; vrrpd preempts on its return', async () => {
    await withLab(uniquePrefix('vi8'), async (lab) => {
      const seg = await segment(lab, 88);
      await prepareClient(lab, seg);
      const vip = '10.88.0.100/24';
      const mine = conf({ priority: 200, vrid: 88, vip, version: 3, advertInt: '0.5' });
      const vrrpd = await startVrrpd(lab, seg.a, mine);
      await logged(vrrpd.process, /\(VI_1\) Entering MASTER STATE/);
      const keepalived = await startKeepalived(lab, seg.b, conf({ priority: 100, vrid: 88, vip, version: 3, advertInt: '0.5' }), { name: 'b' });
      await keepalived.waitForState('VI_1', 'BACKUP', { timeoutMs: 5000 });
      await expectHolder(lab, seg, vip, seg.a);
      await vrrpd.process.stop('SIGKILL');
      await keepalived.waitForState('VI_1', 'MASTER', { timeoutMs: 10_000 });
      await expectClientFollows(lab, seg, vip, seg.b);
      const again = await startVrrpd(lab, seg.a, mine);
      await logged(again.process, /\(VI_1\) Entering MASTER STATE/);
      await expectHolder(lab, seg, vip, seg.a);
      await expectClientFollows(lab, seg, vip, seg.a);
    });
  });

  it('a tracked script failing lowers vrrpd\'s priority below keepalived\'s, which takes over', async () => {
    await withLab(uniquePrefix('vi7'), async (lab) => {
      const seg = await segment(lab, 87);
      const vip = '10.87.0.100/24';
      const dir = await lab.tempDir('chk');
      const flag = `${dir}/healthy`;
      await lab.exec(seg.a, ['touch', flag], { check: true });
      const script = `vrrp_script chk {\n    script "/usr/bin/test -e ${flag}"\n    interval 1\n    weight -60\n    fall 1\n    rise 1\n}\n`;
      const vrrpdConf = script + conf({ priority: 150, vrid: 87, vip, extra: 'track_script {\n        chk\n    }' });
      const keepalived = await startKeepalived(lab, seg.b, conf({ priority: 120, vrid: 87, vip }), { name: 'b' });
      const vrrpd = await startVrrpd(lab, seg.a, vrrpdConf);
      await logged(vrrpd.process, /\(VI_1\) Entering MASTER STATE/);
      await expectHolder(lab, seg, vip, seg.a);
      await lab.exec(seg.a, ['rm', flag], { check: true });
      await keepalived.waitForState('VI_1', 'MASTER', { timeoutMs: 10_000 });
      await expectHolder(lab, seg, vip, seg.b);
      await lab.exec(seg.a, ['touch', flag], { check: true });
      await logged(vrrpd.process, /VRRP_Script\(chk\) succeeded/, 10_000);
      await expectHolder(lab, seg, vip, seg.a);
    });
  });
});
