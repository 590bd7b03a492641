import { runCommand, type CommandResult } from './command.js';
import type { Lab } from './lab.js';
import type { ProcessHandle } from './process.js';

/** What tcpdump reported when it stopped ("N packets captured" and so on). */
export interface CaptureStats {
  readonly captured: number | undefined;
  readonly receivedByFilter: number | undefined;
  readonly droppedByKernel: number | undefined;
}

export interface TcpdumpHandle {
  readonly ns: string;
  readonly iface: string;
  readonly pcapFile: string;
  readonly process: ProcessHandle;
  /** Stops with SIGINT, so tcpdump flushes and closes the file; resolves with its counters. */
  stop(options?: { readonly timeoutMs?: number }): Promise<CaptureStats>;
}

export interface StartTcpdumpOptions {
  /** How long to wait for "listening on" (default 5 s). */
  readonly startTimeoutMs?: number;
  /** More options placed before the filter, e.g. `['-s', '128']`. */
  readonly extraArgs?: readonly string[];
}

/** The capture filter for every VRRP packet, IPv4 or IPv6. */
export const VRRP_FILTER = 'ip proto 112 or ip6 proto 112';

/**
 * Captures on `iface` in namespace `ns` into `pcapFile` and resolves once
 * tcpdump is really listening, so nothing sent after this returns is missed.
 * `-U` writes each packet as it comes, so the file can be read while the
 * capture goes on. `-Z root`: Debian's tcpdump otherwise switches to the
 * `tcpdump` user and hands it the file, which is then not owned like the rest
 * of a test's output.
 */
export async function startTcpdump(
  lab: Lab,
  ns: string,
  iface: string,
  pcapFile: string,
  filter: string = VRRP_FILTER,
  options: StartTcpdumpOptions = {},
): Promise<TcpdumpHandle> {
  const argv = ['tcpdump', '-i', iface, '-U', '-Z', 'root', '-w', pcapFile, ...(options.extraArgs ?? [])];
  if (filter.trim() !== '') argv.push(filter);
  const child = await lab.spawn(ns, argv);
  await child.waitForLine(/listening on/, { stream: 'stderr', timeoutMs: options.startTimeoutMs ?? 5_000 });

  return {
    ns,
    iface,
    pcapFile,
    process: child,
    async stop({ timeoutMs = 5_000 } = {}) {
      await child.stop('SIGINT', { timeoutMs });
      const stderr = child.text('stderr');
      const count = (label: string): number | undefined => {
        const match = new RegExp(`^(\\d+) packets? ${label}`, 'm').exec(stderr);
        return match?.[1] === undefined ? undefined : Number.parseInt(match[1], 10);
      };
      return {
        captured: count('captured'),
        receivedByFilter: count('received by filter'),
        droppedByKernel: count('dropped by kernel'),
      };
    },
  };
}

/**
 * Runs `tcpdump -r pcapFile` with `flags` (default `-nn -vv`) in the host
 * namespace: reading a file sends nothing. Works on a file still being
 * written; tcpdump may then complain of a truncated last packet on stderr
 * and exit 1, which is why the result is returned rather than checked.
 */
export function readPcapText(pcapFile: string, flags: readonly string[] = ['-nn', '-vv']): Promise<CommandResult> {
  return runCommand(['tcpdump', ...flags, '-r', pcapFile]);
}
