// The notify composition: vrrpd --no-vip elects, and keepalived-style
// notify_master / notify_backup / notify_stop scripts call vipctl to move the
// VIP. It must behave like vrrpd alone: the VIP on exactly the master, and a
// neighbour's ARP entry following a failover.

import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { uniquePrefix, waitFor, withLab, type Lab } from '@keepalived-ts/test-utils';
import { holders, macOf, neighbourMac, prepareClient, segment, startVrrpd, type Segment } from './vrrpdLab.js';

const skip = process.getuid?.() === 0 ? false : 'needs root (network namespaces)';
const VIPCTL = fileURLToPath(new URL('../../tools/vipctl/bin/vipctl.js', import.meta.url));

const config = (priority: number, vip: string) => `
global_defs {
    enable_script_security
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 71
    priority ${priority}
    advert_int 1
    virtual_ipaddress {
        ${vip}
    }
    notify_master "${VIPCTL} add ${vip} dev eth0 --garp"
    notify_backup "${VIPCTL} del ${vip} dev eth0"
    notify_fault "${VIPCTL} del ${vip} dev eth0"
    notify_stop "${VIPCTL} del ${vip} dev eth0"
}
`;

async function only(lab: Lab, seg: Segment, address: string, holder: string): Promise<void> {
  await waitFor(async () => {
    const now = await holders(lab, [seg.a, seg.b], address);
    return now.length === 1 && now[0] === holder;
  }, { timeoutMs: 15_000, what: `${address} on ${holder} only` });
}

describe('vrrpd --no-vip with notify scripts calling vipctl', { skip }, () => {
  it('moves the VIP to the master and the neighbour follows, like vrrpd alone', async () => {
    await withLab(uniquePrefix('vcmp'), async (lab) => {
      const seg = await segment(lab, 71);
      await prepareClient(lab, seg);
      const vip = '10.71.0.100/24';
      const a = await startVrrpd(lab, seg.a, config(150, vip), ['--no-vip']);
      await a.process.waitForLine(/\(VI_1\) Entering MASTER STATE/, { timeoutMs: 15_000, stream: 'stderr' });
      const b = await startVrrpd(lab, seg.b, config(100, vip), ['--no-vip']);
      await b.process.waitForLine(/\(VI_1\) Entering BACKUP STATE/, { timeoutMs: 15_000, stream: 'stderr' });
      await only(lab, seg, '10.71.0.100', seg.a);
      const macA = await macOf(lab, seg.a);
      await waitFor(async () => (await neighbourMac(lab, seg.client, '10.71.0.100')) === macA, { timeoutMs: 10_000, what: 'neighbour entry to a' });
      // A clean stop: notify_stop removes it on a, notify_master adds it on b.
      await a.process.stop('SIGTERM');
      await only(lab, seg, '10.71.0.100', seg.b);
      const macB = await macOf(lab, seg.b);
      await waitFor(async () => (await neighbourMac(lab, seg.client, '10.71.0.100')) === macB, { timeoutMs: 10_000, what: 'neighbour entry to b' });
      // a comes back and preempts: notify_backup on b removes it there.
      const again = await startVrrpd(lab, seg.a, config(150, vip), ['--no-vip']);
      await again.process.waitForLine(/\(VI_1\) Entering MASTER STATE/, { timeoutMs: 15_000, stream: 'stderr' });
      await only(lab, seg, '10.71.0.100', seg.a);
    });
  });
});
