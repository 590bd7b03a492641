// vrrpd: the VRRP election daemon. Runs in the foreground, logs on stderr,
// reads keepalived.conf (-f) or one instance from flags (-i ...).
// Exit statuses: 0 stopped cleanly; 1 a configuration or start-up error
// (nothing applied); 2 usage; with -t: 0 good, 5 problems found, 6 script
// security, as keepalived -t.

import { writeFileSync, rmSync } from 'node:fs';
import { booleanFlag, commandLine, ExitCode, integerFlag, parseFlags, runMain, stringFlag, usageError, UserError } from '@keepalived-ts/cli';
import { daemonLog, openEventSink } from '@keepalived-ts/daemon';
import { configFromFlags } from './fromFlags.js';
import { configTest, loadDaemonConfig } from './fromKeepalivedConf.js';
import type { TransitionEvent } from './notifier.js';
import type { DaemonConfig } from './runtimeConfig.js';

const DEFAULT_CONFIG = '/etc/keepalived/keepalived.conf';
const DEFAULT_STATE_FILE = '/tmp/vrrpd.json';

/** A repeatable string flag (cac gives one value or an array; booleans are its default for --no-vip's key). */
function listFlag(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v) => typeof v === 'string' || typeof v === 'number').map(String);
}

await runMain('vrrpd', async () => {
  const cli = commandLine('vrrpd');
  cli.usage('[-f FILE] [-t] [-p PIDFILE] [--events PATH] [--no-vip]\n  $ vrrpd -i IFACE --vrid N --priority N --vip ADDR/PREFIX [...]');
  cli
    .option('-f, --use-file <file>', `keepalived.conf to read (default ${DEFAULT_CONFIG})`)
    .option('-t, --config-test', 'Check the configuration and exit: 0 good, 5 problems, 6 script security')
    .option('-p, --pid <file>', 'Write the PID to this file')
    .option('--events <path>', 'JSON Lines of transitions to a file, a FIFO, or - for stdout')
    .option('--no-vip', 'Do not add or remove addresses: only elect, advertise and report')
    .option('--state-file <file>', `Where SIGUSR1 writes every instance's state as JSON (default ${DEFAULT_STATE_FILE})`)
    .option('-i, --interface <iface>', 'One instance without a file: its interface')
    .option('--vrid <n>', 'Virtual router id (1-255)')
    .option('--priority <n>', 'Priority (1-255, default 100)')
    .option('--vip <addr>', 'A virtual address, ADDR[/PREFIX]; repeat for more')
    .option('--advert-int <s>', 'Advertisement interval in seconds (default 1; v3 allows 0.01 steps)')
    .option('--vrrp-version <v>', '2 or 3 (default 2 for IPv4, 3 for IPv6)')
    .option('--state <state>', 'MASTER or BACKUP (default BACKUP)')
    .option('--nopreempt', 'Do not preempt a lower-priority master')
    .option('--auth-pass <pass>', 'VRRPv2 PASS authentication (at most 8 characters)')
    .option('--unicast-src <addr>', 'Source address for unicast adverts')
    .option('--unicast-peer <addr>', 'Send adverts to this peer instead of multicast; repeat for more')
    .option('--name <name>', 'Instance name in logs and events (default VI_1)')
    .option('-D, --log-detail', "Detailed logs, as keepalived's -D: also each dropped advert and the election's detail lines");
  cli.example('vrrpd -f /etc/keepalived/keepalived.conf');
  cli.example('vrrpd -t -f keepalived.conf');
  cli.example('vrrpd --no-vip --events - | vipctl apply');
  cli.example('vrrpd -i eth0 --vrid 51 --priority 100 --vip 10.0.0.100/24');
  // --vip (a value) and --no-vip (a switch) share one key in cac: take the switch out first.
  const argv = process.argv.slice(2);
  const noVipGiven = argv.includes('--no-vip');
  const parsed = parseFlags(cli, argv.filter((a) => a !== '--no-vip'));
  const flags = parsed.flags;
  if (flags['help']) {
    cli.outputHelp();
    return ExitCode.ok;
  }
  if (parsed.args.length > 0) throw usageError(`unexpected argument ${JSON.stringify(parsed.args[0])}`);
  const file = stringFlag(flags, 'useFile');
  const iface = stringFlag(flags, 'interface');
  if (file !== undefined && iface !== undefined) throw usageError('give either -f FILE or -i IFACE, not both');

  if (booleanFlag(flags, 'configTest')) {
    if (iface !== undefined) throw usageError('-t checks a configuration file; it does not go with -i');
    return configTest(file ?? DEFAULT_CONFIG, (line) => process.stderr.write(line + '\n'));
  }

  let config: DaemonConfig;
  if (iface !== undefined) {
    const vrid = integerFlag(flags, 'vrid', 1, 255);
    if (vrid === undefined) throw usageError('--vrid is required with -i');
    const advert = stringFlag(flags, 'advertInt') ?? '1';
    const advertIntSeconds = Number(advert);
    if (!/^\d+(\.\d+)?$/.test(advert) || advertIntSeconds < 0.01 || advertIntSeconds > 40.95) throw usageError(`--advert-int ${JSON.stringify(advert)}: seconds from 0.01 to 40.95`);
    const versionText = stringFlag(flags, 'vrrpVersion');
    if (versionText !== undefined && versionText !== '2' && versionText !== '3') throw usageError(`--vrrp-version ${JSON.stringify(versionText)}: 2 or 3`);
    const state = (stringFlag(flags, 'state') ?? 'BACKUP').toUpperCase();
    if (state !== 'MASTER' && state !== 'BACKUP') throw usageError(`--state ${JSON.stringify(state)}: MASTER or BACKUP`);
    const authPass = stringFlag(flags, 'authPass');
    const unicastSource = stringFlag(flags, 'unicastSrc');
    config = configFromFlags({
      interface: iface,
      vrid,
      priority: integerFlag(flags, 'priority', 1, 255) ?? 100,
      vips: listFlag(flags['vip']),
      advertIntSeconds,
      ...(versionText ? { version: Number(versionText) as 2 | 3 } : {}),
      state: state === 'MASTER' ? 'master' : 'backup',
      preempt: !booleanFlag(flags, 'nopreempt'),
      ...(authPass !== undefined ? { authPass } : {}),
      ...(unicastSource !== undefined ? { unicastSource } : {}),
      unicastPeers: listFlag(flags['unicastPeer']),
      name: stringFlag(flags, 'name') ?? 'VI_1',
    });
  } else {
    config = loadDaemonConfig(file ?? DEFAULT_CONFIG, (line) => process.stderr.write(line + '\n'));
  }

  const log = daemonLog(booleanFlag(flags, 'logDetail'));
  const eventsPath = stringFlag(flags, 'events');
  let events;
  try {
    events = eventsPath !== undefined ? openEventSink<TransitionEvent>(eventsPath, (m) => log('warning', m)) : undefined;
  } catch (error) {
    throw new UserError(`--events ${eventsPath}: ${(error as Error).message}`, ExitCode.failure);
  }
  const { VrrpDaemon } = await import('./vrrpDaemon.js');
  let daemon;
  try {
    daemon = await VrrpDaemon.start({ config, manageVips: !noVipGiven, log, ...(events ? { events } : {}) });
  } catch (error) {
    throw new UserError((error as Error).message, ExitCode.failure);
  }
  const pidFile = stringFlag(flags, 'pid');
  if (pidFile) writeFileSync(pidFile, `${process.pid}\n`);
  const stateFile = stringFlag(flags, 'stateFile') ?? DEFAULT_STATE_FILE;
  process.on('SIGHUP', () => {
    if (iface !== undefined) {
      log('info', 'SIGHUP: nothing to reload in the one-instance mode');
      return;
    }
    log('info', 'Reloading');
    let next: DaemonConfig;
    try {
      next = loadDaemonConfig(file ?? DEFAULT_CONFIG, (line) => log('warning', line));
    } catch (error) {
      // A broken file must not take down a running router: keep what runs.
      log('error', `Reload failed, keeping the running configuration: ${(error as Error).message}`);
      return;
    }
    daemon.reload(next).catch((error: unknown) => log('error', `Reload failed: ${(error as Error).message}`));
  });
  process.on('SIGUSR1', () => {
    writeFileSync(stateFile, JSON.stringify(daemon.snapshot(), null, 2) + '\n');
    log('info', `Printing VRRP data to ${stateFile}`);
  });
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      log('info', `Stopping (${signal})`);
      void daemon.stop().then(() => {
        events?.close();
        if (pidFile) rmSync(pidFile, { force: true });
        log('info', 'Stopped');
        resolve(ExitCode.ok);
        // Native handles (pcap's poll) may outlive close(); the work is done.
        setImmediate(() => process.exit(ExitCode.ok));
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
});
