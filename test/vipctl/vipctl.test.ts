// vipctl add/del/list/check/flush against the real kernel, in network
// namespaces, with `ip -j addr` as the judge: IPv4 and IPv6, idempotency,
// labels, the ownership mark, and every documented exit status. Needs root
// and the built tools (pnpm build). Run (about 20 s):
//   node --import tsx --conditions=source --test test/vipctl/vipctl.test.ts

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uniquePrefix, withLab } from '@keepalived-ts/test-utils';
import { addressLines, kernelAddresses, missingBuild, pair, vipctl } from './vipctlLab.js';

const skip = process.getuid?.() === 0 ? missingBuild() : 'needs root (network namespaces)';

interface ListedAddress {
  readonly dev: string;
  readonly address: string;
  readonly owner: string | number;
  readonly label?: string;
}

const jsonLines = <T>(text: string): T[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);

describe('vipctl against the kernel', { skip }, () => {
  it('adds, lists, checks and deletes IPv4 and IPv6 addresses, idempotently, with a label', async () => {
    await withLab(uniquePrefix('vca'), async (lab) => {
      const { a } = await pair(lab, 71);
      const before = await addressLines(lab, a);

      const add4 = await vipctl(lab, a, ['add', '10.71.0.100/24', 'dev', 'eth0', 'label', 'eth0:vip']);
      assert.equal(add4.code, 0, add4.stderr);
      assert.equal(add4.stdout, 'added 10.71.0.100/24 on eth0\n');
      const add6 = await vipctl(lab, a, ['add', 'FD71:0::100/64', 'dev', 'eth0']);
      assert.equal(add6.code, 0, add6.stderr);
      assert.equal(add6.stdout, 'added fd71::100/64 on eth0\n');
      const host = await vipctl(lab, a, ['add', '10.71.0.101', 'dev', 'eth0', '--json']);
      assert.deepEqual(JSON.parse(host.stdout), { command: 'add', result: 'added', address: '10.71.0.101/32', dev: 'eth0', owned: true });

      const kernel = await kernelAddresses(lab, a);
      assert.deepEqual(kernel.find((x) => x.cidr === '10.71.0.100/24'), { dev: 'eth0', cidr: '10.71.0.100/24', label: 'eth0:vip' });
      assert.ok(kernel.some((x) => x.dev === 'eth0' && x.cidr === 'fd71::100/64'));
      assert.ok(kernel.some((x) => x.dev === 'eth0' && x.cidr === '10.71.0.101/32'));

      // Again: nothing changes, and it says so.
      const again4 = await vipctl(lab, a, ['add', '10.71.0.100/24', 'dev', 'eth0', 'label', 'eth0:vip']);
      assert.equal(again4.code, 0);
      assert.equal(again4.stdout, '10.71.0.100/24 is already on eth0 (ours): nothing to add\n');
      const again6 = await vipctl(lab, a, ['add', 'fd71::100/64', 'dev', 'eth0', '--json']);
      assert.deepEqual(JSON.parse(again6.stdout), { command: 'add', result: 'present', address: 'fd71::100/64', dev: 'eth0', owned: true });
      assert.equal((await kernelAddresses(lab, a)).length, kernel.length);

      // list marks ours; the text lines are one per address, fields in a fixed order.
      const listed = jsonLines<ListedAddress>((await vipctl(lab, a, ['list', 'dev', 'eth0', '--json'])).stdout);
      const owners = new Map(listed.map((x) => [x.address, x.owner]));
      assert.equal(owners.get('10.71.0.100/24'), 'ours');
      assert.equal(owners.get('fd71::100/64'), 'ours');
      assert.equal(owners.get('10.71.0.1/24'), 'none');
      assert.equal(listed.find((x) => x.address === '10.71.0.100/24')?.label, 'eth0:vip');
      const text = (await vipctl(lab, a, ['list', '--owned'])).stdout.split('\n').filter(Boolean);
      // In the kernel's order: 10.71.0.100/24 is a secondary of 10.71.0.0/24, listed after the primaries.
      assert.deepEqual(
        text.map((line) => line.split(/\s+/).join(' ')).sort(),
        ['eth0 10.71.0.100/24 ours label eth0:vip', 'eth0 10.71.0.101/32 ours', 'eth0 fd71::100/64 ours'],
      );
      const all = (await vipctl(lab, a, ['list'])).stdout;
      assert.match(all, /^eth0\s+10\.71\.0\.1\/24\s+-$/m);
      assert.doesNotMatch(all, /\x1b\[/, 'no colour into a pipe');

      // check: 0 when bound (here, on that device, with that prefix length), 1 when not.
      const check = async (...args: string[]) => (await vipctl(lab, a, ['check', ...args])).code;
      assert.equal(await check('10.71.0.100'), 0);
      assert.equal(await check('fd71::100', 'dev', 'eth0'), 0);
      assert.equal(await check('10.71.0.100/24', 'dev', 'eth0'), 0);
      assert.equal(await check('10.71.0.100/25'), 1);
      assert.equal(await check('10.71.0.100', 'dev', 'eth1'), 1);
      assert.equal(await check('10.71.0.222'), 1);
      const checkText = await vipctl(lab, a, ['check', '10.71.0.222']);
      assert.equal(checkText.stdout, '10.71.0.222 is not bound here\n');
      assert.equal((await vipctl(lab, a, ['check', '-q', '10.71.0.100'])).stdout, '');

      // del: gone from the kernel; again: nothing to do, and it says so.
      const del4 = await vipctl(lab, a, ['del', '10.71.0.100/24', 'dev', 'eth0']);
      assert.equal(del4.code, 0, del4.stderr);
      assert.equal(del4.stdout, 'deleted 10.71.0.100/24 from eth0\n');
      const del6 = await vipctl(lab, a, ['del', 'fd71::100', 'dev', 'eth0']);
      assert.equal(del6.stdout, 'deleted fd71::100/64 from eth0\n');
      const gone = await vipctl(lab, a, ['del', '10.71.0.100/24', 'dev', 'eth0']);
      assert.equal(gone.code, 0);
      assert.equal(gone.stdout, '10.71.0.100/24 is not on eth0: nothing to delete\n');
      const gone6 = await vipctl(lab, a, ['del', 'fd71::100/64', 'dev', 'eth0', '--json']);
      assert.deepEqual(JSON.parse(gone6.stdout), { command: 'del', result: 'absent', address: 'fd71::100/64', dev: 'eth0' });
      assert.equal(await check('10.71.0.100'), 1);

      // flush --owned takes the rest of ours and nothing else.
      await vipctl(lab, a, ['add', 'fd71::200/64', 'dev', 'eth1'], { check: true });
      const flush = await vipctl(lab, a, ['flush', '--owned']);
      assert.equal(flush.code, 0, flush.stderr);
      assert.deepEqual(flush.stdout.split('\n').filter(Boolean).sort(), ['deleted 10.71.0.101/32 from eth0', 'deleted fd71::200/64 from eth1']);
      assert.deepEqual(await addressLines(lab, a), before);
      const empty = await vipctl(lab, a, ['flush', '--owned', 'dev', 'eth0']);
      assert.equal(empty.code, 0);
      assert.equal(empty.stdout, 'no addresses of ours on eth0: nothing to flush\n');
    });
  });

  it('never removes an address it did not add, unless --force', async () => {
    await withLab(uniquePrefix('vco'), async (lab) => {
      const { a } = await pair(lab, 72);
      // Added by hand: no mark (iproute2 6.1 cannot set one).
      await lab.exec(a, ['ip', 'addr', 'add', '10.72.0.50/24', 'dev', 'eth0'], { check: true });
      await lab.exec(a, ['ip', 'addr', 'add', 'fd72::50/64', 'dev', 'eth0', 'nodad'], { check: true });
      await vipctl(lab, a, ['add', '10.72.0.100/24', 'dev', 'eth0'], { check: true });

      for (const address of ['10.72.0.50/24', 'fd72::50/64', '10.72.0.1/24']) {
        const refused = await vipctl(lab, a, ['del', address, 'dev', 'eth0']);
        assert.equal(refused.code, 7, `${address}: ${refused.stderr}`);
        assert.equal(refused.stderr, `vipctl: ${address} on eth0 is not ours: it carries no mark (added by hand, by DHCP or another program); --force removes it anyway\n`);
        assert.equal(refused.stdout, '');
      }
      const present = await vipctl(lab, a, ['add', '10.72.0.50/24', 'dev', 'eth0']);
      assert.equal(present.stdout, '10.72.0.50/24 is already on eth0 (not ours): nothing to add\n');

      const flush = await vipctl(lab, a, ['flush', '--owned']);
      assert.equal(flush.stdout, 'deleted 10.72.0.100/24 from eth0\n');
      const left = await addressLines(lab, a);
      assert.ok(left.includes('eth0 10.72.0.50/24') && left.includes('eth0 fd72::50/64') && left.includes('eth0 10.72.0.1/24'), left.join(', '));
      assert.ok(!left.includes('eth0 10.72.0.100/24'));

      const forced = await vipctl(lab, a, ['del', '10.72.0.50/24', 'dev', 'eth0', '--force']);
      assert.equal(forced.code, 0, forced.stderr);
      assert.equal(forced.stdout, 'deleted 10.72.0.50/24 from eth0\n');
      assert.ok(!(await addressLines(lab, a)).includes('eth0 10.72.0.50/24'));
    });
  });

  it('gives one line and a distinct status for each error people meet', async () => {
    await withLab(uniquePrefix('vce'), async (lab) => {
      const { a } = await pair(lab, 73);
      await vipctl(lab, a, ['add', '10.73.0.100/24', 'dev', 'eth0'], { check: true });
      const before = await addressLines(lab, a);
      const cases: { args: string[]; code: number; stderr: RegExp; asNobody?: boolean }[] = [
        // 3: no such device
        { args: ['add', '10.73.0.101/24', 'dev', 'eth9'], code: 3, stderr: /^vipctl: eth9: no such device$/ },
        { args: ['del', '10.73.0.101/24', 'dev', 'eth9'], code: 3, stderr: /^vipctl: eth9: no such device$/ },
        { args: ['list', 'dev', 'eth9'], code: 3, stderr: /^vipctl: eth9: no such device$/ },
        { args: ['check', '10.73.0.100', 'dev', 'eth9'], code: 3, stderr: /^vipctl: eth9: no such device$/ },
        { args: ['add', '10.73.0.101/24', 'dev', 'eth0:1'], code: 3, stderr: /^vipctl: "eth0:1": no such device \(not an interface name\)$/ },
        // 4: not permitted
        { args: ['add', '10.73.0.101/24', 'dev', 'eth0'], code: 4, stderr: /^vipctl: add 10\.73\.0\.101\/24 on eth0: operation not permitted \(EPERM\): needs root or CAP_NET_ADMIN$/, asNobody: true },
        { args: ['del', '10.73.0.100/24', 'dev', 'eth0'], code: 4, stderr: /^vipctl: delete 10\.73\.0\.100\/24 from eth0: operation not permitted \(EPERM\)/, asNobody: true },
        { args: ['add', '10.73.0.101/24', 'dev', 'eth0', '--garp'], code: 4, stderr: /not permitted/, asNobody: true },
        // 5: invalid address
        { args: ['add', '10.73.0.300/24', 'dev', 'eth0'], code: 5, stderr: /^vipctl: "10\.73\.0\.300" is not an IPv4 or IPv6 address$/ },
        { args: ['add', '10.73.0.101/33', 'dev', 'eth0'], code: 5, stderr: /^vipctl: "10\.73\.0\.101\/33": the prefix length must be a number from 0 to 32$/ },
        { args: ['add', 'fd73::1/129', 'dev', 'eth0'], code: 5, stderr: /prefix length must be a number from 0 to 128/ },
        { args: ['check', 'nonsense'], code: 5, stderr: /^vipctl: "nonsense" is not an IPv4 or IPv6 address$/ },
        { args: ['add', '10.73.0.101/24', 'dev', 'eth0', 'label', 'eth1:x'], code: 5, stderr: /label "eth1:x" must start with the interface name "eth0"/ },
        { args: ['add', 'fd73::101/64', 'dev', 'eth0', 'label', 'eth0:6'], code: 5, stderr: /labels are for IPv4 addresses only/ },
        // 6: bound on another interface (or with another prefix length)
        { args: ['add', '10.73.0.100/24', 'dev', 'eth1'], code: 6, stderr: /^vipctl: 10\.73\.0\.100 is already bound: 10\.73\.0\.100\/24 on eth0 \(--force adds it anyway\)$/ },
        { args: ['add', '10.73.0.100/32', 'dev', 'eth0'], code: 6, stderr: /already bound: 10\.73\.0\.100\/24 on eth0/ },
        // 7: not ours
        { args: ['del', '10.73.0.1/24', 'dev', 'eth0'], code: 7, stderr: /is not ours/ },
        // 2: usage
        { args: [], code: 2, stderr: /^vipctl: give a command: add, del, list, check, flush, apply/ },
        { args: ['remove', '10.73.0.1'], code: 2, stderr: /^vipctl: unknown command "remove"/ },
        { args: ['add', '10.73.0.101/24'], code: 2, stderr: /^vipctl: add needs dev IF$/ },
        { args: ['add', 'dev', 'eth0'], code: 2, stderr: /^vipctl: add needs an address/ },
        { args: ['add', '10.73.0.101/24', 'dev'], code: 2, stderr: /^vipctl: dev needs a value$/ },
        { args: ['add', '10.73.0.101/24', 'dev', 'eth0', 'metric', '5'], code: 2, stderr: /^vipctl: unexpected argument "metric" for add$/ },
        { args: ['del', '10.73.0.101/24', 'dev', 'eth0', 'label', 'eth0:1'], code: 2, stderr: /^vipctl: unexpected argument "label" for del$/ },
        { args: ['flush'], code: 2, stderr: /^vipctl: flush removes only our addresses: say so with --owned$/ },
        { args: ['list', '--force'], code: 2, stderr: /^vipctl: --force does not go with list$/ },
        { args: ['add', '10.73.0.101/24', 'dev', 'eth0', '--garp-count', '3'], code: 2, stderr: /^vipctl: --garp-count goes with --garp$/ },
        { args: ['add', '10.73.0.101/24', 'dev', 'eth0', '--garp', '--garp-count', '5000'], code: 2, stderr: /--garp-count "5000": not a whole number from 1 to 1000/ },
        { args: ['list', '--frobnicate'], code: 2, stderr: /^vipctl: unknown option --frobnicate/ },
      ];
      for (const c of cases) {
        const result = await vipctl(lab, a, c.args, { asNobody: c.asNobody ?? false });
        const label = `vipctl ${c.args.join(' ')}${c.asNobody ? ' (as nobody)' : ''}`;
        assert.equal(result.code, c.code, `${label}: ${result.stderr}`);
        assert.match(result.stderr.trimEnd(), c.stderr, label);
        assert.equal(result.stderr.trimEnd().split('\n').length, 1, `${label}: one line`);
        assert.equal(result.stdout, '', label);
      }
      // As nobody, reading works: list and check need no privilege.
      const check = await vipctl(lab, a, ['check', '10.73.0.100'], { asNobody: true });
      assert.equal(check.code, 0, check.stderr);
      assert.deepEqual(await addressLines(lab, a), before, 'no error changed anything');
      // --help: once, with the exit statuses.
      const help = await vipctl(lab, a, ['--help'], { asNobody: true });
      assert.equal(help.code, 0);
      assert.match(help.stdout, /Exit status:\n {2}0 {2}done/);
      assert.equal(help.stdout.match(/Usage:/g)?.length, 1, 'help printed once');
    });
  });
});
