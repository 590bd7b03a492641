// The lab every checker test uses: a client namespace and a server namespace
// joined by a veth pair, with IPv4 and IPv6 addresses; hcheck (the built
// bundle) run in the client; real servers started in the server namespace;
// nftables rules there to make a host that drops packets.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand, type CommandResult, type Lab, type ProcessHandle } from '@keepalived-ts/test-utils';

export const HCHECK = fileURLToPath(new URL('../../tools/hcheck/dist/hcheck.js', import.meta.url));

export const skipUnlessRoot = process.getuid?.() === 0 ? false : 'needs root (network namespaces)';

/** Skips a test whose Debian package is missing (scripts/setup.sh installs them all). */
export async function missing(command: string, debianPackage: string): Promise<string | false> {
  const found = (await runCommand(['sh', '-c', `command -v ${command}`])).code === 0;
  return found ? false : `needs ${command} (Debian package ${debianPackage}; bash scripts/setup.sh installs it)`;
}

export const CLIENT_V4 = '10.91.0.1';
/** A second client address, to show bindto. */
export const CLIENT_V4_OTHER = '10.91.0.3';
export const SERVER_V4 = '10.91.0.2';
export const CLIENT_V6 = 'fd91::1';
export const SERVER_V6 = 'fd91::2';

export interface CheckLab {
  readonly lab: Lab;
  readonly client: string;
  readonly server: string;
}

export async function makeCheckLab(lab: Lab): Promise<CheckLab> {
  if (!existsSync(HCHECK)) assert.fail(`${HCHECK} is missing: build first (node scripts/build.mjs)`);
  const client = await lab.addNamespace('c');
  const server = await lab.addNamespace('s');
  await lab.connect(client, server);
  await lab.addAddress(client, 'eth0', `${CLIENT_V4}/24`);
  await lab.addAddress(client, 'eth0', `${CLIENT_V4_OTHER}/24`);
  await lab.addAddress(server, 'eth0', `${SERVER_V4}/24`);
  await lab.addAddress(client, 'eth0', `${CLIENT_V6}/64`);
  await lab.addAddress(server, 'eth0', `${SERVER_V6}/64`);
  return { lab, client, server };
}

export interface HcheckRun extends CommandResult {
  /** The --json object, when asked for. */
  readonly json: Record<string, unknown> | undefined;
}

/** Runs hcheck in the client namespace (no colour: stdout is a pipe). */
export async function hcheck(lab: CheckLab, args: readonly string[], timeoutMs = 20_000): Promise<HcheckRun> {
  const result = await lab.lab.exec(lab.client, [process.execPath, HCHECK, ...args], { timeoutMs });
  assert.equal(result.timedOut, false, `hcheck ${args.join(' ')} did not end`);
  const json = args.includes('--json') && result.stdout.trim().startsWith('{') ? (JSON.parse(result.stdout) as Record<string, unknown>) : undefined;
  return { ...result, json };
}

/** hcheck ARGS --json: asserts the exit status agrees with the status, returns the object. */
export async function check(lab: CheckLab, args: readonly string[]): Promise<Record<string, unknown>> {
  const run = await hcheck(lab, [...args, '--json']);
  assert.ok(run.json, `hcheck ${args.join(' ')}: no JSON (exit ${run.code}): ${run.stdout}${run.stderr}`);
  assert.equal(run.code, run.json['status'] === 'up' ? 0 : 1, `exit status ${run.code} for ${JSON.stringify(run.json)}`);
  return run.json;
}

/** Drops packets that match `match` (nft syntax, e.g. "tcp dport 80") on their way into `ns`. */
export async function dropInbound(lab: CheckLab, ns: string, match: string): Promise<void> {
  const nft = (command: string): Promise<CommandResult> => lab.lab.exec(ns, ['nft', command], { check: true });
  // `add` (unlike `create`) leaves an existing table or chain alone.
  await nft('add table inet kt');
  await nft('add chain inet kt input { type filter hook input priority 0 ; }');
  await nft(`add rule inet kt input ${match} drop`);
}

export async function clearDrops(lab: CheckLab, ns: string): Promise<void> {
  await lab.lab.exec(ns, ['nft', 'delete', 'table', 'inet', 'kt']);
}

/** socat with -d -d in `ns`, once it listens (a listening address) or has opened both ends (UDP-RECV). */
export async function socat(lab: CheckLab, ns: string, addresses: readonly string[]): Promise<ProcessHandle> {
  const handle = await lab.lab.spawn(ns, ['socat', '-d', '-d', ...addresses]);
  await handle.waitForLine(/listening on|starting data transfer loop/, { timeoutMs: 5_000 });
  return handle;
}

/** An executable shell script in the lab's temporary directory. */
export async function script(lab: Lab, name: string, body: string): Promise<string> {
  const dir = await lab.tempDir('sh');
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  // Scripts run as another user (misc --user) must reach them.
  await chmod(dir, 0o755);
  return path;
}
