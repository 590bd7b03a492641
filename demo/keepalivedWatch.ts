// The README's first command (until vrrpd exists): two real keepalived nodes
// in network namespaces, and vrrpdump watching the segment from a third while
// the master stops, the backup takes over and the master comes back.

import { colourFor } from '@keepalived-ts/cli';
import { startKeepalived, uniquePrefix, withLab, type Lab, type ProcessHandle } from '@keepalived-ts/test-utils';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const colour = colourFor(process.stdout, process.argv.includes('--no-color'));
const vrrpdump = fileURLToPath(new URL('../tools/vrrpdump/dist/vrrpdump.js', import.meta.url));

const config = (priority: number) => `
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority ${priority}
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass demo
    }
    virtual_ipaddress {
        10.77.0.100/24
    }
}
`;

const say = (text: string) => console.log(colour.cyan.bold(`\n==> ${text}`));

/** Echoes a process's new output lines, indented, until stopped. */
function follow(handle: ProcessHandle, label: string): () => void {
  let shown = 0;
  const timer = setInterval(() => {
    const lines = handle.lines();
    for (; shown < lines.length; shown++) {
      const line = lines[shown]!;
      const text = line.stream === 'stderr' ? colour.yellow(line.text) : line.text;
      console.log(`${colour.dim(label)} ${text}`);
    }
  }, 100);
  return () => clearInterval(timer);
}

async function holder(lab: Lab, nodes: readonly string[]): Promise<string> {
  for (const ns of nodes) {
    const { stdout } = await lab.exec(ns, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    if (stdout.includes('10.77.0.100/')) return ns.slice(lab.prefix.length + 1);
  }
  return '(nobody)';
}

await withLab(uniquePrefix('demo'), async (lab) => {
  say('Building the lab: node1 and node2 (keepalived), watch (vrrpdump), one switch');
  const sw = await lab.addSwitch('sw');
  const node1 = await lab.addNamespace('node1');
  const node2 = await lab.addNamespace('node2');
  const watch = await lab.addNamespace('watch');
  for (const [ns, ip] of [[node1, '10.77.0.1/24'], [node2, '10.77.0.2/24'], [watch, '10.77.0.9/24']] as const) {
    await lab.plug(ns, sw);
    await lab.addAddress(ns, 'eth0', ip);
  }

  say('vrrpdump -i eth0 -n --arp, in the watch namespace');
  const dump = await lab.spawn(watch, [process.execPath, vrrpdump, '-i', 'eth0', '-n', '--arp']);
  const stopFollowing = follow(dump, '[vrrpdump]');
  await dump.waitForLine(/listening on eth0/, { timeoutMs: 10_000 });

  say('Starting keepalived on node1 (priority 150) and node2 (priority 100)');
  const k1 = await startKeepalived(lab, node1, config(150), { name: 'node1' });
  const k2 = await startKeepalived(lab, node2, config(100), { name: 'node2' });
  await k1.waitForState('VI_1', 'MASTER', { timeoutMs: 15_000 });
  await sleep(2500);
  console.log(colour.green(`VIP 10.77.0.100 is on: ${await holder(lab, [node1, node2])}`));

  say('Stopping node1 (SIGTERM): it sends priority 0, node2 takes over after Skew_Time');
  await k1.stop('SIGTERM');
  await k2.waitForState('VI_1', 'MASTER', { timeoutMs: 15_000 });
  await sleep(2500);
  console.log(colour.green(`VIP 10.77.0.100 is on: ${await holder(lab, [node1, node2])}`));

  say('Starting node1 again: it preempts once its Master_Down_Interval passes');
  const k1again = await startKeepalived(lab, node1, config(150), { name: 'node1-again' });
  await k1again.waitForState('VI_1', 'MASTER', { timeoutMs: 15_000 });
  await sleep(2500);
  console.log(colour.green(`VIP 10.77.0.100 is on: ${await holder(lab, [node1, node2])}`));

  say('Done: stopping everything and deleting the namespaces');
  await dump.stop('SIGINT');
  await sleep(200);
  stopFollowing();
});
