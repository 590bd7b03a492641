// Runs one command as root in a QEMU guest that has IPVS, for the tests of
// libs/ipvs and ipvsadm-ts on hosts whose kernel has none. The guest boots
// Debian's kernel with the host's / as a read-only overlay, loads ip_vs and
// its usual schedulers, runs the command, and powers off; its stdout, stderr
// and exit status come back through a shared folder (9p), followed live.
// Background, timings and pitfalls: /work/shared/labs/ipvs-vm.md.
//
//   node --import tsx --conditions=source test/ipvs-vm/ipvsVm.ts [-v] [--timeout S] -- COMMAND...
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { pathToFileURL } from 'node:url';

import { HOSTROOT_TAG, XFER_FILES, XFER_TAG, commandScript, stage2Script } from './guestScripts.js';
import { prepareVmImage, type VmImage } from './vmImage.js';

export { IPVS_MODULES } from './guestScripts.js';
export { DEFAULT_VM_DIR, prepareVmImage, type VmImage } from './vmImage.js';

/** The command's own limit in the guest, unless told otherwise. */
export const DEFAULT_TIMEOUT_MS = 300_000;
/**
 * Added to the command's timeout for the whole run: boot (5 s here, more on a
 * loaded CI runner), loading the modules, timeout's 5 s before SIGKILL, and
 * power-off. Past it QEMU is killed, so no run can hang.
 */
export const BOOT_MARGIN_MS = 120_000;
/** QEMU also runs under timeout(1) with this much more, in case this process is SIGKILLed. */
const ORPHAN_MARGIN_MS = 30_000;
const POLL_INTERVAL_MS = 50;
const MAX_OUTPUT_CHARS = 32 * 1024 * 1024;
const GUEST_MEMORY_MIB = 1024;

export interface IpvsVmOptions {
  /** The command's limit inside the guest, from its start (default 300 000). */
  readonly timeoutMs?: number;
  /** Exported to the command (on top of PATH, HOME=/root, LANG=C.UTF-8, TERM=dumb). */
  readonly env?: Readonly<Record<string, string>>;
  /** Setup progress and the guest's serial console, on stderr (or `log`). */
  readonly verbose?: boolean;
  /** The command's working directory, a host path (default: this process's). */
  readonly cwd?: string;
  /** Use KVM (real VT-x/AMD-V only: this machine's kvm_pvm cannot run the kernel). */
  readonly kvm?: boolean;
  /** Called with the command's output as it arrives (the CLI prints it live). */
  readonly onStdout?: (text: string) => void;
  readonly onStderr?: (text: string) => void;
  /** Where verbose lines go (default: stderr, prefixed with [ipvs-vm]). */
  readonly log?: (line: string) => void;
}

/** Milliseconds. Boot-relative ones count from QEMU's start and are absent if never reached. */
export interface IpvsVmTimings {
  /** Checking (and on first use, doing) the setup. */
  readonly setupMs: number;
  /** Stage 2 started: the guest runs the host's bash. */
  readonly shellMs?: number;
  /** ip_vs and the schedulers loaded. */
  readonly modulesMs?: number;
  /** The command's exit status written. */
  readonly commandMs?: number;
  /** QEMU exited. */
  readonly qemuMs: number;
  /** The whole call, setup included. */
  readonly totalMs: number;
}

export interface IpvsVmResult {
  /** The command's exit status (128+N when killed by signal N). */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timings: IpvsVmTimings;
  /** The guest's serial console (the kernel boots with `quiet`: usually empty). */
  readonly console: string;
}

export type IpvsVmFailure =
  /** The command ran past `timeoutMs` and was killed. */
  | 'timeout'
  /** The guest stopped without the command's exit status (boot or modprobe failed). */
  | 'guest-failed'
  /** The whole run passed timeout + BOOT_MARGIN_MS and QEMU was killed. */
  | 'hard-limit'
  /** QEMU could not start. */
  | 'qemu-failed';

/** A run that did not produce the command's exit status; `result` holds what came back. */
export class IpvsVmError extends Error {
  override readonly name = 'IpvsVmError';
  constructor(
    readonly reason: IpvsVmFailure,
    message: string,
    readonly result: IpvsVmResult,
  ) {
    super(message);
  }
}

/** One line for stderr: `[ipvs-vm] exit status N (shell Xs, modules loaded Ys, command done Zs, total Ts)`. */
export function formatSummary(outcome: { readonly code?: number; readonly timedOut?: boolean; readonly timings: IpvsVmTimings }): string {
  const seconds = (ms: number | undefined): string => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)}s`);
  const { timings } = outcome;
  const head = outcome.timedOut ? 'timed out' : outcome.code === undefined ? 'no exit status' : `exit status ${outcome.code}`;
  const setup = timings.setupMs >= 1000 ? `setup ${seconds(timings.setupMs)}, ` : '';
  return `[ipvs-vm] ${head} (${setup}shell ${seconds(timings.shellMs)}, modules loaded ${seconds(timings.modulesMs)}, command done ${seconds(timings.commandMs)}, total ${seconds(timings.totalMs)})`;
}

// --- cleanup on signals --------------------------------------------------------

interface ActiveRun {
  readonly child: ChildProcess;
  readonly runDir: string;
}

const activeRuns = new Set<ActiveRun>();
const CLEANUP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** QEMU's PID from its -pidfile, if that process is still this run's QEMU. */
function qemuPid(runDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(runDir, 'qemu.pid'), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1) return undefined;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('qemu-system') && cmdline.includes(runDir) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Synchronous, so that it can run in a signal handler or on 'exit'. */
function killRun(run: ActiveRun, removeDir: boolean): void {
  const pid = qemuPid(run.runDir);
  if (pid !== undefined) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  // timeout(1) forwards SIGTERM to QEMU, covering a QEMU whose pidfile is not written yet.
  if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGTERM');
  if (removeDir) rmSync(run.runDir, { recursive: true, force: true });
}

function onSignal(signal: NodeJS.Signals): void {
  for (const run of activeRuns) killRun(run, true);
  activeRuns.clear();
  uninstallHandlers();
  // Die of the signal as if no handler had been installed, unless someone else handles it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function onExit(): void {
  for (const run of activeRuns) killRun(run, true);
}

function installHandlers(): void {
  for (const signal of CLEANUP_SIGNALS) process.on(signal, onSignal);
  process.on('exit', onExit);
}

function uninstallHandlers(): void {
  for (const signal of CLEANUP_SIGNALS) process.off(signal, onSignal);
  process.off('exit', onExit);
}

function track(run: ActiveRun): void {
  if (activeRuns.size === 0) installHandlers();
  activeRuns.add(run);
}

function untrack(run: ActiveRun): void {
  activeRuns.delete(run);
  if (activeRuns.size === 0) uninstallHandlers();
}

// --- following the shared folder ------------------------------------------------

/** Reads what has been appended to a file since the last call, as UTF-8 text. */
class FileFollower {
  private position = 0;
  private readonly decoder = new StringDecoder('utf8');
  private text = '';
  private readonly buffer = Buffer.alloc(64 * 1024);
  constructor(
    private readonly path: string,
    private readonly onText: ((text: string) => void) | undefined,
  ) {}

  poll(): void {
    if (!existsSync(this.path)) return;
    const fd = openSync(this.path, 'r');
    try {
      for (;;) {
        const read = readSync(fd, this.buffer, 0, this.buffer.length, this.position);
        if (read === 0) break;
        this.position += read;
        this.append(this.decoder.write(this.buffer.subarray(0, read)));
      }
    } finally {
      closeSync(fd);
    }
  }

  finish(): string {
    this.poll();
    this.append(this.decoder.end());
    return this.text;
  }

  private append(text: string): void {
    if (text === '') return;
    this.onText?.(text);
    if (this.text.length < MAX_OUTPUT_CHARS) this.text += text.slice(0, MAX_OUTPUT_CHARS - this.text.length);
  }
}

function readIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

// --- the run -------------------------------------------------------------------

function qemuArgs(image: VmImage, runDir: string, xferDir: string, kvm: boolean): string[] {
  const accel = kvm ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg', '-cpu', 'max'];
  return [
    ...accel,
    '-m', String(GUEST_MEMORY_MIB),
    // One vCPU: under TCG, -smp 2 was measured slower (boot +1 s, node slower).
    '-smp', '1',
    '-M', 'q35',
    '-nodefaults', '-no-user-config', '-display', 'none', '-vga', 'none', '-nic', 'none', '-monitor', 'none',
    // A kernel panic (panic=-1) reboots, and -no-reboot turns that into QEMU's exit.
    '-no-reboot',
    '-kernel', image.vmlinux,
    '-initrd', image.initrd,
    '-append', 'console=ttyS0 quiet panic=-1 mitigations=off tsc=reliable cryptomgr.notests',
    '-serial', `file:${join(runDir, 'console.log')}`,
    '-pidfile', join(runDir, 'qemu.pid'),
    // The host's root, read-only; several filesystems are mounted under it, so remap inode numbers.
    '-fsdev', `local,id=${HOSTROOT_TAG},path=/,readonly=on,security_model=none,multidevs=remap`,
    '-device', `virtio-9p-pci,fsdev=${HOSTROOT_TAG},mount_tag=${HOSTROOT_TAG}`,
    '-fsdev', `local,id=${XFER_TAG},path=${xferDir},security_model=none`,
    '-device', `virtio-9p-pci,fsdev=${XFER_TAG},mount_tag=${XFER_TAG}`,
  ];
}

/**
 * Boots the guest, runs `command` as root in it (an argv is exec'd, a string
 * is a bash script) with ip_vs, ip_vs_rr, _wrr, _lc, _wlc and _sh loaded, and
 * resolves with its exit status and output once the guest is off. Rejects with
 * an IpvsVmError when the command times out or the guest fails. The guest sees
 * the host's files read-only as they were at boot: build before calling.
 * Needs root (QEMU exports all of /). Each call boots once: batch the checks.
 */
export async function runInIpvsVm(command: readonly string[] | string, options: IpvsVmOptions = {}): Promise<IpvsVmResult> {
  const startedAt = Date.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const log = options.log ?? ((line: string): void => void process.stderr.write(`[ipvs-vm] ${line}\n`));
  const verboseLog = options.verbose ? log : undefined;
  const script = commandScript(command);

  const image = await prepareVmImage(verboseLog ? { log: verboseLog } : {});
  const setupMs = Date.now() - startedAt;

  const runDir = mkdtempSync(join(tmpdir(), 'ipvs-vm.'));
  const xferDir = join(runDir, 'xfer');
  mkdirSync(xferDir);
  const stage2 = stage2Script({
    busybox: image.busybox,
    moduleTree: image.moduleTree,
    kernelVersion: image.kernelVersion,
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? {},
    timeoutMs,
  });
  writeFileSync(join(xferDir, XFER_FILES.stage2), stage2, { mode: 0o755 });
  writeFileSync(join(xferDir, XFER_FILES.command), script);

  const hardLimitMs = timeoutMs + BOOT_MARGIN_MS;
  const orphanLimitSeconds = Math.ceil((hardLimitMs + ORPHAN_MARGIN_MS) / 1000);
  const bootedAt = Date.now();
  const child = spawn('timeout', ['-s', 'KILL', String(orphanLimitSeconds), image.qemu, ...qemuArgs(image, runDir, xferDir, options.kvm ?? false)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const run: ActiveRun = { child, runDir };
  track(run);

  let qemuStderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    if (qemuStderr.length < 64 * 1024) qemuStderr += text;
  });

  const stdout = new FileFollower(join(xferDir, XFER_FILES.stdout), options.onStdout);
  const stderr = new FileFollower(join(xferDir, XFER_FILES.stderr), options.onStderr);
  const seen: { shell?: number; modules?: number; command?: number } = {};
  const markerAt = (name: string): number | undefined => (existsSync(join(xferDir, name)) ? Date.now() - bootedAt : undefined);
  const poll = (): void => {
    seen.shell ??= markerAt(XFER_FILES.shell);
    seen.modules ??= markerAt(XFER_FILES.modules);
    if (seen.command === undefined && /^\d+\n$/.test(readIfExists(join(xferDir, XFER_FILES.rc)))) seen.command = Date.now() - bootedAt;
    stdout.poll();
    stderr.poll();
  };

  let hitHardLimit = false;
  let spawnError: Error | undefined;
  let qemuExit: { code: number | null; signal: NodeJS.Signals | null } = { code: 0, signal: null };
  try {
    await new Promise<void>((resolve) => {
      const timer = setInterval(poll, POLL_INTERVAL_MS);
      const limit = setTimeout(() => {
        hitHardLimit = true;
        killRun(run, false);
      }, hardLimitMs);
      const done = (): void => {
        clearInterval(timer);
        clearTimeout(limit);
        resolve();
      };
      child.once('error', (error) => {
        spawnError = error;
        done();
      });
      child.once('exit', (code, signal) => {
        qemuExit = { code, signal };
        done();
      });
    });
  } finally {
    killRun(run, false);
    untrack(run);
  }

  const qemuMs = Date.now() - bootedAt;
  poll();
  const rcText = readIfExists(join(xferDir, XFER_FILES.rc));
  const timedOut = existsSync(join(xferDir, XFER_FILES.timedOut));
  const modulesError = readIfExists(join(xferDir, XFER_FILES.modulesFailed)).trim();
  const consoleText = readIfExists(join(runDir, 'console.log'));
  const result: IpvsVmResult = {
    code: /^\d+\n$/.test(rcText) ? Number(rcText.trim()) : -1,
    stdout: stdout.finish(),
    stderr: stderr.finish(),
    console: consoleText,
    timings: {
      setupMs,
      ...(seen.shell !== undefined && { shellMs: seen.shell }),
      ...(seen.modules !== undefined && { modulesMs: seen.modules }),
      ...(seen.command !== undefined && { commandMs: seen.command }),
      qemuMs,
      totalMs: Date.now() - startedAt,
    },
  };
  rmSync(runDir, { recursive: true, force: true });

  if (verboseLog) {
    verboseLog(`guest console (${consoleText.split('\n').length - 1} lines):`);
    for (const line of consoleText.trimEnd().split('\n')) if (line !== '') verboseLog(`  ${line}`);
    if (qemuStderr.trim() !== '') verboseLog(`qemu stderr: ${qemuStderr.trim()}`);
  }

  const diagnostics = (): string => {
    const parts = [];
    if (qemuStderr.trim() !== '') parts.push(`qemu: ${tail(qemuStderr, 10)}`);
    if (consoleText.trim() !== '') parts.push(`guest console (last lines):\n${tail(consoleText, 30)}`);
    return parts.length > 0 ? `\n${parts.join('\n')}` : '';
  };
  if (spawnError) throw new IpvsVmError('qemu-failed', `ipvs-vm: cannot start ${image.qemu}: ${spawnError.message}`, result);
  // timeout(1) passes on QEMU's exit status, and dies of the same signal if QEMU did (an abort).
  const qemuFailed = qemuExit.code !== 0 || qemuExit.signal !== null;
  if (qemuFailed && !hitHardLimit && seen.shell === undefined && consoleText.trim() === '') {
    const how = qemuExit.signal !== null ? `died of ${qemuExit.signal}` : `exited ${qemuExit.code}`;
    const kvmHint = options.kvm ? ' (--kvm needs real VT-x/AMD-V; a kvm_pvm /dev/kvm cannot run this kernel)' : '';
    throw new IpvsVmError('qemu-failed', `ipvs-vm: ${image.qemu} ${how} before the guest printed anything${kvmHint}${diagnostics()}`, result);
  }
  if (timedOut) throw new IpvsVmError('timeout', `ipvs-vm: command timed out after ${timeoutMs / 1000} s in the guest`, result);
  if (result.code >= 0) return result;
  if (hitHardLimit) {
    throw new IpvsVmError('hard-limit', `ipvs-vm: the guest was still running after ${hardLimitMs / 1000} s (command timeout + ${BOOT_MARGIN_MS / 1000} s) and was killed${diagnostics()}`, result);
  }
  if (seen.shell !== undefined && seen.modules === undefined) {
    throw new IpvsVmError('guest-failed', `ipvs-vm: loading the IPVS modules failed in the guest: ${modulesError || '(no message)'}${diagnostics()}`, result);
  }
  const where = seen.shell === undefined ? 'before stage 2 started (boot or mounting the host root failed)' : 'without the command\'s exit status';
  throw new IpvsVmError('guest-failed', `ipvs-vm: the guest stopped ${where}${diagnostics()}`, result);
}

// --- command line ------------------------------------------------------------------

const USAGE = `usage: ipvsVm.ts [-v] [--timeout S] [--env NAME=VALUE]... [--kvm] -- COMMAND [ARG]...

Boots Debian's kernel under QEMU with the host's / as a read-only root, loads
ip_vs and the rr, wrr, lc, wlc and sh schedulers, runs COMMAND as root in the
current directory, prints its stdout and stderr live, and exits with its
status. One argument is run as a bash script; several are exec'd as an argv.

  -v, --verbose      setup progress and the guest's console on stderr
  --timeout S        the command's limit in seconds (default ${DEFAULT_TIMEOUT_MS / 1000})
  --env NAME=VALUE   export to the command (repeatable)
  --kvm              -accel kvm (hosts with real VT-x/AMD-V only; TCG by default)
  -h, --help         this text

Exit status: the command's; 124 if it timed out; 125 if the guest failed.
Needs root. First use installs qemu-system-x86 and prepares ${'$'}IPVS_VM_DIR (/opt/ipvs-vm).`;

interface CliArgs {
  readonly verbose: boolean;
  readonly timeoutMs: number;
  readonly env: Record<string, string>;
  readonly kvm: boolean;
  readonly command: string[] | string;
}

function parseArgs(argv: readonly string[]): CliArgs | 'help' {
  let verbose = false;
  let kvm = false;
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  const env: Record<string, string> = {};
  let index = 0;
  const value = (flag: string): string => {
    const next = argv[++index];
    if (next === undefined) throw new Error(`${flag} needs a value`);
    return next;
  };
  for (; index < argv.length; index++) {
    const arg = argv[index] ?? '';
    if (arg === '--') {
      index++;
      break;
    }
    if (!arg.startsWith('-')) break;
    if (arg === '-h' || arg === '--help') return 'help';
    else if (arg === '-v' || arg === '--verbose') verbose = true;
    else if (arg === '--kvm') kvm = true;
    else if (arg === '--timeout' || arg.startsWith('--timeout=')) {
      const text = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : value(arg);
      const seconds = Number(text);
      if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`--timeout: not a number of seconds: ${text}`);
      timeoutMs = Math.round(seconds * 1000);
    } else if (arg === '--env') {
      const pair = value(arg);
      const equals = pair.indexOf('=');
      if (equals <= 0) throw new Error(`--env: expected NAME=VALUE, got ${pair}`);
      env[pair.slice(0, equals)] = pair.slice(equals + 1);
    } else throw new Error(`unknown option ${arg}`);
  }
  const rest = argv.slice(index);
  if (rest.length === 0) throw new Error('no command given');
  return { verbose, kvm, timeoutMs, env, command: rest.length === 1 ? (rest[0] ?? '') : rest };
}

async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs | 'help';
  try {
    args = parseArgs(argv);
  } catch (error) {
    process.stderr.write(`ipvs-vm: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('ipvs-vm: must run as root (QEMU exports the whole of / to the guest, and setup uses apt-get)\n');
    return 125;
  }
  try {
    const result = await runInIpvsVm(args.command, {
      timeoutMs: args.timeoutMs,
      env: args.env,
      verbose: args.verbose,
      kvm: args.kvm,
      onStdout: (text) => void process.stdout.write(text),
      onStderr: (text) => void process.stderr.write(text),
    });
    process.stderr.write(`${formatSummary(result)}\n`);
    return result.code;
  } catch (error) {
    if (!(error instanceof IpvsVmError)) {
      process.stderr.write(`ipvs-vm: ${error instanceof Error ? error.message : String(error)}\n`);
      return 125;
    }
    process.stderr.write(`${error.message}\n`);
    process.stderr.write(`${formatSummary({ timedOut: error.reason === 'timeout', timings: error.result.timings })}\n`);
    return error.reason === 'timeout' ? 124 : 125;
  }
}

const entryPoint = process.argv[1];
if (entryPoint !== undefined && import.meta.url === pathToFileURL(realpathSync(entryPoint)).href) {
  process.exitCode = await main(process.argv.slice(2));
}
