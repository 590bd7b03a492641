import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isIPv6 } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCommand, type CommandResult, type RunOptions } from './command.js';
import { assertInterfaceName } from './names.js';
import { spawnProcess, type ProcessHandle, type SpawnOptions } from './process.js';

/** The two ends of a veth pair, each named inside its own namespace. */
export interface VethLink {
  readonly a: { readonly ns: string; readonly ifname: string };
  readonly b: { readonly ns: string; readonly ifname: string };
}

export interface ConnectOptions {
  /** Name of the end in namespace `a` (default `eth0`). */
  readonly ifA?: string;
  /** Name of the end in namespace `b` (default `eth0`). */
  readonly ifB?: string;
  /** Bring both ends up (default true). */
  readonly up?: boolean;
}

export interface PlugOptions {
  /** Name of the node's end (default `eth0`). */
  readonly ifname?: string;
  /** Bring the link up (default true). */
  readonly up?: boolean;
}

/** The bridge every switch namespace holds. */
export const SWITCH_BRIDGE = 'br0';

const NS_SHORT_NAME = /^[a-z0-9][a-z0-9-]{0,30}$/;

/**
 * A set of network namespaces joined by veth links, and the processes run in
 * them. Everything it makes carries its unique `prefix`, and `destroy()` undoes
 * all of it; use it through `withLab`, which calls `destroy()` in a `finally`.
 *
 * Links are created directly inside the namespaces (`ip -n A link add ... peer
 * ... netns B`), so no interface of a lab ever appears in the host's namespace,
 * and deleting the namespaces deletes every link.
 */
export class Lab {
  private readonly namespaces: string[] = [];
  private readonly processes = new Set<ProcessHandle>();
  private readonly tempDirs: string[] = [];
  private switchPorts = 0;
  private destroyed = false;

  constructor(readonly prefix: string) {
    if (!/^[a-z0-9]{1,11}$/.test(prefix)) {
      throw new RangeError(`Lab: prefix ${JSON.stringify(prefix)} must be 1-11 characters of [a-z0-9] (see uniquePrefix)`);
    }
  }

  /** The namespaces made so far (full names), in creation order. */
  get namespaceNames(): readonly string[] {
    return [...this.namespaces];
  }

  /** Full namespace name for a short one: `nsName('a')` is `<prefix>-a`. */
  nsName(short: string): string {
    return `${this.prefix}-${short}`;
  }

  /**
   * Creates namespace `<prefix>-<short>` with `lo` up, and returns its full name.
   * IPv6 duplicate address detection is turned off in it, so the automatic
   * link-local address is usable at once (keepalived's VRRPv3 over IPv6 needs one).
   */
  async addNamespace(short: string): Promise<string> {
    this.assertAlive();
    if (!NS_SHORT_NAME.test(short)) throw new RangeError(`addNamespace: bad short name ${JSON.stringify(short)}`);
    const ns = this.nsName(short);
    await runCommand(['ip', 'netns', 'add', ns], { check: true });
    // Recorded before anything else can fail, so destroy() removes it.
    this.namespaces.push(ns);
    await this.exec(ns, ['ip', 'link', 'set', 'lo', 'up'], { check: true });
    // Through /proc rather than sysctl(8), which slim images lack; /proc/sys/net
    // shows the namespace of the process that opens it, hence the shell inside.
    await this.exec(
      ns,
      ['sh', '-c', 'echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad && echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad'],
      { check: true },
    );
    return ns;
  }

  /** A veth pair with one end in each namespace (both `eth0` unless named). */
  async connect(a: string, b: string, options: ConnectOptions = {}): Promise<VethLink> {
    this.assertAlive();
    this.assertOwned(a);
    this.assertOwned(b);
    const ifA = options.ifA ?? 'eth0';
    const ifB = options.ifB ?? 'eth0';
    assertInterfaceName(ifA);
    assertInterfaceName(ifB);
    await this.exec(a, ['ip', 'link', 'add', ifA, 'type', 'veth', 'peer', 'name', ifB, 'netns', b], { check: true });
    if (options.up ?? true) {
      await this.linkUp(a, ifA);
      await this.linkUp(b, ifB);
    }
    return { a: { ns: a, ifname: ifA }, b: { ns: b, ifname: ifB } };
  }

  /**
   * A namespace holding one bridge (`br0`), to join more than two nodes on one
   * segment with `plug`. Returns the namespace's full name.
   */
  async addSwitch(short: string): Promise<string> {
    const ns = await this.addNamespace(short);
    await this.exec(ns, ['ip', 'link', 'add', SWITCH_BRIDGE, 'type', 'bridge'], { check: true });
    await this.linkUp(ns, SWITCH_BRIDGE);
    return ns;
  }

  /** Joins namespace `ns` to switch `switchNs` by a veth pair; returns the node's interface name. */
  async plug(ns: string, switchNs: string, options: PlugOptions = {}): Promise<string> {
    this.assertAlive();
    this.switchPorts += 1;
    const port = `port${this.switchPorts}`;
    const ifname = options.ifname ?? 'eth0';
    await this.connect(ns, switchNs, { ifA: ifname, ifB: port, up: false });
    await this.exec(switchNs, ['ip', 'link', 'set', port, 'master', SWITCH_BRIDGE], { check: true });
    await this.linkUp(switchNs, port);
    if (options.up ?? true) await this.linkUp(ns, ifname);
    return ifname;
  }

  /**
   * Adds `cidr` (e.g. `10.77.0.1/24`, `fd77::1/64`, `fe80::1/64`) to an interface.
   * IPv6 addresses get `nodad` so that they can be bound and sent from at once.
   */
  async addAddress(ns: string, ifname: string, cidr: string): Promise<void> {
    this.assertOwned(ns);
    const address = cidr.split('/')[0] ?? '';
    const argv = ['ip', 'address', 'add', cidr, 'dev', ifname];
    if (isIPv6(address)) argv.push('nodad');
    await this.exec(ns, argv, { check: true });
  }

  async linkUp(ns: string, ifname: string): Promise<void> {
    await this.exec(ns, ['ip', 'link', 'set', ifname, 'up'], { check: true });
  }

  async linkDown(ns: string, ifname: string): Promise<void> {
    await this.exec(ns, ['ip', 'link', 'set', ifname, 'down'], { check: true });
  }

  /** Runs a command in `ns` to completion (default timeout 10 s; `check` throws on failure). */
  async exec(ns: string, argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    this.assertOwned(ns);
    return runCommand(['ip', 'netns', 'exec', ns, ...argv], options);
  }

  /**
   * Starts a long-running command in `ns`. `ip netns exec` execs the command,
   * so the handle's PID is the command's own. `destroy()` stops it.
   */
  async spawn(ns: string, argv: readonly string[], options: SpawnOptions = {}): Promise<ProcessHandle> {
    this.assertAlive();
    this.assertOwned(ns);
    const handle = await spawnProcess(['ip', 'netns', 'exec', ns, ...argv], options);
    this.processes.add(handle);
    void handle.exited.then(() => this.processes.delete(handle));
    return handle;
  }

  /** A fresh temporary directory, removed by `destroy()` (for configs and pid files). */
  async tempDir(tag: string): Promise<string> {
    this.assertAlive();
    const dir = await mkdtemp(join(tmpdir(), `${this.prefix}-${tag}-`));
    this.tempDirs.push(dir);
    return dir;
  }

  /**
   * Stops every process this lab started (SIGTERM, then SIGKILL), then any
   * process still inside the lab's namespaces, deletes the namespaces (and with
   * them every link) and the temporary directories. Safe to call twice; tries
   * every step and throws an AggregateError listing what failed.
   */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    const errors: unknown[] = [];

    await Promise.all([...this.processes].map((handle) => handle.stop('SIGTERM', { timeoutMs: 3_000 })));

    // Children of our processes (keepalived's VRRP process, a shell's
    // commands) can outlive their parent. They can only be in these namespaces
    // because the lab made them, so ending them ends only what the lab started.
    for (const ns of this.namespaces) {
      try {
        await this.killRemaining(ns);
      } catch (error) {
        errors.push(error);
      }
    }

    for (const ns of [...this.namespaces].reverse()) {
      const result = await runCommand(['ip', 'netns', 'delete', ns]);
      if (result.code !== 0 && !/No such file/.test(result.stderr)) {
        errors.push(new Error(`ip netns delete ${ns}: ${result.stderr.trim()}`));
      }
    }
    this.namespaces.length = 0;

    for (const dir of this.tempDirs) {
      try {
        await rm(dir, { recursive: true, force: true });
      } catch (error) {
        errors.push(error);
      }
    }
    this.tempDirs.length = 0;

    if (errors.length > 0) throw new AggregateError(errors, `Lab ${this.prefix}: ${errors.length} cleanup step(s) failed`);
  }

  private async killRemaining(ns: string): Promise<void> {
    // Bounded: 20 rounds of 100 ms.
    for (let round = 0; round < 20; round += 1) {
      const result = await runCommand(['ip', 'netns', 'pids', ns], { timeoutMs: 5_000 });
      const pids = result.stdout
        .split('\n')
        .map((line) => Number.parseInt(line, 10))
        .filter((pid) => Number.isInteger(pid) && pid > 1 && pid !== process.pid);
      if (pids.length === 0) return;
      for (const pid of pids) {
        try {
          process.kill(pid, round === 0 ? 'SIGTERM' : 'SIGKILL');
        } catch {
          // ESRCH: already gone.
        }
      }
      await sleep(100);
    }
    throw new Error(`processes still running in namespace ${ns} after SIGKILL`);
  }

  private assertAlive(): void {
    if (this.destroyed) throw new Error(`Lab ${this.prefix} is already destroyed`);
  }

  private assertOwned(ns: string): void {
    // Hygiene: a lab only ever acts inside namespaces it made.
    if (!this.namespaces.includes(ns)) throw new Error(`namespace ${ns} does not belong to lab ${this.prefix}`);
  }
}

// Labs alive in this process, so that SIGINT/SIGTERM can still clean up.
const liveLabs = new Set<Lab>();
const CLEANUP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  for (const name of CLEANUP_SIGNALS) process.off(name, onSignal);
  const labs = [...liveLabs];
  liveLabs.clear();
  const deadline = sleep(10_000);
  await Promise.race([Promise.allSettled(labs.map((lab) => lab.destroy())), deadline]);
  // Handlers removed: re-raise so the process ends the way the signal says.
  process.kill(process.pid, signal);
}

function register(lab: Lab): void {
  if (liveLabs.size === 0) for (const name of CLEANUP_SIGNALS) process.on(name, onSignal);
  liveLabs.add(lab);
}

function unregister(lab: Lab): void {
  liveLabs.delete(lab);
  if (liveLabs.size === 0) for (const name of CLEANUP_SIGNALS) process.off(name, onSignal);
}

/**
 * Runs `body` with a new lab whose names start with `prefix` (from
 * `uniquePrefix`), and destroys the lab afterwards whatever happens: in a
 * `finally`, and also if the test process gets SIGINT or SIGTERM meanwhile.
 */
export async function withLab<T>(prefix: string, body: (lab: Lab) => Promise<T>): Promise<T> {
  const lab = new Lab(prefix);
  register(lab);
  let bodyFailed = false;
  try {
    return await body(lab);
  } catch (error) {
    bodyFailed = true;
    throw error;
  } finally {
    try {
      await lab.destroy();
    } catch (cleanupError) {
      // The test's own failure is the one worth reporting; a cleanup failure
      // on top of it is printed rather than allowed to replace it.
      if (!bodyFailed) throw cleanupError;
      console.error(`withLab(${prefix}): cleanup also failed:`, cleanupError);
    } finally {
      unregister(lab);
    }
  }
}
