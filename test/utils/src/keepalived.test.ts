// Needs root and Debian's keepalived. Run:
//   node --import tsx --conditions=source --test test/utils/src/keepalived.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isProcessRunning, listNamespaces, startKeepalived, uniquePrefix, waitFor, withLab } from './index.js';

const needsRoot = process.getuid?.() === 0 ? false : 'needs root (network namespaces, keepalived)';

// VRRPv3 with a 0.1 s interval: master within about half a second.
const config = (vrid: number, vip: string): string => `
vrrp_instance VI_${vrid} {
    version 3
    state MASTER
    interface eth0
    virtual_router_id ${vrid}
    priority 100
    advert_int 0.1
    virtual_ipaddress {
        ${vip}/32
    }
}
`;

test('two keepalived in two namespaces run side by side; SIGKILL is a crash, SIGTERM a clean stop', { skip: needsRoot }, async () => {
  const prefix = uniquePrefix('ka');
  await withLab(prefix, async (lab) => {
    const a = await lab.addNamespace('a');
    const b = await lab.addNamespace('b');
    await lab.connect(a, b);
    await lab.addAddress(a, 'eth0', '10.77.9.1/24');
    await lab.addAddress(b, 'eth0', '10.77.9.2/24');

    // Different VRIDs: both become master, and neither trips over the other's files.
    const first = await startKeepalived(lab, a, config(61, '10.77.9.61'), { name: 'first' });
    const second = await startKeepalived(lab, b, config(62, '10.77.9.62'), { name: 'second' });
    await first.waitForState('VI_61', 'MASTER', { timeoutMs: 5_000 });
    await second.waitForState('VI_62', 'MASTER', { timeoutMs: 5_000 });
    assert.notEqual(first.dir, second.dir);

    const vips = async (ns: string): Promise<string> => (await lab.exec(ns, ['ip', '-4', '-o', 'addr', 'show', 'eth0'], { check: true })).stdout;
    // keepalived logs "Entering MASTER STATE" before it adds the VIPs.
    await waitFor(async () => /10\.77\.9\.61\//.test(await vips(a)), { timeoutMs: 2_000, what: 'the VIP on the first master' });

    const vrrpChild = await first.vrrpPid();
    assert.ok(vrrpChild !== undefined && (await isProcessRunning(vrrpChild)));
    const killed = await first.stop('SIGKILL');
    assert.equal(killed.signal, 'SIGKILL');
    assert.equal(await isProcessRunning(vrrpChild), false, 'the VRRP child outlived SIGKILL');
    // A crashed keepalived leaves its VIP behind, as on a real host.
    assert.match(await vips(a), /10\.77\.9\.61\//);

    const stopped = await second.stop('SIGTERM');
    assert.equal(stopped.code, 0);
    assert.ok(second.logLines().includes('Stopped'), second.logLines().join('\n'));
    assert.doesNotMatch(await vips(b), /10\.77\.9\.62\//);
  });
  assert.deepEqual(await listNamespaces(prefix), []);
});
