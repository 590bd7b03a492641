// Prepares, once per machine, what the guest boots: QEMU itself, Debian's
// kernel (pinned at first setup), its modules, the ELF vmlinux and the
// initramfs. Idempotent and serialised with flock(1), so parallel runs and
// parallel first setups are fine. Large files live outside the repository.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, renameSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { bzImageXzPayload } from './bzImage.js';
import { encodeCpio, type CpioEntry } from './cpio.js';
import { initScript } from './guestScripts.js';

/** Where the prepared files live; IPVS_VM_DIR overrides (it must be on the host's root filesystem). */
export const DEFAULT_VM_DIR = '/opt/ipvs-vm';

/** Modules the initramfs needs to mount the host's root over virtio 9p under an overlay. */
const INITRAMFS_MODULES = ['virtio_pci', '9pnet_virtio', '9p', 'overlay'] as const;

/**
 * Module directories dropped after extraction (about 300 of 400 MB): hardware
 * the guest does not have. The guest has no NIC, disk, sound or display;
 * the tests build veth, dummy, bridge and macvlan links, which are kept.
 */
const PRUNED_MODULE_DIRS = [
  'sound',
  'drivers/gpu',
  'drivers/media',
  'drivers/scsi',
  'drivers/usb',
  'drivers/infiniband',
  'drivers/iio',
  'drivers/staging',
  'drivers/hwmon',
  'drivers/hid',
  'drivers/input',
  'drivers/comedi',
  'drivers/mtd',
  'drivers/isdn',
  'drivers/bluetooth',
  'drivers/mmc',
  'drivers/target',
  'drivers/net/wireless',
  'drivers/net/ethernet',
  'drivers/net/can',
  'drivers/net/usb',
  'drivers/net/wwan',
  'drivers/net/ieee802154',
  'net/wireless',
  'net/mac80211',
  'net/bluetooth',
] as const;

const APT_TIMEOUT_MS = 15 * 60_000;
const LOCK_TIMEOUT_SECONDS = 30 * 60;

export interface VmImage {
  readonly dir: string;
  /** For example 6.1.0-56-amd64. */
  readonly kernelVersion: string;
  readonly qemu: string;
  readonly vmlinux: string;
  readonly initrd: string;
  readonly busybox: string;
  /** .../lib/modules/<kernelVersion>, with modules.dep. */
  readonly moduleTree: string;
}

export interface PrepareOptions {
  readonly dir?: string;
  /** Progress lines ("installing qemu-system-x86"); silent by default. */
  readonly log?: (line: string) => void;
}

/** The pin: the kernel package chosen at first setup, and its version. */
interface KernelPin {
  readonly packageName: string;
  readonly packageVersion: string;
  readonly kernelVersion: string;
}

const PIN_FILE = 'kernel.pin';

function vmDir(options: PrepareOptions): string {
  return options.dir ?? process.env.IPVS_VM_DIR ?? DEFAULT_VM_DIR;
}

function readPin(dir: string): KernelPin | undefined {
  const path = join(dir, PIN_FILE);
  if (!existsSync(path)) return undefined;
  const [packageName, packageVersion] = readFileSync(path, 'utf8').trim().split(/\s+/);
  if (!packageName?.startsWith('linux-image-') || packageVersion === undefined) {
    throw new Error(`ipvs-vm: ${path} is not "<package> <version>"; delete it to pin the current kernel`);
  }
  return { packageName, packageVersion, kernelVersion: packageName.slice('linux-image-'.length) };
}

function qemuBinary(): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin').split(':')) {
    if (dir !== '' && existsSync(join(dir, 'qemu-system-x86_64'))) return join(dir, 'qemu-system-x86_64');
  }
  return undefined;
}

function imagePaths(dir: string, pin: KernelPin, initrdKey: string) {
  return {
    busybox: join(dir, 'busybox', 'bin', 'busybox'),
    kernelRoot: join(dir, 'kernel'),
    moduleTree: join(dir, 'kernel', 'lib', 'modules', pin.kernelVersion),
    vmlinux: join(dir, `vmlinux-${pin.kernelVersion}`),
    initrd: join(dir, `initrd-${pin.kernelVersion}-${initrdKey}.cpio`),
  };
}

/** Changes whenever the initramfs recipe does, so an old initramfs is rebuilt. */
function initrdKey(modulePaths: readonly string[]): string {
  return createHash('sha256')
    .update(initScript(modulePaths.map(moduleFileName)))
    .update(modulePaths.join('\n'))
    .digest('hex')
    .slice(0, 12);
}

function moduleFileName(relativePath: string): string {
  return relativePath.slice(relativePath.lastIndexOf('/') + 1);
}

/** The image if everything is already in place; no lock needed, as each file appears by rename. */
function readyImage(dir: string): VmImage | undefined {
  const qemu = qemuBinary();
  const pin = qemu === undefined ? undefined : readPin(dir);
  if (qemu === undefined || pin === undefined) return undefined;
  const depFile = join(dir, 'kernel', 'lib', 'modules', pin.kernelVersion, 'modules.dep');
  if (!existsSync(depFile)) return undefined;
  const modules = initramfsModules(readFileSync(depFile, 'utf8'));
  const paths = imagePaths(dir, pin, initrdKey(modules));
  if (![paths.busybox, paths.vmlinux, paths.initrd].every((path) => existsSync(path))) return undefined;
  return { dir, kernelVersion: pin.kernelVersion, qemu, vmlinux: paths.vmlinux, initrd: paths.initrd, busybox: paths.busybox, moduleTree: paths.moduleTree };
}

/**
 * Returns the prepared image, preparing what is missing first (as root: it
 * installs QEMU with apt-get). The first setup ever downloads about 70 MB.
 */
export async function prepareVmImage(options: PrepareOptions = {}): Promise<VmImage> {
  const dir = vmDir(options);
  const ready = readyImage(dir);
  if (ready) return ready;
  const log = options.log ?? ((): void => {});
  return withLock(dir, log, async () => {
    const lockedReady = readyImage(dir);
    if (lockedReady) return lockedReady;
    await installHostPackages(log);
    const pin = readPin(dir) ?? (await pinKernel(dir, log));
    await extractPackages(dir, pin, log);
    const modules = initramfsModules(readFileSync(join(dir, 'kernel', 'lib', 'modules', pin.kernelVersion, 'modules.dep'), 'utf8'));
    const paths = imagePaths(dir, pin, initrdKey(modules));
    if (!existsSync(paths.vmlinux)) await extractVmlinux(dir, pin, paths.vmlinux, log);
    if (!existsSync(paths.initrd)) buildInitrd(dir, paths.moduleTree, modules, paths.initrd, log);
    const image = readyImage(dir);
    if (!image) throw new Error(`ipvs-vm: setup of ${dir} finished but the image is still incomplete`);
    return image;
  });
}

/**
 * Takes an exclusive flock on <dir>/setup.lock for the duration of `body`.
 * flock(1) locks the open file description it inherits as fd 3, which this
 * process shares, so the lock stays held after flock(1) exits, until the fd
 * is closed here (or this process dies).
 */
async function withLock<T>(dir: string, log: (line: string) => void, body: () => Promise<T>): Promise<T> {
  mkdirSync(dir, { recursive: true });
  const fd = openSync(join(dir, 'setup.lock'), 'a');
  const flock = (args: readonly string[]): Promise<number | null> =>
    new Promise((resolve, reject) => {
      const child = spawn('flock', [...args, '3'], { stdio: ['ignore', 'ignore', 'inherit', fd] });
      child.once('error', reject);
      child.once('exit', (code) => resolve(code));
    });
  try {
    if ((await flock(['-x', '-n'])) !== 0) {
      log(`waiting for another setup of ${dir} to finish`);
      if ((await flock(['-x', '-w', String(LOCK_TIMEOUT_SECONDS)])) !== 0) {
        throw new Error(`ipvs-vm: could not lock ${dir}/setup.lock within ${LOCK_TIMEOUT_SECONDS} s`);
      }
    }
    return await body();
  } finally {
    closeSync(fd);
  }
}

const execFileAsync = promisify(execFile);

interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs argv to completion (killed after `timeoutMs`); never throws on a non-zero exit. */
async function tryRun(argv: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new RangeError('ipvs-vm: empty argv');
  try {
    const { stdout, stderr } = await execFileAsync(file, args, {
      cwd: options.cwd,
      timeout: options.timeoutMs ?? APT_TIMEOUT_MS,
      killSignal: 'SIGKILL',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as Error & { code?: number | string | null; stdout?: string; stderr?: string; killed?: boolean };
    if (failure.killed) throw new Error(`ipvs-vm: \`${argv.join(' ')}\` was killed after ${options.timeoutMs ?? APT_TIMEOUT_MS} ms`);
    if (typeof failure.code !== 'number') throw new Error(`ipvs-vm: cannot run ${argv.join(' ')}: ${failure.message}`);
    return { code: failure.code, stdout: failure.stdout ?? '', stderr: failure.stderr ?? '' };
  }
}

async function run(argv: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  const result = await tryRun(argv, options);
  if (result.code !== 0) {
    throw new Error(`ipvs-vm: \`${argv.join(' ')}\` exited ${result.code}: ${result.stderr.trim().split('\n').slice(-10).join('\n')}`);
  }
  return result;
}

const APT_GET = ['apt-get', '-q', '-y', '-o', 'APT::Sandbox::User=root'];

/** apt-get, refreshing the package lists once if the first try fails (a fresh machine has none). */
async function aptGet(args: readonly string[], log: (line: string) => void, cwd?: string): Promise<void> {
  const first = await tryRun([...APT_GET, ...args], { cwd });
  if (first.code === 0) return;
  log(`apt-get ${args[0]} failed; running apt-get update and trying again`);
  await run([...APT_GET, 'update']);
  await run([...APT_GET, ...args], { cwd });
}

/** QEMU, and xz for the kernel payload (busybox's unxz lacks the x86 BCJ filter the kernel uses). */
async function installHostPackages(log: (line: string) => void): Promise<void> {
  const missing: string[] = [];
  if (qemuBinary() === undefined) missing.push('qemu-system-x86');
  if ((await tryRun(['sh', '-c', 'command -v xz'])).code !== 0) missing.push('xz-utils');
  if (missing.length === 0) return;
  log(`installing ${missing.join(' ')} (apt-get install --no-install-recommends)`);
  await aptGet(['install', '--no-install-recommends', ...missing], log);
}

/** Pins the kernel package that linux-image-amd64 depends on today. */
async function pinKernel(dir: string, log: (line: string) => void): Promise<KernelPin> {
  const lookup = async (): Promise<string | undefined> => {
    const result = await tryRun(['apt-cache', 'show', '--no-all-versions', 'linux-image-amd64']);
    const match = result.stdout.match(/^Depends:.*?\b(linux-image-[0-9][^\s,(]*)\s*\(=\s*([^)\s]+)\)/m);
    return match ? `${match[1]} ${match[2]}` : undefined;
  };
  let found = await lookup();
  if (found === undefined) {
    log('apt does not know linux-image-amd64; running apt-get update');
    await run([...APT_GET, 'update']);
    found = await lookup();
  }
  if (found === undefined) throw new Error('ipvs-vm: apt knows no linux-image-amd64 that depends on "linux-image-<version> (= <version>)"');
  writeFileSync(join(dir, `${PIN_FILE}.tmp`), `${found}\n`);
  renameSync(join(dir, `${PIN_FILE}.tmp`), join(dir, PIN_FILE));
  const pin = readPin(dir);
  if (!pin) throw new Error('ipvs-vm: could not write the kernel pin');
  log(`pinned kernel ${pin.packageName} ${pin.packageVersion} (${join(dir, PIN_FILE)})`);
  return pin;
}

/**
 * Downloads busybox-static and the pinned kernel and unpacks them with
 * dpkg-deb -x: nothing is installed on the host. The host may have no kmod,
 * so busybox's depmod writes modules.dep. The .debs are deleted afterwards.
 */
async function extractPackages(dir: string, pin: KernelPin, log: (line: string) => void): Promise<void> {
  const busyboxDone = existsSync(join(dir, 'busybox', 'bin', 'busybox'));
  const kernelDone = existsSync(join(dir, 'kernel', 'lib', 'modules', pin.kernelVersion, 'modules.dep'));
  if (busyboxDone && kernelDone) return;
  const download = join(dir, 'download.tmp');
  rmSync(download, { recursive: true, force: true });
  mkdirSync(download);
  try {
    const wanted = [...(busyboxDone ? [] : ['busybox-static']), ...(kernelDone ? [] : [`${pin.packageName}=${pin.packageVersion}`])];
    log(`downloading ${wanted.join(' ')}`);
    await aptGet(['download', ...wanted], log, download).catch((error: unknown) => {
      const hint = kernelDone ? '' : ` (if the pinned kernel is gone from the mirror, delete ${join(dir, PIN_FILE)} to pin the current one)`;
      throw new Error(`${error instanceof Error ? error.message : String(error)}${hint}`);
    });
    const debs = readdirSync(download).filter((name) => name.endsWith('.deb'));
    const debOf = (prefix: string): string => {
      const name = debs.find((deb) => deb.startsWith(`${prefix}_`));
      if (name === undefined) throw new Error(`ipvs-vm: apt-get download left no ${prefix}_*.deb in ${download}`);
      return join(download, name);
    };
    if (!busyboxDone) {
      const target = join(dir, 'busybox');
      rmSync(`${target}.tmp`, { recursive: true, force: true });
      await run(['dpkg-deb', '-x', debOf('busybox-static'), `${target}.tmp`]);
      rmSync(target, { recursive: true, force: true });
      renameSync(`${target}.tmp`, target);
    }
    if (!kernelDone) {
      const target = join(dir, 'kernel');
      const staging = `${target}.tmp`;
      rmSync(staging, { recursive: true, force: true });
      log(`unpacking ${pin.packageName}`);
      await run(['dpkg-deb', '-x', debOf(pin.packageName), staging]);
      const kernelDir = join(staging, 'lib', 'modules', pin.kernelVersion, 'kernel');
      for (const pruned of PRUNED_MODULE_DIRS) rmSync(join(kernelDir, pruned), { recursive: true, force: true });
      log('depmod (busybox)');
      await run([join(dir, 'busybox', 'bin', 'busybox'), 'depmod', '-b', staging, pin.kernelVersion]);
      rmSync(target, { recursive: true, force: true });
      renameSync(staging, target);
    }
  } finally {
    rmSync(download, { recursive: true, force: true });
  }
}

/** Unpacks the ELF vmlinux from the bzImage, which QEMU boots through its PVH entry. */
async function extractVmlinux(dir: string, pin: KernelPin, target: string, log: (line: string) => void): Promise<void> {
  const bzImage = join(dir, 'kernel', 'boot', `vmlinuz-${pin.kernelVersion}`);
  const payload = bzImageXzPayload(readFileSync(bzImage));
  if (!payload.ok) throw new Error(`ipvs-vm: ${bzImage}: ${payload.reason}`);
  log(`unpacking the ELF vmlinux from ${bzImage}`);
  const xzFile = `${target}.xz.tmp`;
  writeFileSync(xzFile, payload.xz);
  try {
    await run(['sh', '-c', 'xz -dc -- "$1" > "$2"', 'sh', xzFile, `${target}.tmp`]);
  } finally {
    rmSync(xzFile, { force: true });
  }
  const elf = readFileSync(`${target}.tmp`).subarray(0, 4);
  if (!elf.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) throw new Error(`ipvs-vm: ${bzImage}'s payload is not an ELF file`);
  renameSync(`${target}.tmp`, target);
  for (const name of readdirSync(dir)) {
    if (name.startsWith('vmlinux-') && join(dir, name) !== target) rmSync(join(dir, name), { force: true });
  }
}

/**
 * The initramfs modules with all their dependencies, dependencies first, as
 * paths relative to the module tree. modules.dep lists, for each module, every
 * module it needs (busybox's depmod: the whole closure, in no useful order).
 */
export function initramfsModules(modulesDep: string): string[] {
  const deps = new Map<string, string[]>();
  const byName = new Map<string, string>();
  for (const line of modulesDep.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const path = line.slice(0, colon).trim();
    deps.set(path, line.slice(colon + 1).trim().split(/\s+/).filter(Boolean));
    byName.set(moduleName(path), path);
  }
  const ordered: string[] = [];
  const visit = (path: string, trail: readonly string[]): void => {
    if (ordered.includes(path)) return;
    if (trail.includes(path)) throw new Error(`ipvs-vm: module dependency loop: ${[...trail, path].join(' -> ')}`);
    for (const dep of deps.get(path) ?? []) visit(dep, [...trail, path]);
    ordered.push(path);
  };
  for (const name of INITRAMFS_MODULES) {
    const path = byName.get(name);
    if (path === undefined) throw new Error(`ipvs-vm: module ${name} is not in modules.dep`);
    visit(path, []);
  }
  return ordered;
}

function moduleName(path: string): string {
  return moduleFileName(path).replace(/\.ko(\.[a-z]+)?$/, '').replace(/-/g, '_');
}

/** Writes the initramfs: static busybox, /init, /dev/console and the modules. */
function buildInitrd(dir: string, moduleTree: string, modules: readonly string[], target: string, log: (line: string) => void): void {
  log(`building the initramfs (${modules.map(moduleName).join(' ')})`);
  const names = modules.map(moduleFileName);
  const entries: CpioEntry[] = [
    ...['bin', 'dev', 'proc', 'sys', 'lib', 'lib/modules', 'lower', 'upper', 'newroot'].map((path): CpioEntry => ({ kind: 'dir', path })),
    { kind: 'chardev', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'file', path: 'bin/busybox', data: readFileSync(join(dir, 'busybox', 'bin', 'busybox')), mode: 0o755 },
    { kind: 'file', path: 'init', data: Buffer.from(initScript(names)), mode: 0o755 },
    ...modules.map((path, index): CpioEntry => ({ kind: 'file', path: `lib/modules/${names[index]}`, data: readFileSync(join(moduleTree, path)) })),
  ];
  writeFileSync(`${target}.tmp`, encodeCpio(entries));
  renameSync(`${target}.tmp`, target);
  for (const name of readdirSync(dir)) {
    if (name.startsWith('initrd-') && join(dir, name) !== target) rmSync(join(dir, name), { force: true });
  }
}
