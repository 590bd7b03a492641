// ipvsadm-ts against Debian's ipvsadm 1.31 on a real IPVS, in one boot of
// the test/ipvs-vm guest: the same steps run twice from a clean table, once
// made with ipvsadm-ts and once with ipvsadm; after each step ipvsadm lists
// the table (so a change made by ipvsadm-ts must read back as ipvsadm's own),
// and at checkpoints both tools list it in every format (so ipvsadm-ts must
// print what ipvsadm prints for the same state). Then -R both ways, and a
// seeded random sequence of operations compared the same way.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { runInIpvsVm } from '@keepalived-ts/test-ipvs-vm';
import { buildScript, parseTranscript, randomOps, type Step } from './script.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const TOOL_JS = `${ROOT}tools/ipvsadm-ts/dist/ipvsadm-ts.js`;
const TS = `node ${TOOL_JS}`;
const SEED = Number(process.env.IPVS_TEST_SEED ?? 20261123);
const RANDOM_OPS = Number(process.env.IPVS_TEST_OPS ?? 120);
const notRoot = process.getuid?.() !== 0 ? 'the IPVS guest needs root (qemu, /opt/ipvs-vm)' : false;

const FIXED: string[][] = [
  ['-A', '-t', '10.0.0.1:80', '-s', 'rr'],
  ['-A', '-t', '10.0.0.1:80', '-s', 'rr'],
  ['-a', '-t', '10.0.0.1:80', '-r', '10.0.1.1:80', '-m', '-w', '3', '-x', '100', '-y', '10'],
  ['-a', '-t', '10.0.0.1:80', '-r', '10.0.1.2', '-g', '-w', '0'],
  ['-a', '-t', '10.0.0.1:80', '-r', '10.0.1.3', '-i'],
  ['-a', '-t', '10.0.0.1:80', '-r', '10.0.1.3', '-i'],
  ['-a', '-t', '10.0.0.1:80', '-r', '192.168.1.3:8080', '-m', '-w', '65535'],
  ['-A', '-u', '10.0.0.2:53', '-s', 'sh', '-b', 'sh-fallback,sh-port'],
  ['-A', '-t', '[2001:db8::1]:443', '-s', 'wlc', '-p', '300', '-M', '64'],
  ['-a', '-t', '[2001:db8::1]:443', '-r', '[2001:db8::2]:8443', '-m'],
  ['-a', '-t', '[2001:db8::1]:443', '-r', '[2001:db8::3]'],
  ['-A', '-f', '42', '-s', 'lc', '-p'],
  ['-A', '-f', '43', '-6', '-s', 'wrr'],
  ['-a', '-f', '42', '-r', '10.0.3.1', '-w', '5'],
  ['-a', '-f', '43', '-6', '-r', '[2001:db8::9]', '-w', '2'],
  ['-A', '--sctp-service', '10.0.0.3:3868', '-s', 'rr'],
  ['-a', '--sctp-service', '10.0.0.3:3868', '-r', '10.0.4.1', '-m'],
  ['-A', '--sctp-service', '10.0.0.3:3869', '-s', 'rr', '-o'],
  ['-A', '-u', '10.0.0.4:0', '-s', 'rr', '-p', '60', '-M', '255.255.255.0', '-o'],
  ['-A', '-t', '10.0.0.5:22', '--pe', 'sip'],
  ['-A', '-t', '10.0.0.6:80', '-s', 'nosuch'],
  ['-A', '-t', '10.0.0.7:0', '-s', 'rr'],
  ['-A', '-t', '10.0.0.7:80', '-r', '1.2.3.4'],
  ['-E', '-t', '10.0.0.1:80', '-s', 'wlc', '-p', '120'],
  ['-E', '-t', '10.0.0.99:80', '-s', 'wlc'],
  ['-e', '-t', '10.0.0.1:80', '-r', '10.0.1.1:80', '-m', '-w', '7'],
  ['-e', '-t', '10.0.0.1:80', '-r', '10.0.9.9'],
  ['-d', '-t', '10.0.0.1:80', '-r', '10.0.9.9'],
  ['-a', '-t', '10.0.0.9:80', '-r', '10.0.9.9'],
  ['-D', '-t', '10.0.0.9:80'],
  ['-Z', '-t', '10.0.0.9:80'],
  ['-Ln', '-t', '10.0.0.9:80'],
  ['-Ln', '-t', '10.0.0.1:80'],
  ['-L', '-n', '-t', '10.0.0.1:80', '--stats'],
  ['-Q'],
  ['-A'],
  ['-L', '-c', '--stats'],
  ['-A', '-t', '10.0.0.10:80', '-w', '5'],
  ['-a', '-t', '10.0.0.1:80', '-r', '10.0.1.5', '-w', '99999'],
  ['-A', '-t', '10.0.0.10:80', '-p', 'x'],
  ['-A', '-f', '0'],
  ['-A', '-t', '10.0.0.1:80', '-A'],
  ['-A', '-t', '10.0.0.10:80', '-s', 'rr', '-s', 'wlc'],
  ['-Z'],
  ['-d', '-t', '10.0.0.1:80', '-r', '10.0.1.2'],
];

/** The listings compared at a checkpoint: by either tool, in every format. */
const VIEWS = [['-Ln'], ['-L'], ['-Sn'], ['-S'], ['-Ln', '--stats'], ['-Ln', '--rate'], ['-Ln', '--thresholds'], ['-Ln', '--persistent-conn'], ['-Ln', '--stats', '--exact'], ['-Lnc'], ['-Ln', '--timeout']];

const viewsBy = (tag: string, prog: string, views: readonly (readonly string[])[]): string =>
  views.map((v, i) => `echo "@@${tag}${i}"; ${prog} ${v.join(' ')} 2>&1; echo "rc=$?"`).join('\n');

function passScript(tool: string, steps: readonly Step[], checkpointEvery: number, views: readonly (readonly string[])[]): string {
  let n = 0;
  return buildScript(tool, steps, () => {
    n++;
    const parts = ['echo "@@ADM"; ipvsadm -Sn'];
    if (n % checkpointEvery === 0 || n === steps.length) parts.push(viewsBy('A', 'ipvsadm', views), viewsBy('T', TS, views));
    return parts.join('\n');
  });
}

const norm = (s: string | undefined): string => (s ?? '').replaceAll('ipvsadm-ts', 'ipvsadm');

interface Compared {
  readonly transcripts: [Map<string, Map<string, string>>, Map<string, Map<string, string>>];
}

function compareViews(label: string, steps: Map<string, Map<string, string>>, views: readonly (readonly string[])[]): number {
  let checked = 0;
  for (const [id, parts] of steps) {
    for (let i = 0; i < views.length; i++) {
      const a = parts.get(`A${i}`);
      if (a === undefined) continue;
      assert.equal(norm(parts.get(`T${i}`)), a, `${label} step ${id}: ipvsadm-ts ${views[i]!.join(' ')} differs from ipvsadm's`);
      checked++;
    }
  }
  return checked;
}

function compareRuns({ transcripts: [byTs, byAdm] }: Compared, label: string): void {
  assert.ok(byTs.size > 0 && byTs.size === byAdm.size, `${label}: the transcripts are incomplete (${byTs.size} / ${byAdm.size} steps)`);
  for (const [id, t] of byTs) {
    const a = byAdm.get(id)!;
    assert.equal(norm(t.get('ERR')), a.get('ERR'), `${label} step ${id}: stderr differs`);
    assert.equal(t.get('RC'), a.get('RC'), `${label} step ${id}: exit status differs`);
    assert.equal(norm(t.get('OUT')), a.get('OUT'), `${label} step ${id}: stdout differs`);
    assert.equal(t.get('ADM'), a.get('ADM'), `${label} step ${id}: the table ipvsadm -Sn reads differs`);
  }
}

describe('ipvsadm-ts against ipvsadm 1.31 in the IPVS guest', { skip: notRoot, timeout: 900_000 }, () => {
  let out = '';
  before(async () => {
    await build({
      entryPoints: [`${ROOT}tools/ipvsadm-ts/src/main.ts`],
      outfile: TOOL_JS,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      conditions: ['source'],
      external: ['netlink'],
      banner: { js: '#!/usr/bin/env node' },
      logLevel: 'warning',
    });
    const fixed: Step[] = FIXED.map((args, i) => ({ id: `f${i}`, args }));
    const random: Step[] = randomOps(SEED, RANDOM_OPS).map((args, i) => ({ id: `r${i}`, args }));
    const restoreText = [
      '-A -t 10.5.0.1:80 -s rr',
      '-a -t 10.5.0.1:80 -r 10.6.0.1:80 -m -w 3',
      '-a -t 10.5.0.1:80 -r 10.6.0.2:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum',
      '-A -u [2001:db8::5]:53 -s sh -b sh-port -p 30 -M 96',
      '-a -u [2001:db8::5]:53 -r [2001:db8::6]:53 -m -w 2',
      '-A -f 9 -s lc -p 360',
      '-a -f 9 -r 10.6.0.9:0 -g -w 5',
      '',
    ].join('\n');
    const script = [
      'set +e',
      // Pass 1: ipvsadm-ts makes the changes.
      'echo "@@@@PASS ts-fixed"',
      passScript(TS, fixed, 15, VIEWS),
      'ipvsadm -C',
      'echo "@@@@PASS adm-fixed"',
      passScript('ipvsadm', fixed, 15, VIEWS),
      'ipvsadm -C',
      'echo "@@@@PASS ts-random"',
      passScript(TS, random, 10, [['-Ln'], ['-Sn']]),
      'ipvsadm -C',
      'echo "@@@@PASS adm-random"',
      passScript('ipvsadm', random, 10, [['-Ln'], ['-Sn']]),
      'ipvsadm -C',
      'echo "@@@@PASS restore"',
      buildScript(TS, [{ id: 'ts-R', args: ['-R'], stdin: restoreText }], () => 'echo "@@ADM"; ipvsadm -Sn; ipvsadm -Sn > /tmp/saved; ipvsadm -C'),
      buildScript('ipvsadm', [{ id: 'adm-R', args: ['-R'], stdin: restoreText }], () => `echo "@@ADM"; ipvsadm -Sn; echo "@@TSSAVE"; ${TS} -Sn > /tmp/ts-saved; cat /tmp/ts-saved; ipvsadm -C; ipvsadm -R < /tmp/ts-saved; echo "@@ROUNDTRIP"; ipvsadm -Sn; echo "@@JSON"; ${TS} -Ln --json`),
    ].join('\n');
    const result = await runInIpvsVm(script, { timeoutMs: 800_000 });
    out = result.stdout;
    if (!out.includes('@@@@PASS restore')) throw new Error(`the guest run did not finish (status ${result.code}): ${result.stderr.slice(-2000)}`);
  });

  const pass = (name: string): Map<string, Map<string, string>> => {
    const start = out.indexOf(`@@@@PASS ${name}\n`);
    const end = out.indexOf('@@@@PASS', start + 1);
    return parseTranscript(out.slice(start, end < 0 ? undefined : end));
  };

  it('fixed steps: ipvsadm-ts changes read back with ipvsadm -Sn exactly as ipvsadm\'s own, with the same messages and statuses', () => {
    compareRuns({ transcripts: [pass('ts-fixed'), pass('adm-fixed')] }, 'fixed');
  });

  it('fixed steps: ipvsadm-ts lists (-Ln, -L, -S, -Sn, --stats, --rate, --thresholds, --persistent-conn, --exact, -Lnc, --timeout) what ipvsadm lists, on states made by either tool', () => {
    const n = compareViews('ts-made', pass('ts-fixed'), VIEWS) + compareViews('adm-made', pass('adm-fixed'), VIEWS);
    assert.ok(n >= VIEWS.length * 4, `only ${n} listings compared`);
  });

  it(`random sequence (seed ${SEED}, ${RANDOM_OPS} operations): same messages, statuses and tables after every step`, () => {
    compareRuns({ transcripts: [pass('ts-random'), pass('adm-random')] }, `random seed ${SEED}`);
    const n = compareViews('random ts-made', pass('ts-random'), [['-Ln'], ['-Sn']]) + compareViews('random adm-made', pass('adm-random'), [['-Ln'], ['-Sn']]);
    assert.ok(n >= 2 * Math.floor(RANDOM_OPS / 10), `only ${n} listings compared`);
  });

  it('-R reads what ipvsadm -S writes, and ipvsadm -R reads what ipvsadm-ts -S writes', () => {
    const steps = pass('restore');
    const ts = steps.get('ts-R')!;
    const adm = steps.get('adm-R')!;
    assert.equal(norm(ts.get('ERR')), adm.get('ERR'));
    assert.equal(ts.get('RC'), adm.get('RC'));
    assert.equal(ts.get('ADM'), adm.get('ADM'));
    assert.equal(adm.get('TSSAVE'), adm.get('ADM'));
    assert.equal(adm.get('ROUNDTRIP'), adm.get('ADM'));
    const json = JSON.parse(adm.get('JSON') ?? '') as { services: unknown[] };
    assert.equal(json.services.length, 3);
  });
});
