// What the vipctl and garp tests share: the built commands, running them in
// a namespace (as root, or as nobody without capabilities), and the kernel's
// own view of the addresses (`ip -j addr`), which is the judge.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CommandResult, Lab, RunOptions } from '@keepalived-ts/test-utils';

export const VIPCTL = fileURLToPath(new URL('../../tools/vipctl/dist/vipctl.js', import.meta.url));
export const GARP = fileURLToPath(new URL('../../tools/garp/dist/garp.js', import.meta.url));

/** The tests run the bundles, as an operator would; they are built by `pnpm build` (scripts/test.sh does it). */
export function missingBuild(): string | false {
  const missing = [VIPCTL, GARP].filter((file) => !existsSync(file));
  return missing.length === 0 ? false : `not built (${missing.join(', ')}): run pnpm build`;
}

/** setpriv(1): no root, no capabilities, inherited or otherwise. */
export const AS_NOBODY = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=-all'] as const;

export interface ToolOptions extends RunOptions {
  readonly asNobody?: boolean;
}

export function runTool(lab: Lab, ns: string, tool: string, args: readonly string[], options: ToolOptions = {}): Promise<CommandResult> {
  const { asNobody, ...run } = options;
  return lab.exec(ns, [...(asNobody ? AS_NOBODY : []), process.execPath, tool, ...args], { timeoutMs: 20_000, ...run });
}

export const vipctl = (lab: Lab, ns: string, args: readonly string[], options?: ToolOptions) => runTool(lab, ns, VIPCTL, args, options);
export const garp = (lab: Lab, ns: string, args: readonly string[], options?: ToolOptions) => runTool(lab, ns, GARP, args, options);

export interface KernelAddress {
  readonly dev: string;
  /** ADDR/PREFIX. */
  readonly cidr: string;
  readonly label?: string;
}

/** Every address in `ns`, as `ip -j addr` reports it. */
export async function kernelAddresses(lab: Lab, ns: string): Promise<KernelAddress[]> {
  const { stdout } = await lab.exec(ns, ['ip', '-j', 'addr', 'show'], { check: true });
  const links = JSON.parse(stdout) as { ifname: string; addr_info: { local: string; prefixlen: number; label?: string }[] }[];
  return links.flatMap((link) => link.addr_info.map((a) => ({ dev: link.ifname, cidr: `${a.local}/${a.prefixlen}`, ...(a.label !== undefined && { label: a.label }) })));
}

/** `dev cidr` of every address in `ns` that is not link-local (the kernel's own). */
export async function addressLines(lab: Lab, ns: string): Promise<string[]> {
  return (await kernelAddresses(lab, ns)).filter((a) => !a.cidr.startsWith('fe80:')).map((a) => `${a.dev} ${a.cidr}`);
}

/** The neighbour entry for `ip` on eth0 of `ns` (`ip -j neigh`), if any. */
export async function neighbour(lab: Lab, ns: string, ip: string): Promise<{ lladdr?: string; state?: string[] } | undefined> {
  const family = ip.includes(':') ? '-6' : '-4';
  const { stdout } = await lab.exec(ns, ['ip', family, '-j', 'neigh', 'show', 'dev', 'eth0', 'to', ip], { check: true });
  const entries = JSON.parse(stdout || '[]') as { dst: string; lladdr?: string; state?: string[] }[];
  return entries.find((entry) => entry.dst === ip);
}

/** A host namespace `a` with eth0 (10.<n>.0.1/24, fd<n>::1/64) and eth1, joined to a neighbour namespace `b` (eth0, .2/::2). */
export async function pair(lab: Lab, subnet: number): Promise<{ a: string; b: string }> {
  const a = await lab.addNamespace('a');
  const b = await lab.addNamespace('b');
  await lab.connect(a, b, { up: false });
  // A second interface in `a`, for addresses bound elsewhere; its peer stays in `a`.
  await lab.exec(a, ['ip', 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth1p'], { check: true });
  for (const [ns, host] of [[a, 1], [b, 2]] as const) {
    // Fixed link-local addresses only: no automatic ones to filter out of the listings.
    await lab.exec(ns, ['ip', 'link', 'set', 'eth0', 'addrgenmode', 'none'], { check: true });
    await lab.linkUp(ns, 'eth0');
    await lab.addAddress(ns, 'eth0', `10.${subnet}.0.${host}/24`);
    await lab.addAddress(ns, 'eth0', `fd${subnet}::${host}/64`);
    await lab.addAddress(ns, 'eth0', `fe80::${host}/64`);
  }
  await lab.exec(a, ['ip', 'link', 'set', 'eth1', 'addrgenmode', 'none'], { check: true });
  await lab.linkUp(a, 'eth1');
  await lab.linkUp(a, 'eth1p');
  return { a, b };
}
