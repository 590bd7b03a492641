// vipctl apply against the real kernel: a hand-written event stream through
// a FIFO (so that the addresses can be judged between two events), bad lines
// reported with their numbers, the end of the stream; then end to end,
// `vrrpd --no-vip --events - | vipctl apply`, compared with vrrpd alone.
// Needs root and the built tools (pnpm build). Run (about 25 s):
//   node --import tsx --conditions=source --test test/vipctl/apply.test.ts

import assert from 'node:assert/strict';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTcpdump, readPcapText, uniquePrefix, waitFor, withLab, type Lab, type ProcessHandle } from '@keepalived-ts/test-utils';
import { addressLines, missingBuild, neighbour, pair, VIPCTL } from './vipctlLab.js';

const VRRPD = fileURLToPath(new URL('../../tools/vrrpd/dist/vrrpd.js', import.meta.url));
const skip = process.getuid?.() === 0 ? missingBuild() : 'needs root (network namespaces)';
const STALE_MAC = '02:00:00:00:00:99';

interface VipDetail {
  readonly address: string;
  readonly dev: string;
  readonly label?: string;
}

const event = (to: string, from: string, vipDetails: readonly VipDetail[]) =>
  JSON.stringify({
    time: new Date().toISOString(),
    instance: 'VI_1',
    vrid: 76,
    interface: 'eth0',
    from,
    to,
    priority: 150,
    reason: 'test',
    vips: vipDetails.map((detail) => detail.address),
    vipDetails,
  });

const has = async (lab: Lab, ns: string, line: string) => (await addressLines(lab, ns)).includes(line);

describe('vipctl apply', { skip }, () => {
  it('adds and announces on master, removes on backup, reports bad lines by number, and exits 8 at the end of the stream', async () => {
    await withLab(uniquePrefix('vpa'), async (lab) => {
      const { a, b } = await pair(lab, 76);
      const macA = (await lab.exec(a, ['cat', '/sys/class/net/eth0/address'], { check: true })).stdout.trim();
      await lab.exec(b, ['ip', 'neigh', 'replace', '10.76.0.100', 'lladdr', STALE_MAC, 'dev', 'eth0', 'nud', 'stale'], { check: true });
      // Not ours: named in the events, but master must not claim it nor backup take it away.
      await lab.exec(a, ['ip', 'addr', 'add', '10.76.0.200/24', 'dev', 'eth0'], { check: true });
      const dir = await lab.tempDir('apply');
      const fifo = join(dir, 'events');
      await lab.exec(a, ['mkfifo', fifo], { check: true });
      const pcapFile = join(dir, 'garp.pcap');
      const tcpdump = await startTcpdump(lab, b, 'eth0', pcapFile, 'arp or (icmp6 and ip6[40] == 136)', { extraArgs: ['--immediate-mode'] });
      const apply = await lab.spawn(a, ['sh', '-c', `exec "$0" "$1" apply --garp-count 2 --garp-delay 1 < "$2"`, process.execPath, VIPCTL, fifo]);
      const writer = await open(fifo, 'w');
      const send = (line: string) => writer.write(`${line}\n`);
      const vips: VipDetail[] = [
        { address: '10.76.0.100/24', dev: 'eth0', label: 'eth0:vip' },
        { address: 'fd76::100/64', dev: 'eth0' },
        { address: '10.76.0.200/24', dev: 'eth0' },
      ];
      try {
        await send(event('master', 'backup', vips));
        await apply.waitForLine('VI_1 master: sent 2 unsolicited neighbour advertisements for fd76::100', { timeoutMs: 10_000, stream: 'stdout' });
        assert.ok(await has(lab, a, 'eth0 10.76.0.100/24'));
        assert.ok(await has(lab, a, 'eth0 fd76::100/64'));
        await waitFor(async () => (await neighbour(lab, b, '10.76.0.100'))?.lladdr === macA, { timeoutMs: 3_000, what: "the neighbour's entry for the VIP to move to A's MAC" });
        // The second burst, --garp-delay 1 later.
        await new Promise((resolve) => setTimeout(resolve, 1_500));

        await send('{"instance": "VI_1", "to": ');
        await send('');
        await send(event('bogus', 'master', vips));
        await send(event('backup', 'master', vips));
        await apply.waitForLine('VI_1 backup: left 10.76.0.200/24 on eth0: not ours', { timeoutMs: 10_000, stream: 'stdout' });
        assert.ok(!(await has(lab, a, 'eth0 10.76.0.100/24')));
        assert.ok(!(await has(lab, a, 'eth0 fd76::100/64')));
        assert.ok(await has(lab, a, 'eth0 10.76.0.200/24'));
        // Master again, then the stream ends: the addresses stay as they are.
        await send(event('master', 'backup', vips.slice(0, 1)));
        await apply.waitForLine('VI_1 master: added 10.76.0.100/24 on eth0', { timeoutMs: 10_000, stream: 'stdout' });
      } finally {
        await writer.close();
      }
      const exit = await apply.exited;
      assert.equal(exit.code, 8, apply.text());
      assert.ok(await has(lab, a, 'eth0 10.76.0.100/24'), 'EOF leaves the addresses');
      assert.deepEqual(apply.text('stderr').split('\n'), [
        'vipctl: stdin:2: not JSON (Unexpected end of JSON input); line skipped',
        'vipctl: stdin:4: to is "bogus": expected init, backup, master, fault; line skipped',
        'vipctl: stdin: the event stream ended; addresses are left as they are',
      ]);
      assert.deepEqual(apply.text('stdout').split('\n'), [
        'VI_1 master: added 10.76.0.100/24 on eth0',
        'VI_1 master: added fd76::100/64 on eth0',
        'VI_1 master: 10.76.0.200/24 is already on eth0',
        `VI_1 master: sent 2 gratuitous ARP requests for 10.76.0.100 on eth0 from ${macA}`,
        `VI_1 master: sent 2 unsolicited neighbour advertisements for fd76::100 on eth0 from ${macA}`,
        `VI_1 master: sent 2 gratuitous ARP requests for 10.76.0.200 on eth0 from ${macA}`,
        `VI_1 master: sent 2 gratuitous ARP requests for 10.76.0.100 on eth0 from ${macA}`,
        `VI_1 master: sent 2 unsolicited neighbour advertisements for fd76::100 on eth0 from ${macA}`,
        `VI_1 master: sent 2 gratuitous ARP requests for 10.76.0.200 on eth0 from ${macA}`,
        'VI_1 backup: deleted 10.76.0.100/24 from eth0',
        'VI_1 backup: deleted fd76::100/64 from eth0',
        'VI_1 backup: left 10.76.0.200/24 on eth0: not ours',
        'VI_1 master: added 10.76.0.100/24 on eth0',
        `VI_1 master: sent 2 gratuitous ARP requests for 10.76.0.100 on eth0 from ${macA}`,
      ]);
      await tcpdump.stop();
      const frames = (await readPcapText(pcapFile, ['-e', '-nn'])).stdout;
      // Two bursts of two, then one more on the second master (its second burst was cut short by the end of the stream).
      assert.equal(frames.match(/Request who-has 10\.76\.0\.100 \(ff:ff:ff:ff:ff:ff\) tell 10\.76\.0\.100/g)?.length, 6, frames);
      assert.equal(frames.match(/tgt is fd76::100/g)?.length, 4, frames);
    });
  });

  it('on SIGTERM, still applies what the writer sends for a moment (its stop events), then exits 0', async () => {
    await withLab(uniquePrefix('vps'), async (lab) => {
      const { a } = await pair(lab, 78);
      const dir = await lab.tempDir('signal');
      const fifo = join(dir, 'events');
      await lab.exec(a, ['mkfifo', fifo], { check: true });
      const apply = await lab.spawn(a, ['sh', '-c', `exec "$0" "$1" apply --garp-delay 0 < "$2"`, process.execPath, VIPCTL, fifo]);
      const writer = await open(fifo, 'w');
      try {
        const vips = [{ address: '10.78.0.100/24', dev: 'eth0' }];
        await writer.write(`${event('master', 'backup', vips)}\n`);
        await apply.waitForLine('VI_1 master: added 10.78.0.100/24 on eth0', { timeoutMs: 10_000, stream: 'stdout' });
        const signalledAt = Date.now();
        assert.ok(apply.signal('SIGTERM'));
        // As when one Ctrl-C or one systemd stop reaches both ends of the pipe: vrrpd's stop event comes after the signal.
        await writer.write(`${event('init', 'master', vips)}\n`);
        await apply.waitForLine('VI_1 init: deleted 10.78.0.100/24 from eth0', { timeoutMs: 5_000, stream: 'stdout' });
        const exit = await apply.exited;
        assert.equal(exit.code, 0, apply.text());
        const took = Date.now() - signalledAt;
        assert.ok(took >= 2_500 && took < 6_000, `ended ${took} ms after SIGTERM`);
        assert.equal(apply.text('stderr'), '');
        assert.ok(!(await has(lab, a, 'eth0 10.78.0.100/24')));
      } finally {
        await writer.close();
      }
    });
  });

  it('vrrpd --no-vip --events - | vipctl apply behaves like vrrpd alone', async () => {
    await withLab(uniquePrefix('vpe'), async (lab) => {
      const { a, b } = await pair(lab, 77);
      const macA = (await lab.exec(a, ['cat', '/sys/class/net/eth0/address'], { check: true })).stdout.trim();
      const dir = await lab.tempDir('e2e');
      // A file rather than vrrpd's -i flags: cac reads --vip and --no-vip as one flag, so -i ... --vip with --no-vip loses the VIPs.
      const config = join(dir, 'keepalived.conf');
      await writeFile(config, 'vrrp_instance VI_1 {\n  state MASTER\n  interface eth0\n  virtual_router_id 77\n  priority 150\n  advert_int 1\n  virtual_ipaddress {\n    10.77.0.100/24\n  }\n}\n');
      const vrrpdArgs = ['-f', config];

      /** Runs one setup until the VIP is bound on A and B has heard of it; then stops vrrpd and returns what was left. */
      async function run(name: string, start: (pidFile: string) => Promise<ProcessHandle>): Promise<{ handle: ProcessHandle; exit: number | null }> {
        await lab.exec(b, ['ip', 'neigh', 'replace', '10.77.0.100', 'lladdr', STALE_MAC, 'dev', 'eth0', 'nud', 'stale'], { check: true });
        const pidFile = join(dir, `${name}.pid`);
        const handle = await start(pidFile);
        await waitFor(() => has(lab, a, 'eth0 10.77.0.100/24'), { timeoutMs: 15_000, what: `${name}: the VIP on A` });
        await waitFor(async () => (await neighbour(lab, b, '10.77.0.100'))?.lladdr === macA, { timeoutMs: 5_000, what: `${name}: B's entry for the VIP to move to A's MAC` });
        const vrrpdPid = Number((await waitFor(() => readFile(pidFile, 'utf8'), { timeoutMs: 5_000, what: `${name}: vrrpd's pid file` })).trim());
        // vrrpd is this test's own child (through ip netns exec, and sh for the pipe).
        process.kill(vrrpdPid, 'SIGTERM');
        const exit = await Promise.race([handle.exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${name} did not end:\n${handle.text()}`)), 10_000))]);
        return { handle, exit: exit.code };
      }

      const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
      const piped = await run('piped', (pidFile) => {
        const vrrpd = [process.execPath, VRRPD, ...vrrpdArgs, '--no-vip', '--events', '-', '-p', pidFile].map(quote).join(' ');
        const apply = [process.execPath, VIPCTL, 'apply', '--garp-delay', '0'].map(quote).join(' ');
        return lab.spawn(a, ['sh', '-c', `${vrrpd} | ${apply}`]);
      });
      // vrrpd's stop goes to init (reason stop), which vipctl applies before the pipe closes: status 8 is the end of the stream.
      assert.equal(piped.exit, 8, piped.handle.text());
      assert.ok(!(await has(lab, a, 'eth0 10.77.0.100/24')), 'vipctl removed the VIP on the stop event');
      const out = piped.handle.text('stdout').split('\n');
      assert.ok(out.includes('VI_1 master: added 10.77.0.100/24 on eth0'), out.join('\n'));
      assert.ok(out.includes('VI_1 init: deleted 10.77.0.100/24 from eth0'), out.join('\n'));
      assert.match(piped.handle.text('stderr'), /^vipctl: stdin: the event stream ended; addresses are left as they are$/m);

      const alone = await run('alone', (pidFile) => lab.spawn(a, [process.execPath, VRRPD, ...vrrpdArgs, '-p', pidFile]));
      assert.equal(alone.exit, 0, alone.handle.text());
      assert.ok(!(await has(lab, a, 'eth0 10.77.0.100/24')), 'vrrpd removed the VIP on stop');
    });
  });
});
