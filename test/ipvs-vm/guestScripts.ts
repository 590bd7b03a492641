// The two scripts the guest runs. Stage 1 (/init, busybox sh, baked into the
// initramfs) mounts the host's root read-only under an overlay and switches
// to it; stage 2 (bash from the host, written for each run into the shared
// folder) loads IPVS, runs the command and powers off. The host learns how far
// the guest got from marker files in the shared folder, not from the console.

/** Where the per-run shared folder is mounted in the guest. */
export const GUEST_XFER_DIR = '/run/ipvs-vm';

/** 9p mount tags, shared by the QEMU command line and stage 1. */
export const HOSTROOT_TAG = 'hostroot';
export const XFER_TAG = 'xfer';

/** The schedulers loaded up front; others load on demand through kernel.modprobe. */
export const IPVS_MODULES = ['ip_vs', 'ip_vs_rr', 'ip_vs_wrr', 'ip_vs_lc', 'ip_vs_wlc', 'ip_vs_sh'] as const;

/** Files the guest writes into the shared folder, in the order it writes them. */
export const XFER_FILES = {
  shell: 'shell', // stage 2 started: the host's root is mounted
  modules: 'modules', // ip_vs and the schedulers are loaded
  modulesFailed: 'modules-failed', // modprobe's stderr, when it failed
  stdout: 'stdout',
  stderr: 'stderr',
  timedOut: 'timed-out', // the command ran past its timeout and was killed
  rc: 'rc', // the command's exit status and a newline, written last
  stage2: 'stage2.sh', // written by the host
  command: 'command.sh', // written by the host
} as const;

/** Quotes one word for bash (single quotes; a quote inside becomes '\''). */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command as a bash script: a string is run as it is, an argv is exec'd. */
export function commandScript(command: readonly string[] | string): string {
  if (typeof command === 'string') return `${command}\n`;
  if (command.length === 0) throw new RangeError('ipvs-vm: empty command');
  return `exec ${command.map(shellQuote).join(' ')}\n`;
}

/**
 * /init of the initramfs. `modules` are the .ko files under /lib/modules of
 * the initramfs, dependencies first. Any failure powers the guest off, which
 * the host sees as a run without an exit status and reports with the console.
 */
export function initScript(modules: readonly string[]): string {
  const hostRootOptions = 'trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro';
  const xferOptions = 'trans=virtio,version=9p2000.L,msize=262144';
  return `#!/bin/busybox sh
# Stage 1 of the ipvs-vm guest (test/ipvs-vm/guestScripts.ts): the host's / is
# the read-only lower layer of an overlay with a tmpfs upper layer, so the
# guest runs the host's own binaries and node_modules and its writes vanish.
/bin/busybox --install -s /bin
export PATH=/bin
fail() {
  echo "ipvs-vm init: $*" > /dev/console
  poweroff -f
}
mount -t devtmpfs devtmpfs /dev || fail "cannot mount devtmpfs"
mount -t proc proc /proc || fail "cannot mount proc"
mount -t sysfs sysfs /sys || fail "cannot mount sysfs"
for module in ${modules.join(' ')}; do
  insmod "/lib/modules/$module" || fail "cannot load $module"
done
mount -t 9p -o ${hostRootOptions} ${HOSTROOT_TAG} /lower || fail "cannot mount the host's root (9p tag ${HOSTROOT_TAG})"
mount -t tmpfs -o mode=0755 tmpfs /upper || fail "cannot mount the overlay's tmpfs"
mkdir -p /upper/data /upper/work
mount -t overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work overlay /newroot || fail "cannot mount the overlay"
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /newroot/run || fail "cannot mount /run"
mkdir -p /newroot${GUEST_XFER_DIR}
mount -t 9p -o ${xferOptions} ${XFER_TAG} /newroot${GUEST_XFER_DIR} || fail "cannot mount the shared folder (9p tag ${XFER_TAG})"
for dir in dev proc sys; do
  mount --move "/$dir" "/newroot/$dir" || fail "cannot move /$dir"
done
exec switch_root /newroot /bin/bash ${GUEST_XFER_DIR}/${XFER_FILES.stage2}
fail "switch_root failed"
`;
}

export interface Stage2Options {
  /** The busybox binary on the host's filesystem. */
  readonly busybox: string;
  /** The extracted kernel's module tree on the host: .../lib/modules/<version>. */
  readonly moduleTree: string;
  readonly kernelVersion: string;
  /** The command's working directory (a host path, seen read-only). */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** The command is sent SIGTERM after this long, and SIGKILL 5 s later. */
  readonly timeoutMs: number;
}

/** The guest's PATH: busybox's module tools first, as the host may have no kmod. */
const GUEST_KMOD_DIR = '/run/ipvs-vm.kmod';
const GUEST_PATH = `${GUEST_KMOD_DIR}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
/** Seconds between timeout's TERM and its KILL. */
const KILL_AFTER_SECONDS = 5;

/** Stage 2, run by bash as PID 1 after switch_root. It must never exit: it powers off. */
export function stage2Script(options: Stage2Options): string {
  const { busybox, moduleTree, kernelVersion, cwd, env, timeoutMs } = options;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new RangeError(`ipvs-vm: bad timeout ${timeoutMs} ms`);
  const timeoutSeconds = (timeoutMs / 1000).toFixed(3);
  const x = GUEST_XFER_DIR;
  const f = XFER_FILES;
  const exports = Object.entries(env)
    .map(([name, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new RangeError(`ipvs-vm: bad environment variable name ${JSON.stringify(name)}`);
      return `export ${name}=${shellQuote(value)}\n`;
    })
    .join('');
  return `#!/bin/bash
# Stage 2 of the ipvs-vm guest, written by test/ipvs-vm/guestScripts.ts for one run.
bb=${shellQuote(busybox)}
mark() { : > ${x}/"$1"; }
power_off() { "$bb" sync; exec "$bb" poweroff -f; }
mark ${f.shell}
# busybox rather than the host's coreutils: under TCG each dynamically linked
# exec costs 0.1 to 0.2 s, busybox's about 0.02 s.
"$bb" mkdir -p /dev/pts /dev/shm /lib/modules ${GUEST_KMOD_DIR}
"$bb" mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts /dev/pts && "$bb" ln -sf pts/ptmx /dev/ptmx
"$bb" mount -t tmpfs -o mode=1777,nosuid,nodev shm /dev/shm
"$bb" mount -t cgroup2 cgroup2 /sys/fs/cgroup
"$bb" ip link set lo up
"$bb" ln -sfn ${shellQuote(moduleTree)} /lib/modules/${shellQuote(kernelVersion)}
for tool in modprobe insmod rmmod lsmod modinfo depmod; do "$bb" ln -s "$bb" ${GUEST_KMOD_DIR}/$tool; done
echo ${GUEST_KMOD_DIR}/modprobe > /proc/sys/kernel/modprobe
if ! "$bb" modprobe -a ${IPVS_MODULES.join(' ')} 2> ${x}/${f.modulesFailed}; then
  power_off
fi
mark ${f.modules}
export PATH=${GUEST_PATH} HOME=/root LANG=C.UTF-8 TERM=dumb
${exports}cd ${shellQuote(cwd)} || cd /
started=\${EPOCHREALTIME/./}
timeout -k ${KILL_AFTER_SECONDS} ${timeoutSeconds} bash ${x}/${f.command} > ${x}/${f.stdout} 2> ${x}/${f.stderr} < /dev/null
rc=$?
elapsed=$(( \${EPOCHREALTIME/./} - started ))
if { [ $rc = 124 ] || [ $rc = 137 ]; } && [ $elapsed -ge ${timeoutMs * 1000} ]; then
  mark ${f.timedOut}
fi
echo $rc > ${x}/${f.rc}
power_off
`;
}
