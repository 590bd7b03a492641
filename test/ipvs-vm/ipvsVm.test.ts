// The harness against a real guest: one boot runs every check that can share
// it (each boot costs about 6 s under TCG), and a second boot shows that a
// command past its timeout fails the run clearly. Needs root; the first run
// on a machine also installs QEMU and downloads the kernel (about 30 s).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { IpvsVmError, formatSummary, runInIpvsVm, type IpvsVmResult } from './ipvsVm.js';

const skip = process.getuid?.() === 0 ? false : 'needs root: QEMU exports the whole of / to the guest, and first use installs QEMU with apt-get';

/** Long enough for a first-ever setup (apt-get install, 70 MB download) on a slow mirror. */
const FIRST_SETUP_ALLOWANCE_MS = 10 * 60_000;

const genlFamilyScript = fileURLToPath(new URL('./genlFamily.mjs', import.meta.url));

/** Sections of the batch's stdout, each under a "== name" line. */
function sections(stdout: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const part of stdout.split(/^== /m).slice(1)) {
    const newline = part.indexOf('\n');
    found.set(part.slice(0, newline), part.slice(newline + 1));
  }
  return found;
}

function section(result: IpvsVmResult, name: string): string {
  const text = sections(result.stdout).get(name);
  assert.ok(text !== undefined, `no "== ${name}" section in the guest's stdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return text;
}

describe('ipvs-vm: one boot runs the batch', { skip }, () => {
  let result: IpvsVmResult;

  before(
    async () => {
      result = await runInIpvsVm(
        `
echo "== ipvsadm"
ipvsadm -A -t 10.1.1.1:80 -s rr && ipvsadm -a -t 10.1.1.1:80 -r 10.1.1.2:80 -m && ipvsadm -Ln
echo "ipvsadm status $?"
echo "== proc"
cat /proc/net/ip_vs
echo "== genl"
node ${genlFamilyScript} IPVS
echo "node status $?"
echo "== end"
echo "to stderr" >&2
exit 3
`,
        { timeoutMs: 120_000 },
      );
    },
    { timeout: FIRST_SETUP_ALLOWANCE_MS },
  );

  it('ipvsadm adds a service and a real server, and -Ln shows them', () => {
    const text = section(result, 'ipvsadm');
    assert.match(text, /^IP Virtual Server version \d+\.\d+\.\d+ \(size=\d+\)$/m);
    assert.match(text, /^TCP {2}10\.1\.1\.1:80 rr\s*$/m);
    assert.match(text, /^ {2}-> 10\.1\.1\.2:80\s+Masq\s+1\s+0\s+0\s*$/m);
    assert.match(text, /^ipvsadm status 0$/m);
  });

  it('/proc/net/ip_vs exists and lists the service in hex', () => {
    const text = section(result, 'proc');
    assert.match(text, /^IP Virtual Server version/m);
    assert.match(text, /^TCP {2}0A010101:0050 rr/m);
    assert.match(text, /-> 0A010102:0050\s+Masq/);
  });

  it('node runs, and the netlink package resolves the IPVS generic netlink family', () => {
    const text = section(result, 'genl');
    assert.match(text, /^node status 0$/m);
    const family = JSON.parse(text.split('\n')[0] ?? '') as { id: number; name: string; version: number };
    assert.equal(family.name, 'IPVS');
    assert.equal(family.version, 1);
    assert.ok(family.id >= 16, `generic netlink family ids start at 16, got ${family.id}`);
  });

  it("returns the command's exit status (3)", () => {
    assert.equal(result.code, 3);
  });

  it('brings back stdout and stderr separately', () => {
    assert.match(result.stdout, /^== end\n$/m);
    assert.equal(result.stderr, 'to stderr\n');
  });

  it('reports the boot timings in order', (t) => {
    const { shellMs, modulesMs, commandMs, qemuMs } = result.timings;
    t.diagnostic(formatSummary(result));
    assert.ok(shellMs !== undefined && modulesMs !== undefined && commandMs !== undefined);
    assert.ok(shellMs <= modulesMs && modulesMs <= commandMs && commandMs <= qemuMs, JSON.stringify(result.timings));
  });
});

describe('ipvs-vm: timeout', { skip }, () => {
  it('fails clearly when the command runs past its timeout', { timeout: FIRST_SETUP_ALLOWANCE_MS }, async (t) => {
    const started = Date.now();
    await assert.rejects(runInIpvsVm('echo started; sleep 60; echo never', { timeoutMs: 2_000 }), (error: unknown) => {
      assert.ok(error instanceof IpvsVmError, String(error));
      assert.equal(error.reason, 'timeout');
      assert.match(error.message, /command timed out after 2 s/);
      // What the command printed before it was killed still comes back.
      assert.equal(error.result.stdout, 'started\n');
      t.diagnostic(formatSummary({ timedOut: true, timings: error.result.timings }));
      return true;
    });
    // Killed at 2 s, not left to sleep its 60 s (the run also includes the boot).
    assert.ok(Date.now() - started < 45_000, `took ${Date.now() - started} ms`);
  });
});
